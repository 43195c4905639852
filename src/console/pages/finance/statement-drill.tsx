/**
 * The drill-down of one statement figure: by SKU or by order (business keys, never ids), then one
 * SKU's or one order's journal lines, and for an order its settlement lines.
 */
import { Button, Table, Tabs, Typography } from 'antd'
import { useEffect, useState } from 'react'
import type { Page } from '../../api/adapt'
import { endpoints } from '../../api/endpoints'
import type { Labels, Shop, StatementBasis, StatementFigure, StatementRow } from '../../api/types'
import { DetailDrawer, Section } from '../../components/detail-drawer'
import { Money } from '../../components/format'
import { CursorPager } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'
import { JournalLinesTable, SettlementLinesTable } from './ledger-tables'
import type { Period } from './shared'
import type { StatementColumn } from './statements-page'

export interface DrillTarget {
  figure: StatementFigure
  basis: StatementBasis
  currency: string
  column: StatementColumn
  period: Period
  amount: string
}

/** The account a figure is the balance of, when it is one account (the rest are sums of several). */
export const FIGURE_ACCOUNT: Partial<Record<StatementFigure, string>> = {
  grossSales: 'gross_sales',
  merchantDiscounts: 'merchant_discounts',
  platformDiscounts: 'platform_discounts',
  shippingIncome: 'shipping_income',
  refunds: 'refunds',
  commissions: 'commission',
  paymentFees: 'payment_fees',
  otherFees: 'other_fees',
  cogs: 'cogs',
  paidOut: 'bank',
  difference: 'receivable',
  suspense: 'suspense',
}

type Focus =
  | { kind: 'sku'; id: string | null; title: string }
  | { kind: 'order'; id: string; title: string; externalId: string; shopId: string }

export function StatementDrill({
  target,
  shops,
  onClose,
}: {
  target: DrillTarget
  shops: Shop[]
  onClose: () => void
}) {
  const { t } = useI18n()
  const [tab, setTab] = useState<'sku' | 'order'>('sku')
  const [focus, setFocus] = useState<Focus | null>(null)
  const scope = { ...target.period, channel: target.column.channel, shopId: target.column.shopId }
  const figureName = t(`finance.figure.${target.figure}`)
  return (
    <DetailDrawer
      open
      onClose={focus ? () => setFocus(null) : onClose}
      title={
        focus ? (
          <span>
            <Button type="link" size="small" onClick={() => setFocus(null)} style={{ paddingLeft: 0 }}>
              {t('common.back')}
            </Button>
            {focus.title}
          </span>
        ) : (
          <span>
            {t('finance.statements.drillTitle', { figure: figureName, column: target.column.title })}{' '}
            <Money amount={target.amount} currency={target.currency} />
          </span>
        )
      }
    >
      {!focus && (
        <Tabs
          activeKey={tab}
          onChange={(k) => setTab(k as 'sku' | 'order')}
          items={[
            {
              key: 'sku',
              label: t('finance.statements.bySku'),
              children: <BySku target={target} scope={scope} onOpen={setFocus} />,
            },
            {
              key: 'order',
              label: t('finance.statements.byOrder'),
              children: <ByOrder target={target} scope={scope} onOpen={setFocus} />,
            },
          ]}
        />
      )}
      {focus?.kind === 'sku' && (
        <Section title={t('finance.statements.journal')}>
          <JournalLinesTable
            shops={shops}
            query={{
              ...scope,
              ...(focus.id ? { skuId: focus.id } : {}),
              account: FIGURE_ACCOUNT[target.figure],
            }}
          />
        </Section>
      )}
      {focus?.kind === 'order' && (
        <>
          <Section title={t('finance.statements.journal')}>
            <JournalLinesTable
              shops={shops}
              query={{ ...scope, orderId: focus.id }}
              highlight={FIGURE_ACCOUNT[target.figure]}
            />
          </Section>
          <Section title={t('finance.statements.settlement')}>
            <SettlementLinesTable shopId={focus.shopId} orderExternalId={focus.externalId} />
          </Section>
        </>
      )}
    </DetailDrawer>
  )
}

type Scope = Period & { channel?: StatementColumnChannel; shopId?: string | undefined }
type StatementColumnChannel = StatementColumn['channel']

function useLabels(rows: StatementRow[], kind: 'sku' | 'order'): Labels | null {
  const [labels, setLabels] = useState<Labels | null>(null)
  const ids = rows.map((r) => r.key).filter((k): k is string => !!k)
  const key = ids.join(',')
  useEffect(() => {
    if (!key) return setLabels({ skus: {}, orders: {} })
    let live = true
    endpoints.labels(kind === 'sku' ? { skuIds: key.split(',') } : { orderIds: key.split(',') }).then(
      (l) => live && setLabels(l),
      () => live && setLabels({ skus: {}, orders: {} }),
    )
    return () => {
      live = false
    }
  }, [key, kind])
  return labels
}

const nonZero = (r: StatementRow, f: StatementFigure, currency: string) =>
  r.currency === currency && !/^-?0(\.0+)?$/.test(r[f])

function BySku({ target, scope, onOpen }: { target: DrillTarget; scope: Scope; onOpen: (f: Focus) => void }) {
  const { t } = useI18n()
  const [rows, setRows] = useState<StatementRow[] | null>(null)
  useEffect(() => {
    let live = true
    endpoints.statement({ ...scope, basis: target.basis, by: 'sku', limit: 500 }).then(
      (s) => live && setRows(s.items.filter((r) => nonZero(r, target.figure, target.currency))),
      () => live && setRows([]),
    )
    return () => {
      live = false
    }
  }, [])
  const labels = useLabels(rows ?? [], 'sku')
  const name = (r: StatementRow) =>
    r.key
      ? `${labels?.skus[r.key]?.code ?? ''} ${labels?.skus[r.key]?.name ?? ''}`
      : t('finance.statements.noSku')
  return (
    <Table<StatementRow>
      size="small"
      loading={rows === null || labels === null}
      rowKey={(r) => `${r.key ?? ''}.${r.currency}`}
      dataSource={rows ?? []}
      pagination={false}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: <EmptyState text={t('finance.statements.empty')} /> }}
      onRow={(r) => ({
        onClick: () => onOpen({ kind: 'sku', id: r.key, title: name(r) }),
        style: { cursor: 'pointer' },
      })}
      columns={[
        {
          title: t('finance.statements.sku'),
          key: 'sku',
          render: (_: unknown, r) =>
            r.key ? (
              <span>
                <span className="mono">{labels?.skus[r.key]?.code}</span> {labels?.skus[r.key]?.name}
              </span>
            ) : (
              <span className="ep-muted">{t('finance.statements.noSku')}</span>
            ),
        },
        {
          title: t(`finance.figure.${target.figure}`),
          key: 'v',
          align: 'right',
          render: (_: unknown, r) => <Money amount={r[target.figure]} currency={r.currency} />,
        },
      ]}
    />
  )
}

function ByOrder({
  target,
  scope,
  onOpen,
}: {
  target: DrillTarget
  scope: Scope
  onOpen: (f: Focus) => void
}) {
  const { t } = useI18n()
  const list = useCursorList<StatementRow>(
    async (cursor, limit): Promise<Page<StatementRow>> => {
      const s = await endpoints.statement({ ...scope, basis: target.basis, by: 'order', cursor, limit })
      return { items: s.items.filter((r) => nonZero(r, target.figure, target.currency)), next: s.next }
    },
    [],
    50,
  )
  const labels = useLabels(list.items, 'order')
  return (
    <>
      <Table<StatementRow>
        size="small"
        loading={list.loading || labels === null}
        rowKey={(r) => `${r.key ?? ''}.${r.currency}`}
        dataSource={list.items}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <EmptyState text={t('finance.statements.empty')} /> }}
        onRow={(r) => {
          const o = r.key ? labels?.orders[r.key] : undefined
          return {
            onClick: () =>
              r.key &&
              o &&
              onOpen({
                kind: 'order',
                id: r.key,
                externalId: o.externalId,
                shopId: o.shopId,
                title: t('finance.statements.orderTitle', { id: o.externalId }),
              }),
            style: { cursor: 'pointer' },
          }
        }}
        columns={[
          {
            title: t('finance.statements.order'),
            key: 'order',
            render: (_: unknown, r) => (
              <Typography.Text className="mono" copyable={!!r.key}>
                {r.key ? (labels?.orders[r.key]?.externalId ?? '') : '—'}
              </Typography.Text>
            ),
          },
          {
            title: t('finance.statements.shop'),
            key: 'shop',
            render: (_: unknown, r) => (r.key ? labels?.orders[r.key]?.shopName : ''),
          },
          {
            title: t(`finance.figure.${target.figure}`),
            key: 'v',
            align: 'right',
            render: (_: unknown, r) => <Money amount={r[target.figure]} currency={r.currency} />,
          },
        ]}
      />
      <CursorPager list={list} />
    </>
  )
}
