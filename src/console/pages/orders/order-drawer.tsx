/** An order's drawer: header with status, then base info, amounts, items, exceptions, refunds, history. */
import { Descriptions, Table, Tag, Timeline, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { OrderDetail, OrderLine, OrderStatus } from '../../api/types'
import { DetailDrawer, Section } from '../../components/detail-drawer'
import { Money, OrderStatusTag, RefundTag, Time } from '../../components/format'
import { useI18n } from '../../i18n'

export function OrderDrawer({
  id,
  shopName,
  onClose,
}: {
  id: string | null
  shopName: Map<string, string>
  onClose: () => void
}) {
  const { t, maybe } = useI18n()
  const [order, setOrder] = useState<OrderDetail | null>(null)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    if (!id) return
    let live = true
    setOrder(null)
    setError(null)
    endpoints.order(id).then(
      (o) => live && setOrder(o),
      (err: unknown) => live && setError(err),
    )
    return () => {
      live = false
    }
  }, [id])

  const o = order
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

  return (
    <DetailDrawer
      open={!!id}
      onClose={onClose}
      loading={!!id && !o && !error}
      error={error}
      title={o ? t('orders.detail.title', { id: o.externalId }) : ''}
      extra={o && <OrderStatusTag status={o.status} />}
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
                {[
                  o.receiver.name,
                  o.receiver.phone,
                  o.receiver.province,
                  o.receiver.city,
                  o.receiver.district,
                  o.receiver.address,
                ]
                  .filter(Boolean)
                  .join(' ')}
              </Descriptions.Item>
            </Descriptions>
          </Section>
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
                { title: t('orders.detail.item'), dataIndex: 'title' },
                { title: t('orders.detail.spec'), dataIndex: 'skuProperties' },
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
                  title: t('orders.detail.linePaid'),
                  dataIndex: 'paidAmount',
                  align: 'right',
                  render: (v: string) => <Money amount={v} currency={o.currency} />,
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
          {o.exceptions.some((e) => e.status === 'open') && (
            <Section title={t('orders.detail.openExceptions')}>
              {o.exceptions
                .filter((e) => e.status === 'open')
                .map((e) => (
                  <Tag key={e.id} color="red">
                    {maybe(`orders.reason.${e.reason}`) ?? e.reason}
                  </Tag>
                ))}
            </Section>
          )}
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
        </>
      )}
    </DetailDrawer>
  )
}
