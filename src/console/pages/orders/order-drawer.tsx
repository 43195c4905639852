/**
 * An order's drawer: header with status and actions (修改地址, 拆单, 取消合单, 重新处理, 分配库存),
 * then base info, amounts, items with their apportioned amounts, exceptions, allocation,
 * shipments, refunds, the raw platform versions (side by side) and the status history.
 */
import {
  App,
  Button,
  Descriptions,
  Dropdown,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
  type MenuProps,
} from 'antd'
import { DownOutlined } from '@ant-design/icons'
import { useCallback, useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { OrderAllocation, OrderDetail, OrderLine, OrderShipment, OrderStatus } from '../../api/types'
import { useMe } from '../../app/session'
import { DetailDrawer, Section } from '../../components/detail-drawer'
import { errorMessage } from '../../components/errors'
import { Money, OrderStatusTag, RefundTag, Time } from '../../components/format'
import { useI18n } from '../../i18n'
import { outcomeText } from './outcome'
import { ReceiverModal } from './receiver-modal'
import { SplitModal } from './split-modal'
import { CompareVersions, VersionList } from './versions'

type Dialog = 'receiver' | 'split' | 'versions' | null

/** Orders not yet in picking can still be changed by hand. */
const CHANGEABLE: readonly OrderStatus[] = ['pending_payment', 'paid', 'allocated', 'on_hold']

export function OrderDrawer({
  id,
  shopName,
  onClose,
  onChanged,
  initialDialog,
}: {
  id: string | null
  shopName: Map<string, string>
  onClose: () => void
  /** After an action changed the order (the list refreshes). */
  onChanged?: () => void
  /** Open straight on a fix (from the exception inbox). */
  initialDialog?: Dialog
}) {
  const i18n = useI18n()
  const { t, maybe } = i18n
  const { message, modal } = App.useApp()
  const me = useMe()
  const [order, setOrder] = useState<OrderDetail | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [tick, setTick] = useState(0)
  const [dialog, setDialog] = useState<Dialog>(null)

  useEffect(() => {
    if (!id) return
    let live = true
    setError(null)
    endpoints.order(id).then(
      (o) => live && setOrder(o),
      (err: unknown) => live && setError(err),
    )
    return () => {
      live = false
    }
  }, [id, tick])
  useEffect(() => {
    setOrder(null)
    setDialog(initialDialog ?? null)
  }, [id, initialDialog])

  const changed = useCallback(() => {
    setTick((n) => n + 1)
    onChanged?.()
  }, [onChanged])

  const run = async (action: () => Promise<string | void>, done: string) => {
    try {
      const outcome = await action()
      void message.success(outcome ? `${done}：${outcomeText(i18n, outcome)}` : done)
      changed()
    } catch (err) {
      modal.error({ title: errorMessage(i18n, err), okText: t('common.close') })
    }
  }

  const o = order && order.id === id ? order : null
  const admin = me.role === 'admin'
  const staff = admin || me.role === 'warehouse'
  const changeable = !!o && CHANGEABLE.includes(o.status)
  const split = !!o && o.lines.some((l) => l.shipmentGroupId)
  const actions: MenuProps['items'] = o
    ? [
        ...(staff && changeable && !split && o.lines.length > 1
          ? [{ key: 'split', label: t('orders.action.split') }]
          : []),
        ...(staff && changeable && split ? [{ key: 'unsplit', label: t('orders.action.unsplit') }] : []),
        ...(staff && changeable && o.mergeGroupId
          ? [{ key: 'unmerge', label: t('orders.action.unmerge') }]
          : []),
        ...(staff && o.status === 'paid' ? [{ key: 'allocate', label: t('orders.action.allocate') }] : []),
        ...(admin ? [{ key: 'rerun', label: t('orders.action.rerun') }] : []),
        ...(o.versions.length > 1 ? [{ key: 'versions', label: t('orders.action.compare') }] : []),
      ]
    : []
  const onAction = (key: string) => {
    if (!o) return
    if (key === 'split' || key === 'versions') setDialog(key)
    if (key === 'rerun')
      void run(async () => (await endpoints.rerunOrder(o.id)).outcome, t('orders.action.rerun'))
    if (key === 'allocate')
      void run(async () => (await endpoints.allocateOrder(o.id)).outcome, t('orders.action.allocate'))
    if (key === 'unsplit')
      modal.confirm({
        title: t('orders.unsplitConfirm'),
        okText: t('common.confirm'),
        cancelText: t('common.cancel'),
        onOk: () => run(() => endpoints.unsplitOrder(o.id), t('orders.unsplitDone')),
      })
    if (key === 'unmerge')
      modal.confirm({
        title: t('orders.unmergeConfirm'),
        okText: t('common.confirm'),
        cancelText: t('common.cancel'),
        onOk: () => run(() => endpoints.unmergeOrder(o.id), t('orders.unmergeDone')),
      })
  }

  const amounts = o
    ? ([
        ['goods', o.goodsAmount],
        ['platformDiscount', o.platformDiscount],
        ['merchantDiscount', o.merchantDiscount],
        ['shipping', o.shippingAmount],
        ['tax', o.taxAmount],
        ['buyerPaid', o.buyerPaid],
      ] as const)
    : []
  const status = (s: string) => (maybe(`orders.tab.${s}`) ? <OrderStatusTag status={s as OrderStatus} /> : s)
  const groups = o ? [...new Set(o.lines.map((l) => l.shipmentGroupId).filter((g): g is string => !!g))] : []
  const conflict = o?.exceptions.find((e) => e.status === 'open' && e.reason === 'conflicting_update')
  const conflictPair = (conflict?.detail as { versions?: string[] } | undefined)?.versions
  const receiverText = o
    ? [
        o.receiver.name,
        o.receiver.phone,
        o.receiver.province,
        o.receiver.city,
        o.receiver.district,
        o.receiver.address,
      ]
        .filter(Boolean)
        .join(' ')
    : ''

  return (
    <DetailDrawer
      open={!!id}
      onClose={onClose}
      loading={!!id && !o && !error}
      error={error}
      title={o ? t('orders.detail.title', { id: o.externalId }) : ''}
      extra={
        o && (
          <Space wrap>
            <OrderStatusTag status={o.status} />
            {o.mergeGroupId && <Tag color="purple">{t('orders.mergeTag')}</Tag>}
            {admin && changeable && (
              <Button size="small" onClick={() => setDialog('receiver')}>
                {t('orders.action.editReceiver')}
              </Button>
            )}
            {actions.length > 0 && (
              <Dropdown trigger={['click']} menu={{ items: actions, onClick: ({ key }) => onAction(key) }}>
                <Button size="small" data-testid="order-actions">
                  {t('common.actions')} <DownOutlined />
                </Button>
              </Dropdown>
            )}
          </Space>
        )
      }
    >
      {o && (
        <>
          <Section title={t('orders.detail.base')}>
            <Descriptions
              size="small"
              bordered
              column={{ xs: 1, sm: 2 }}
              styles={{ label: { whiteSpace: 'nowrap' } }}
            >
              <Descriptions.Item label={t('orders.externalId')}>
                <Typography.Text copyable className="num">
                  {o.externalId}
                </Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t('orders.shop')}>{shopName.get(o.shopId) ?? ''}</Descriptions.Item>
              <Descriptions.Item label={t('orders.channel')}>{t(`channels.${o.channel}`)}</Descriptions.Item>
              <Descriptions.Item label={t('orders.platformStatus')}>{o.platformStatus}</Descriptions.Item>
              <Descriptions.Item label={t('orders.buyer')}>{o.buyerNick}</Descriptions.Item>
              <Descriptions.Item label={t('orders.refund')}>
                {o.refundState === 'none' ? (
                  t('orders.refundState.none')
                ) : (
                  <RefundTag state={o.refundState} />
                )}
              </Descriptions.Item>
              <Descriptions.Item label={t('orders.placedAt')}>
                <Time value={o.placedAt} />
              </Descriptions.Item>
              <Descriptions.Item label={t('orders.paidAt')}>
                <Time value={o.paidAt} />
              </Descriptions.Item>
              <Descriptions.Item label={t('orders.shippedAt')}>
                <Time value={o.shippedAt} />
              </Descriptions.Item>
              <Descriptions.Item label={t('orders.detail.receiver')}>
                <span data-testid="receiver-text">{receiverText}</span>
              </Descriptions.Item>
            </Descriptions>
          </Section>
          {o.exceptions.some((e) => e.status === 'open') && (
            <Section title={t('orders.detail.openExceptions')}>
              <Space wrap>
                {o.exceptions
                  .filter((e) => e.status === 'open')
                  .map((e) => (
                    <Tag key={e.id} color="red">
                      {maybe(`orders.reason.${e.reason}`) ?? e.reason}
                    </Tag>
                  ))}
                {conflict && admin && (
                  <Button size="small" type="link" onClick={() => setDialog('versions')}>
                    {t('exceptions.action.pickVersion')}
                  </Button>
                )}
              </Space>
            </Section>
          )}
          <Section title={t('orders.detail.amounts')}>
            <Table
              size="small"
              pagination={false}
              showHeader={false}
              rowKey={(r) => r[0]}
              dataSource={[...amounts]}
              columns={[
                { dataIndex: 0, render: (k: (typeof amounts)[number][0]) => t(`orders.detail.${k}`) },
                {
                  dataIndex: 1,
                  align: 'right',
                  render: (v: string) => <Money amount={v} currency={o.currency} />,
                },
              ]}
            />
          </Section>
          <Section title={t('orders.detail.lines')}>
            <Table<OrderLine>
              size="small"
              rowKey="id"
              pagination={false}
              scroll={{ x: 'max-content' }}
              dataSource={o.lines}
              columns={[
                {
                  title: t('orders.detail.sku'),
                  key: 'sku',
                  render: (_: unknown, l) =>
                    l.skus.length ? (
                      <span className="mono">
                        {l.skus.map((s) => `${s.code} × ${s.quantity}`).join('，')}
                      </span>
                    ) : (
                      <Tag color="red">{t('orders.detail.unmapped')}</Tag>
                    ),
                },
                {
                  title: t('orders.detail.item'),
                  dataIndex: 'title',
                  render: (v: string, l) => (
                    <>
                      {v}
                      {l.skuProperties && <div className="ep-muted">{l.skuProperties}</div>}
                    </>
                  ),
                },
                ...(groups.length
                  ? [
                      {
                        title: t('orders.group'),
                        key: 'group',
                        render: (_: unknown, l: OrderLine) =>
                          l.shipmentGroupId ? (
                            <Tag color="geekblue">
                              {t('orders.group')} {groups.indexOf(l.shipmentGroupId) + 2}
                            </Tag>
                          ) : (
                            <Tag>{t('orders.groupMain')}</Tag>
                          ),
                      },
                    ]
                  : []),
                {
                  title: t('orders.detail.quantity'),
                  dataIndex: 'quantity',
                  align: 'right',
                  render: (n: number) => <span className="num">{n}</span>,
                },
                {
                  title: t('orders.detail.unitPrice'),
                  dataIndex: 'unitPrice',
                  align: 'right',
                  render: (v: string) => <Money amount={v} currency={o.currency} />,
                },
                {
                  title: t('orders.apportion.goods'),
                  dataIndex: 'goodsAmount',
                  align: 'right',
                  render: (v: string) => <Money amount={v} currency={o.currency} />,
                },
                {
                  title: t('orders.apportion.platformDiscount'),
                  dataIndex: 'platformDiscount',
                  align: 'right',
                  render: (v: string) => <Money amount={v} currency={o.currency} />,
                },
                {
                  title: t('orders.apportion.merchantDiscount'),
                  dataIndex: 'merchantDiscount',
                  align: 'right',
                  render: (v: string) => <Money amount={v} currency={o.currency} />,
                },
                {
                  title: t('orders.apportion.shipping'),
                  dataIndex: 'shippingShare',
                  align: 'right',
                  render: (v: string) => <Money amount={v} currency={o.currency} />,
                },
                {
                  title: t('orders.detail.linePaid'),
                  dataIndex: 'paidAmount',
                  align: 'right',
                  render: (v: string) => (
                    <strong>
                      <Money amount={v} currency={o.currency} />
                    </strong>
                  ),
                },
                {
                  title: t('orders.apportion.skuShare'),
                  key: 'share',
                  align: 'right',
                  render: (_: unknown, l) =>
                    l.skus.length > 1
                      ? l.skus.map((s) => (
                          <div key={s.code}>
                            <span className="mono">{s.code}</span>{' '}
                            <Money amount={s.revenueShare} currency={o.currency} />
                          </div>
                        ))
                      : null,
                },
              ]}
            />
          </Section>
          {(o.buyerNote || o.sellerNote) && (
            <Section title={t('orders.detail.notes')}>
              <Descriptions size="small" bordered column={1} styles={{ label: { whiteSpace: 'nowrap' } }}>
                {o.buyerNote && (
                  <Descriptions.Item label={t('orders.detail.buyerNote')}>{o.buyerNote}</Descriptions.Item>
                )}
                {o.sellerNote && (
                  <Descriptions.Item label={t('orders.detail.sellerNote')}>{o.sellerNote}</Descriptions.Item>
                )}
              </Descriptions>
            </Section>
          )}
          <Section title={t('orders.allocation.title')}>
            <div data-testid="allocations">
              {o.allocations.length === 0 ? (
                <Typography.Text type="secondary">{t('orders.allocation.none')}</Typography.Text>
              ) : (
                <Table<OrderAllocation>
                  size="small"
                  rowKey="id"
                  pagination={false}
                  scroll={{ x: 'max-content' }}
                  dataSource={o.allocations}
                  columns={[
                    { title: t('orders.allocation.warehouse'), dataIndex: 'warehouseName' },
                    {
                      title: t('orders.allocation.sku'),
                      dataIndex: 'skuCode',
                      render: (v: string, a) => (
                        <>
                          <span className="mono">{v}</span> <span className="ep-muted">{a.skuName}</span>
                        </>
                      ),
                    },
                    {
                      title: t('orders.allocation.quantity'),
                      dataIndex: 'quantity',
                      align: 'right',
                      render: (n: number) => <span className="num">{n}</span>,
                    },
                    {
                      title: t('orders.allocation.status'),
                      dataIndex: 'status',
                      render: (s: OrderAllocation['status']) => (
                        <Tag color={s === 'open' ? 'blue' : s === 'shipped' ? 'green' : 'default'}>
                          {t(`orders.allocation.state.${s}`)}
                        </Tag>
                      ),
                    },
                  ]}
                />
              )}
            </div>
          </Section>
          <Section title={t('orders.shipment.title')}>
            {o.shipments.length === 0 ? (
              <Typography.Text type="secondary">{t('orders.shipment.none')}</Typography.Text>
            ) : (
              <Table<OrderShipment & { key: string; parcel: OrderShipment['parcels'][number] }>
                size="small"
                pagination={false}
                scroll={{ x: 'max-content' }}
                dataSource={o.shipments.flatMap((s) =>
                  s.parcels.map((p, i) => ({ ...s, key: `${s.id}-${i}`, parcel: p })),
                )}
                columns={[
                  {
                    title: t('orders.shipment.shippedAt'),
                    dataIndex: 'shippedAt',
                    render: (v: string) => <Time value={v} />,
                  },
                  { title: t('orders.shipment.warehouse'), dataIndex: 'warehouseName' },
                  {
                    title: t('orders.shipment.carrier'),
                    key: 'carrier',
                    render: (_: unknown, r) => r.parcel.carrierName ?? r.parcel.carrier,
                  },
                  {
                    title: t('orders.shipment.tracking'),
                    key: 'tracking',
                    render: (_: unknown, r) => (
                      <Typography.Text copyable className="num">
                        {r.parcel.trackingNumber}
                      </Typography.Text>
                    ),
                  },
                  {
                    title: t('orders.shipment.writeback'),
                    dataIndex: 'writeback',
                    render: (w: OrderShipment['writeback']) =>
                      w && (
                        <Tag color={w === 'done' ? 'green' : w === 'failed' ? 'red' : 'orange'}>
                          {t(`orders.shipment.wb.${w}`)}
                        </Tag>
                      ),
                  },
                ]}
              />
            )}
          </Section>
          {o.refunds.length > 0 && (
            <Section title={t('orders.detail.refunds')}>
              <Table
                size="small"
                rowKey="id"
                pagination={false}
                dataSource={o.refunds}
                columns={[
                  {
                    title: t('orders.externalId'),
                    dataIndex: 'externalRefundId',
                    render: (v: string) => <span className="num">{v}</span>,
                  },
                  { title: t('orders.status'), dataIndex: 'status' },
                  {
                    title: t('orders.detail.refundAmount'),
                    dataIndex: 'amount',
                    align: 'right',
                    render: (v: string, r) => <Money amount={v} currency={r.currency} />,
                  },
                ]}
              />
            </Section>
          )}
          {o.versions.length > 0 && (
            <Section title={t('orders.versions.title')}>
              <VersionList
                versions={o.versions}
                currentId={o.currentVersionId}
                onCompare={() => setDialog('versions')}
              />
            </Section>
          )}
          <Section title={t('orders.detail.timeline')}>
            {o.timeline.length === 0 && (
              <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>
            )}
            <Timeline
              items={o.timeline.map((h) => ({
                key: h.id,
                children: (
                  <span>
                    <Time value={h.at} /> {h.fromStatus ? status(h.fromStatus) : null} → {status(h.toStatus)}{' '}
                    {h.note && <Typography.Text type="secondary">{h.note}</Typography.Text>}
                  </span>
                ),
              }))}
            />
          </Section>
          <ReceiverModal
            orderId={o.id}
            receiver={o.receiver}
            open={dialog === 'receiver'}
            onClose={() => setDialog(null)}
            onSaved={changed}
          />
          <SplitModal
            orderId={o.id}
            lines={o.lines}
            open={dialog === 'split'}
            onClose={() => setDialog(null)}
            onSaved={changed}
          />
          {dialog === 'versions' && (
            <CompareVersions
              orderId={o.id}
              versions={o.versions}
              initial={conflictPair?.length === 2 ? [conflictPair[0]!, conflictPair[1]!] : undefined}
              pickable={admin && !!conflict}
              open
              onClose={() => setDialog(null)}
              onPicked={changed}
            />
          )}
        </>
      )}
    </DetailDrawer>
  )
}
