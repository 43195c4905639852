/**
 * 调拨: transfers as documents. Drafted with lines added by scanning, shipped from the source (the
 * stock is in transit and available nowhere), received at the destination in one or several goes,
 * closed with what never arrived recorded as the discrepancy.
 */
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Checkbox,
  Descriptions,
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
import type { ScanHit, Transfer, TransferStatus, TransferSummary } from '../../api/types'
import { Time } from '../../components/format'
import { ScanInput } from '../../components/scan-input'
import { EmptyState, ErrorAlert } from '../../components/states'
import { useI18n } from '../../i18n'
import { DocumentList, SkuCell, TransferTag, useWarehouses } from './shared'

export function TransfersPage() {
  const { t } = useI18n()
  const navigate = useNavigate()
  const [creating, setCreating] = useState(false)
  return (
    <>
      <DocumentList<TransferStatus, TransferSummary>
        kind="transfer"
        title={t('stock.menu.transfers')}
        path="/stock/transfers"
        statuses={['draft', 'in_transit', 'received']}
        statusLabel={(s) => t(`stock.transfer.status.${s}`)}
        fetchPage={endpoints.transfers}
        onNew={() => setCreating(true)}
        columns={[
          { title: t('stock.transfer.from'), dataIndex: 'fromWarehouseName' },
          { title: t('stock.transfer.to'), dataIndex: 'toWarehouseName' },
          {
            title: t('stock.field.units'),
            key: 'units',
            align: 'right',
            render: (_: unknown, r) => <span className="num">{`${r.receivedUnits}/${r.units}`}</span>,
          },
        ]}
        narrow={{
          facts: (r) => `${r.fromWarehouseName} → ${r.toWarehouseName}`,
          figureTitle: t('stock.field.units'),
          figure: (r) => <span className="num">{`${r.receivedUnits}/${r.units}`}</span>,
        }}
      />
      <NewTransfer
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(id) => void navigate(`/stock/transfers/${id}`)}
      />
    </>
  )
}

interface Line {
  skuId: string
  skuCode: string
  skuName: string
  quantity: number
}

function NewTransfer({
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
  const [from, setFrom] = useState<string>()
  const [to, setTo] = useState<string>()
  const [note, setNote] = useState('')
  const [lines, setLines] = useState<Line[]>([])
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const add = (hit: ScanHit) =>
    setLines((ls) =>
      ls.some((l) => l.skuId === hit.sku.id)
        ? ls.map((l) => (l.skuId === hit.sku.id ? { ...l, quantity: l.quantity + 1 } : l))
        : [...ls, { skuId: hit.sku.id, skuCode: hit.sku.code, skuName: hit.sku.name, quantity: 1 }],
    )
  const submit = async () => {
    setBusy(true)
    setError(null)
    try {
      const r = await endpoints.createTransfer({
        fromWarehouseId: from!,
        toWarehouseId: to!,
        note: note.trim() || null,
        lines: lines.map((l) => ({ skuId: l.skuId, quantity: l.quantity })),
      })
      onCreated(r.id)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const options = warehouses.map((w) => ({ value: w.id, label: w.name }))
  return (
    <Modal
      open={open}
      title={t('stock.transfer.newTitle')}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('stock.transfer.create')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: !from || !to || from === to || lines.length === 0 }}
      confirmLoading={busy}
      destroyOnHidden
      width={640}
    >
      <ErrorAlert error={error} />
      <Form layout="vertical">
        <Space wrap>
          <Form.Item label={t('stock.transfer.from')} required>
            <Select
              value={from}
              onChange={setFrom}
              options={options}
              style={{ width: 180 }}
              aria-label={t('stock.transfer.from')}
            />
          </Form.Item>
          <Form.Item label={t('stock.transfer.to')} required>
            <Select
              value={to}
              onChange={setTo}
              options={options}
              style={{ width: 180 }}
              aria-label={t('stock.transfer.to')}
            />
          </Form.Item>
        </Space>
        <Form.Item label={t('stock.transfer.addLine')}>
          <ScanInput onSku={add} autoFocus={false} testId="transfer-scan" />
        </Form.Item>
        <Table<Line>
          size="small"
          rowKey="skuId"
          pagination={false}
          dataSource={lines}
          locale={{ emptyText: <EmptyState text={t('stock.receipt.noLines')} /> }}
          columns={[
            {
              title: t('stock.field.sku'),
              key: 'sku',
              render: (_: unknown, l) => <SkuCell code={l.skuCode} name={l.skuName} />,
            },
            {
              title: t('stock.field.quantity'),
              key: 'q',
              align: 'right',
              render: (_: unknown, l) => (
                <InputNumber
                  min={1}
                  precision={0}
                  value={l.quantity}
                  aria-label={`${t('stock.field.quantity')} ${l.skuCode}`}
                  onChange={(v) =>
                    setLines((ls) => ls.map((x) => (x.skuId === l.skuId ? { ...x, quantity: v ?? 1 } : x)))
                  }
                />
              ),
            },
          ]}
        />
        <Form.Item label={t('stock.field.note')} style={{ marginTop: 12 }}>
          <Input value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  )
}

export function TransferPage() {
  const { id } = useParams()
  const { t } = useI18n()
  const navigate = useNavigate()
  const { message } = AntApp.useApp()
  const [doc, setDoc] = useState<Transfer | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [arrived, setArrived] = useState<Record<number, number>>({})
  const [final, setFinal] = useState(true)
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const reload = useCallback(() => {
    endpoints.transfer(id!).then((d) => {
      setDoc(d)
      setArrived(Object.fromEntries(d.lines.map((l) => [l.lineNo, l.quantity - l.received])))
    }, setError)
  }, [id])
  useEffect(reload, [reload])
  const act = async (fn: () => Promise<Transfer>, done: string) => {
    setBusy(true)
    setError(null)
    try {
      const d = await fn()
      setDoc(d)
      setArrived(Object.fromEntries(d.lines.map((l) => [l.lineNo, l.quantity - l.received])))
      void message.success(done)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  if (!doc)
    return (
      <div className="ep-page">
        <ErrorAlert error={error} onRetry={reload} />
      </div>
    )
  const inTransit = doc.status === 'in_transit'
  const missing = doc.lines.some((l) => l.received + (arrived[l.lineNo] ?? 0) < l.quantity)
  return (
    <div className="ep-page">
      <Card styles={{ body: { padding: 16 } }}>
        <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 12 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('stock.transfer.title', { number: doc.number })} <TransferTag status={doc.status} />
          </Typography.Title>
          <Space wrap>
            <Button onClick={() => void navigate('/stock/transfers')}>{t('common.back')}</Button>
            {doc.status === 'draft' && (
              <Popconfirm
                title={t('stock.transfer.shipHint')}
                okText={t('common.confirm')}
                cancelText={t('common.cancel')}
                onConfirm={() => void act(() => endpoints.shipTransfer(doc.id), t('stock.transfer.shipped'))}
              >
                <Button type="primary" loading={busy}>
                  {t('stock.transfer.ship')}
                </Button>
              </Popconfirm>
            )}
          </Space>
        </Flex>
        <ErrorAlert error={error} />
        <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginBottom: 12 }}>
          <Descriptions.Item label={t('stock.transfer.from')}>{doc.fromWarehouseName}</Descriptions.Item>
          <Descriptions.Item label={t('stock.transfer.to')}>{doc.toWarehouseName}</Descriptions.Item>
          {doc.shippedAt && (
            <Descriptions.Item label={t('stock.transfer.shippedAt')}>
              <Time value={doc.shippedAt} /> · {doc.shippedBy}
            </Descriptions.Item>
          )}
          {doc.receivedAt && (
            <Descriptions.Item label={t('stock.transfer.received')}>
              <Time value={doc.receivedAt} /> · {doc.receivedBy}
            </Descriptions.Item>
          )}
          {doc.note && <Descriptions.Item label={t('stock.field.note')}>{doc.note}</Descriptions.Item>}
          {doc.discrepancyNote && (
            <Descriptions.Item label={t('stock.transfer.discrepancyNote')}>
              {doc.discrepancyNote}
            </Descriptions.Item>
          )}
        </Descriptions>
        {inTransit && (
          <Alert
            type="info"
            showIcon
            message={t('stock.transfer.receiveHint')}
            style={{ marginBottom: 12 }}
          />
        )}
        <Table
          size="small"
          rowKey="lineNo"
          pagination={false}
          scroll={{ x: 'max-content' }}
          dataSource={doc.lines}
          data-testid="transfer-lines"
          columns={[
            {
              title: t('stock.field.sku'),
              key: 'sku',
              render: (_: unknown, l) => <SkuCell code={l.skuCode} name={l.skuName} />,
            },
            {
              title: t('stock.field.quantity'),
              dataIndex: 'quantity',
              align: 'right',
              render: (v: number) => <span className="num">{v}</span>,
            },
            {
              title: t('stock.transfer.received'),
              dataIndex: 'received',
              align: 'right',
              render: (v: number) => <span className="num">{v}</span>,
            },
            ...(inTransit
              ? [
                  {
                    title: t('stock.transfer.receivedNow'),
                    key: 'now',
                    align: 'right' as const,
                    render: (_: unknown, l: Transfer['lines'][number]) => (
                      <InputNumber
                        min={0}
                        max={l.quantity - l.received}
                        precision={0}
                        value={arrived[l.lineNo] ?? 0}
                        aria-label={`${t('stock.transfer.receivedNow')} ${l.skuCode}`}
                        onChange={(v) => setArrived((a) => ({ ...a, [l.lineNo]: v ?? 0 }))}
                        style={{ width: 100 }}
                      />
                    ),
                  },
                ]
              : []),
            {
              title: doc.status === 'received' ? t('stock.transfer.discrepancy') : t('stock.field.inTransit'),
              key: 'gap',
              align: 'right' as const,
              render: (_: unknown, l: Transfer['lines'][number]) => {
                const n = doc.status === 'received' ? l.discrepancy : l.inTransit
                return (
                  <span
                    className="num"
                    style={{ color: doc.status === 'received' && n > 0 ? '#cf1322' : undefined }}
                  >
                    {n}
                  </span>
                )
              },
            },
          ]}
        />
        {inTransit && (
          <Form layout="vertical" style={{ marginTop: 12, maxWidth: 560 }}>
            <Form.Item>
              <Checkbox checked={final} onChange={(e) => setFinal(e.target.checked)}>
                {t('stock.transfer.final')}
              </Checkbox>
            </Form.Item>
            {final && missing && (
              <Form.Item label={t('stock.transfer.discrepancyNote')}>
                <Input.TextArea
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                  maxLength={500}
                  rows={2}
                  placeholder={t('stock.transfer.discrepancyPlaceholder')}
                />
              </Form.Item>
            )}
            <Button
              type="primary"
              size="large"
              loading={busy}
              data-testid="receive-transfer"
              onClick={() =>
                void act(
                  () =>
                    endpoints.receiveTransfer(doc.id, {
                      lines: doc.lines.map((l) => ({ lineNo: l.lineNo, quantity: arrived[l.lineNo] ?? 0 })),
                      final,
                      ...(note.trim() ? { discrepancyNote: note.trim() } : {}),
                    }),
                  t('stock.transfer.done'),
                )
              }
            >
              {t('stock.transfer.receive')}
            </Button>
          </Form>
        )}
      </Card>
    </div>
  )
}
