/**
 * 异常订单: the inbox grouped by reason (tabs with counts), by assignee (mine / unassigned), with
 * the age of each, the fix next to each (map the SKU, receive stock, fix the address, pick a
 * version), assignment, and bulk resolve.
 */
import { App, Button, Flex, Segmented, Select, Space, Switch, Tag, Tooltip, Typography } from 'antd'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { Link } from 'react-router'
import { endpoints } from '../../api/endpoints'
import type { ExceptionCounts, ExceptionReason, OrderException, Shop, User } from '../../api/types'
import { EXCEPTION_REASONS } from '../../api/types'
import { useMe } from '../../app/session'
import { errorMessage } from '../../components/errors'
import { CursorPager, ListPage } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useDesk } from '../../components/layout'
import { formatTime } from '../../format/time'
import { useI18n } from '../../i18n'
import { OrderDrawer } from '../orders/order-drawer'
import { outcomeText } from '../orders/outcome'
import { MapSkuModal } from './map-sku-modal'
import { ageText, exceptionSummary } from './summary'

type Who = 'all' | 'mine' | 'none'
type Fix = 'receiver' | 'versions' | null

export function ExceptionsPage() {
  const desk = useDesk()
  const i18n = useI18n()
  const { t } = i18n
  const { message, modal } = App.useApp()
  const me = useMe()
  const admin = me.role === 'admin'
  const zone = me.merchant.timezone
  const [reason, setReason] = useState<'all' | ExceptionReason>('all')
  const [who, setWho] = useState<Who>('all')
  const [resolved, setResolved] = useState(false)
  const [counts, setCounts] = useState<ExceptionCounts | null>(null)
  const [users, setUsers] = useState<User[]>([])
  const [shops, setShops] = useState<Shop[]>([])
  const [selected, setSelected] = useState<string[]>([])
  const [mapping, setMapping] = useState<OrderException | null>(null)
  const [drawer, setDrawer] = useState<{ id: string; fix: Fix } | null>(null)
  const [tick, setTick] = useState(0)
  const [now, setNow] = useState(() => Date.now())

  const assigneeId = who === 'mine' ? me.user?.id : who === 'none' ? 'none' : undefined
  useEffect(() => {
    endpoints.shops().then(
      (p) => setShops(p.items),
      () => setShops([]),
    )
    if (admin)
      endpoints.users({ limit: 500 }).then(
        (p) => setUsers(p.items.filter((u) => u.status === 'active')),
        () => setUsers([]),
      )
  }, [admin])
  useEffect(() => {
    let live = true
    endpoints.exceptionCounts(assigneeId ? { assigneeId } : {}).then(
      (c) => live && setCounts(c),
      () => live && setCounts(null),
    )
    return () => {
      live = false
    }
  }, [assigneeId, tick])
  // Ages move on while the page is open.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000)
    return () => clearInterval(timer)
  }, [])

  const list = useCursorList(
    (cursor, limit) =>
      endpoints.exceptions({
        status: resolved ? 'resolved' : 'open',
        ...(reason !== 'all' ? { reason } : {}),
        ...(assigneeId ? { assigneeId } : {}),
        ...(cursor ? { cursor } : {}),
        limit,
      }),
    [reason, assigneeId, resolved, tick],
  )
  const changed = useCallback(() => {
    setSelected([])
    setTick((n) => n + 1)
  }, [])

  const shopName = useMemo(() => new Map(shops.map((s) => [s.id, s.name])), [shops])
  const userName = useMemo(() => new Map(users.map((u) => [u.id, u.name])), [users])
  const byReason = new Map(counts?.byReason.map((r) => [r.reason, r]) ?? [])

  const fail = (err: unknown) => modal.error({ title: errorMessage(i18n, err), okText: t('common.close') })
  const assign = async (e: OrderException, userId: string | null) => {
    try {
      await endpoints.assignException(e.id, userId)
      void message.success(
        userId
          ? t('exceptions.assigned', { name: userName.get(userId) ?? '' })
          : t('exceptions.unassignedDone'),
      )
      changed()
    } catch (err) {
      fail(err)
    }
  }
  const resolveOne = (e: OrderException) =>
    modal.confirm({
      title: t('exceptions.resolveConfirm'),
      okText: t('exceptions.resolve'),
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          const r = await endpoints.resolveException(e.id)
          void message.success(`${t('exceptions.resolved')}：${outcomeText(i18n, r.rerun)}`)
          changed()
        } catch (err) {
          fail(err)
        }
      },
    })
  const resolveMany = () =>
    modal.confirm({
      title: t('exceptions.bulkConfirm', { n: selected.length }),
      okText: t('exceptions.bulkResolve'),
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          const r = await endpoints.resolveExceptions(selected)
          void message.success(t('exceptions.bulkDone', { n: r.resolved }))
          changed()
        } catch (err) {
          fail(err)
        }
      },
    })
  const reallocate = async (e: OrderException) => {
    if (!e.orderId) return
    try {
      const r = await endpoints.allocateOrder(e.orderId)
      void message.info(outcomeText(i18n, r.outcome))
      changed()
    } catch (err) {
      fail(err)
    }
  }

  // Stacked on a handheld, the links line up with the buttons above them and take no extra width.
  const linkStyle = desk ? undefined : { paddingInline: 0 }
  const fixFor = (e: OrderException) => {
    const view = e.orderId && (
      <Button
        size="small"
        type="link"
        style={linkStyle}
        onClick={() => setDrawer({ id: e.orderId!, fix: null })}
      >
        {t('exceptions.action.viewOrder')}
      </Button>
    )
    if (e.status !== 'open' || !admin) return view
    const main = (() => {
      switch (e.reason) {
        case 'sku_unmapped':
          return (
            <Button size="small" type="primary" onClick={() => setMapping(e)} data-testid="map-sku">
              {t('exceptions.action.mapSku')}
            </Button>
          )
        case 'no_stock':
          return (
            <Flex vertical={!desk} gap={4} align={desk ? 'center' : 'flex-start'}>
              <Tooltip title={t('exceptions.receiveHint')}>
                <Link to="/stock">{t('exceptions.action.receive')}</Link>
              </Tooltip>
              <Button size="small" onClick={() => void reallocate(e)}>
                {t('exceptions.action.reallocate')}
              </Button>
            </Flex>
          )
        case 'address_unusable':
          return (
            <Button
              size="small"
              type="primary"
              onClick={() => setDrawer({ id: e.orderId!, fix: 'receiver' })}
            >
              {t('exceptions.action.fixAddress')}
            </Button>
          )
        case 'conflicting_update':
          return (
            <Button
              size="small"
              type="primary"
              onClick={() => setDrawer({ id: e.orderId!, fix: 'versions' })}
            >
              {t('exceptions.action.pickVersion')}
            </Button>
          )
        case 'buyer_note':
        case 'invalid_transition':
        case 'mapping_failed':
        case 'pick_shortage':
        case 'refund_unknown_order':
          return view
      }
    })()
    // On a handheld the actions stack, so the column stays as narrow as its widest button.
    return (
      <Flex vertical={!desk} wrap={desk} gap={4} align={desk ? 'center' : 'flex-start'}>
        {main}
        {main !== view && view}
        <Button size="small" type="link" style={linkStyle} onClick={() => void resolveOne(e)}>
          {t('exceptions.resolve')}
        </Button>
      </Flex>
    )
  }

  const reasonTag = (r: ExceptionReason) => (
    <Tag color={e2color(r)} style={{ marginInlineEnd: 0 }}>
      {t(`orders.reason.${r}`)}
    </Tag>
  )

  const tabs = [
    { key: 'all', label: t('exceptions.all'), count: resolved ? undefined : counts?.open },
    ...EXCEPTION_REASONS.filter((r) => byReason.has(r) || r === reason).map((r) => ({
      key: r,
      label: t(`orders.reason.${r}`),
      count: resolved ? undefined : (byReason.get(r)?.open ?? 0),
    })),
  ]
  const oldest = reason !== 'all' ? byReason.get(reason)?.oldestAt : undefined

  return (
    <>
      <ListPage<OrderException>
        title={t('exceptions.title')}
        intro={t('exceptions.intro')}
        extra={
          admin &&
          selected.length > 0 && (
            <>
              <span className="ep-muted">{t('orders.selected', { n: selected.length })}</span>
              <Button type="primary" onClick={() => void resolveMany()} data-testid="bulk-resolve">
                {t('exceptions.bulkResolve')}
              </Button>
            </>
          )
        }
        error={list.error}
        onRetry={list.reload}
        query={
          <Space wrap style={{ marginBottom: 8 }}>
            <Segmented<Who>
              value={who}
              onChange={setWho}
              aria-label={t('exceptions.assignee')}
              options={[
                { value: 'all', label: t('exceptions.everyone') },
                ...(me.user ? [{ value: 'mine' as const, label: t('exceptions.mine') }] : []),
                { value: 'none', label: t('exceptions.nobody') },
              ]}
            />
            <label>
              <Switch size="small" checked={resolved} onChange={setResolved} /> {t('exceptions.showResolved')}
            </label>
            {oldest && !resolved && (
              <Typography.Text type="secondary">
                {t('exceptions.oldest', { age: ageText(i18n, oldest, now) })}
              </Typography.Text>
            )}
          </Space>
        }
        tabs={{ active: reason, onChange: (k) => setReason(k as typeof reason), items: tabs }}
        table={{
          rowKey: 'id',
          loading: list.loading,
          dataSource: list.items,
          pagination: false,
          ...(admin && !resolved
            ? {
                rowSelection: {
                  selectedRowKeys: selected,
                  onChange: (keys) => setSelected(keys as string[]),
                },
              }
            : {}),
          locale: { emptyText: <EmptyState text={t('exceptions.emptyAll')} /> },
          columns: [
            {
              title: t('exceptions.order'),
              dataIndex: 'orderExternalId',
              fixed: desk ? 'left' : false,
              render: (v: string | null, e) => {
                const order = v ? (
                  <Typography.Link className="num" onClick={() => setDrawer({ id: e.orderId!, fix: null })}>
                    {v}
                  </Typography.Link>
                ) : (
                  <span className="ep-muted">—</span>
                )
                // Narrower than a desk, the reason stands under the order: its column is hidden.
                return desk ? (
                  order
                ) : (
                  <Flex vertical gap={4} align="flex-start">
                    {order}
                    {reasonTag(e.reason)}
                  </Flex>
                )
              },
            },
            {
              title: t('exceptions.reason'),
              dataIndex: 'reason',
              responsive: ['md'],
              render: (r: ExceptionReason) => reasonTag(r),
            },
            {
              title: t('exceptions.detail'),
              key: 'detail',
              responsive: ['md'],
              render: (_: unknown, e) => (
                <Typography.Text
                  style={{ maxWidth: desk ? 320 : 200, display: 'inline-block' }}
                  ellipsis={{ tooltip: true }}
                >
                  {exceptionSummary(i18n, e)}
                </Typography.Text>
              ),
            },
            {
              title: t('exceptions.shop'),
              dataIndex: 'shopId',
              responsive: ['md'],
              render: (id: string | null) => (id ? (shopName.get(id) ?? '') : ''),
            },
            {
              title: resolved ? t('exceptions.resolvedAt') : t('exceptions.age'),
              dataIndex: 'createdAt',
              responsive: ['sm'],
              render: (v: string, e) =>
                resolved ? (
                  <span className="num">{formatTime(e.resolvedAt, zone)}</span>
                ) : (
                  <Tooltip title={`${t('exceptions.createdAt')}：${formatTime(v, zone)}`}>
                    <span className="num">{ageText(i18n, v, now)}</span>
                  </Tooltip>
                ),
            },
            {
              title: t('exceptions.assignee'),
              dataIndex: 'assigneeId',
              responsive: ['sm'],
              render: (id: string | null, e) =>
                admin && e.status === 'open' ? (
                  <Select
                    size="small"
                    allowClear
                    value={id ?? undefined}
                    placeholder={t('exceptions.unassigned')}
                    onChange={(v: string | undefined) => void assign(e, v ?? null)}
                    style={{ width: 120 }}
                    aria-label={t('exceptions.assignTo')}
                    options={users.map((u) => ({ value: u.id, label: u.name }))}
                  />
                ) : id ? (
                  (userName.get(id) ?? '')
                ) : (
                  <span className="ep-muted">{t('exceptions.unassigned')}</span>
                ),
            },
            {
              title: t('exceptions.fix'),
              key: 'fix',
              fixed: desk ? 'right' : false,
              render: (_: unknown, e) => fixFor(e),
            },
          ],
        }}
        pager={
          <CursorPager
            list={list}
            total={resolved ? undefined : reason === 'all' ? counts?.open : byReason.get(reason)?.open}
          />
        }
      />
      <MapSkuModal exception={mapping} onClose={() => setMapping(null)} onSaved={changed} />
      <OrderDrawer
        id={drawer?.id ?? null}
        initialDialog={drawer?.fix ?? null}
        shopName={shopName}
        onClose={() => setDrawer(null)}
        onChanged={changed}
      />
    </>
  )
}

/** Red for what blocks the order, orange for what waits on a person's look. */
function e2color(r: ExceptionReason): string {
  return r === 'buyer_note' || r === 'invalid_transition' || r === 'refund_unknown_order' ? 'orange' : 'red'
}
