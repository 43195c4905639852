/**
 * 佣金方案: a shop's plans by the day they take effect, and a form to add one (rates as decimals,
 * 0.05 = 5%). A plan cannot overlap another: the API says which, in the form.
 */
import { Button, DatePicker, Form, Input, Modal, Select, Tag, message } from 'antd'
import type { Dayjs } from 'dayjs'
import { useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { CommissionPlan } from '../../api/types'
import { errorMessage, fieldErrors } from '../../components/errors'
import { ListPage } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useI18n } from '../../i18n'
import { useShops } from './shared'

const RATE = /^\d{1,4}(\.\d{1,8})?$/
const pct = (r: string | undefined) => (r ? `${(Number(r) * 100).toFixed(2).replace(/\.?0+$/, '')}%` : '—')

interface PlanForm {
  name: string
  effectiveFrom: Dayjs
  effectiveTo?: Dayjs | null
  rate?: string
  paymentRate?: string
  fixedPerOrder?: string
}

export function CommissionPlansPage() {
  const i18n = useI18n()
  const { t } = i18n
  const shops = useShops()
  const [shopId, setShopId] = useState<string | undefined>()
  const [plans, setPlans] = useState<CommissionPlan[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [adding, setAdding] = useState(false)
  const [tick, setTick] = useState(0)
  const [form] = Form.useForm<PlanForm>()
  const [toast, holder] = message.useMessage()

  useEffect(() => {
    if (!shopId && shops[0]) setShopId(shops[0].id)
  }, [shops, shopId])
  useEffect(() => {
    if (!shopId) return
    let live = true
    setPlans(null)
    endpoints.commissionPlans(shopId).then(
      (p) => live && (setPlans(p.items), setError(null)),
      (e: unknown) => live && (setError(e), setPlans([])),
    )
    return () => {
      live = false
    }
  }, [shopId, tick])
  const shop = shops.find((s) => s.id === shopId)

  const save = async () => {
    const v = await form.validateFields()
    try {
      await endpoints.createCommissionPlan(shopId!, {
        name: v.name,
        effectiveFrom: v.effectiveFrom.format('YYYY-MM-DD'),
        effectiveTo: v.effectiveTo ? v.effectiveTo.format('YYYY-MM-DD') : null,
        rules: {
          ...(v.rate ? { rate: v.rate } : {}),
          ...(v.paymentRate ? { paymentRate: v.paymentRate } : {}),
          ...(v.fixedPerOrder ? { fixedPerOrder: v.fixedPerOrder } : {}),
        },
      })
      setAdding(false)
      form.resetFields()
      void toast.success(t('finance.plans.created'))
      setTick((n) => n + 1)
    } catch (e) {
      const fields = fieldErrors(i18n, e).map((f) => ({ ...f, name: f.name.replace(/^body\//, '') }))
      if (fields.length) form.setFields(fields as never)
      else form.setFields([{ name: 'name', errors: [errorMessage(i18n, e)] }])
    }
  }
  const rateRule = { pattern: RATE, message: t('finance.plans.ratePlaceholder') }

  return (
    <>
      {holder}
      <ListPage<CommissionPlan>
        title={t('finance.plans.title')}
        intro={t('finance.plans.intro')}
        error={error}
        extra={
          <>
            <Select
              aria-label={t('finance.plans.shop')}
              style={{ width: 220 }}
              value={shopId}
              onChange={setShopId}
              options={shops.map((s) => ({ value: s.id, label: s.name }))}
            />
            <Button type="primary" disabled={!shopId} onClick={() => setAdding(true)}>
              {t('finance.plans.add')}
            </Button>
          </>
        }
        table={{
          rowKey: 'id',
          loading: plans === null && !!shopId,
          dataSource: plans ?? [],
          pagination: false,
          locale: {
            emptyText: <EmptyState text={shopId ? t('finance.plans.empty') : t('finance.plans.pickShop')} />,
          },
          columns: [
            { title: t('finance.plans.name'), dataIndex: 'name' },
            {
              title: t('finance.plans.from'),
              dataIndex: 'effectiveFrom',
              render: (d: string) => <span className="num">{d}</span>,
            },
            {
              title: t('finance.plans.to'),
              dataIndex: 'effectiveTo',
              render: (d: string | null) =>
                d ? <span className="num">{d}</span> : <Tag color="blue">{t('finance.plans.open')}</Tag>,
            },
            {
              title: t('finance.plans.rate'),
              key: 'rate',
              align: 'right',
              render: (_: unknown, p) => <span className="num">{pct(p.rules.rate)}</span>,
            },
            {
              title: t('finance.plans.paymentRate'),
              key: 'pay',
              align: 'right',
              render: (_: unknown, p) => <span className="num">{pct(p.rules.paymentRate)}</span>,
            },
            {
              title: t('finance.plans.fixed'),
              key: 'fixed',
              align: 'right',
              render: (_: unknown, p) => <span className="num">{p.rules.fixedPerOrder ?? '—'}</span>,
            },
            {
              title: `${t('finance.plans.byCategory')} / ${t('finance.plans.bySku')}`,
              key: 'more',
              render: (_: unknown, p) => {
                const n =
                  Object.keys(p.rules.byCategory ?? {}).length + Object.keys(p.rules.bySku ?? {}).length
                return n ? t('finance.plans.rules', { n }) : '—'
              },
            },
          ],
        }}
      />
      <Modal
        open={adding}
        title={t('finance.plans.addTitle', { shop: shop?.name ?? '' })}
        onCancel={() => setAdding(false)}
        onOk={() => void save()}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" requiredMark="optional">
          <Form.Item name="name" label={t('finance.plans.name')} rules={[{ required: true, max: 200 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="effectiveFrom" label={t('finance.plans.from')} rules={[{ required: true }]}>
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="effectiveTo" label={t('finance.plans.to')} extra={t('finance.plans.open')}>
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="rate" label={t('finance.plans.rate')} rules={[rateRule]}>
            <Input placeholder={t('finance.plans.ratePlaceholder')} inputMode="decimal" />
          </Form.Item>
          <Form.Item name="paymentRate" label={t('finance.plans.paymentRate')} rules={[rateRule]}>
            <Input placeholder={t('finance.plans.ratePlaceholder')} inputMode="decimal" />
          </Form.Item>
          <Form.Item
            name="fixedPerOrder"
            label={t('finance.plans.fixed')}
            rules={[{ pattern: /^\d{1,14}(\.\d{1,4})?$/ }]}
          >
            <Input inputMode="decimal" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  )
}
