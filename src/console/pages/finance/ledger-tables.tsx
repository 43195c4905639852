/** Journal lines and settlement lines as the accountant reads them: business keys, money right-aligned. */
import { Table, Tag, Typography } from 'antd'
import { endpoints } from '../../api/endpoints'
import type { JournalLine, SettlementLine, Shop } from '../../api/types'
import { Money, Time } from '../../components/format'
import { CursorPager } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'
import { useAccountLabel } from './shared'

type JournalQuery = Parameters<typeof endpoints.journalLines>[0]

export function JournalLinesTable({
  query,
  shops,
  highlight,
}: {
  query: Omit<JournalQuery, 'cursor' | 'limit'>
  shops: readonly Shop[]
  /** An account group whose lines stand out (the figure drilled from). */
  highlight?: string | undefined
}) {
  const { t, maybe } = useI18n()
  const accountLabel = useAccountLabel(shops)
  const list = useCursorList(
    (cursor, limit) => endpoints.journalLines({ ...query, cursor, limit }),
    [JSON.stringify(query)],
    50,
  )
  return (
    <>
      <Table<JournalLine>
        size="small"
        data-testid="journal-lines"
        loading={list.loading}
        rowKey="id"
        dataSource={list.items}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <EmptyState text={t('common.empty')} /> }}
        rowClassName={(l) => (highlight && l.account.split(':')[0] === highlight ? 'ep-highlight-row' : '')}
        columns={[
          {
            title: t('finance.journal.time'),
            key: 'at',
            render: (_: unknown, l) => <Time value={l.eventAt} />,
          },
          {
            title: t('finance.journal.kind'),
            key: 'kind',
            render: (_: unknown, l) => <Tag>{maybe(`finance.entryKind.${l.kind}`) ?? l.kind}</Tag>,
          },
          {
            title: t('finance.journal.account'),
            key: 'account',
            render: (_: unknown, l) => accountLabel(l.account),
          },
          {
            title: t('finance.journal.debit'),
            key: 'debit',
            align: 'right',
            render: (_: unknown, l) =>
              /^0(\.0+)?$/.test(l.debit) ? '' : <Money amount={l.debit} currency={l.currency} />,
          },
          {
            title: t('finance.journal.credit'),
            key: 'credit',
            align: 'right',
            render: (_: unknown, l) =>
              /^0(\.0+)?$/.test(l.credit) ? '' : <Money amount={l.credit} currency={l.currency} />,
          },
          {
            title: t('finance.statements.order'),
            key: 'order',
            render: (_: unknown, l) => <span className="mono">{l.orderExternalId}</span>,
          },
          {
            title: t('finance.statements.sku'),
            key: 'sku',
            render: (_: unknown, l) => (l.skuCode ? `${l.skuCode} ${l.skuName ?? ''}` : ''),
          },
        ]}
      />
      <CursorPager list={list} />
    </>
  )
}

export function SettlementLinesTable({
  shopId,
  orderExternalId,
  importId,
}: {
  shopId?: string
  orderExternalId?: string
  importId?: string
}) {
  const { t, maybe } = useI18n()
  const list = useCursorList(
    (cursor, limit) => endpoints.settlementLines({ shopId, orderExternalId, importId, cursor, limit }),
    [shopId, orderExternalId, importId],
    50,
  )
  return (
    <>
      <Table<SettlementLine>
        size="small"
        data-testid="settlement-lines"
        loading={list.loading}
        rowKey="id"
        dataSource={list.items}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <EmptyState text={t('finance.statements.noSettlement')} /> }}
        columns={[
          {
            title: t('finance.settlement.time'),
            key: 'at',
            render: (_: unknown, l) => <Time value={l.occurredAt} />,
          },
          {
            title: t('finance.settlement.type'),
            key: 'type',
            render: (_: unknown, l) => maybe(`finance.settlement.type_${l.type}`) ?? l.type,
          },
          {
            title: t('finance.settlement.platformType'),
            key: 'ptype',
            render: (_: unknown, l) => (
              <Typography.Text type="secondary">「{l.platformType}」</Typography.Text>
            ),
          },
          {
            title: t('finance.settlement.lineId'),
            key: 'line',
            render: (_: unknown, l) => <span className="mono">{l.externalLineId}</span>,
          },
          {
            title: t('finance.settlement.amount'),
            key: 'amount',
            align: 'right',
            render: (_: unknown, l) => <Money amount={l.amount} currency={l.currency} />,
          },
        ]}
      />
      <CursorPager list={list} />
    </>
  )
}
