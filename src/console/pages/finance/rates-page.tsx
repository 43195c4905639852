/**
 * 汇率: the rate table by date and currency pair, a CSV/XLSX import (a refused file shows every bad
 * line with its reason; nothing of it is stored), "pull now" from the ECB or CFETS at the configured
 * address, the currency policy, and the entries waiting for a rate — each with the rate it needs
 * and a one-step fix (补录汇率) that imports exactly that rate.
 */
import { CloudDownloadOutlined, SettingOutlined, UploadOutlined } from '@ant-design/icons'
import {
  Alert,
  App,
  Button,
  Drawer,
  Dropdown,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd'
import { useEffect, useMemo, useState } from 'react'
import { useSearchParams } from 'react-router'
import { ApiError } from '../../api/client'
import { endpoints } from '../../api/endpoints'
import {
  ledger,
  type HeldEntry,
  type LedgerSettings,
  type Rate,
  type RateImportReport,
} from '../../api/ledger'
import { errorMessage } from '../../components/errors'
import { Time } from '../../components/format'
import { CursorPager, ListPage, QueryForm } from '../../components/list-page'
import { useDesk } from '../../components/layout'
import { EmptyState, ErrorAlert } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'
import { useShops } from './shared'

const CURRENCIES = ['USD', 'EUR', 'HKD', 'JPY', 'GBP', 'AUD', 'CAD', 'SGD', 'KRW', 'MYR', 'THB', 'CNY']
const TEMPLATE = 'rate_date,base_ccy,quote_ccy,unit,rate,source\n2026-12-07,USD,CNY,1,7.1800,MANUAL\n'

/** A rate as a decimal string with at least 4 decimals (7.16 → 7.1600), as rates are published. */
const rate4 = (r: string): string => {
  const [int, frac = ''] = r.split('.')
  return frac.length >= 4 ? r : `${int}.${frac.padEnd(4, '0')}`
}

/** The import's reasons (rate-files.ts) in the reader's words; anything else stays as the API said it. */
const PROBLEMS: [RegExp, string][] = [
  [/rate_date "([^"]*)" is not YYYY-MM-DD/g, 'badDate'],
  [/base_ccy "([^"]*)" is not a currency code/g, 'badBase'],
  [/quote_ccy "([^"]*)" is not another currency code/g, 'badQuote'],
  [/unit "([^"]*)" must be 1, 10, 100, 1000 or 10000/g, 'badUnit'],
  [/rate "([^"]*)" must be a positive decimal/g, 'badRate'],
  [/source "([^"]*)" must be up to 24 letters, digits, _ : -/g, 'badSource'],
  [/([A-Z]{3}\/[A-Z]{3}) on (\S+) appears twice with different rates/g, 'twice'],
  [/the header must name .*/g, 'header'],
  [/the file holds no rates/g, 'noRates'],
]

function problemText(
  reason: string,
  maybe: (k: string, v?: Record<string, string>) => string | undefined,
): string {
  const parts: string[] = []
  for (const [re, key] of PROBLEMS)
    for (const m of reason.matchAll(re)) {
      const text = maybe(`books.problem.${key}`, { value: m[1] ?? '', date: m[2] ?? '' })
      if (text) parts.push(text)
    }
  return parts.length > 0 ? parts.join('；') : `「${reason}」`
}

/** "line 3: rate "abc" must be …" → [3, the reason]. */
const splitProblem = (p: string): { line: number | null; reason: string } => {
  const m = /^line (\d+): (.*)$/s.exec(p)
  return m ? { line: Number(m[1]), reason: m[2]! } : { line: null, reason: p }
}

export function RatesPage() {
  const i18n = useI18n()
  const { t, maybe } = i18n
  const { message } = App.useApp()
  const [params, setParams] = useSearchParams()
  const tab = params.get('tab') === 'held' ? 'held' : 'rates'
  const shops = useShops()
  const desk = useDesk()
  const [settings, setSettings] = useState<LedgerSettings | null>(null)
  const [filters, setFilters] = useState<{ currency?: string; source?: string }>({})
  const [form] = Form.useForm<{ currency?: string; source?: string }>()
  const [busy, setBusy] = useState<'import' | 'pull' | null>(null)
  const [report, setReport] = useState<RateImportReport | null>(null)
  const [problems, setProblems] = useState<string[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [pullError, setPullError] = useState<string | null>(null)
  const [editing, setEditing] = useState(false)
  const [fix, setFix] = useState<HeldEntry | null>(null)
  const [tick, setTick] = useState(0)

  useEffect(() => {
    ledger.settings().then(setSettings, setError)
  }, [tick])
  const rates = useCursorList(
    (cursor, limit) => ledger.rates({ ...filters, cursor, limit }),
    [filters.currency, filters.source, tick],
    20,
  )
  const held = useCursorList((cursor, limit) => ledger.held({ cursor, limit }), [tick], 20)
  const [orders, setOrders] = useState<Record<string, string>>({})
  useEffect(() => {
    const ids = held.items.map((h) => h.orderId).filter((i): i is string => !!i)
    if (ids.length === 0) return
    endpoints.labels({ orderIds: ids }).then(
      (l) =>
        setOrders((o) => ({
          ...o,
          ...Object.fromEntries(Object.entries(l.orders).map(([k, v]) => [k, v.externalId])),
        })),
      () => undefined,
    )
  }, [held.items])
  const shopName = useMemo(() => new Map(shops.map((s) => [s.id, s.name])), [shops])
  const base = settings?.baseCurrency ?? 'CNY'

  const done = (r: RateImportReport) => {
    setReport(r)
    setPullError(null)
    setProblems(null)
    setError(null)
    setTick((n) => n + 1)
  }
  const failed = (e: unknown) => {
    setReport(null)
    setPullError(null)
    if (
      e instanceof ApiError &&
      (e.reason === 'rate_source_failed' || e.reason === 'rate_source_unreachable')
    ) {
      setPullError(e.message)
      setProblems(null)
      setError(null)
      return
    }
    const list = e instanceof ApiError ? (e.details as { problems?: unknown } | null)?.problems : null
    if (Array.isArray(list) && list.every((p) => typeof p === 'string')) {
      setProblems(list as string[])
      setError(null)
    } else {
      setProblems(null)
      setError(e)
    }
  }
  const importFile = async (file: File) => {
    setBusy('import')
    try {
      done(await ledger.importRates(file))
    } catch (e) {
      failed(e)
    } finally {
      setBusy(null)
    }
  }
  const pull = async (source: 'ECB' | 'CFETS') => {
    setBusy('pull')
    try {
      done(await ledger.pullRates(source))
    } catch (e) {
      failed(e)
    } finally {
      setBusy(null)
    }
  }

  // The count is known once the whole list fits on its first page.
  const heldCount = held.loading || held.hasNext || held.page > 1 ? undefined : held.items.length
  const toolbar = (
    <>
      <Upload
        accept=".csv,.xlsx"
        showUploadList={false}
        beforeUpload={(f) => {
          void importFile(f)
          return false
        }}
      >
        <Button type="primary" icon={<UploadOutlined />} loading={busy === 'import'}>
          {t('books.rates.import')}
        </Button>
      </Upload>
      <Dropdown
        trigger={['click']}
        menu={{
          items: [
            { key: 'ECB', label: t('books.rates.pullEcb') },
            { key: 'CFETS', label: t('books.rates.pullCfets') },
          ],
          onClick: ({ key }) => void pull(key as 'ECB' | 'CFETS'),
        }}
      >
        <Button icon={<CloudDownloadOutlined />} loading={busy === 'pull'}>
          {t('books.rates.pull')}
        </Button>
      </Dropdown>
      <Button icon={<SettingOutlined />} onClick={() => setEditing(true)}>
        {t('books.rates.settings')}
      </Button>
      {desk && (
        <Button
          type="link"
          href={`data:text/csv;charset=utf-8,${encodeURIComponent(TEMPLATE)}`}
          download="rates-template.csv"
        >
          {t('books.rates.template')}
        </Button>
      )}
    </>
  )

  const intro = (
    <>
      {t('books.rates.intro', { base })}
      {settings && desk && (
        <span className="ep-muted">
          {' '}
          {t('books.rates.policy', {
            sources: settings.rateSources.map((s) => maybe(`books.source.${s}`) ?? s).join(' → '),
            days: settings.maxStalenessDays,
          })}
        </span>
      )}
    </>
  )

  const results = (
    <>
      <ErrorAlert error={error} />
      {pullError && (
        <Alert
          type="error"
          showIcon
          closable
          onClose={() => setPullError(null)}
          style={{ marginBottom: 12 }}
          message={t('books.rates.pullFailed', { detail: pullError })}
        />
      )}
      {report && (
        <Alert
          data-testid="rate-import-result"
          type={report.stillHeld > 0 ? 'warning' : 'success'}
          showIcon
          closable
          onClose={() => setReport(null)}
          style={{ marginBottom: 12 }}
          message={t('books.rates.imported', {
            rates: report.rates,
            released: report.released,
            held: report.stillHeld,
          })}
        />
      )}
      {problems && (
        <Alert
          type="error"
          showIcon
          closable
          onClose={() => setProblems(null)}
          style={{ marginBottom: 12 }}
          message={t('books.rates.refused', { n: problems.length })}
          description={
            <Table
              size="small"
              data-testid="rate-rejected"
              rowKey={(_, i) => String(i)}
              pagination={problems.length > 10 ? { pageSize: 10 } : false}
              dataSource={problems.map(splitProblem)}
              columns={[
                {
                  title: t('books.rates.line'),
                  dataIndex: 'line',
                  width: 72,
                  align: 'right',
                  render: (l: number | null) => <span className="num">{l ?? '—'}</span>,
                },
                {
                  title: t('books.rates.reason'),
                  dataIndex: 'reason',
                  render: (r: string) => (
                    <Typography.Text type="danger" title={r}>
                      {problemText(r, maybe)}
                    </Typography.Text>
                  ),
                },
              ]}
            />
          }
        />
      )}
    </>
  )

  const tabs = {
    active: tab,
    onChange: (k: string) => setParams(k === 'held' ? { tab: 'held' } : {}),
    items: [
      { key: 'rates', label: t('books.rates.tabRates') },
      { key: 'held', label: t('books.rates.tabHeld'), count: heldCount },
    ],
  }

  return (
    <>
      {tab === 'rates' ? (
        <ListPage<Rate>
          title={t('books.rates.title')}
          extra={toolbar}
          intro={intro}
          tabs={tabs}
          query={
            <>
              {results}
              <QueryForm form={form} onSearch={(v) => setFilters({ ...v })} onReset={() => setFilters({})}>
                <Form.Item name="currency" label={t('books.rates.currency')}>
                  <Select
                    allowClear
                    showSearch
                    style={{ width: 140 }}
                    aria-label={t('books.rates.currency')}
                    options={CURRENCIES.map((c) => ({ value: c, label: c }))}
                  />
                </Form.Item>
                <Form.Item name="source" label={t('books.rates.source')}>
                  <Select
                    allowClear
                    style={{ width: 160 }}
                    aria-label={t('books.rates.source')}
                    options={['MANUAL', 'CSV', 'ECB', 'CFETS'].map((s) => ({
                      value: s,
                      label: maybe(`books.source.${s}`) ?? s,
                    }))}
                  />
                </Form.Item>
              </QueryForm>
            </>
          }
          error={rates.error}
          onRetry={rates.reload}
          table={{
            rowKey: (r) => `${r.source}|${r.rateDate}|${r.baseCcy}|${r.quoteCcy}`,
            loading: rates.loading,
            dataSource: rates.items,
            pagination: false,
            className: 'ep-rates-table',
            locale: {
              emptyText: (
                <EmptyState
                  text={t('books.rates.empty')}
                  filters={[filters.currency, filters.source].filter((f): f is string => !!f)}
                  onClear={() => {
                    form.resetFields()
                    setFilters({})
                  }}
                />
              ),
            },
            columns: [
              {
                title: t('books.rates.date'),
                dataIndex: 'rateDate',
                render: (d: string) => <span className="num">{d}</span>,
              },
              {
                title: t('books.rates.pair'),
                key: 'pair',
                render: (_: unknown, r: Rate) => (
                  <span className="mono">
                    {r.baseCcy}/{r.quoteCcy}
                  </span>
                ),
              },
              {
                title: t('books.rates.rate'),
                key: 'rate',
                align: 'right',
                render: (_: unknown, r: Rate) => (
                  <span className="num">
                    1 {r.baseCcy} = {rate4(r.rate)} {r.quoteCcy}
                  </span>
                ),
              },
              {
                title: t('books.rates.quoted'),
                key: 'quoted',
                align: 'right',
                render: (_: unknown, r: Rate) => (
                  <span className="num ep-muted">
                    {r.unit} {r.baseCcy} = {r.quoted} {r.quoteCcy}
                  </span>
                ),
              },
              {
                title: t('books.rates.source'),
                dataIndex: 'source',
                render: (s: string) => <Tag>{maybe(`books.source.${s}`) ?? s}</Tag>,
              },
            ],
          }}
          pager={<CursorPager list={rates} />}
        />
      ) : (
        <ListPage<HeldEntry>
          title={t('books.rates.title')}
          extra={toolbar}
          intro={t('books.rates.heldIntro')}
          tabs={tabs}
          query={results}
          error={held.error}
          onRetry={held.reload}
          table={{
            rowKey: 'postingKey',
            loading: held.loading,
            dataSource: held.items,
            pagination: false,
            className: 'ep-held-table',
            locale: { emptyText: <EmptyState text={t('books.rates.heldEmpty')} /> },
            columns: [
              {
                title: t('books.rates.eventAt'),
                key: 'at',
                render: (_: unknown, h: HeldEntry) => <Time value={h.eventAt} />,
              },
              {
                title: t('books.journal.kind'),
                key: 'kind',
                render: (_: unknown, h: HeldEntry) => <Tag>{maybe(`books.kind.${h.kind}`) ?? h.kind}</Tag>,
              },
              {
                title: t('books.journal.order'),
                key: 'order',
                render: (_: unknown, h: HeldEntry) => (
                  <span className="mono">{h.orderId ? (orders[h.orderId] ?? '') : ''}</span>
                ),
              },
              {
                title: t('books.journal.shop'),
                key: 'shop',
                render: (_: unknown, h: HeldEntry) => (h.shopId ? shopName.get(h.shopId) : ''),
              },
              {
                title: t('books.rates.needs'),
                key: 'needs',
                render: (_: unknown, h: HeldEntry) => (
                  <Tag color="orange">
                    <span className="num">
                      {h.currency} → {base} · {h.rateDate}
                    </span>
                  </Tag>
                ),
              },
              {
                title: t('books.rates.reason'),
                key: 'reason',
                render: (_: unknown, h: HeldEntry) => (
                  <Typography.Text
                    type="secondary"
                    title={h.reason}
                    style={{ maxWidth: 320, display: 'inline-block' }}
                  >
                    {t('books.rates.heldReason', {
                      ccy: h.currency,
                      base,
                      date: h.rateDate,
                      days: settings?.maxStalenessDays ?? 0,
                    })}
                  </Typography.Text>
                ),
              },
              {
                title: t('books.common.action'),
                key: 'fix',
                fixed: 'right',
                render: (_: unknown, h: HeldEntry) => (
                  <Button type="link" size="small" onClick={() => setFix(h)}>
                    {t('books.rates.fix')}
                  </Button>
                ),
              },
            ],
          }}
          pager={<CursorPager list={held} />}
        />
      )}
      {settings && (
        <SettingsDrawer
          open={editing}
          settings={settings}
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false)
            void message.success(t('books.rates.saved'))
            setTick((n) => n + 1)
          }}
        />
      )}
      {fix && (
        <FixModal
          entry={fix}
          base={base}
          onClose={() => setFix(null)}
          onDone={(r) => {
            setFix(null)
            done(r)
          }}
          onError={(e) => void message.error(errorMessage(i18n, e))}
        />
      )}
    </>
  )
}

/** 补录汇率: the one rate a held entry needs, imported as a one-line file (source MANUAL). */
function FixModal({
  entry,
  base,
  onClose,
  onDone,
  onError,
}: {
  entry: HeldEntry
  base: string
  onClose: () => void
  onDone: (r: RateImportReport) => void
  onError: (e: unknown) => void
}) {
  const { t } = useI18n()
  const [form] = Form.useForm<{ rate: string }>()
  const [busy, setBusy] = useState(false)
  const save = async () => {
    const { rate } = await form.validateFields()
    const csv = `rate_date,base_ccy,quote_ccy,unit,rate,source\n${entry.rateDate},${entry.currency},${base},1,${rate.trim()},MANUAL\n`
    setBusy(true)
    try {
      onDone(await ledger.importRates(new File([csv], 'manual.csv', { type: 'text/csv' })))
    } catch (e) {
      onError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Modal
      open
      title={t('books.rates.fixTitle')}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('books.rates.fixOk')}
      confirmLoading={busy}
    >
      <Typography.Paragraph>
        {t('books.rates.fixText', { ccy: entry.currency, base, date: entry.rateDate })}
      </Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item
          name="rate"
          label={t('books.rates.fixLabel', { ccy: entry.currency, base })}
          rules={[
            { required: true, message: t('books.rates.fixRequired') },
            { pattern: /^\s*\d{1,8}(\.\d{1,10})?\s*$/, message: t('books.rates.fixRequired') },
          ]}
        >
          <Input inputMode="decimal" placeholder="7.1800" className="num" />
        </Form.Item>
      </Form>
    </Modal>
  )
}

function SettingsDrawer({
  open,
  settings,
  onClose,
  onSaved,
}: {
  open: boolean
  settings: LedgerSettings
  onClose: () => void
  onSaved: () => void
}) {
  const i18n = useI18n()
  const { t, maybe } = i18n
  const [form] = Form.useForm<Omit<LedgerSettings, 'baseCurrency'>>()
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const save = async () => {
    const v = await form.validateFields()
    setBusy(true)
    try {
      await ledger.saveSettings(v)
      setError(null)
      onSaved()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={t('books.rates.settings')}
      width={520}
      styles={{ wrapper: { maxWidth: '100vw' } }}
      destroyOnHidden
      extra={
        <Button type="primary" loading={busy} onClick={() => void save()}>
          {t('books.common.save')}
        </Button>
      }
    >
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" initialValues={settings}>
        <Form.Item label={t('books.rates.base')} extra={t('books.rates.baseNote')}>
          <Input value={settings.baseCurrency} disabled style={{ width: 120 }} />
        </Form.Item>
        <Form.Item
          name="rateSources"
          label={t('books.rates.sources')}
          extra={t('books.rates.sourcesNote')}
          rules={[{ required: true, type: 'array', min: 1, message: t('books.rates.sourcesNote') }]}
        >
          <Select
            mode="multiple"
            options={['MANUAL', 'CSV', 'CFETS', 'ECB'].map((s) => ({
              value: s,
              label: maybe(`books.source.${s}`) ?? s,
            }))}
          />
        </Form.Item>
        <Form.Item
          name="maxStalenessDays"
          label={t('books.rates.staleness')}
          extra={t('books.rates.stalenessNote')}
          rules={[{ required: true }]}
        >
          <InputNumber min={0} max={31} precision={0} addonAfter={t('books.rates.days')} />
        </Form.Item>
        <Form.Item name="revaluation" label={t('books.rates.revaluation')}>
          <Radio.Group
            options={[
              { value: 'month_end', label: t('books.rates.revalMonthEnd') },
              { value: 'none', label: t('books.rates.revalNone') },
            ]}
          />
        </Form.Item>
        <Form.Item
          name={['providers', 'ecb']}
          label={t('books.rates.ecbUrl')}
          rules={[{ required: true, pattern: /^https?:\/\/\S+$/, message: t('books.rates.urlInvalid') }]}
        >
          <Input />
        </Form.Item>
        <Form.Item
          name={['providers', 'cfets']}
          label={t('books.rates.cfetsUrl')}
          rules={[{ required: true, pattern: /^https?:\/\/\S+$/, message: t('books.rates.urlInvalid') }]}
        >
          <Input />
        </Form.Item>
      </Form>
    </Drawer>
  )
}
