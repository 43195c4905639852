/** 告警: open and cleared alerts, newest first, with where each webhook delivery stands. */
import { Tag, Typography } from 'antd'
import { useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { Alert } from '../../api/types'
import { Time } from '../../components/format'
import { CursorPager, ListPage } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'

const DELIVERY_COLOR = { none: 'default', pending: 'blue', sent: 'green', failed: 'red' } as const

export function AlertsPage() {
  const { t } = useI18n()
  const [tab, setTab] = useState<'open' | 'cleared'>('open')
  const list = useCursorList(
    (cursor, limit) => endpoints.alerts({ status: tab, ...(cursor ? { cursor } : {}), limit }),
    [tab],
  )
  return (
    <ListPage<Alert>
      title={t('alerts.title')}
      intro={t('alerts.settingsIntro')}
      error={list.error}
      onRetry={list.reload}
      tabs={{
        active: tab,
        onChange: (k) => setTab(k as 'open' | 'cleared'),
        items: [
          { key: 'open', label: t('alerts.open') },
          { key: 'cleared', label: t('alerts.cleared') },
        ],
      }}
      table={{
        rowKey: 'id',
        loading: list.loading,
        dataSource: list.items,
        pagination: false,
        locale: { emptyText: <EmptyState text={t('alerts.none')} /> },
        columns: [
          { title: t('alerts.openedAt'), key: 'at', render: (_: unknown, a) => <Time value={a.openedAt} /> },
          {
            title: t('alerts.rule'),
            key: 'kind',
            render: (_: unknown, a) => (
              <Tag color={a.status === 'open' ? 'red' : 'default'}>{t(`alerts.kind.${a.kind}`)}</Tag>
            ),
          },
          {
            title: t('alerts.title'),
            dataIndex: 'subject',
            render: (s: string) => <Typography.Text style={{ whiteSpace: 'normal' }}>{s}</Typography.Text>,
          },
          ...(tab === 'cleared'
            ? [
                {
                  title: t('alerts.clearedAt'),
                  key: 'cl',
                  render: (_: unknown, a: Alert) => <Time value={a.clearedAt} />,
                },
              ]
            : []),
          {
            title: t('alerts.delivery'),
            key: 'd',
            render: (_: unknown, a) => (
              <span title={a.deliveryError ?? undefined}>
                <Tag color={DELIVERY_COLOR[a.delivery]}>{t(`alerts.deliveryState.${a.delivery}`)}</Tag>
              </span>
            ),
          },
        ],
      }}
      pager={<CursorPager list={list} />}
    />
  )
}
