/**
 * 订单池: query form (prefix search, channel, shop, time, exception reason), status tabs with
 * counts, the pool (new orders appear by themselves: the first page is polled), 合单 of the
 * selected rows, and an order's drawer with its actions.
 */
import { App, Button, DatePicker, Form, Input, Select, Switch, Tag, Tooltip, Typography } from 'antd'
import type { Dayjs } from 'dayjs'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { OrderQuery } from '../../api/endpoints'
import { endpoints } from '../../api/endpoints'
import {
  CHANNELS,
  EXCEPTION_REASONS,
  ORDER_STATUSES,
  type ExceptionReason,
  type Channel,
  type OrderCounts,
  type OrderRow,
  type Shop,
} from '../../api/types'
import { useMe } from '../../app/session'
import { Money, OrderStatusTag, RefundTag, Time } from '../../components/format'
import { CursorPager, ListPage, QueryForm } from '../../components/list-page'
import { errorMessage } from '../../components/errors'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { zonedMidnight } from '../../format/time'
import { useDesk } from '../../components/layout'
import { useI18n } from '../../i18n'
import { OrderDrawer } from './order-drawer'

interface Filters {
  q?: string
  channel?: Channel
  shopId?: string
  placed?: [Dayjs, Dayjs] | null
  hasExceptions?: boolean
  exceptionReason?: ExceptionReason
}

/** How often the first page asks for new orders. */
const POLL_MS = 4000

export function OrdersPage() {
  const desk = useDesk()
  const i18n = useI18n()
  const { t } = i18n
  const { message, modal } = App.useApp()
  const me = useMe()
  const zone = me.merchant.timezone
  const [form] = Form.useForm<Filters>()
  const [filters, setFilters] = useState<Filters>({})
  const [tab, setTab] = useState('all')
  const [shops, setShops] = useState<Shop[]>([])
  const [counts, setCounts] = useState<OrderCounts | null>(null)
  const [open, setOpen] = useState<string | null>(null)
  const [selected, setSelected] = useState<string[]>([])
  const [countTick, setCountTick] = useState(0)
  const canMerge = me.role === 'admin' || me.role === 'warehouse'

  useEffect(() => {
    endpoints.shops().then(
      (p) => setShops(p.items),
      () => setShops([]),
    )
  }, [])
  const shopName = useMemo(() => new Map(shops.map((s) => [s.id, s.name])), [shops])

  const query: OrderQuery = useMemo(() => {
    const [from, to] = filters.placed ?? []
    return {
      ...(filters.q?.trim() ? { q: filters.q.trim() } : {}),
      ...(filters.channel ? { channel: filters.channel } : {}),
      ...(filters.shopId ? { shopId: filters.shopId } : {}),
      ...(filters.hasExceptions ? { hasExceptions: true } : {}),
      ...(filters.exceptionReason ? { exceptionReason: filters.exceptionReason } : {}),
      // The days a person picks are the merchant's days.
      ...(from ? { from: zonedMidnight(from.format('YYYY-MM-DD'), zone).toISOString() } : {}),
      ...(to ? { to: zonedMidnight(to.add(1, 'day').format('YYYY-MM-DD'), zone).toISOString() } : {}),
    }
  }, [filters, zone])

  useEffect(() => {
    let live = true
    endpoints.orderCounts(query).then(
      (c) => live && setCounts(c),
      () => live && setCounts(null),
    )
    return () => {
      live = false
    }
  }, [query, countTick])

  const list = useCursorList(
    (cursor, limit) =>
      endpoints.orders({
        ...query,
        ...(tab !== 'all' ? { status: tab } : {}),
        ...(cursor ? { cursor } : {}),
        limit,
      }),
    [query, tab],
  )
  const { reload } = list
  const refresh = useCallback(() => {
    reload()
    setCountTick((n) => n + 1)
  }, [reload])

  // New orders appear without reloading the page: while the first page is shown, ask for its
  // newest row every few seconds and refresh when it changed.
  const top = list.page === 1 && !list.loading ? (list.items[0]?.id ?? '') : null
  const topRef = useRef(top)
  topRef.current = top
  useEffect(() => {
    if (top === null) return
    const timer = setInterval(() => {
      if (document.hidden) return
      endpoints.orders({ ...query, ...(tab !== 'all' ? { status: tab } : {}), limit: 1 }).then(
        (p) => {
          const newest = p.items[0]?.id ?? ''
          if (topRef.current !== null && newest !== topRef.current) refresh()
        },
        () => undefined,
      )
    }, POLL_MS)
    return () => clearInterval(timer)
  }, [top, query, tab, refresh])

  const merge = () =>
    modal.confirm({
      title: t('orders.mergeConfirm', { n: selected.length }),
      okText: t('orders.merge'),
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await endpoints.mergeOrders(selected)
          void message.success(t('orders.merged'))
          setSelected([])
          refresh()
        } catch (err) {
          modal.error({ title: errorMessage(i18n, err), okText: t('common.close') })
        }
      },
    })

  const active = [
    filters.q && `${t('orders.searchLabel')}：${filters.q}`,
    filters.channel && `${t('orders.channel')}：${t(`channels.${filters.channel}`)}`,
    filters.shopId && `${t('orders.shop')}：${shopName.get(filters.shopId) ?? ''}`,
    filters.placed &&
      `${t('orders.placedAt')}：${filters.placed[0].format('YYYY-MM-DD')} ~ ${filters.placed[1].format('YYYY-MM-DD')}`,
    filters.hasExceptions && t('orders.onlyExceptions'),
    filters.exceptionReason &&
      `${t('orders.exceptionReason')}：${t(`orders.reason.${filters.exceptionReason}`)}`,
  ].filter((x): x is string => !!x)
  const clear = () => {
    form.resetFields()
    setFilters({})
  }
  // 查询 keeps the quick filter on the tab bar; 重置 clears everything.
  const search = (v: Filters) => setFilters((f) => ({ ...v, hasExceptions: f.hasExceptions }))
  const total = counts
    ? tab === 'all'
      ? counts.total
      : counts.byStatus[tab as keyof OrderCounts['byStatus']]
    : undefined

  return (
    <>
      <ListPage<OrderRow>
        title={t('orders.title')}
        extra={
          canMerge &&
          selected.length > 0 && (
            <>
              <span className="ep-muted">{t('orders.selected', { n: selected.length })}</span>
              <Button
                type="primary"
                disabled={selected.length < 2}
                onClick={() => void merge()}
                data-testid="merge-orders"
              >
                {t('orders.merge')}
              </Button>
            </>
          )
        }
        error={list.error}
        onRetry={list.reload}
        query={
          <QueryForm<Filters> form={form} onSearch={search} onReset={() => setFilters({})}>
            <Form.Item name="q">
              <Input
                allowClear
                aria-label={t('orders.searchLabel')}
                placeholder={t('orders.searchPlaceholder')}
                title={t('orders.searchHint')}
                style={{ width: 240 }}
              />
            </Form.Item>
            <Form.Item name="channel" label={t('orders.channel')}>
              <Select
                allowClear
                placeholder={t('common.all')}
                style={{ width: 120 }}
                options={CHANNELS.map((c) => ({ value: c, label: t(`channels.${c}`) }))}
              />
            </Form.Item>
            <Form.Item name="shopId" label={t('orders.shop')}>
              <Select
                allowClear
                showSearch
                optionFilterProp="label"
                placeholder={t('common.all')}
                style={{ width: 160 }}
                options={shops.map((s) => ({ value: s.id, label: s.name }))}
              />
            </Form.Item>
            <Form.Item name="placed" label={t('orders.placedAt')}>
              <DatePicker.RangePicker style={{ width: 240 }} />
            </Form.Item>
            <Form.Item name="exceptionReason" label={t('orders.exceptionReason')}>
              <Select
                allowClear
                placeholder={t('common.all')}
                style={{ width: 170 }}
                options={EXCEPTION_REASONS.map((r) => ({ value: r, label: t(`orders.reason.${r}`) }))}
              />
            </Form.Item>
          </QueryForm>
        }
        tabs={{
          active: tab,
          onChange: setTab,
          extra: (
            <label>
              <Switch
                size="small"
                checked={!!filters.hasExceptions}
                onChange={(on) => setFilters((f) => ({ ...f, hasExceptions: on }))}
              />{' '}
              {t('orders.onlyExceptions')}
            </label>
          ),
          items: [
            { key: 'all', label: t('orders.tab.all'), count: counts?.total },
            ...ORDER_STATUSES.map((s) => ({
              key: s,
              label: t(`orders.tab.${s}`),
              count: counts?.byStatus[s],
            })),
          ],
        }}
        table={{
          rowKey: 'id',
          loading: list.loading,
          dataSource: list.items,
          pagination: false,
          onRow: (o) => ({ onClick: () => setOpen(o.id), style: { cursor: 'pointer' } }),
          // 合单 is a desk task: the handheld keeps its width for the number, the amount and the status.
          ...(canMerge && desk
            ? {
                rowSelection: {
                  selectedRowKeys: selected,
                  onChange: (keys) => setSelected(keys as string[]),
                  getCheckboxProps: (o: OrderRow) => ({
                    disabled: o.status !== 'paid' && o.status !== 'allocated',
                  }),
                },
              }
            : {}),
          locale: { emptyText: <EmptyState text={t('orders.emptyAll')} filters={active} onClear={clear} /> },
          columns: [
            {
              title: t('orders.externalId'),
              dataIndex: 'externalId',
              fixed: desk ? 'left' : false,
              render: (v: string) => (
                <Typography.Text copyable={{ text: v }} className="num">
                  {v}
                </Typography.Text>
              ),
            },
            {
              title: t('orders.shop'),
              dataIndex: 'shopId',
              responsive: ['md'],
              render: (id: string) => shopName.get(id) ?? '',
            },
            // On a handheld: the number, the amount and the status; the rest is in the drawer.
            {
              title: t('orders.channel'),
              dataIndex: 'channel',
              responsive: ['md'],
              render: (c: Channel) => t(`channels.${c}`),
            },
            { title: t('orders.buyer'), dataIndex: 'buyerNick', responsive: ['md'] },
            { title: t('orders.province'), dataIndex: 'receiverProvince', responsive: ['md'] },
            {
              title: t('orders.paidAt'),
              responsive: ['md'],
              dataIndex: 'paidAt',
              render: (v: string | null) => <Time value={v} />,
            },
            {
              title: t('orders.paid'),
              dataIndex: 'buyerPaid',
              align: 'right',
              render: (v: string, o) => <Money amount={v} currency={o.currency} />,
            },
            {
              title: t('orders.status'),
              dataIndex: 'status',
              render: (_: unknown, o) => (
                <>
                  <OrderStatusTag status={o.status} />
                  <RefundTag state={o.refundState} />
                  {o.mergeGroupId && <Tag color="purple">{t('orders.mergeTag')}</Tag>}
                  {o.openExceptions > 0 && (
                    <Tooltip title={t('orders.exceptionCount', { n: o.openExceptions })}>
                      <Tag color="red">{t('orders.exceptions')}</Tag>
                    </Tooltip>
                  )}
                </>
              ),
            },
          ],
        }}
        pager={<CursorPager list={list} total={total} />}
      />
      <OrderDrawer id={open} shopName={shopName} onClose={() => setOpen(null)} onChanged={refresh} />
    </>
  )
}
