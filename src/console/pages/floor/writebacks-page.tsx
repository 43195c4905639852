/** 发货回传: what each platform answered to our shipments; failed ones show its own words and retry. */
import { App, Button, Tag, Typography } from 'antd'
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
        columns: [
          {
            title: t('floor.writebacks.order'),
            dataIndex: 'orderExternalId',
            fixed: desk ? 'left' : undefined,
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
            render: (_: unknown, w) => (
              <span className="mono">
                {w.trackingNumber
                  ? `${w.carrier && (CARRIERS as readonly string[]).includes(w.carrier) ? t(`floor.carrier.${w.carrier as Carrier}`) : (w.carrier ?? '')} ${w.trackingNumber}`
                  : '—'}
              </span>
            ),
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
            responsive: ['md'],
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
            responsive: ['md'],
            render: (v: string) => <Time value={v} />,
          },
          {
            title: t('common.actions'),
            key: 'actions',
            fixed: desk ? 'right' : undefined,
            render: (_: unknown, w) =>
              w.status === 'done' ? null : (
                <Button size="small" onClick={() => void retry(w)}>
                  {t('floor.writebacks.retry')}
                </Button>
              ),
          },
        ],
      }}
      pager={<CursorPager list={list} />}
    />
  )
}
