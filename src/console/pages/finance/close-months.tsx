/**
 * The months of 期末结账 with their state. Laid out by the room its card has, not by the window:
 * wide, four columns (the month, its state with the entries still waiting for a rate, its debits,
 * who closed it and when); narrow — a handheld, or the half of a laptop screen the card gets beside
 * the checklist — two: the month with all that stacked under it, and its debits. Nothing scrolls
 * sideways in either.
 */
import { Flex, Table, Tag, Tooltip, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import type { Month } from '../../api/ledger'
import { useMe } from '../../app/session'
import { Money, Time } from '../../components/format'
import { useWidth } from '../../components/layout'
import { EmptyState } from '../../components/states'
import { formatTime } from '../../format/time'
import { useI18n } from '../../i18n'

export const STATE_COLOR = { current: 'blue', open: 'orange', closed: 'green' } as const

/**
 * The four columns need about 430 px (a closed month's time is the widest cell); under this the
 * table takes two. A card at 1366 px has 473, at 1280 px 437, on a 360 px phone 310.
 */
const FOUR_COLUMNS_MIN_PX = 440

export function MonthsTable(p: {
  months: Month[] | null
  base: string
  selected: string | undefined
  onSelect: (period: string) => void
}) {
  const { t } = useI18n()
  const [ref, width] = useWidth<HTMLDivElement>()
  const narrow = width !== undefined && width < FOUR_COLUMNS_MIN_PX
  const debit = {
    title: t('books.close.movement', { base: p.base }),
    key: 'debit',
    align: 'right',
    render: (_: unknown, m) => <Money amount={m.baseDebit} currency={p.base} />,
  } satisfies ColumnsType<Month>[number]
  const columns: ColumnsType<Month> = narrow
    ? [
        {
          title: t('books.close.periodState'),
          key: 'period',
          render: (_: unknown, m) => (
            <Flex vertical gap={2}>
              <Flex wrap gap={8} align="center">
                <span className="num">{m.period}</span>
                <StateTag month={m} />
              </Flex>
              <Held month={m} />
              <ClosedBy month={m} inline />
            </Flex>
          ),
        },
        // As narrow as its amount: the month, with who closed it, has the rest of the row.
        { ...debit, width: 1 },
      ]
    : [
        {
          title: t('books.common.period'),
          dataIndex: 'period',
          render: (period: string) => <span className="num">{period}</span>,
        },
        {
          title: t('books.close.state'),
          key: 'state',
          render: (_: unknown, m) => (
            <Flex vertical gap={2} align="start">
              <StateTag month={m} />
              <Held month={m} />
            </Flex>
          ),
        },
        debit,
        {
          title: t('books.close.closedAt'),
          key: 'closed',
          render: (_: unknown, m) => <ClosedBy month={m} />,
        },
      ]
  return (
    <div ref={ref}>
      <Table<Month>
        size="small"
        data-testid="months"
        data-layout={narrow ? 'narrow' : 'wide'}
        loading={p.months === null}
        rowKey="period"
        dataSource={p.months ?? []}
        pagination={false}
        // Wide, a month too long for the card (a very large amount) scrolls inside it rather than
        // pushing the page; narrow, the cells wrap instead.
        scroll={narrow ? undefined : { x: 'max-content' }}
        locale={{ emptyText: <EmptyState text={t('books.close.noMonths')} /> }}
        rowClassName={(m) => (m.period === p.selected ? 'ep-highlight-row' : '')}
        onRow={(m) => ({ onClick: () => p.onSelect(m.period), style: { cursor: 'pointer' } })}
        columns={columns}
      />
    </div>
  )
}

function StateTag({ month }: { month: Month }) {
  const { t } = useI18n()
  return (
    <Tag color={STATE_COLOR[month.state]} style={{ marginInlineEnd: 0 }}>
      {t(`books.close.stateName.${month.state}`)}
    </Tag>
  )
}

/** Entries of the month still waiting for a rate, in red; nothing when none wait. */
function Held({ month }: { month: Month }) {
  const { t } = useI18n()
  if (month.held === 0) return null
  return <Typography.Text type="danger">{t('books.close.heldCount', { n: month.held })}</Typography.Text>
}

/**
 * Who closed the month and on which day, in one line under the month; the time too on hover or tap.
 * A name too long for the cell is cut with an ellipsis rather than wrapped onto a line of its own
 * (the line still asks the table for its full width, so it is cut only when the cell cannot have it).
 */
function ClosedLine({ at, by }: { at: string; by: string | null }) {
  const { t } = useI18n()
  const zone = useMe().merchant.timezone
  const time = formatTime(at, zone)
  const date = formatTime(at, zone, { dateOnly: true })
  return (
    <Tooltip title={by ? t('books.close.closedTitle', { by, time }) : time}>
      <div
        data-testid="closed-line"
        // Not on Typography.Text, which sets its own line clamp (none) over the one given.
        style={{
          display: '-webkit-box',
          WebkitBoxOrient: 'vertical',
          WebkitLineClamp: 1,
          overflow: 'hidden',
          overflowWrap: 'anywhere',
        }}
      >
        <Typography.Text type="secondary">
          {by ? t('books.close.closedLine', { by, date }) : date}
        </Typography.Text>
      </div>
    </Tooltip>
  )
}

/** When and by whom the month was closed (one line when inline), or that it was reopened (reason on hover). */
function ClosedBy({ month, inline }: { month: Month; inline?: boolean }) {
  const { t } = useI18n()
  if (month.closedAt)
    return inline ? (
      <ClosedLine at={month.closedAt} by={month.closedBy} />
    ) : (
      <Flex vertical>
        <Time value={month.closedAt} />
        <Typography.Text type="secondary">{month.closedBy}</Typography.Text>
      </Flex>
    )
  if (month.lastReopen)
    return (
      <Tooltip title={`${month.lastReopen.by ?? ''}：「${month.lastReopen.reason}」`}>
        <Typography.Text type="warning">{t('books.close.reopened')}</Typography.Text>
      </Tooltip>
    )
  return null
}
