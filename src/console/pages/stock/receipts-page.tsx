/** 入库单: the list, and the editor where lines are added by scanning, saved as a draft, then posted once. */
import { DeleteOutlined } from '@ant-design/icons'
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Flex,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Table,
  Typography,
} from 'antd'
import { useEffect, useMemo, useState } from 'react'
import { useNavigate, useParams } from 'react-router'
import { endpoints } from '../../api/endpoints'
import type { Receipt, ReceiptStatus, ReceiptSummary, ScanHit } from '../../api/types'
import { useMe } from '../../app/session'
import { Money, Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { ScanInput } from '../../components/scan-input'
import { EmptyState, ErrorAlert } from '../../components/states'
import { useI18n } from '../../i18n'
import { DocumentList, ReceiptTag, SkuCell, useWarehouses } from './shared'

export function ReceiptsPage() {
  const { t } = useI18n()
  const navigate = useNavigate()
  return (
    <DocumentList<ReceiptStatus, ReceiptSummary>
      kind="receipt"
      title={t('stock.menu.receipts')}
      path="/stock/receipts"
      statuses={['draft', 'posted']}
      statusLabel={(s) => t(`stock.receipt.status.${s}`)}
      fetchPage={endpoints.receipts}
      onNew={() => void navigate('/stock/receipts/new')}
      columns={[
        { title: t('stock.field.warehouse'), dataIndex: 'warehouseName' },
        { title: t('stock.field.supplierRef'), dataIndex: 'supplierRef', responsive: ['md'] },
        { title: t('stock.field.lines'), dataIndex: 'lineCount', align: 'right', responsive: ['md'] },
        { title: t('stock.field.units'), dataIndex: 'units', align: 'right' },
        {
          title: t('stock.field.amount'),
          key: 'total',
          align: 'right',
          render: (_: unknown, r) => <Money amount={r.total} currency={r.currency} />,
        },
      ]}
      narrow={{
        facts: (r) => [r.warehouseName, r.supplierRef].filter(Boolean).join(' · '),
        figureTitle: t('stock.field.amount'),
        figure: (r) => (
          <>
            <Money amount={r.total} currency={r.currency} />
            <div className="ep-muted num">{t('stock.receipt.unitsValue', { n: r.units })}</div>
          </>
        ),
      }}
    />
  )
}

interface Line {
  key: string
  skuId: string
  skuCode: string
  skuName: string
  quantity: number
  unitCost: string
  bin: string
}
const COST = /^\d{1,14}(\.\d{1,4})?$/

export function ReceiptEditor() {
  const { id } = useParams()
  const isNew = !id || id === 'new'
  const { t } = useI18n()
  const desk = useDesk()
  const me = useMe()
  const navigate = useNavigate()
  const { message } = AntApp.useApp()
  const warehouses = useWarehouses()
  const [receipt, setReceipt] = useState<Receipt | null>(null)
  const [warehouseId, setWarehouseId] = useState<string | undefined>()
  const [currency, setCurrency] = useState(me.merchant.baseCurrency || 'CNY')
  const [supplierRef, setSupplierRef] = useState('')
  const [lines, setLines] = useState<Line[]>([])
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const posted = receipt?.status === 'posted'

  const load = (r: Receipt) => {
    setReceipt(r)
    setWarehouseId(r.warehouseId)
    setCurrency(r.currency)
    setSupplierRef(r.supplierRef ?? '')
    setLines(
      r.lines.map((l) => ({
        key: `${l.lineNo}.${l.skuId}`,
        skuId: l.skuId,
        skuCode: l.skuCode,
        skuName: l.skuName,
        quantity: l.quantity,
        unitCost: l.unitCost.replace(/\.?0+$/, ''),
        bin: l.bin ?? '',
      })),
    )
  }
  useEffect(() => {
    if (!isNew) endpoints.receipt(id).then(load, setError)
  }, [id, isNew])
  useEffect(() => {
    if (!warehouseId && warehouses.length === 1) setWarehouseId(warehouses[0]!.id)
  }, [warehouses, warehouseId])

  const addScan = (hit: ScanHit) =>
    setLines((ls) => {
      const i = ls.findIndex((l) => l.skuId === hit.sku.id)
      if (i >= 0) return ls.map((l, j) => (j === i ? { ...l, quantity: l.quantity + 1 } : l))
      return [
        ...ls,
        {
          key: `${Date.now()}.${hit.sku.id}`,
          skuId: hit.sku.id,
          skuCode: hit.sku.code,
          skuName: hit.sku.name,
          quantity: 1,
          unitCost: '',
          bin: '',
        },
      ]
    })
  const change = (key: string, patch: Partial<Line>) =>
    setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...patch } : l)))
  const preview = useMemo(() => new Map(receipt?.lines.map((l) => [l.skuId, l]) ?? []), [receipt])
  const badCost = lines.some((l) => !COST.test(l.unitCost))
  const canSave = !!warehouseId && lines.length > 0 && !badCost && lines.every((l) => l.quantity > 0)

  const save = async (): Promise<Receipt | null> => {
    setError(null)
    const body = {
      warehouseId: warehouseId!,
      currency,
      supplierRef: supplierRef.trim() || null,
      lines: lines.map((l) => ({
        skuId: l.skuId,
        quantity: l.quantity,
        unitCost: l.unitCost,
        bin: l.bin.trim() || null,
      })),
    }
    try {
      const r = isNew ? await endpoints.createReceipt(body) : await endpoints.updateReceipt(id, body)
      load(r)
      if (isNew) void navigate(`/stock/receipts/${r.id}`, { replace: true })
      return r
    } catch (err) {
      setError(err)
      return null
    }
  }
  const run = async (fn: () => Promise<void>) => {
    setBusy(true)
    try {
      await fn()
    } finally {
      setBusy(false)
    }
  }
  const post = () =>
    run(async () => {
      const r = await save()
      if (!r) return
      try {
        const res = await endpoints.postReceipt(r.id)
        load(res.receipt)
        void message.success(t(res.alreadyPosted ? 'stock.receipt.alreadyPosted' : 'stock.receipt.posted'))
      } catch (err) {
        setError(err)
      }
    })

  return (
    <div className="ep-page">
      <Card styles={{ body: { padding: 16 } }}>
        <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 12 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {receipt ? t('stock.receipt.title', { number: receipt.number }) : t('stock.receipt.newTitle')}{' '}
            {receipt && <ReceiptTag status={receipt.status} />}
          </Typography.Title>
          <Space wrap>
            <Button onClick={() => void navigate('/stock/receipts')}>{t('common.back')}</Button>
            {!posted && (
              <>
                <Button
                  disabled={!canSave || busy}
                  onClick={() =>
                    void run(async () => {
                      if (await save()) void message.success(t('stock.receipt.saved'))
                    })
                  }
                >
                  {t('stock.receipt.saveDraft')}
                </Button>
                <Popconfirm
                  title={t('stock.receipt.postConfirm')}
                  onConfirm={() => void post()}
                  okText={t('common.confirm')}
                  cancelText={t('common.cancel')}
                >
                  <Button type="primary" disabled={!canSave || busy} data-testid="post-receipt">
                    {t('stock.receipt.post')}
                  </Button>
                </Popconfirm>
              </>
            )}
          </Space>
        </Flex>
        {error ? <ErrorAlert error={error} /> : null}
        {error && receipt === null && !isNew ? null : (
          <>
            <Form layout="inline" colon={false} style={{ rowGap: 12, marginBottom: 12 }} disabled={posted}>
              <Form.Item label={t('stock.field.warehouse')} required>
                <Select
                  value={warehouseId}
                  onChange={setWarehouseId}
                  style={{ width: 160 }}
                  aria-label={t('stock.field.warehouse')}
                  options={warehouses.map((w) => ({ value: w.id, label: w.name }))}
                />
              </Form.Item>
              <Form.Item label={t('stock.field.currency')}>
                <Select
                  value={currency}
                  onChange={setCurrency}
                  style={{ width: 100 }}
                  options={['CNY', 'USD', 'HKD', 'EUR'].map((c) => ({ value: c, label: c }))}
                />
              </Form.Item>
              <Form.Item label={t('stock.field.supplierRef')}>
                <Input
                  value={supplierRef}
                  onChange={(e) => setSupplierRef(e.target.value)}
                  maxLength={64}
                  style={{ width: 180 }}
                />
              </Form.Item>
            </Form>
            {!posted && (
              <div style={{ marginBottom: 12, maxWidth: 560 }}>
                <ScanInput onSku={addScan} placeholder={t('stock.receipt.addLine')} />
              </div>
            )}
            <Table<Line>
              size="small"
              rowKey="key"
              pagination={false}
              scroll={{ x: 'max-content' }}
              dataSource={lines}
              data-testid="receipt-lines"
              locale={{ emptyText: <EmptyState text={t('stock.receipt.noLines')} /> }}
              columns={[
                {
                  title: t('stock.field.sku'),
                  key: 'sku',
                  fixed: desk ? 'left' : undefined,
                  render: (_: unknown, l) => <SkuCell code={l.skuCode} name={l.skuName} />,
                },
                {
                  title: t('stock.field.quantity'),
                  key: 'qty',
                  align: 'right',
                  render: (_: unknown, l) =>
                    posted ? (
                      <span className="num">{l.quantity}</span>
                    ) : (
                      <InputNumber
                        min={1}
                        max={10_000_000}
                        precision={0}
                        value={l.quantity}
                        onChange={(v) => change(l.key, { quantity: v ?? 1 })}
                        style={{ width: 90 }}
                        aria-label={`${t('stock.field.quantity')} ${l.skuCode}`}
                      />
                    ),
                },
                {
                  title: t('stock.field.unitCost'),
                  key: 'cost',
                  align: 'right',
                  render: (_: unknown, l) =>
                    posted ? (
                      <Money amount={l.unitCost} currency={currency} />
                    ) : (
                      <Input
                        value={l.unitCost}
                        inputMode="decimal"
                        status={l.unitCost && !COST.test(l.unitCost) ? 'error' : undefined}
                        onChange={(e) => change(l.key, { unitCost: e.target.value.trim() })}
                        style={{ width: 110, textAlign: 'right' }}
                        aria-label={`${t('stock.field.unitCost')} ${l.skuCode}`}
                      />
                    ),
                },
                {
                  title: t('stock.field.bin'),
                  key: 'bin',
                  render: (_: unknown, l) =>
                    posted ? (
                      <span className="mono">{l.bin}</span>
                    ) : (
                      <Input
                        value={l.bin}
                        onChange={(e) => change(l.key, { bin: e.target.value })}
                        maxLength={64}
                        style={{ width: 110 }}
                        aria-label={`${t('stock.field.bin')} ${l.skuCode}`}
                      />
                    ),
                },
                {
                  title: t('stock.receipt.avgBefore'),
                  key: 'before',
                  align: 'right',
                  render: (_: unknown, l) => {
                    const p = preview.get(l.skuId)
                    return p?.avgCostBefore ? <Money amount={p.avgCostBefore} currency={currency} /> : null
                  },
                },
                {
                  title: t('stock.receipt.avgAfter'),
                  key: 'after',
                  align: 'right',
                  render: (_: unknown, l) => {
                    const p = preview.get(l.skuId)
                    if (!p || p.onHandBefore === null) return null
                    return p.avgCostAfter ? (
                      <strong>
                        <Money amount={p.avgCostAfter} currency={currency} />
                      </strong>
                    ) : (
                      <span className="ep-muted">{t('stock.receipt.avgOtherCurrency')}</span>
                    )
                  },
                },
                ...(posted
                  ? []
                  : [
                      {
                        title: t('common.actions'),
                        key: 'x',
                        render: (_: unknown, l: Line) => (
                          <Button
                            type="text"
                            danger
                            icon={<DeleteOutlined />}
                            aria-label={`${t('stock.receipt.remove')} ${l.skuCode}`}
                            onClick={() => setLines((ls) => ls.filter((x) => x.key !== l.key))}
                          />
                        ),
                      },
                    ]),
              ]}
              summary={() =>
                receipt && lines.length > 0 ? (
                  <Table.Summary.Row>
                    <Table.Summary.Cell index={0}>{t('stock.receipt.total')}</Table.Summary.Cell>
                    <Table.Summary.Cell index={1} align="right">
                      <span className="num">{lines.reduce((n, l) => n + l.quantity, 0)}</span>
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={2} align="right">
                      <Money amount={receipt.total} currency={receipt.currency} />
                    </Table.Summary.Cell>
                  </Table.Summary.Row>
                ) : null
              }
            />
            {posted && receipt?.postedAt && (
              <Alert
                style={{ marginTop: 12 }}
                type="success"
                showIcon
                message={
                  <span>
                    {t('stock.receipt.status.posted')} · <Time value={receipt.postedAt} /> ·{' '}
                    {receipt.postedBy}
                  </span>
                }
              />
            )}
          </>
        )}
      </Card>
    </div>
  )
}
