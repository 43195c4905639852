/** One platform SKU's push log: every quantity sent, when, and the platform's answer verbatim. */
import { Table, Tag, Typography } from 'antd'
import { shopApi, type PreviewItem, type PushLogItem } from '../../api/shops'
import { DetailDrawer } from '../../components/detail-drawer'
import { Time } from '../../components/format'
import { CursorPager } from '../../components/list-page'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'

export function PushLogDrawer({
  shopId,
  item,
  onClose,
}: {
  shopId: string
  item: PreviewItem | null
  onClose: () => void
}) {
  const { t, maybe } = useI18n()
  const key = item?.platformSkuKey
  const list = useCursorList<PushLogItem>(
    (cursor, limit) =>
      key
        ? shopApi.pushLog(shopId, { platformSkuKey: key, ...(cursor ? { cursor } : {}), limit })
        : Promise.resolve({ items: [], next: null }),
    [shopId, key],
  )
  return (
    <DetailDrawer
      open={!!item}
      onClose={onClose}
      title={item ? t('shops.rules.logTitle', { code: item.skuCode }) : ''}
      error={list.error}
    >
      <Table<PushLogItem>
        size="small"
        rowKey="id"
        loading={list.loading}
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={list.items}
        locale={{ emptyText: t('shops.rules.never') }}
        columns={[
          { title: t('shops.rules.logAt'), dataIndex: 'pushedAt', render: (v: string) => <Time value={v} /> },
          {
            title: t('shops.rules.logQuantity'),
            dataIndex: 'quantity',
            align: 'right',
            render: (n: number) => <span className="num">{n}</span>,
          },
          {
            title: t('shops.rules.logResult'),
            key: 'ok',
            render: (_: unknown, r) => (
              <Tag color={r.ok ? 'green' : 'red'}>
                {r.ok
                  ? t('shops.rules.lastPushOk')
                  : ((r.kind && maybe(`shops.errorKind.${r.kind}`)) ?? t('shops.rules.lastPushFail'))}
              </Tag>
            ),
          },
          {
            title: t('shops.rules.logAnswer'),
            dataIndex: 'error',
            render: (e: string | null) =>
              e ? <Typography.Text type="danger">「{e}」</Typography.Text> : null,
          },
        ]}
      />
      <CursorPager list={list} />
    </DetailDrawer>
  )
}
