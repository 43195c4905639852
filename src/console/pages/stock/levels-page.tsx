/** 库存查询: stock by warehouse, bin and SKU, with low-stock flags, in transit and days of cover. */
import { Button, Checkbox, Form, Input, Select, Tag } from 'antd'
import { useMemo, useState } from 'react'
import { useNavigate } from 'react-router'
import { endpoints } from '../../api/endpoints'
import type { StockRow } from '../../api/types'
import { Money } from '../../components/format'
import { useDesk } from '../../components/layout'
import { CursorPager, ListPage, QueryForm } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'
import { SkuCell, useWarehouses } from './shared'

interface Filters {
  q?: string
  warehouseId?: string
  low?: boolean
}

export function StockLevelsPage() {
  const { t } = useI18n()
  const navigate = useNavigate()
  const warehouses = useWarehouses()
  const desk = useDesk()
  const [form] = Form.useForm<Filters>()
  const [filters, setFilters] = useState<Filters>({})
  const query = useMemo(
    () => ({
      ...(filters.q?.trim() ? { q: filters.q.trim() } : {}),
      ...(filters.warehouseId ? { warehouseId: filters.warehouseId } : {}),
      ...(filters.low ? { low: true } : {}),
    }),
    [filters],
  )
  const list = useCursorList(
    (cursor, limit) => endpoints.stock({ ...query, ...(cursor ? { cursor } : {}), limit }),
    [query],
  )
  const active = [
    query.q && `${t('stock.levels.search')}：${query.q}`,
    query.warehouseId &&
      `${t('stock.field.warehouse')}：${warehouses.find((w) => w.id === query.warehouseId)?.name ?? ''}`,
    query.low && t('stock.levels.lowOnly'),
  ].filter((x): x is string => !!x)
  const clear = () => {
    form.resetFields()
    setFilters({})
  }
  const right = { align: 'right' as const }
  return (
    <ListPage<StockRow>
      title={t('stock.menu.levels')}
      extra={
        <Button type="primary" onClick={() => void navigate('/stock/receipts/new')}>
          {t('stock.levels.newReceipt')}
        </Button>
      }
      error={list.error}
      onRetry={list.reload}
      query={
        <QueryForm<Filters> form={form} onSearch={(v) => setFilters({ ...v })} onReset={() => setFilters({})}>
          <Form.Item name="q" label={t('stock.field.sku')}>
            <Input allowClear placeholder={t('stock.levels.search')} style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="warehouseId" label={t('stock.field.warehouse')}>
            <Select
              allowClear
              placeholder={t('common.all')}
              style={{ width: 160 }}
              options={warehouses.map((w) => ({ value: w.id, label: w.name }))}
            />
          </Form.Item>
          <Form.Item name="low" valuePropName="checked">
            <Checkbox>{t('stock.levels.lowOnly')}</Checkbox>
          </Form.Item>
        </QueryForm>
      }
      table={{
        // On the handheld the cells wrap to the screen instead of scrolling sideways.
        ...(desk ? {} : { scroll: {} }),
        rowKey: (r) => `${r.warehouseId}.${r.skuId}`,
        loading: list.loading,
        dataSource: list.items,
        pagination: false,
        locale: { emptyText: <EmptyState text={t('stock.levels.empty')} filters={active} onClear={clear} /> },
        columns: [
          {
            title: t('stock.field.sku'),
            key: 'sku',
            render: (_: unknown, r) => (
              <>
                <SkuCell code={r.skuCode} name={r.skuName} />
                {!desk && (
                  <div className="ep-muted">
                    {r.warehouseName}
                    {r.bin && <span className="mono"> · {r.bin}</span>}
                  </div>
                )}
              </>
            ),
          },
          { title: t('stock.field.warehouse'), dataIndex: 'warehouseName', responsive: ['sm'] },
          {
            title: t('stock.field.bin'),
            responsive: ['md'],
            dataIndex: 'bin',
            render: (v: string | null) => <span className="mono">{v}</span>,
          },
          {
            title: t('stock.field.onHand'),
            dataIndex: 'onHand',
            ...right,
            render: (v: number) => <span className="num">{v}</span>,
          },
          {
            title: t('stock.field.reserved'),
            responsive: ['md'],
            dataIndex: 'reserved',
            ...right,
            render: (v: number) => <span className="num">{v}</span>,
          },
          {
            title: t('stock.field.available'),
            dataIndex: 'available',
            ...right,
            render: (v: number, r) => (
              <span className="num" style={{ fontWeight: 600, color: r.low ? '#cf1322' : undefined }}>
                {v}
              </span>
            ),
          },
          {
            title: t('stock.field.inTransit'),
            dataIndex: 'inTransit',
            ...right,
            render: (v: number) =>
              v ? <Tag color="blue">{v}</Tag> : <span className="num ep-muted">0</span>,
          },
          {
            title: t('stock.field.threshold'),
            responsive: ['md'],
            key: 'low',
            ...right,
            render: (_: unknown, r) =>
              r.threshold === null ? null : (
                <span className="num">
                  {r.low && <Tag color="red">{t('stock.levels.low')}</Tag>}
                  {r.threshold}
                </span>
              ),
          },
          {
            title: t('stock.field.daysOfCover'),
            responsive: ['md'],
            dataIndex: 'daysOfCover',
            ...right,
            render: (v: number | null) =>
              v === null ? null : <span className="num">{t('stock.levels.days', { n: v })}</span>,
          },
          {
            title: t('stock.field.avgCost'),
            responsive: ['md'],
            key: 'cost',
            ...right,
            render: (_: unknown, r) =>
              r.avgCost && r.currency ? <Money amount={r.avgCost} currency={r.currency} /> : null,
          },
        ],
      }}
      pager={<CursorPager list={list} />}
    />
  )
}
