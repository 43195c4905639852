/**
 * 日记账与科目余额表, one month: the journal as entries with their lines (the original currency,
 * the rate and the base amounts side by side), filtered by order number, shop, account and
 * currency, tabs by kind with counts; the trial balance with its totals and whether debits equal
 * credits; the chart of accounts with the codes of the merchant's general ledger, editable.
 */
import { CheckCircleFilled, CloseCircleFilled, DownloadOutlined } from '@ant-design/icons'
import {
  App,
  Button,
  Card,
  DatePicker,
  Flex,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd'
import dayjs from 'dayjs'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { useSearchParams } from 'react-router'
import {
  ledger,
  ledgerFiles,
  type ChartAccount,
  type Entry,
  type EntryLine,
  type TrialBalance,
} from '../../api/ledger'
import { errorMessage } from '../../components/errors'
import { Money, Time } from '../../components/format'
import { CursorPager, QueryForm } from '../../components/list-page'
import { useDesk } from '../../components/layout'
import { EmptyState, ErrorAlert } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useMe } from '../../app/session'
import { formatCount } from '../../format/money'
import { formatTime } from '../../format/time'
import { useI18n } from '../../i18n'
import { useShops } from './shared'

const ZERO = /^-?0(\.0+)?$/
const CURRENCIES = ['CNY', 'USD', 'EUR', 'HKD', 'JPY', 'GBP']

/** The month the screens look at: ?period=YYYY-MM, else this month in the merchant's zone. */
export function usePeriodParam(): [string, (p: string) => void] {
  const [params, setParams] = useSearchParams()
  const zone = useMe().merchant.timezone
  const fallback = useMemo(() => formatTime(new Date(), zone, { dateOnly: true }).slice(0, 7), [zone])
  const p = params.get('period')
  const period = p && /^\d{4}-(0[1-9]|1[0-2])$/.test(p) ? p : fallback
  const set = useCallback(
    (next: string) =>
      setParams(
        (old) => {
          const n = new URLSearchParams(old)
          n.set('period', next)
          return n
        },
        { replace: true },
      ),
    [setParams],
  )
  return [period, set]
}

export function MonthPicker({ value, onChange }: { value: string; onChange: (p: string) => void }) {
  const { t } = useI18n()
  return (
    <DatePicker
      picker="month"
      allowClear={false}
      aria-label={t('books.common.period')}
      value={dayjs(`${value}-01`)}
      format="YYYY-MM"
      style={{ width: 130 }}
      onChange={(d) => d && onChange(d.format('YYYY-MM'))}
    />
  )
}

type TabKey = 'entries' | 'trial' | 'accounts'

export function JournalPage() {
  const { t, locale } = useI18n()
  const [params, setParams] = useSearchParams()
  const [period, setPeriod] = usePeriodParam()
  const tab = (
    ['entries', 'trial', 'accounts'].includes(params.get('tab') ?? '') ? params.get('tab') : 'entries'
  ) as TabKey
  const lang = locale === 'en' ? 'en' : 'zh-CN'
  const setTab = (k: string) =>
    setParams(
      (old) => {
        const n = new URLSearchParams(old)
        n.set('tab', k)
        return n
      },
      { replace: true },
    )
  return (
    <div className="ep-page">
      <Card styles={{ body: { padding: 16 } }}>
        <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 4 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('books.journal.title')}
          </Typography.Title>
          <Space wrap>
            <MonthPicker value={period} onChange={setPeriod} />
            {tab !== 'accounts' && (
              <Button
                icon={<DownloadOutlined />}
                href={
                  tab === 'trial'
                    ? ledgerFiles.trialBalance(period, 'xlsx', lang)
                    : ledgerFiles.journal(period, 'xlsx', lang)
                }
                download
              >
                {t(tab === 'trial' ? 'books.journal.exportTrial' : 'books.journal.exportJournal')}
              </Button>
            )}
          </Space>
        </Flex>
        <Tabs
          activeKey={tab}
          onChange={setTab}
          items={[
            { key: 'entries', label: t('books.journal.tabEntries') },
            { key: 'trial', label: t('books.journal.tabTrial') },
            { key: 'accounts', label: t('books.journal.tabAccounts') },
          ]}
        />
        {tab === 'entries' && <Entries period={period} />}
        {tab === 'trial' && <TrialBalanceTable period={period} />}
        {tab === 'accounts' && <Accounts />}
      </Card>
    </div>
  )
}

interface Filters {
  order?: string
  shopId?: string
  account?: string
  currency?: string
}

/** One row per line; the entry's own columns span its lines (a voucher as accountants read it). */
interface Row extends EntryLine {
  entry: Entry
  first: boolean
  span: number
}

function Entries({ period }: { period: string }) {
  const { t, maybe, locale } = useI18n()
  const desk = useDesk()
  const shops = useShops()
  const [form] = Form.useForm<Filters>()
  const [filters, setFilters] = useState<Filters>({})
  const [kind, setKind] = useState('all')
  const [accounts, setAccounts] = useState<ChartAccount[]>([])
  const [kinds, setKinds] = useState<{ kind: string; count: number }[]>([])
  const [base, setBase] = useState('CNY')
  const lang = locale === 'en' ? 'en' : 'zh-CN'
  useEffect(() => {
    ledger.accounts(lang).then(
      (p) => setAccounts(p.items),
      () => setAccounts([]),
    )
  }, [lang])
  const list = useCursorList(
    async (cursor, limit) => {
      const page = await ledger.entries({
        period,
        ...filters,
        kind: kind === 'all' ? undefined : kind,
        lang,
        cursor,
        limit,
      })
      setKinds(page.kinds)
      setBase(page.baseCurrency)
      return page
    },
    [period, JSON.stringify(filters), kind, lang],
    20,
  )
  const rows: Row[] = useMemo(
    () =>
      list.items.flatMap((entry) =>
        entry.lines.map((l, i) => ({ ...l, entry, first: i === 0, span: entry.lines.length })),
      ),
    [list.items],
  )
  const span = (r: Row) => ({ rowSpan: r.first ? r.span : 0 })
  const total = kinds.reduce((n, k) => n + k.count, 0)
  const active = [
    filters.order && `${t('books.journal.order')}：${filters.order}`,
    filters.shopId && `${t('books.journal.shop')}：${shops.find((s) => s.id === filters.shopId)?.name ?? ''}`,
    filters.account &&
      `${t('books.journal.account')}：${accounts.find((a) => a.code === filters.account)?.name ?? ''}`,
    filters.currency && `${t('books.journal.currency')}：${filters.currency}`,
  ].filter((f): f is string => !!f)

  return (
    <>
      <QueryForm<Filters>
        form={form}
        onSearch={(v) => setFilters(Object.fromEntries(Object.entries(v).filter(([, x]) => x)) as Filters)}
        onReset={() => setFilters({})}
      >
        <Form.Item name="order" label={t('books.journal.order')}>
          <Input
            allowClear
            style={{ width: desk ? 200 : 150 }}
            placeholder={t('books.journal.orderPlaceholder')}
          />
        </Form.Item>
        <Form.Item name="shopId" label={t('books.journal.shop')}>
          <Select
            allowClear
            style={{ width: 200 }}
            aria-label={t('books.journal.shop')}
            options={shops.map((s) => ({ value: s.id, label: s.name }))}
          />
        </Form.Item>
        <Form.Item name="account" label={t('books.journal.account')}>
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            style={{ width: 220 }}
            aria-label={t('books.journal.account')}
            options={accounts.map((a) => ({ value: a.code, label: a.name }))}
          />
        </Form.Item>
        <Form.Item name="currency" label={t('books.journal.currency')}>
          <Select
            allowClear
            style={{ width: 110 }}
            aria-label={t('books.journal.currency')}
            options={CURRENCIES.map((c) => ({ value: c, label: c }))}
          />
        </Form.Item>
      </QueryForm>
      <Tabs
        activeKey={kind}
        onChange={setKind}
        size="small"
        style={{ marginBottom: 4 }}
        items={[
          { key: 'all', label: <TabLabel text={t('books.journal.all')} n={total} /> },
          ...kinds.map((k) => ({
            key: k.kind,
            label: <TabLabel text={maybe(`books.kind.${k.kind}`) ?? k.kind} n={k.count} />,
          })),
        ]}
      />
      <ErrorAlert error={list.error} onRetry={list.reload} />
      <Table<Row>
        size="small"
        data-testid="journal-entries"
        bordered
        loading={list.loading}
        rowKey="lineId"
        dataSource={rows}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{
          emptyText: (
            <EmptyState
              text={t('books.journal.empty')}
              filters={active}
              onClear={() => {
                form.resetFields()
                setFilters({})
              }}
            />
          ),
        }}
        columns={[
          {
            title: t('books.journal.at'),
            key: 'at',
            fixed: desk ? 'left' : undefined,
            onCell: span,
            render: (_: unknown, r) => (
              <Flex vertical gap={2}>
                <Time value={r.entry.at} />
                <span>
                  <Tag style={{ marginInlineEnd: 0 }}>
                    {maybe(`books.kind.${r.entry.kind}`) ?? r.entry.kind}
                  </Tag>
                </span>
              </Flex>
            ),
          },
          {
            title: t('books.journal.orderShop'),
            key: 'order',
            onCell: span,
            render: (_: unknown, r) => (
              <Flex vertical gap={2} style={{ maxWidth: 220 }}>
                <span className="mono">{r.entry.orderExternalId}</span>
                <Typography.Text type="secondary" ellipsis={{ tooltip: r.entry.shopName }}>
                  {r.entry.shopName ?? (r.entry.channel ? t(`channels.${r.entry.channel}` as never) : '')}
                </Typography.Text>
              </Flex>
            ),
          },
          {
            title: t('books.journal.account'),
            key: 'account',
            render: (_: unknown, r) => (
              <Typography.Text ellipsis={{ tooltip: r.account.name }} style={{ maxWidth: 240 }}>
                {/* The GL code once the merchant has set one (the internal code means nothing to a reader). */}
                {r.account.externalCode !== r.account.code.split(':')[0] && (
                  <span className="mono ep-muted" style={{ marginInlineEnd: 6 }}>
                    {r.account.externalCode}
                  </span>
                )}
                {r.account.name}
              </Typography.Text>
            ),
          },
          {
            title: t('books.journal.sku'),
            key: 'sku',
            render: (_: unknown, r) =>
              r.skuCode ? (
                <Typography.Text
                  ellipsis={{ tooltip: `${r.skuCode} ${r.skuName ?? ''}` }}
                  style={{ maxWidth: 150 }}
                >
                  <span className="mono">{r.skuCode}</span> {r.skuName}
                </Typography.Text>
              ) : null,
          },
          {
            title: t('books.journal.original'),
            children: [
              {
                title: t('books.journal.debit'),
                key: 'd',
                align: 'right',
                render: (_: unknown, r) =>
                  ZERO.test(r.debit) ? null : <Money amount={r.debit} currency={r.currency} />,
              },
              {
                title: t('books.journal.credit'),
                key: 'c',
                align: 'right',
                render: (_: unknown, r) =>
                  ZERO.test(r.credit) ? null : <Money amount={r.credit} currency={r.currency} />,
              },
              {
                title: t('books.journal.rate'),
                key: 'rate',
                align: 'right',
                render: (_: unknown, r) =>
                  r.currency === base || r.rate === null ? null : (
                    <Typography.Text
                      className="num"
                      type="secondary"
                      title={[
                        r.rateDate,
                        r.rateSource && (maybe(`books.source.${r.rateSource}`) ?? r.rateSource),
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    >
                      {r.rate}
                    </Typography.Text>
                  ),
              },
            ],
          },
          {
            title: t('books.journal.base', { base }),
            children: [
              {
                title: t('books.journal.debit'),
                key: 'bd',
                align: 'right',
                render: (_: unknown, r) =>
                  ZERO.test(r.baseDebit) ? null : <Money amount={r.baseDebit} currency={base} />,
              },
              {
                title: t('books.journal.credit'),
                key: 'bc',
                align: 'right',
                render: (_: unknown, r) =>
                  ZERO.test(r.baseCredit) ? null : <Money amount={r.baseCredit} currency={base} />,
              },
            ],
          },
        ]}
      />
      <CursorPager list={list} total={kind === 'all' ? total : kinds.find((k) => k.kind === kind)?.count} />
    </>
  )
}

function TabLabel({ text, n }: { text: string; n: number }) {
  const { locale } = useI18n()
  return (
    <span>
      {text}
      <span className="num ep-muted" style={{ marginLeft: 4 }}>
        {formatCount(n, locale)}
      </span>
    </span>
  )
}

const AMOUNTS = [
  'openingDebit',
  'openingCredit',
  'periodDebit',
  'periodCredit',
  'closingDebit',
  'closingCredit',
] as const

function TrialBalanceTable({ period }: { period: string }) {
  const { t, locale } = useI18n()
  const desk = useDesk()
  const [tb, setTb] = useState<TrialBalance | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(true)
  const lang = locale === 'en' ? 'en' : 'zh-CN'
  const load = useCallback(() => {
    setLoading(true)
    ledger
      .trialBalance(period, lang)
      .then((r) => (setTb(r), setError(null)), setError)
      .finally(() => setLoading(false))
  }, [period, lang])
  useEffect(load, [load])
  const base = tb?.baseCurrency ?? 'CNY'
  const pairs = [
    ['opening', 'openingDebit', 'openingCredit'],
    ['period', 'periodDebit', 'periodCredit'],
    ['closing', 'closingDebit', 'closingCredit'],
  ] as const
  const balanced = tb ? pairs.every(([, d, c]) => tb.totals[d] === tb.totals[c]) : null
  return (
    <>
      <ErrorAlert error={error} onRetry={load} />
      {tb && tb.rows.length > 0 && (
        <Flex
          align="center"
          gap={8}
          style={{ marginBottom: 8 }}
          data-testid="tb-balance"
          data-balanced={String(balanced)}
        >
          {balanced ? (
            <Tag color="green" icon={<CheckCircleFilled />} style={{ fontSize: 14, padding: '2px 8px' }}>
              {t('books.trial.balanced')}
            </Tag>
          ) : (
            <Tag color="red" icon={<CloseCircleFilled />} style={{ fontSize: 14, padding: '2px 8px' }}>
              {t('books.trial.unbalanced')}
            </Tag>
          )}
          <Typography.Text type="secondary">{t('books.trial.note', { base })}</Typography.Text>
        </Flex>
      )}
      <Table
        size="small"
        bordered
        data-testid="trial-balance"
        loading={loading}
        rowKey={(r) => r.account.code}
        dataSource={tb?.rows ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <EmptyState text={t('books.trial.empty')} /> }}
        columns={[
          {
            title: t('books.trial.code'),
            key: 'code',
            fixed: desk ? 'left' : undefined,
            render: (_: unknown, r) => (
              <span
                className={r.account.externalCode === r.account.code.split(':')[0] ? 'mono ep-muted' : 'mono'}
              >
                {r.account.externalCode}
              </span>
            ),
          },
          {
            title: t('books.trial.name'),
            key: 'name',
            render: (_: unknown, r) => (
              <Typography.Text ellipsis={{ tooltip: r.account.name }} style={{ maxWidth: desk ? 300 : 160 }}>
                {r.account.name}
              </Typography.Text>
            ),
          },
          ...pairs.map(([group, d, c]) => ({
            title: t(`books.trial.${group}`),
            children: [d, c].map((k) => ({
              title: t(k.endsWith('Debit') ? 'books.journal.debit' : 'books.journal.credit'),
              key: k,
              align: 'right' as const,
              render: (_: unknown, r: TrialBalance['rows'][number]) =>
                ZERO.test(r[k]) ? null : <Money amount={r[k]} currency={base} />,
            })),
          })),
        ]}
        summary={() =>
          tb && tb.rows.length > 0 ? (
            <Table.Summary fixed>
              <Table.Summary.Row className="ep-strong-row">
                <Table.Summary.Cell index={0} colSpan={2}>
                  {t('books.trial.total')}
                </Table.Summary.Cell>
                {AMOUNTS.map((k, i) => (
                  <Table.Summary.Cell key={k} index={i + 2} align="right">
                    <span data-total={k}>
                      <Money amount={tb.totals[k]} currency={base} />
                    </span>
                  </Table.Summary.Cell>
                ))}
              </Table.Summary.Row>
            </Table.Summary>
          ) : null
        }
      />
    </>
  )
}

function Accounts() {
  const i18n = useI18n()
  const { t, maybe } = i18n
  const { message } = App.useApp()
  const [items, setItems] = useState<ChartAccount[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [editing, setEditing] = useState<ChartAccount | null>(null)
  const [form] = Form.useForm<{ name: string; externalCode: string }>()
  const [tick, setTick] = useState(0)
  const lang = i18n.locale === 'en' ? 'en' : 'zh-CN'
  useEffect(() => {
    ledger.accounts(lang).then((p) => (setItems(p.items), setError(null)), setError)
  }, [tick, lang])
  const save = async () => {
    const v = await form.validateFields()
    try {
      await ledger.saveAccount(editing!.code, {
        name: v.name.trim(),
        externalCode: v.externalCode?.trim() ? v.externalCode.trim() : null,
      })
      setEditing(null)
      void message.success(t('books.accounts.saved'))
      setTick((n) => n + 1)
    } catch (e) {
      form.setFields([{ name: 'externalCode', errors: [errorMessage(i18n, e)] }])
    }
  }
  return (
    <>
      <Typography.Paragraph type="secondary">{t('books.accounts.intro')}</Typography.Paragraph>
      <ErrorAlert error={error} onRetry={() => setTick((n) => n + 1)} />
      <Table<ChartAccount>
        size="small"
        data-testid="chart-of-accounts"
        loading={items === null && !error}
        rowKey="code"
        dataSource={items ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <EmptyState text={t('common.empty')} /> }}
        columns={[
          {
            title: t('books.accounts.externalCode'),
            key: 'ext',
            render: (_: unknown, a) =>
              a.externalCode ? (
                <span className="mono">{a.externalCode}</span>
              ) : (
                <Typography.Text type="warning">{t('books.accounts.noCode')}</Typography.Text>
              ),
          },
          { title: t('books.accounts.name'), key: 'name', render: (_: unknown, a) => a.name },
          {
            title: t('books.accounts.type'),
            key: 'type',
            render: (_: unknown, a) => <Tag>{maybe(`books.accountType.${a.type}`) ?? a.type}</Tag>,
          },
          {
            title: t('books.accounts.code'),
            key: 'code',
            render: (_: unknown, a) => (
              <span className="mono ep-muted">
                {a.code}
                {a.perShop ? ` · ${t('books.accounts.perShop')}` : ''}
              </span>
            ),
          },
          {
            title: t('books.common.action'),
            key: 'edit',
            fixed: 'right',
            render: (_: unknown, a) => (
              <Button
                type="link"
                size="small"
                aria-label={`${t('books.accounts.edit')} ${a.name}`}
                onClick={() => {
                  form.setFieldsValue({ name: a.name, externalCode: a.externalCode ?? '' })
                  setEditing(a)
                }}
              >
                {t('books.accounts.edit')}
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={!!editing}
        title={editing ? t('books.accounts.editTitle', { name: editing.name }) : ''}
        onCancel={() => setEditing(null)}
        onOk={() => void save()}
        okText={t('books.common.save')}
        forceRender
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="name"
            label={t('books.accounts.name')}
            rules={[{ required: true, max: 200, message: t('books.accounts.nameRequired') }]}
          >
            <Input />
          </Form.Item>
          <Form.Item
            name="externalCode"
            label={t('books.accounts.externalCode')}
            extra={t('books.accounts.externalNote')}
            rules={[{ max: 64, pattern: /^[\w.\-/]*$/, message: t('books.accounts.codeInvalid') }]}
          >
            <Input className="mono" placeholder="6001" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  )
}
