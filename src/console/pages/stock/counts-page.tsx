/**
 * 盘点: the list of count sheets, a new sheet for a bin range or SKUs, the blind count on the
 * handheld (scan each unit; the book quantity is never shown) and the review where a second person
 * approves the variance, which is posted as adjustments.
 */
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Typography,
} from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { useNavigate, useParams } from 'react-router'
import { endpoints } from '../../api/endpoints'
import type { CountSheet, CountStatus, CountSummary, ScanHit, Sku } from '../../api/types'
import { Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { ScanInput } from '../../components/scan-input'
import { ErrorAlert } from '../../components/states'
import { useI18n } from '../../i18n'
import { DocumentList, CountTag, Delta, SkuCell, useWarehouses } from './shared'

export function CountsPage() {
  const { t } = useI18n()
  const navigate = useNavigate()
  const [creating, setCreating] = useState(false)
  return (
    <>
      <DocumentList<CountStatus, CountSummary>
        kind="count"
        title={t('stock.menu.counts')}
        path="/stock/counts"
        statuses={['counting', 'submitted', 'approved']}
        statusLabel={(s) => t(`stock.count.status.${s}`)}
        fetchPage={endpoints.counts}
        onNew={() => setCreating(true)}
        columns={[
          { title: t('stock.field.warehouse'), dataIndex: 'warehouseName' },
          {
            title: t('stock.field.bin'),
            key: 'bins',
            responsive: ['md'],
            render: (_: unknown, c) =>
              c.binFrom || c.binTo ? (
                <span className="mono">{`${c.binFrom ?? '…'} ~ ${c.binTo ?? '…'}`}</span>
              ) : null,
          },
          {
            title: t('stock.field.lines'),
            key: 'progress',
            align: 'right',
            render: (_: unknown, c) => (
              <span className="num">
                {t('stock.count.progress', { done: c.countedCount, all: c.lineCount })}
              </span>
            ),
          },
        ]}
        narrow={{
          facts: (c) => (
            <>
              {c.warehouseName}
              {(c.binFrom || c.binTo) && (
                <span className="mono">{` · ${c.binFrom ?? '…'} ~ ${c.binTo ?? '…'}`}</span>
              )}
            </>
          ),
          figureTitle: t('stock.field.lines'),
          figure: (c) => (
            <span className="num">
              {t('stock.count.progress', { done: c.countedCount, all: c.lineCount })}
            </span>
          ),
        }}
      />
      <NewCount
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(id) => void navigate(`/stock/counts/${id}`)}
      />
    </>
  )
}

function NewCount({
  open,
  onClose,
  onCreated,
}: {
  open: boolean
  onClose: () => void
  onCreated: (id: string) => void
}) {
  const { t } = useI18n()
  const warehouses = useWarehouses()
  const [form] = Form.useForm<{ warehouseId: string; binFrom?: string; binTo?: string }>()
  const [skus, setSkus] = useState<Sku[]>([])
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const submit = async () => {
    const v = await form.validateFields()
    setBusy(true)
    setError(null)
    try {
      const c = await endpoints.createCount({
        warehouseId: v.warehouseId,
        ...(v.binFrom?.trim() ? { binFrom: v.binFrom.trim() } : {}),
        ...(v.binTo?.trim() ? { binTo: v.binTo.trim() } : {}),
        ...(skus.length ? { skuIds: skus.map((s) => s.id) } : {}),
      })
      onCreated(c.id)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Modal
      open={open}
      title={t('stock.count.newTitle')}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('stock.count.scopeHint')}</Typography.Paragraph>
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" initialValues={{ warehouseId: warehouses[0]?.id }}>
        <Form.Item
          name="warehouseId"
          label={t('stock.field.warehouse')}
          rules={[{ required: true, message: t('stock.field.warehouse') }]}
        >
          <Select options={warehouses.map((w) => ({ value: w.id, label: w.name }))} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="binFrom" label={t('stock.count.binFrom')}>
            <Input maxLength={64} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="binTo" label={t('stock.count.binTo')}>
            <Input maxLength={64} style={{ width: 160 }} />
          </Form.Item>
        </Space>
        <Form.Item label={t('stock.count.skus')}>
          <ScanInput
            autoFocus={false}
            testId="count-sku-scan"
            onSku={(hit) => setSkus((s) => (s.some((x) => x.id === hit.sku.id) ? s : [...s, hit.sku]))}
          />
          <div style={{ marginTop: 8 }}>
            {skus.map((s) => (
              <Button
                key={s.id}
                size="small"
                style={{ margin: 2 }}
                onClick={() => setSkus((l) => l.filter((x) => x.id !== s.id))}
              >
                {s.code} ×
              </Button>
            ))}
          </div>
        </Form.Item>
      </Form>
    </Modal>
  )
}

export function CountSheetPage() {
  const { id } = useParams()
  const { t } = useI18n()
  const navigate = useNavigate()
  const { message } = AntApp.useApp()
  const [sheet, setSheet] = useState<CountSheet | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [last, setLast] = useState<{ code: string; n: number } | null>(null)
  const desk = useDesk()
  const reload = useCallback(() => {
    endpoints.count(id!).then(setSheet, setError)
  }, [id])
  useEffect(reload, [reload])

  const act = async (fn: () => Promise<CountSheet>, done?: string) => {
    setError(null)
    try {
      setSheet(await fn())
      if (done) void message.success(done)
    } catch (err) {
      setError(err)
    }
  }
  const onScan = async (hit: ScanHit) => {
    const next = await endpoints.recordCounts(id!, [{ skuId: hit.sku.id, quantity: 1, mode: 'add' }])
    setSheet(next)
    setLast({ code: hit.sku.code, n: next.lines.find((l) => l.skuId === hit.sku.id)?.counted ?? 0 })
  }
  if (!sheet)
    return (
      <div className="ep-page">
        <ErrorAlert error={error} onRetry={reload} />
      </div>
    )
  const counting = sheet.status === 'counting'
  const done = sheet.lines.filter((l) => l.counted !== null).length
  return (
    <div className="ep-page">
      <Card styles={{ body: { padding: 16 } }}>
        <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 12 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('stock.count.title', { number: sheet.number })} <CountTag status={sheet.status} />
          </Typography.Title>
          <Space wrap>
            <Button onClick={() => void navigate('/stock/counts')}>{t('common.back')}</Button>
            {counting && (
              <Popconfirm
                title={t('stock.count.submitConfirm')}
                okText={t('common.confirm')}
                cancelText={t('common.cancel')}
                onConfirm={() => void act(() => endpoints.countStep(sheet.id, 'submit'))}
              >
                <Button type="primary" size="large">
                  {t('stock.count.submit')}
                </Button>
              </Popconfirm>
            )}
            {sheet.status === 'submitted' && (
              <>
                <Button onClick={() => void act(() => endpoints.countStep(sheet.id, 'reject'))}>
                  {t('stock.count.reject')}
                </Button>
                <Button
                  type="primary"
                  data-testid="approve-count"
                  onClick={() =>
                    void act(() => endpoints.countStep(sheet.id, 'approve'), t('stock.count.approved'))
                  }
                >
                  {t('stock.count.approve')}
                </Button>
              </>
            )}
          </Space>
        </Flex>
        <div className="ep-muted" style={{ marginBottom: 8 }}>
          {sheet.warehouseName}
          {(sheet.binFrom || sheet.binTo) && ` · ${sheet.binFrom ?? '…'} ~ ${sheet.binTo ?? '…'}`} ·{' '}
          <span className="num">{t('stock.count.progress', { done, all: sheet.lines.length })}</span>
        </div>
        <ErrorAlert error={error} />
        {counting && (
          <>
            <Alert type="info" showIcon message={t('stock.count.blindHint')} style={{ marginBottom: 12 }} />
            <div style={{ maxWidth: 560, marginBottom: 12 }}>
              <ScanInput onSku={onScan} />
            </div>
            {last && (
              <div
                data-testid="last-count"
                style={{ fontSize: 24, fontWeight: 600, marginBottom: 12, overflowWrap: 'anywhere' }}
              >
                {t('stock.count.lastScan', { code: last.code, n: last.n })}
              </div>
            )}
          </>
        )}
        {sheet.status === 'submitted' && (
          <Alert
            type="warning"
            showIcon
            message={t('stock.count.approveHint')}
            style={{ marginBottom: 12 }}
          />
        )}
        <Table
          size="small"
          rowKey="skuId"
          pagination={false}
          scroll={{ x: 'max-content' }}
          dataSource={sheet.lines}
          data-testid="count-lines"
          columns={[
            ...(desk
              ? [
                  {
                    title: t('stock.field.bin'),
                    dataIndex: 'bin',
                    render: (v: string | null) => <span className="mono">{v}</span>,
                  },
                ]
              : []),
            {
              title: t('stock.field.sku'),
              key: 'sku',
              render: (_: unknown, l: CountSheet['lines'][number]) => (
                <>
                  {!desk && l.bin && (
                    <div className="mono" style={{ fontWeight: 600 }}>
                      {l.bin}
                    </div>
                  )}
                  <SkuCell code={l.skuCode} name={l.skuName} />
                </>
              ),
            },
            ...(counting
              ? []
              : [
                  {
                    title: t('stock.count.expected'),
                    dataIndex: 'expected',
                    align: 'right' as const,
                    render: (v: number | null) => <span className="num">{v}</span>,
                  },
                ]),
            {
              title: t('stock.count.counted'),
              key: 'counted',
              align: 'right' as const,
              render: (_: unknown, l: CountSheet['lines'][number]) =>
                counting ? (
                  <InputNumber
                    min={0}
                    max={10_000_000}
                    precision={0}
                    value={l.counted}
                    placeholder={t('stock.count.uncounted')}
                    aria-label={`${t('stock.count.counted')} ${l.skuCode}`}
                    onChange={(v) => {
                      if (v !== null)
                        void act(() =>
                          endpoints.recordCounts(sheet.id, [{ skuId: l.skuId, quantity: v, mode: 'set' }]),
                        )
                    }}
                    style={{ width: 100 }}
                  />
                ) : (
                  <span className="num">{l.counted}</span>
                ),
            },
            ...(counting
              ? []
              : [
                  {
                    title: t('stock.count.variance'),
                    dataIndex: 'variance',
                    align: 'right' as const,
                    render: (v: number | null) => (v === null ? null : <Delta n={v} />),
                  },
                  { title: t('stock.count.countedBy'), dataIndex: 'countedBy' },
                ]),
          ]}
        />
        {sheet.decidedAt && sheet.status === 'approved' && (
          <Alert
            style={{ marginTop: 12 }}
            type="success"
            showIcon
            message={
              <span>
                {t('stock.count.status.approved')} · <Time value={sheet.decidedAt} /> · {sheet.decidedBy}
              </span>
            }
          />
        )}
      </Card>
    </div>
  )
}
