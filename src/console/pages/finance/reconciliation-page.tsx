/**
 * 对账: findings of a period by kind (tabs with counts), filtered by shop; each row says what to do,
 * and an order's row opens its journal and settlement lines.
 */
import { Button, Form, Select, Tag, Typography } from 'antd'
import { useMemo, useState } from 'react'
import type { Page } from '../../api/adapt'
import { endpoints } from '../../api/endpoints'
import { FINDING_KINDS, type Finding, type FindingKind } from '../../api/types'
import { DetailDrawer, Section } from '../../components/detail-drawer'
import { Money } from '../../components/format'
import { CursorPager, ListPage, QueryForm } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useDesk } from '../../components/layout'
import { useI18n } from '../../i18n'
import { JournalLinesTable, SettlementLinesTable } from './ledger-tables'
import { PeriodPicker, useShops, useThisMonth, type Period } from './shared'

/** One colour per kind: green done, blue in progress, orange waiting, red problem. */
const KIND_COLOR: Record<FindingKind, string> = {
  matched: 'green',
  awaiting_sale: 'blue',
  amount_differs: 'red',
  fee_differs: 'red',
  unknown_order: 'red',
  not_settled: 'orange',
  fee_without_order: 'orange',
  unknown_type: 'red',
}

export function ReconciliationPage() {
  const { t } = useI18n()
  const desk = useDesk()
  const shops = useShops()
  const [form] = Form.useForm<{ shopId?: string }>()
  const [period, setPeriod] = useState<Period>(useThisMonth())
  const [shopId, setShopId] = useState<string | undefined>()
  const [tab, setTab] = useState<FindingKind | 'all'>('all')
  const [summary, setSummary] = useState<Record<FindingKind, number> | null>(null)
  const [open, setOpen] = useState<Finding | null>(null)
  const shopName = useMemo(() => new Map(shops.map((s) => [s.id, s.name])), [shops])

  const list = useCursorList(
    async (cursor, limit): Promise<Page<Finding>> => {
      const r = await endpoints.reconciliation({
        ...period,
        shopId,
        kind: tab === 'all' ? undefined : tab,
        cursor,
        limit,
      })
      setSummary(r.summary)
      return { items: r.items, next: r.next }
    },
    [period, shopId, tab],
  )
  const total = summary ? Object.values(summary).reduce((a, b) => a + b, 0) : undefined

  return (
    <>
      <ListPage<Finding>
        title={t('finance.recon.title')}
        intro={t('finance.recon.intro')}
        error={list.error}
        onRetry={list.reload}
        query={
          <QueryForm form={form} onSearch={(v) => setShopId(v.shopId)} onReset={() => setShopId(undefined)}>
            <Form.Item label={t('finance.recon.period')}>
              <PeriodPicker value={period} onChange={setPeriod} />
            </Form.Item>
            <Form.Item name="shopId" label={t('finance.recon.shop')}>
              <Select
                allowClear
                style={{ width: 200 }}
                placeholder={t('common.all')}
                options={shops.map((s) => ({ value: s.id, label: s.name }))}
              />
            </Form.Item>
          </QueryForm>
        }
        tabs={{
          active: tab,
          onChange: (k) => setTab(k as FindingKind | 'all'),
          items: [
            { key: 'all', label: t('common.all'), count: total },
            ...FINDING_KINDS.map((k) => ({
              key: k,
              label: t(`finance.recon.kindName.${k}`),
              count: summary?.[k],
            })),
          ],
        }}
        table={{
          rowKey: (f) => `${f.kind}.${f.shopId}.${f.orderExternalId ?? ''}.${f.settlementLineIds.join('.')}`,
          loading: list.loading,
          dataSource: list.items,
          pagination: false,
          locale: { emptyText: <EmptyState text={t('finance.recon.empty')} /> },
          columns: [
            {
              title: t('finance.recon.kind'),
              key: 'kind',
              fixed: desk ? 'left' : undefined,
              render: (_: unknown, f) => (
                <Tag color={KIND_COLOR[f.kind]}>{t(`finance.recon.kindName.${f.kind}`)}</Tag>
              ),
            },
            {
              title: t('finance.recon.shop'),
              key: 'shop',
              render: (_: unknown, f) => shopName.get(f.shopId),
            },
            {
              title: t('finance.recon.order'),
              key: 'order',
              render: (_: unknown, f) => <span className="mono">{f.orderExternalId ?? '—'}</span>,
            },
            {
              title: t('finance.recon.expected'),
              key: 'expected',
              align: 'right',
              render: (_: unknown, f) => <Money amount={f.expected} currency={f.currency} />,
            },
            {
              title: t('finance.recon.actual'),
              key: 'actual',
              align: 'right',
              render: (_: unknown, f) => <Money amount={f.actual} currency={f.currency} />,
            },
            {
              title: t('finance.recon.difference'),
              key: 'difference',
              align: 'right',
              render: (_: unknown, f) => (
                <span
                  style={{ color: f.difference && !/^0(\.0+)?$/.test(f.difference) ? '#cf1322' : undefined }}
                >
                  <Money amount={f.difference} currency={f.currency} />
                </span>
              ),
            },
            {
              title: t('finance.recon.commission'),
              key: 'commission',
              align: 'right',
              render: (_: unknown, f) =>
                f.commissionExpected || f.commissionActual ? (
                  <span>
                    <Money amount={f.commissionExpected ?? '0'} currency={f.currency} /> /{' '}
                    <Money amount={f.commissionActual ?? '0'} currency={f.currency} />
                  </span>
                ) : null,
            },
            {
              title: t('finance.recon.action'),
              key: 'action',
              render: (_: unknown, f) => (
                <Typography.Text style={{ maxWidth: 320, display: 'inline-block', whiteSpace: 'normal' }}>
                  {t(`finance.recon.actionText.${f.kind}`)}
                </Typography.Text>
              ),
            },
            {
              title: t('common.actions'),
              key: 'ops',
              fixed: desk ? 'right' : undefined,
              render: (_: unknown, f) =>
                f.orderId || f.orderExternalId ? (
                  <Button type="link" size="small" onClick={() => setOpen(f)}>
                    {t('finance.recon.drill')}
                  </Button>
                ) : null,
            },
          ],
        }}
        pager={<CursorPager list={list} total={tab === 'all' ? total : summary?.[tab]} />}
      />
      {open && (
        <DetailDrawer
          open
          onClose={() => setOpen(null)}
          title={t('finance.statements.orderTitle', { id: open.orderExternalId ?? '' })}
        >
          <Typography.Paragraph type="secondary">「{open.reason}」</Typography.Paragraph>
          {open.orderId && (
            <Section title={t('finance.statements.journal')}>
              <JournalLinesTable
                shops={shops}
                query={{ from: '2000-01-01', to: '2100-01-01', orderId: open.orderId }}
                highlight="receivable"
              />
            </Section>
          )}
          <Section title={t('finance.statements.settlement')}>
            <SettlementLinesTable
              shopId={open.shopId}
              {...(open.orderExternalId ? { orderExternalId: open.orderExternalId } : {})}
            />
          </Section>
        </DetailDrawer>
      )}
    </>
  )
}
