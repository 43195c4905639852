/**
 * 对账单: one period, the figures down the side, channels or shops across (one API call per column,
 * all at once), per currency. Every amount opens its drill-down.
 */
import { Alert, Button, Card, Flex, Segmented, Space, Table, Typography } from 'antd'
import { useEffect, useMemo, useState } from 'react'
import { Link } from 'react-router'
import { endpoints } from '../../api/endpoints'
import {
  STATEMENT_FIGURES,
  type Channel,
  type Statement,
  type StatementBasis,
  type StatementFigure,
} from '../../api/types'
import { EmptyState, ErrorAlert } from '../../components/states'
import { formatMoney } from '../../format/money'
import { useDesk } from '../../components/layout'
import { useI18n } from '../../i18n'
import { StatementDrill, type DrillTarget } from './statement-drill'
import { PeriodPicker, useShops, useThisMonth, type Period } from './shared'

export interface StatementColumn {
  key: string
  title: string
  channel?: Channel
  shopId?: string
}

interface Line {
  key: string
  figure: StatementFigure | 'marginPercent'
  currency: string
  values: Record<string, string | null>
}

const SHOWN: readonly (StatementFigure | 'marginPercent')[] = [
  ...STATEMENT_FIGURES.slice(0, 11),
  'marginPercent',
  ...STATEMENT_FIGURES.slice(11),
]

export function StatementsPage() {
  const { t, locale } = useI18n()
  const desk = useDesk()
  const shops = useShops()
  const [period, setPeriod] = useState<Period>(useThisMonth())
  const [mode, setMode] = useState<'channel' | 'shop'>('channel')
  // Margins by channel compare only in one currency: the base currency unless asked otherwise.
  const [basis, setBasis] = useState<StatementBasis>('base')
  const [data, setData] = useState<Map<string, Statement> | null>(null)
  const total = data?.get('total') ?? null
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(false)
  const [drill, setDrill] = useState<DrillTarget | null>(null)

  const columns: StatementColumn[] = useMemo(() => {
    if (mode === 'shop') return shops.map((s) => ({ key: s.id, title: s.name, shopId: s.id }))
    const chans = [...new Set(shops.map((s) => s.channel))]
    return chans.map((c) => ({ key: c, title: t(`channels.${c}`), channel: c }))
  }, [mode, shops, t])

  useEffect(() => {
    if (shops.length === 0) return
    let live = true
    setLoading(true)
    const all: StatementColumn[] = [...columns, { key: 'total', title: t('finance.statements.total') }]
    Promise.all(
      all.map((c) =>
        endpoints
          .statement({ ...period, channel: c.channel, shopId: c.shopId, basis, limit: 100 })
          .then((s) => [c.key, s] as const),
      ),
    )
      .then((rows) => {
        if (!live) return
        setData(new Map(rows))
        setError(null)
      })
      .catch((e: unknown) => live && setError(e))
      .finally(() => live && setLoading(false))
    return () => {
      live = false
    }
  }, [basis, columns, period, shops.length, t])

  const currencies = useMemo(
    () => [...new Set([...(data?.values() ?? [])].flatMap((s) => s.items.map((r) => r.currency)))].sort(),
    [data],
  )
  const lines: Line[] = useMemo(
    () =>
      currencies.flatMap((currency) =>
        SHOWN.map((figure) => ({
          key: `${currency}.${figure}`,
          figure,
          currency,
          values: Object.fromEntries(
            [...(data ?? [])].map(([col, s]) => [
              col,
              s.items.find((r) => r.currency === currency)?.[figure] ?? null,
            ]),
          ),
        })),
      ),
    [currencies, data],
  )
  const all: StatementColumn[] = [...columns, { key: 'total', title: t('finance.statements.total') }]
  const strong = new Set(['netSales', 'grossMargin', 'contributionMargin'])

  return (
    <div className="ep-page">
      <Card styles={{ body: { padding: 16 } }}>
        <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 8 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('finance.statements.title')}
          </Typography.Title>
          <Space wrap>
            <PeriodPicker value={period} onChange={setPeriod} />
            <Segmented
              value={basis}
              onChange={(v) => setBasis(v as StatementBasis)}
              options={[
                {
                  value: 'base',
                  label: t('finance.statements.inBase', { currency: total?.baseCurrency ?? '' }),
                },
                { value: 'transaction', label: t('finance.statements.inTransaction') },
              ]}
            />
            <Segmented
              value={mode}
              onChange={(v) => setMode(v as 'channel' | 'shop')}
              options={[
                { value: 'channel', label: t('finance.statements.byChannel') },
                { value: 'shop', label: t('finance.statements.byShop') },
              ]}
            />
            <Button
              href={`/statements?from=${period.from}&to=${period.to}&by=${mode}&basis=${basis}&layout=columns&lang=${locale}&format=xlsx`}
              target="_blank"
              rel="noopener"
            >
              {t('finance.statements.export')}
            </Button>
          </Space>
        </Flex>
        <Typography.Paragraph type="secondary">{t('finance.statements.intro')}</Typography.Paragraph>
        <ErrorAlert error={error} />
        {total && total.held.entries > 0 && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 12 }}
            data-testid="held-note"
            message={t('finance.statements.heldNote', {
              count: total.held.entries,
              currencies: total.held.byCurrency.map((c) => c.currency).join(' / '),
              base: total.baseCurrency,
            })}
            action={
              <Link to="/finance/rates">
                <Button size="small">{t('finance.statements.heldAction')}</Button>
              </Link>
            }
          />
        )}
        {basis === 'transaction' && currencies.length > 1 && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 12 }}
            message={t('finance.statements.currencyNote')}
          />
        )}
        <Table<Line>
          size="small"
          loading={loading}
          pagination={false}
          rowKey="key"
          scroll={{ x: 'max-content' }}
          dataSource={lines}
          locale={{ emptyText: <EmptyState text={t('finance.statements.empty')} /> }}
          rowClassName={(l) => (strong.has(l.figure) ? 'ep-strong-row' : '')}
          columns={[
            {
              title: t('finance.statements.figure'),
              key: 'figure',
              fixed: desk ? 'left' : undefined,
              width: desk ? 180 : 120,
              render: (_: unknown, l) => (
                <span>
                  {t(`finance.figure.${l.figure}`)}
                  {currencies.length > 1 && <span className="ep-muted"> · {l.currency}</span>}
                </span>
              ),
            },
            ...all.map((c) => ({
              title: c.title,
              key: c.key,
              align: 'right' as const,
              render: (_: unknown, l: Line) => {
                const v = l.values[c.key]
                if (l.figure === 'marginPercent')
                  return <span className="num">{v === null || v === undefined ? '—' : `${v}%`}</span>
                if (v === null || v === undefined)
                  return <span className="num ep-muted">{formatMoney('0.00', l.currency, locale)}</span>
                const figure = l.figure
                return (
                  <Button
                    type="link"
                    size="small"
                    className="num"
                    style={{ padding: 0, height: 'auto', color: v.startsWith('-') ? '#cf1322' : undefined }}
                    data-figure={`${figure}.${c.key}`}
                    onClick={() =>
                      setDrill({ figure, basis, currency: l.currency, column: c, period, amount: v })
                    }
                  >
                    {formatMoney(v, l.currency, locale)}
                  </Button>
                )
              },
            })),
          ]}
        />
      </Card>
      {drill && <StatementDrill target={drill} shops={shops} onClose={() => setDrill(null)} />}
    </div>
  )
}
