/**
 * 期末结账: the months with their state (who closed them, the last reopening and its reason); for
 * the chosen month the checklist — entries waiting for a rate and month-end rates missing block the
 * close, open exceptions and orders unsettled past their due date must be acknowledged — each with
 * a link to where it is fixed, the revaluation the close will post, close, and reopen (admin, with a
 * reason kept in the audit log). The month's files are here too: vouchers for Kingdee, Yonyou or a
 * generic CSV, the journal, the trial balance and the statements.
 */
import {
  CheckCircleFilled,
  CloseCircleFilled,
  DownloadOutlined,
  ExclamationCircleFilled,
  LockOutlined,
  UnlockOutlined,
} from '@ant-design/icons'
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Flex,
  Form,
  Input,
  List,
  Modal,
  Radio,
  Row,
  Select,
  Space,
  Tag,
  Tooltip,
  Typography,
} from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { Link } from 'react-router'
import { ApiError } from '../../api/client'
import {
  ledger,
  ledgerFiles,
  type Checklist,
  type ChecklistCode,
  type Lang,
  type Month,
  type VoucherSystem,
} from '../../api/ledger'
import { useMe } from '../../app/session'
import { errorMessage } from '../../components/errors'
import { Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { ErrorAlert } from '../../components/states'
import { useI18n } from '../../i18n'
import { useSearchParams } from 'react-router'
import { MonthsTable, STATE_COLOR } from './close-months'
import { RevaluationTable } from './close-revaluation'
import { useShops } from './shared'

/** The months from the first with anything in it (movements, waiting entries, a close or a reopening) on. */
function activeMonths(items: Month[]): Month[] {
  const used = (m: Month) =>
    m.baseDebit !== '0.00' || m.held > 0 || m.closedAt !== null || m.lastReopen !== null
  let last = items.length - 1
  while (last > 0 && !used(items[last]!)) last--
  return items.slice(0, last + 1)
}

const nextMonth = (p: string) => {
  const [y, m] = p.split('-').map(Number) as [number, number]
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}

export function ClosePage() {
  const i18n = useI18n()
  const { t } = i18n
  const me = useMe()
  const { message } = App.useApp()
  const shops = useShops()
  const [params, setParams] = useSearchParams()
  const [months, setMonths] = useState<Month[] | null>(null)
  const [base, setBase] = useState('CNY')
  const [error, setError] = useState<unknown>(null)
  const [tick, setTick] = useState(0)
  const [check, setCheck] = useState<Checklist | null>(null)
  const [checkError, setCheckError] = useState<unknown>(null)
  const [checking, setChecking] = useState(false)
  const [closing, setClosing] = useState(false)
  const [confirm, setConfirm] = useState(false)
  const [reopening, setReopening] = useState(false)

  useEffect(() => {
    ledger.months().then(
      (r) => (setMonths(activeMonths(r.items)), setBase(r.baseCurrency), setError(null)),
      (e: unknown) => (setError(e), setMonths([])),
    )
  }, [tick])
  // The month looked at: ?period=, else the oldest month still open (the next to close).
  const wanted = params.get('period')
  const selected =
    months?.find((m) => m.period === wanted) ??
    [...(months ?? [])].reverse().find((m) => m.state === 'open' && (m.baseDebit !== '0.00' || m.held > 0)) ??
    months?.find((m) => m.state === 'open') ??
    months?.[0]
  const period = selected?.period
  const select = (p: string) =>
    setParams(
      (old) => {
        const n = new URLSearchParams(old)
        n.set('period', p)
        return n
      },
      { replace: true },
    )

  const runCheck = useCallback(() => {
    if (!period) return
    setChecking(true)
    ledger
      .checklist(period)
      .then((c) => (setCheck(c), setCheckError(null)), setCheckError)
      .finally(() => setChecking(false))
  }, [period])
  useEffect(() => {
    setCheck(null)
    runCheck()
  }, [runCheck, tick])

  const blocking = check?.items.filter((i) => i.blocking && i.count > 0) ?? []
  const warnings = check?.items.filter((i) => !i.blocking && i.count > 0) ?? []

  const close = async (acknowledge: boolean) => {
    if (!period) return
    setClosing(true)
    try {
      await ledger.close(period, acknowledge)
      setConfirm(false)
      void message.success(t('books.close.closed', { period }))
      setTick((n) => n + 1)
    } catch (e) {
      setConfirm(false)
      if (e instanceof ApiError && e.reason === 'period_checklist') {
        void message.warning(t('books.close.checklistChanged'))
        setTick((n) => n + 1)
      } else void message.error(errorMessage(i18n, e))
    } finally {
      setClosing(false)
    }
  }

  return (
    <div className="ep-page">
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={11}>
          <Card styles={{ body: { padding: 16 } }}>
            <Typography.Title level={4} style={{ marginTop: 0 }}>
              {t('books.close.title')}
            </Typography.Title>
            <Typography.Paragraph type="secondary">{t('books.close.intro')}</Typography.Paragraph>
            <ErrorAlert error={error} onRetry={() => setTick((n) => n + 1)} />
            <MonthsTable months={months} base={base} selected={period} onSelect={select} />
          </Card>
        </Col>
        <Col xs={24} xl={13}>
          {selected && (
            <Card
              styles={{ body: { padding: 16 } }}
              title={
                <Space>
                  <span className="num">{selected.period}</span>
                  <Tag color={STATE_COLOR[selected.state]}>
                    {t(`books.close.stateName.${selected.state}`)}
                  </Tag>
                </Space>
              }
              extra={
                <Button size="small" onClick={runCheck} loading={checking}>
                  {t('books.close.recheck')}
                </Button>
              }
            >
              {selected.lastReopen && (
                <Alert
                  type="warning"
                  showIcon
                  style={{ marginBottom: 12 }}
                  data-testid="last-reopen"
                  message={t('books.close.lastReopen', { by: selected.lastReopen.by ?? '—' })}
                  description={
                    <span>
                      <Time value={selected.lastReopen.at} /> · 「{selected.lastReopen.reason}」
                    </span>
                  }
                />
              )}
              <ErrorAlert error={checkError} onRetry={runCheck} />
              <Typography.Title level={5} style={{ marginTop: 0 }}>
                {t('books.close.checklist')}
              </Typography.Title>
              <List
                data-testid="checklist"
                loading={checking && !check}
                dataSource={check?.items ?? []}
                renderItem={(item) => (
                  <CheckItem item={item} period={selected.period} admin={me.role === 'admin'} />
                )}
              />
              {check && check.revaluation.length > 0 && (
                <>
                  <Typography.Title level={5}>{t('books.close.revaluation')}</Typography.Title>
                  <Typography.Paragraph type="secondary">
                    {t('books.close.revaluationNote')}
                  </Typography.Paragraph>
                  <RevaluationTable rows={check.revaluation} base={base} shops={shops} />
                </>
              )}
              <Flex gap={8} wrap style={{ marginTop: 16 }}>
                {selected.state !== 'closed' && (
                  <Tooltip
                    title={
                      selected.state === 'current'
                        ? t('books.close.notEnded')
                        : blocking.length > 0
                          ? t('books.close.blocked')
                          : undefined
                    }
                  >
                    <Button
                      type="primary"
                      icon={<LockOutlined />}
                      disabled={selected.state === 'current' || !check || blocking.length > 0}
                      loading={closing}
                      onClick={() => (warnings.length > 0 ? setConfirm(true) : void close(false))}
                    >
                      {t('books.close.close')}
                    </Button>
                  </Tooltip>
                )}
                {selected.state === 'closed' && me.role === 'admin' && (
                  <Button danger icon={<UnlockOutlined />} onClick={() => setReopening(true)}>
                    {t('books.close.reopen')}
                  </Button>
                )}
                {selected.state === 'closed' && me.role !== 'admin' && (
                  <Typography.Text type="secondary">{t('books.close.reopenAdminOnly')}</Typography.Text>
                )}
                <Link to={`/finance/journal?period=${selected.period}`}>
                  <Button>{t('books.close.openJournal')}</Button>
                </Link>
              </Flex>
            </Card>
          )}
          {selected && <Exports period={selected.period} />}
        </Col>
      </Row>
      {confirm && period && (
        <AcknowledgeModal
          period={period}
          warnings={warnings}
          busy={closing}
          onCancel={() => setConfirm(false)}
          onOk={() => void close(true)}
        />
      )}
      {reopening && period && (
        <ReopenModal
          period={period}
          onCancel={() => setReopening(false)}
          onDone={() => {
            setReopening(false)
            void message.success(t('books.close.reopenedOk', { period }))
            setTick((n) => n + 1)
          }}
        />
      )}
    </div>
  )
}

/**
 * A checklist detail as people read it: an exception's reason by its name (`no_stock: …` → 缺货 …);
 * an entry waiting for a rate by its reason only (its posting key is internal).
 */
function detailText(
  code: ChecklistCode,
  d: string,
  maybe: (k: string, vars?: Readonly<Record<string, string>>) => string | undefined,
): string {
  const at = d.indexOf(': ')
  if (at < 0) return d
  const head = d.slice(0, at)
  const rest = d.slice(at + 2)
  if (code === 'held_entries') {
    // The API's words (src/ledger/convert.ts): "no USD→CNY rate on 2026-12-07 or in the … days before".
    const m = /^no ([A-Z]{3})→([A-Z]{3}) rate on (\d{4}-\d{2}-\d{2})/.exec(rest)
    return (m && maybe('books.close.heldNoRate', { ccy: m[1]!, base: m[2]!, date: m[3]! })) ?? rest
  }
  if (code === 'open_exceptions') {
    const reason = maybe(`orders.reason.${head}`)
    return reason ? (rest === head ? reason : `${reason}：${rest}`) : d
  }
  return d
}

/** Where each item of the checklist is fixed. */
function fixLink(code: ChecklistCode, admin: boolean): string {
  switch (code) {
    case 'held_entries':
      return '/finance/rates?tab=held'
    case 'missing_rates':
      return '/finance/rates'
    case 'open_exceptions':
      return admin ? '/exceptions' : '/orders'
    case 'unsettled_past_due':
      return '/finance/reconciliation'
  }
}

function CheckItem({ item, admin }: { item: Checklist['items'][number]; period: string; admin: boolean }) {
  const { t, maybe } = useI18n()
  const desk = useDesk()
  const ok = item.count === 0
  const icon = ok ? (
    <CheckCircleFilled style={{ color: '#389e0d', fontSize: 18 }} />
  ) : item.blocking ? (
    <CloseCircleFilled style={{ color: '#cf1322', fontSize: 18 }} />
  ) : (
    <ExclamationCircleFilled style={{ color: '#d46b08', fontSize: 18 }} />
  )
  const fix = ok ? null : (
    <Link key="fix" to={fixLink(item.code, admin)}>
      {t(`books.close.fix.${item.code}`)}
    </Link>
  )
  // On a phone the fix goes under the item: beside it, it squeezed the title to a word a line.
  return (
    <List.Item data-check={item.code} data-count={item.count} actions={fix && desk ? [fix] : []}>
      <List.Item.Meta
        avatar={icon}
        title={
          <Space wrap size={4}>
            <span>{t(`books.close.item.${item.code}`)}</span>
            <Tag color={ok ? 'green' : item.blocking ? 'red' : 'orange'}>
              {ok
                ? t('books.close.ok')
                : t(item.blocking ? 'books.close.blocking' : 'books.close.warning', { n: item.count })}
            </Tag>
          </Space>
        }
        description={
          ok ? (
            t(`books.close.okText.${item.code}`)
          ) : (
            <>
              <Typography.Paragraph
                type="secondary"
                style={{ marginBottom: 0 }}
                ellipsis={{ rows: 2, expandable: true, symbol: t('books.close.more') }}
              >
                {item.detail
                  .slice(0, 50)
                  .map((d) => detailText(item.code, d, maybe))
                  .join('；')}
              </Typography.Paragraph>
              {!desk && <div style={{ marginTop: 4 }}>{fix}</div>}
            </>
          )
        }
      />
    </List.Item>
  )
}

function AcknowledgeModal({
  period,
  warnings,
  busy,
  onCancel,
  onOk,
}: {
  period: string
  warnings: Checklist['items']
  busy: boolean
  onCancel: () => void
  onOk: () => void
}) {
  const { t } = useI18n()
  const [ack, setAck] = useState(false)
  return (
    <Modal
      open
      title={t('books.close.confirmTitle', { period })}
      onCancel={onCancel}
      onOk={onOk}
      okText={t('books.close.close')}
      okButtonProps={{ disabled: !ack, loading: busy }}
    >
      <Typography.Paragraph>{t('books.close.confirmText')}</Typography.Paragraph>
      <ul>
        {warnings.map((w) => (
          <li key={w.code}>{t(`books.close.warnLine.${w.code}`, { n: w.count })}</li>
        ))}
      </ul>
      <Checkbox checked={ack} onChange={(e) => setAck(e.target.checked)}>
        {t('books.close.acknowledge')}
      </Checkbox>
    </Modal>
  )
}

function ReopenModal({
  period,
  onCancel,
  onDone,
}: {
  period: string
  onCancel: () => void
  onDone: () => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const [form] = Form.useForm<{ reason: string }>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const save = async () => {
    const { reason } = await form.validateFields()
    setBusy(true)
    try {
      await ledger.reopen(period, reason.trim())
      onDone()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  const reopenError =
    error instanceof ApiError && error.reason === 'period_not_reopenable'
      ? t('books.close.notReopenable', { detail: error.message })
      : error
        ? errorMessage(i18n, error)
        : null
  return (
    <Modal
      open
      title={t('books.close.reopenTitle', { period })}
      onCancel={onCancel}
      onOk={() => void save()}
      okText={t('books.close.reopen')}
      okButtonProps={{ danger: true, loading: busy }}
    >
      <Typography.Paragraph>{t('books.close.reopenText')}</Typography.Paragraph>
      {reopenError && <Alert type="error" showIcon style={{ marginBottom: 12 }} message={reopenError} />}
      <Form form={form} layout="vertical">
        <Form.Item
          name="reason"
          label={t('books.close.reason')}
          rules={[
            { required: true, whitespace: true, message: t('books.close.reasonRequired') },
            { min: 3, max: 500, message: t('books.close.reasonRequired') },
          ]}
        >
          <Input.TextArea
            rows={3}
            maxLength={500}
            showCount
            placeholder={t('books.close.reasonPlaceholder')}
          />
        </Form.Item>
      </Form>
    </Modal>
  )
}

/** The month's files: vouchers for the general ledger, the journal, the trial balance, the statements. */
function Exports({ period }: { period: string }) {
  const { t, locale } = useI18n()
  const [system, setSystem] = useState<VoucherSystem>('kingdee')
  const [format, setFormat] = useState<'xlsx' | 'csv'>('xlsx')
  const [lang, setLang] = useState<Lang>(locale === 'en' ? 'en' : 'zh-CN')
  const from = `${period}-01`
  const to = `${nextMonth(period)}-01`
  const statement = (by: 'channel' | 'shop' | 'sku' | 'order') =>
    `/statements?${new URLSearchParams({
      from,
      to,
      by,
      format: 'xlsx',
      lang,
      basis: 'base',
      ...(by === 'channel' || by === 'shop' ? { layout: 'columns' } : {}),
    }).toString()}`
  return (
    <Card
      styles={{ body: { padding: 16 } }}
      style={{ marginTop: 16 }}
      title={t('books.exports.title', { period })}
    >
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {t('books.exports.vouchers')}
      </Typography.Title>
      <Flex gap={8} wrap align="center">
        <Select<VoucherSystem>
          aria-label={t('books.exports.system')}
          value={system}
          onChange={(v) => {
            setSystem(v)
            setFormat(v === 'generic' ? 'csv' : 'xlsx')
          }}
          style={{ width: 240 }}
          options={(['kingdee', 'yonyou', 'generic'] as const).map((s) => ({
            value: s,
            label: t(`books.exports.system_${s}`),
          }))}
        />
        <Radio.Group
          value={format}
          onChange={(e) => setFormat(e.target.value as 'xlsx' | 'csv')}
          optionType="button"
          options={[
            { value: 'xlsx', label: 'Excel' },
            { value: 'csv', label: 'CSV' },
          ]}
        />
        <Button
          type="primary"
          icon={<DownloadOutlined />}
          href={ledgerFiles.vouchers(period, system, format)}
          download
          data-testid="download-vouchers"
        >
          {t('books.exports.download')}
        </Button>
      </Flex>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {t(`books.exports.note_${system}`)}
      </Typography.Paragraph>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('books.exports.books')}
        </Typography.Title>
        <Radio.Group
          size="small"
          value={lang}
          onChange={(e) => setLang(e.target.value as Lang)}
          optionType="button"
          aria-label={t('books.exports.headers')}
          options={[
            { value: 'zh-CN', label: t('books.exports.zh') },
            { value: 'en', label: t('books.exports.en') },
          ]}
        />
      </Flex>
      <Flex gap={8} wrap style={{ marginTop: 8 }}>
        <Button icon={<DownloadOutlined />} href={ledgerFiles.journal(period, 'xlsx', lang)} download>
          {t('books.exports.journal')}
        </Button>
        <Button icon={<DownloadOutlined />} href={ledgerFiles.trialBalance(period, 'xlsx', lang)} download>
          {t('books.exports.trial')}
        </Button>
        {(['channel', 'shop', 'sku', 'order'] as const).map((by) => (
          <Button key={by} icon={<DownloadOutlined />} href={statement(by)} download>
            {t(`books.exports.statement_${by}`)}
          </Button>
        ))}
      </Flex>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('books.exports.zone')}
      </Typography.Paragraph>
    </Card>
  )
}
