/**
 * What the stock screens share: the merchant's warehouses, one colour per document state, and the
 * list of a kind of document (receipts, count sheets, transfers).
 */
import { Button, Flex, Tag } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useEffect, useState, type ReactNode } from 'react'
import { useNavigate } from 'react-router'
import type { Page } from '../../api/adapt'
import { endpoints } from '../../api/endpoints'
import type { CountStatus, MovementKind, ReceiptStatus, TransferStatus, Warehouse } from '../../api/types'
import { Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { CursorPager, ListPage } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'

export function useWarehouses(): Warehouse[] {
  const [list, setList] = useState<Warehouse[]>([])
  useEffect(() => {
    endpoints.warehouses().then(
      (p) => setList(p.items),
      () => setList([]),
    )
  }, [])
  return list
}

const DOC_COLOR: Record<ReceiptStatus | CountStatus | TransferStatus, string> = {
  draft: 'orange',
  counting: 'blue',
  submitted: 'orange',
  in_transit: 'blue',
  posted: 'green',
  approved: 'green',
  received: 'green',
  cancelled: 'default',
}

export function ReceiptTag({ status }: { status: ReceiptStatus }) {
  const { t } = useI18n()
  return <Tag color={DOC_COLOR[status]}>{t(`stock.receipt.status.${status}`)}</Tag>
}
export function CountTag({ status }: { status: CountStatus }) {
  const { t } = useI18n()
  return <Tag color={DOC_COLOR[status]}>{t(`stock.count.status.${status}`)}</Tag>
}
export function TransferTag({ status }: { status: TransferStatus }) {
  const { t } = useI18n()
  return <Tag color={DOC_COLOR[status]}>{t(`stock.transfer.status.${status}`)}</Tag>
}

const KIND_COLOR: Record<MovementKind, string> = {
  receipt: 'green',
  return: 'green',
  transfer_in: 'cyan',
  transfer_out: 'purple',
  shipment: 'blue',
  adjustment: 'orange',
}
export function KindTag({ kind }: { kind: MovementKind }) {
  const { t } = useI18n()
  return <Tag color={KIND_COLOR[kind]}>{t(`stock.kind.${kind}`)}</Tag>
}

/** A signed quantity: +3 green, −2 red, tabular digits. */
export function Delta({ n }: { n: number }) {
  return (
    <span className="num" style={{ color: n > 0 ? '#237804' : n < 0 ? '#cf1322' : undefined }}>
      {n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0'}
    </span>
  )
}

/** SKU code over its name, as people read a SKU. */
export function SkuCell({ code, name }: { code: string; name: string }) {
  return (
    <div style={{ minWidth: 110, maxWidth: 260 }}>
      <div className="mono">{code}</div>
      <div className="ep-muted" style={{ overflowWrap: 'anywhere' }} title={name}>
        {name}
      </div>
    </div>
  )
}

type DocStatus = ReceiptStatus | CountStatus | TransferStatus
type DocKind = 'receipt' | 'count' | 'transfer'

/**
 * A list of documents of one kind, newest first: tabs by status, number and status first, the
 * kind's own columns, then when it was made; a row opens the document at `${path}/${id}`. On the
 * handheld two cells that wrap: the number with all that stacked under it, and the kind's figure.
 */
export function DocumentList<
  S extends DocStatus,
  R extends { id: string; number: string; status: S; createdAt: string },
>({
  kind,
  title,
  path,
  statuses,
  statusLabel,
  fetchPage,
  onNew,
  columns,
  narrow,
}: {
  kind: DocKind
  title: ReactNode
  path: string
  statuses: readonly S[]
  /** The state in words (the kind's own i18n keys). */
  statusLabel: (status: S) => string
  fetchPage: (query: { status?: S; cursor?: string; limit: number }) => Promise<Page<R>>
  onNew: () => void
  columns: ColumnsType<R>
  /**
   * The handheld's two cells in place of the columns: `facts` under the number and state (where the
   * document is about), `figure` on the right (its units, amount or progress) under `figureTitle`.
   */
  narrow: { facts: (row: R) => ReactNode; figureTitle: string; figure: (row: R) => ReactNode }
}) {
  const { t } = useI18n()
  const desk = useDesk()
  const navigate = useNavigate()
  const [status, setStatus] = useState<'all' | S>('all')
  const list = useCursorList(
    (cursor, limit) =>
      fetchPage({ ...(status !== 'all' ? { status } : {}), ...(cursor ? { cursor } : {}), limit }),
    [status],
  )
  return (
    <ListPage<R>
      title={title}
      extra={
        <Button type="primary" onClick={onNew}>
          {t(`stock.${kind}.new`)}
        </Button>
      }
      tabs={{
        active: status,
        onChange: (k) => setStatus(k as typeof status),
        items: [
          { key: 'all', label: t('common.all') },
          ...statuses.map((s) => ({ key: s, label: statusLabel(s) })),
        ],
      }}
      error={list.error}
      onRetry={list.reload}
      table={{
        rowKey: 'id',
        loading: list.loading,
        dataSource: list.items,
        pagination: false,
        onRow: (r) => ({
          onClick: () => void navigate(`${path}/${r.id}`),
          style: { cursor: 'pointer' },
        }),
        locale: { emptyText: <EmptyState text={t(`stock.${kind}.empty`)} /> },
        // On the handheld the cells wrap to the screen instead of scrolling sideways.
        ...(desk ? {} : { scroll: {} }),
        columns: desk
          ? [
              {
                title: t('stock.field.number'),
                dataIndex: 'number',
                render: (v: string) => <span className="mono">{v}</span>,
              },
              {
                title: t('stock.field.status'),
                dataIndex: 'status',
                render: (s: S) => <Tag color={DOC_COLOR[s]}>{statusLabel(s)}</Tag>,
              },
              ...columns,
              {
                title: t('stock.field.createdAt'),
                dataIndex: 'createdAt',
                render: (v: string) => <Time value={v} />,
              },
            ]
          : [
              // The handheld: number and state first, what the document is about and when below.
              {
                title: t('stock.field.number'),
                key: 'document',
                render: (_: unknown, r: R) => (
                  <Flex vertical gap={2} style={{ fontSize: 16 }}>
                    <Flex wrap gap={6} align="center">
                      <span className="mono" style={{ overflowWrap: 'anywhere' }}>
                        {r.number}
                      </span>
                      <Tag color={DOC_COLOR[r.status]} style={{ marginInlineEnd: 0 }}>
                        {statusLabel(r.status)}
                      </Tag>
                    </Flex>
                    <div style={{ overflowWrap: 'anywhere' }}>{narrow.facts(r)}</div>
                    <div className="ep-muted">
                      <Time value={r.createdAt} />
                    </div>
                  </Flex>
                ),
              },
              {
                title: narrow.figureTitle,
                key: 'figure',
                align: 'right' as const,
                render: (_: unknown, r: R) => <div style={{ fontSize: 16 }}>{narrow.figure(r)}</div>,
              },
            ],
      }}
      pager={<CursorPager list={list} />}
    />
  )
}
