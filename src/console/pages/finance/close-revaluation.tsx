/**
 * The revaluation a month's close will post: each foreign balance, its book value, the month-end
 * rate and the adjustment. Laid out by the room its card has, as the months are (close-months.tsx):
 * wide, five columns; narrow — a handheld — two: the account with its balance, rate and book value
 * stacked under it, and the adjustment, the figure the close posts. Nothing scrolls sideways there.
 */
import { Flex, Table, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import type { ReactNode } from 'react'
import type { Checklist } from '../../api/ledger'
import type { Shop } from '../../api/types'
import { Money } from '../../components/format'
import { useWidth } from '../../components/layout'
import { useI18n } from '../../i18n'

type Row = Checklist['revaluation'][number]

/**
 * Under this the five columns would scroll inside the card, so the row is stacked. A laptop's card
 * (1280 px and up) has 519 px or more and keeps the five; a 360 px phone's has 310.
 */
const FIVE_COLUMNS_MIN_PX = 480

/** A rate with at least 4 decimals (7.16 → 7.1600). */
const rate4 = (r: string): string => {
  const [int, frac = ''] = r.split('.')
  return frac.length >= 4 ? r : `${int}.${frac.padEnd(4, '0')}`
}

export function RevaluationTable(p: { rows: Row[]; base: string; shops: readonly Shop[] }) {
  const { t } = useI18n()
  const [ref, width] = useWidth<HTMLDivElement>()
  const narrow = width !== undefined && width < FIVE_COLUMNS_MIN_PX
  const account = (r: Row) => <AccountLabel code={r.account} shops={p.shops} />
  const adjustment = {
    title: t('books.close.adjustment'),
    key: 'adj',
    align: 'right',
    render: (_: unknown, r) => (
      <span style={{ color: r.adjustment.startsWith('-') ? '#cf1322' : undefined, whiteSpace: 'nowrap' }}>
        <Money amount={r.adjustment} currency={p.base} />
      </span>
    ),
  } satisfies ColumnsType<Row>[number]
  const columns: ColumnsType<Row> = narrow
    ? [
        {
          title: t('books.journal.account'),
          key: 'a',
          render: (_: unknown, r) => (
            <Flex vertical gap={2}>
              {account(r)}
              <Figure label={t('books.close.balance')}>
                <Money amount={r.balance} currency={r.currency} />
              </Figure>
              <Figure label={t('books.close.closingRate')}>{rate4(r.closingRate)}</Figure>
              <Figure label={t('books.close.bookValue')}>
                <Money amount={r.bookValue} currency={p.base} />
              </Figure>
            </Flex>
          ),
        },
        adjustment,
      ]
    : [
        { title: t('books.journal.account'), key: 'a', render: (_: unknown, r) => account(r) },
        {
          title: t('books.close.balance'),
          key: 'b',
          align: 'right',
          render: (_: unknown, r) => <Money amount={r.balance} currency={r.currency} />,
        },
        {
          title: t('books.close.bookValue'),
          key: 'bv',
          align: 'right',
          render: (_: unknown, r) => <Money amount={r.bookValue} currency={p.base} />,
        },
        {
          title: t('books.close.closingRate'),
          key: 'r',
          align: 'right',
          render: (_: unknown, r) => <span className="num">{rate4(r.closingRate)}</span>,
        },
        adjustment,
      ]
  return (
    <div ref={ref}>
      <Table<Row>
        size="small"
        data-testid="revaluation"
        data-layout={narrow ? 'narrow' : 'wide'}
        rowKey={(r) => `${r.account}.${r.currency}`}
        dataSource={p.rows}
        pagination={false}
        // Wide, the account's name wraps before the table scrolls inside the card (the adjustment,
        // its last column, would otherwise be cut off in English); narrow, nothing scrolls.
        scroll={narrow ? undefined : { x: true }}
        columns={columns}
      />
    </div>
  )
}

/** A figure stacked under the account: its name, and the figure right-aligned in the cell. */
function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Flex justify="space-between" gap={8} wrap>
      <Typography.Text type="secondary">{label}</Typography.Text>
      <span className="num" style={{ marginInlineStart: 'auto', whiteSpace: 'nowrap' }}>
        {children}
      </span>
    </Flex>
  )
}

function AccountLabel({ code, shops }: { code: string; shops: readonly Shop[] }) {
  const { maybe } = useI18n()
  const [group, shopId] = code.split(':')
  const name = maybe(`books.account.${group}`) ?? code
  const shop = shopId ? shops.find((s) => s.id === shopId)?.name : undefined
  return <span>{shop ? `${name} · ${shop}` : name}</span>
}
