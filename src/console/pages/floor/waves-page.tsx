/**
 * 波次: the waves with their progress; a new wave from filters with a live preview of what it takes.
 * At the desk a table; on the handheld one stacked cell per wave (WaveCard) with 拣货 in reach.
 */
import { FileTextOutlined, PlusOutlined, PrinterOutlined, ScanOutlined } from '@ant-design/icons'
import { App, Button, Checkbox, Flex, Form, InputNumber, Modal, Progress, Select, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { Link } from 'react-router'
import { endpoints } from '../../api/endpoints'
import type { Shop, Warehouse, Wave, WaveFilter, WaveStage } from '../../api/types'
import { errorMessage } from '../../components/errors'
import { Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { CursorPager, ListPage } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'
import { WaveCard, WaveStageTag } from './wave-card'
import { WaveWaybills } from './wave-waybills'

export function WavesPage() {
  const { t } = useI18n()
  const desk = useDesk()
  const [status, setStatus] = useState<'open' | 'closed' | 'all'>('open')
  const [creating, setCreating] = useState(false)
  const [waybillsOf, setWaybillsOf] = useState<Wave | null>(null)
  const list = useCursorList<Wave>(
    (cursor, limit) =>
      endpoints.waves({ ...(cursor ? { cursor } : {}), limit, ...(status === 'all' ? {} : { status }) }),
    [status],
  )
  return (
    <>
      <ListPage<Wave>
        title={t('floor.waves.title')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('floor.waves.create')}
          </Button>
        }
        tabs={{
          active: status,
          onChange: (k) => setStatus(k as typeof status),
          items: (['open', 'closed', 'all'] as const).map((k) => ({
            key: k,
            label: t(`floor.waves.statusTab.${k}`),
          })),
        }}
        error={list.error}
        onRetry={list.reload}
        table={{
          rowKey: 'id',
          loading: list.loading,
          dataSource: list.items,
          pagination: false,
          locale: { emptyText: <EmptyState text={t('floor.waves.empty')} /> },
          // On the handheld the card wraps to the screen instead of scrolling sideways.
          ...(desk ? {} : { scroll: {} }),
          columns: desk
            ? [
                {
                  title: t('floor.waves.code'),
                  dataIndex: 'code',
                  fixed: 'left',
                  render: (code: string) => <span className="mono">{code}</span>,
                },
                {
                  title: t('floor.waves.warehouse'),
                  dataIndex: 'warehouseName',
                },
                {
                  title: t('floor.waves.createdAt'),
                  dataIndex: 'createdAt',
                  render: (v: string) => <Time value={v} />,
                },
                {
                  title: t('floor.waves.orders'),
                  dataIndex: 'orders',
                  align: 'right',
                  render: (n: number, w) => (
                    <span className="num">
                      {n}
                      {w.heldOrders > 0 && (
                        <Typography.Text type="danger" style={{ marginLeft: 4 }}>
                          (-{w.heldOrders})
                        </Typography.Text>
                      )}
                    </span>
                  ),
                },
                {
                  title: t('floor.waves.units'),
                  dataIndex: 'units',
                  align: 'right',
                  className: 'num',
                },
                {
                  title: t('floor.waves.progress'),
                  key: 'progress',
                  width: 160,
                  render: (_: unknown, w) => (
                    <Progress
                      size="small"
                      percent={w.units === 0 ? 0 : Math.round((w.pickedUnits / w.units) * 100)}
                      format={() => `${w.pickedUnits}/${w.units}`}
                    />
                  ),
                },
                {
                  title: t('floor.waves.shipped'),
                  key: 'shipped',
                  align: 'right',
                  render: (_: unknown, w) => <span className="num">{`${w.shippedOrders}/${w.orders}`}</span>,
                },
                {
                  title: t('floor.waves.stage'),
                  dataIndex: 'stage',
                  render: (s: WaveStage) => <WaveStageTag stage={s} />,
                },
                {
                  title: t('common.actions'),
                  key: 'actions',
                  fixed: 'right',
                  render: (_: unknown, w) => <WaveActions wave={w} desk onWaybills={setWaybillsOf} />,
                },
              ]
            : [
                {
                  title: t('floor.waves.title'),
                  key: 'wave',
                  render: (_: unknown, w) => (
                    <WaveCard
                      wave={w}
                      actions={<WaveActions wave={w} desk={false} onWaybills={setWaybillsOf} />}
                    />
                  ),
                },
              ],
        }}
        pager={<CursorPager list={list} />}
      />
      {waybillsOf && (
        <WaveWaybills
          waveId={waybillsOf.id}
          code={waybillsOf.code}
          onClose={() => {
            setWaybillsOf(null)
            list.reload()
          }}
        />
      )}
      {creating && (
        <CreateWave
          onClose={(made) => {
            setCreating(false)
            if (made) list.reload()
          }}
        />
      )}
    </>
  )
}

/**
 * 拣货 and 面单 while the wave is open; 打印拣货单 at the desk only. On the handheld they share the
 * card's width in large buttons (44 px, a gloved thumb), 拣货 the primary one.
 */
function WaveActions(p: { wave: Wave; desk: boolean; onWaybills: (w: Wave) => void }) {
  const { t } = useI18n()
  const w = p.wave
  const size = p.desk ? 'small' : 'large'
  const grow = p.desk ? undefined : { flex: 1 }
  if (!p.desk && w.status !== 'open') return null
  return (
    <Flex gap={p.desk ? 4 : 8} wrap>
      {w.status === 'open' && (
        <Link to={`/floor/pick/${w.id}`} style={grow}>
          <Button size={size} type={p.desk ? 'default' : 'primary'} block={!p.desk} icon={<ScanOutlined />}>
            {t('floor.waves.pick')}
          </Button>
        </Link>
      )}
      {w.status === 'open' && (
        <Button
          size={size}
          style={grow}
          icon={<FileTextOutlined />}
          data-testid="wave-waybills-open"
          onClick={() => p.onWaybills(w)}
        >
          {t('floor.waybill.button')}
        </Button>
      )}
      {p.desk && (
        <a href={`/app/print/waves/${w.id}`} target="_blank" rel="noreferrer">
          <Button size="small" icon={<PrinterOutlined />}>
            {t('floor.waves.print')}
          </Button>
        </a>
      )}
    </Flex>
  )
}

interface Values {
  warehouseId?: string
  shopId?: string
  singleItemOnly?: boolean
  maxOrders?: number | null
}

function CreateWave({ onClose }: { onClose: (made: boolean) => void }) {
  const i18n = useI18n()
  const { t } = i18n
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [warehouses, setWarehouses] = useState<Warehouse[]>([])
  const [shops, setShops] = useState<Shop[]>([])
  const [preview, setPreview] = useState<{ orders: number; units: number } | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [saving, setSaving] = useState(false)
  const values = Form.useWatch([], form)

  useEffect(() => {
    void Promise.all([endpoints.warehouses(), endpoints.shops()]).then(([w, s]) => {
      setWarehouses(w.items)
      setShops(s.items)
      if (w.items[0]) form.setFieldValue('warehouseId', w.items[0].id)
    })
  }, [form])

  const filter = (v: Values | undefined): WaveFilter | null =>
    v?.warehouseId
      ? {
          warehouseId: v.warehouseId,
          ...(v.shopId ? { shopId: v.shopId } : {}),
          ...(v.singleItemOnly ? { singleItemOnly: true } : {}),
          ...(v.maxOrders ? { maxOrders: v.maxOrders } : {}),
        }
      : null

  useEffect(() => {
    const f = filter(values)
    if (!f) return
    let live = true
    const timer = setTimeout(() => {
      endpoints
        .previewWave(f)
        .then((p) => live && (setPreview(p), setError(null)))
        .catch((err: unknown) => live && setError(err))
    }, 200)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [JSON.stringify(values)])

  const submit = async () => {
    const f = filter(form.getFieldsValue())
    if (!f) return
    setSaving(true)
    try {
      const made = await endpoints.createWave(f)
      void message.success(t('floor.create.created', { code: made.code, orders: made.orders }))
      onClose(true)
    } catch (err) {
      setError(err)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open
      title={t('floor.create.title')}
      onCancel={() => onClose(false)}
      onOk={() => void submit()}
      okText={t('floor.create.submit')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: !preview || preview.orders === 0, loading: saving }}
    >
      <Form<Values> form={form} layout="vertical" initialValues={{ singleItemOnly: false }}>
        <Form.Item name="warehouseId" label={t('floor.create.warehouse')} rules={[{ required: true }]}>
          <Select options={warehouses.map((w) => ({ value: w.id, label: `${w.name}（${w.code}）` }))} />
        </Form.Item>
        <Form.Item name="shopId" label={t('floor.create.shop')}>
          <Select
            allowClear
            placeholder={t('floor.create.anyShop')}
            options={shops.map((s) => ({ value: s.id, label: s.name }))}
          />
        </Form.Item>
        <Form.Item name="maxOrders" label={t('floor.create.maxOrders')}>
          <InputNumber min={1} max={1000} precision={0} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="singleItemOnly" valuePropName="checked">
          <Checkbox>{t('floor.create.singleItem')}</Checkbox>
        </Form.Item>
      </Form>
      <div data-testid="wave-preview" style={{ minHeight: 24 }}>
        {error ? (
          <Typography.Text type="danger">{errorMessage(i18n, error)}</Typography.Text>
        ) : preview ? (
          <Typography.Text strong>
            {preview.orders === 0
              ? t('floor.create.previewNone')
              : t('floor.create.preview', { orders: preview.orders, units: preview.units })}
          </Typography.Text>
        ) : null}
      </div>
    </Modal>
  )
}
