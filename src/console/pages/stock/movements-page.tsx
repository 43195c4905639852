/** 库存流水: every change of on hand, filtered by SKU, warehouse, kind, reference and days; XLSX export. */
import { DownloadOutlined } from '@ant-design/icons'
import { Button, DatePicker, Form, Input, Select, Tooltip } from 'antd'
import type { Dayjs } from 'dayjs'
import { useMemo, useState } from 'react'
import { endpoints, type MovementQuery } from '../../api/endpoints'
import { MOVEMENT_KINDS, type Movement, type MovementKind, type Sku } from '../../api/types'
import { useMe } from '../../app/session'
import { Money, Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { CursorPager, ListPage, QueryForm } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { zonedMidnight } from '../../format/time'
import { useI18n } from '../../i18n'
import { Delta, KindTag, SkuCell, useWarehouses } from './shared'

interface Filters {
  sku?: string
  warehouseId?: string
  kind?: MovementKind
  ref?: string
  days?: [Dayjs, Dayjs] | null
}

export function MovementsPage() {
  const { t } = useI18n()
  const zone = useMe().merchant.timezone
  const warehouses = useWarehouses()
  const desk = useDesk()
  const [form] = Form.useForm<Filters>()
  const [filters, setFilters] = useState<Filters>({})
  const [sku, setSku] = useState<Sku | null>(null)
  const [skuMissing, setSkuMissing] = useState(false)

  const query = useMemo<MovementQuery>(() => {
    const [from, to] = filters.days ?? []
    return {
      ...(sku ? { skuId: sku.id } : {}),
      ...(filters.warehouseId ? { warehouseId: filters.warehouseId } : {}),
      ...(filters.kind ? { kind: filters.kind } : {}),
      ...(filters.ref?.trim() ? { ref: filters.ref.trim() } : {}),
      ...(from ? { from: zonedMidnight(from.format('YYYY-MM-DD'), zone).toISOString() } : {}),
      ...(to ? { to: zonedMidnight(to.add(1, 'day').format('YYYY-MM-DD'), zone).toISOString() } : {}),
    }
  }, [filters, sku, zone])
  const list = useCursorList(
    (cursor, limit) =>
      skuMissing
        ? Promise.resolve({ items: [], next: null })
        : endpoints.movements({ ...query, ...(cursor ? { cursor } : {}), limit }),
    [query, skuMissing],
  )
  const search = async (v: Filters) => {
    // The SKU field takes a code or a barcode, like every scan field.
    const code = v.sku?.trim()
    if (code) {
      try {
        setSku((await endpoints.resolveScan(code)).sku)
        setSkuMissing(false)
      } catch {
        setSku(null)
        setSkuMissing(true)
      }
    } else {
      setSku(null)
      setSkuMissing(false)
    }
    setFilters({ ...v })
  }
  const clear = () => {
    form.resetFields()
    setFilters({})
    setSku(null)
    setSkuMissing(false)
  }
  const active = [
    filters.sku && `${t('stock.field.sku')}：${filters.sku}`,
    filters.warehouseId &&
      `${t('stock.field.warehouse')}：${warehouses.find((w) => w.id === filters.warehouseId)?.name ?? ''}`,
    filters.kind && `${t('stock.field.kind')}：${t(`stock.kind.${filters.kind}`)}`,
    filters.ref && `${t('stock.movements.ref')}：${filters.ref}`,
    filters.days && `${filters.days[0].format('YYYY-MM-DD')} ~ ${filters.days[1].format('YYYY-MM-DD')}`,
  ].filter((x): x is string => !!x)

  return (
    <ListPage<Movement>
      title={t('stock.menu.movements')}
      extra={
        <Tooltip title={t('stock.movements.exportHint')}>
          <Button
            icon={<DownloadOutlined />}
            href={endpoints.movementsExportUrl(query)}
            data-testid="movements-export"
            disabled={skuMissing}
          >
            {t('stock.movements.exportXlsx')}
          </Button>
        </Tooltip>
      }
      error={list.error}
      onRetry={list.reload}
      query={
        <QueryForm<Filters> form={form} onSearch={(v) => void search(v)} onReset={clear}>
          <Form.Item name="sku" label={t('stock.field.sku')}>
            <Input allowClear placeholder={t('stock.scan.placeholder')} style={{ width: 220 }} />
          </Form.Item>
          <Form.Item name="warehouseId" label={t('stock.field.warehouse')}>
            <Select
              allowClear
              placeholder={t('common.all')}
              style={{ width: 150 }}
              options={warehouses.map((w) => ({ value: w.id, label: w.name }))}
            />
          </Form.Item>
          <Form.Item name="kind" label={t('stock.field.kind')}>
            <Select
              allowClear
              placeholder={t('common.all')}
              style={{ width: 150 }}
              options={MOVEMENT_KINDS.map((k) => ({ value: k, label: t(`stock.kind.${k}`) }))}
            />
          </Form.Item>
          <Form.Item name="ref" label={t('stock.movements.ref')}>
            <Input allowClear style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="days" label={t('stock.field.at')}>
            <DatePicker.RangePicker />
          </Form.Item>
        </QueryForm>
      }
      table={{
        // On the handheld the cells wrap to the screen instead of scrolling sideways.
        ...(desk ? {} : { scroll: {} }),
        rowKey: 'id',
        loading: list.loading,
        dataSource: list.items,
        pagination: false,
        locale: {
          emptyText: <EmptyState text={t('stock.movements.empty')} filters={active} onClear={clear} />,
        },
        columns: desk
          ? [
              { title: t('stock.field.at'), dataIndex: 'at', render: (v: string) => <Time value={v} /> },
              {
                title: t('stock.field.sku'),
                key: 'sku',
                render: (_: unknown, m: Movement) => <SkuCell code={m.skuCode} name={m.skuName} />,
              },
              { title: t('stock.field.warehouse'), dataIndex: 'warehouseName' },
              {
                title: t('stock.field.kind'),
                dataIndex: 'kind',
                render: (k: MovementKind) => <KindTag kind={k} />,
              },
              {
                title: t('stock.field.quantity'),
                dataIndex: 'quantity',
                align: 'right' as const,
                render: (n: number) => <Delta n={n} />,
              },
              {
                title: t('stock.field.unitCost'),
                key: 'cost',
                align: 'right' as const,
                render: (_: unknown, m: Movement) =>
                  m.unitCost && m.currency ? <Money amount={m.unitCost} currency={m.currency} /> : null,
              },
              {
                title: t('stock.field.reference'),
                dataIndex: 'refId',
                render: (v: string | null) => <span className="mono">{v}</span>,
              },
              { title: t('stock.field.by'), dataIndex: 'actorName' },
            ]
          : [
              // The handheld: what moved and how much first; where, when and who below it.
              {
                title: t('stock.field.sku'),
                key: 'sku',
                render: (_: unknown, m: Movement) => (
                  <>
                    <SkuCell code={m.skuCode} name={m.skuName} />
                    <div className="ep-muted">
                      <Time value={m.at} />
                    </div>
                    <div className="ep-muted">{m.warehouseName}</div>
                  </>
                ),
              },
              {
                title: t('stock.field.quantity'),
                key: 'kind',
                align: 'right' as const,
                render: (_: unknown, m: Movement) => (
                  <>
                    <div style={{ fontSize: 18, fontWeight: 600 }}>
                      <Delta n={m.quantity} />
                    </div>
                    <KindTag kind={m.kind} />
                    <div className="mono ep-muted" style={{ fontSize: 12, overflowWrap: 'anywhere' }}>
                      {m.refId}
                    </div>
                    <div className="ep-muted">{m.actorName}</div>
                  </>
                ),
              },
            ],
      }}
      pager={<CursorPager list={list} />}
    />
  )
}
