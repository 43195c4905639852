/**
 * 发货回传: what each platform answered to our shipments; failed ones show its own words and retry.
 * On the handheld one stacked cell per writeback, with its state and 重试 beside it.
 */
import { App, Button, Flex, Tag, Typography } from 'antd'
import { useState } from 'react'
import { endpoints } from '../../api/endpoints'
import { CARRIERS, type Carrier, type Writeback } from '../../api/types'
import { Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { CursorPager, ListPage } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'
import { refusalText } from './refusal'

const COLOR = { pending: 'orange', done: 'green', failed: 'red' } as const
type Tab = 'failed' | 'pending' | 'done' | 'all'

export function WritebacksPage() {
  const i18n = useI18n()
  const { t } = i18n
  const desk = useDesk()
  const { message } = App.useApp()
  const [tab, setTab] = useState<Tab>('failed')
  const list = useCursorList<Writeback>(
    (cursor, limit) =>
      endpoints.writebacks({
        ...(cursor ? { cursor } : {}),
        limit,
        ...(tab === 'all' ? {} : { status: tab }),
      }),
    [tab],
  )
  const retry = async (w: Writeback) => {
    try {
      await endpoints.retryWriteback(w.id)
      void message.success(t('floor.writebacks.retried'))
      list.reload()
    } catch (err) {
      void message.error(refusalText(i18n, err))
    }
  }
  /** 顺丰速运 SF1234567001: the carrier's name where we know it, the platform's code otherwise. */
  const tracking = (w: Writeback) =>
    w.trackingNumber
      ? `${w.carrier && (CARRIERS as readonly string[]).includes(w.carrier) ? t(`floor.carrier.${w.carrier as Carrier}`) : (w.carrier ?? '')} ${w.trackingNumber}`
      : null
  return (
    <ListPage<Writeback>
      title={t('floor.writebacks.title')}
      tabs={{
        active: tab,
        onChange: (k) => setTab(k as Tab),
        items: (['failed', 'pending', 'done', 'all'] as const).map((k) => ({
          key: k,
          label: t(`floor.writebacks.tab.${k}`),
        })),
      }}
      error={list.error}
      onRetry={list.reload}
      table={{
        rowKey: 'id',
        loading: list.loading,
        dataSource: list.items,
        pagination: false,
        locale: { emptyText: <EmptyState text={t('floor.writebacks.empty')} /> },
        // On the handheld the cells wrap to the screen instead of scrolling sideways.
        ...(desk ? {} : { scroll: {} }),
        columns: desk
          ? [
              {
                title: t('floor.writebacks.order'),
                dataIndex: 'orderExternalId',
                fixed: 'left',
                render: (v: string, w) => (
                  <span>
                    <span className="mono">{v}</span>
                    <div className="ep-muted" style={{ fontSize: 12 }}>
                      {t(`channels.${w.channel}`)}
                    </div>
                  </span>
                ),
              },
              { title: t('floor.writebacks.shop'), dataIndex: 'shopName', responsive: ['md'] },
              {
                title: t('floor.writebacks.tracking'),
                key: 'tracking',
                render: (_: unknown, w) => <span className="mono">{tracking(w) ?? '—'}</span>,
              },
              {
                title: t('floor.writebacks.status'),
                dataIndex: 'status',
                render: (s: Writeback['status']) => (
                  <Tag color={COLOR[s]}>{t(`floor.writebacks.statusLabel.${s}`)}</Tag>
                ),
              },
              {
                title: t('floor.writebacks.attempts'),
                dataIndex: 'attempts',
                align: 'right',
                className: 'num',
              },
              {
                title: t('floor.writebacks.error'),
                dataIndex: 'lastError',
                render: (e: string | null, w) =>
                  e ? (
                    <Typography.Text type="danger" style={{ maxWidth: 420, display: 'inline-block' }}>
                      「{e}」
                    </Typography.Text>
                  ) : (
                    <span className="ep-muted">{w.note ?? ''}</span>
                  ),
              },
              {
                title: t('floor.writebacks.updatedAt'),
                dataIndex: 'updatedAt',
                render: (v: string) => <Time value={v} />,
              },
              {
                title: t('common.actions'),
                key: 'actions',
                fixed: 'right',
                render: (_: unknown, w) =>
                  w.status === 'done' ? null : (
                    <Button size="small" onClick={() => void retry(w)}>
                      {t('floor.writebacks.retry')}
                    </Button>
                  ),
              },
            ]
          : [
              // The handheld: the order and what the platform said, stacked; the state and 重试 beside.
              {
                title: t('floor.writebacks.order'),
                key: 'order',
                render: (_: unknown, w) => (
                  <Flex vertical gap={2} style={{ fontSize: 16 }}>
                    <span className="mono" style={{ overflowWrap: 'anywhere' }}>
                      {w.orderExternalId}
                    </span>
                    <div className="ep-muted" style={{ overflowWrap: 'anywhere' }}>
                      {t(`channels.${w.channel}`)} · {w.shopName}
                    </div>
                    {tracking(w) && (
                      <div className="mono" style={{ overflowWrap: 'anywhere' }}>
                        {tracking(w)}
                      </div>
                    )}
                    {w.lastError ? (
                      <Typography.Text type="danger" style={{ overflowWrap: 'anywhere' }}>
                        「{w.lastError}」
                      </Typography.Text>
                    ) : (
                      w.note && <span className="ep-muted">{w.note}</span>
                    )}
                    <div className="ep-muted" style={{ fontVariantNumeric: 'tabular-nums' }}>
                      <Time value={w.updatedAt} />
                      {w.attempts > 0 && ` · ${t('floor.writebacks.attemptsValue', { n: w.attempts })}`}
                    </div>
                  </Flex>
                ),
              },
              {
                title: t('floor.writebacks.status'),
                key: 'status',
                align: 'right',
                width: 1,
                render: (_: unknown, w) => (
                  <Flex vertical gap={8} align="end">
                    <Tag color={COLOR[w.status]} style={{ marginInlineEnd: 0 }}>
                      {t(`floor.writebacks.statusLabel.${w.status}`)}
                    </Tag>
                    {w.status !== 'done' && (
                      <Button size="large" onClick={() => void retry(w)} data-testid="writeback-retry">
                        {t('floor.writebacks.retry')}
                      </Button>
                    )}
                  </Flex>
                ),
              },
            ],
      }}
      pager={<CursorPager list={list} />}
    />
  )
}
