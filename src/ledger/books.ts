/**
 * The books an accountant takes away for a period (a month in the merchant's zone): the journal
 * listing with its business keys, the trial balance, and vouchers for the general ledger — one
 * voucher per day and shop, a line per account and currency, in the base currency with the
 * original beside it, under the chart's external codes. Vouchers and the trial balance are read
 * from the daily totals (journal_daily), which every posting keeps in its own transaction.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { money, round, sum, toAmount, ZERO, type Decimal } from '../money/index.js'
import { defaultAccountName, type Lang } from './labels.js'
import { nextPeriod } from './journal.js'
import { ACCOUNTS } from './postings.js'
import { ymd } from './rates.js'
import { zonedMidnight } from './statements.js'

export interface AccountInfo {
  code: string
  name: string
  externalCode: string
  type: string
}

/** The chart with the merchant's names and GL codes; a per-shop account carries its shop's name. */
export async function chart(db: Executor, merchantId: string, lang: Lang | undefined) {
  const own = new Map(
    (await db.selectFrom('ledger_accounts').selectAll().where('merchant_id', '=', merchantId).execute()).map(
      (r) => [r.code, r],
    ),
  )
  const shops = new Map(
    (await db.selectFrom('shops').select(['id', 'name']).where('merchant_id', '=', merchantId).execute()).map(
      (s) => [s.id, s.name],
    ),
  )
  return (code: string): AccountInfo => {
    const [group, shopId] = code.split(':') as [string, string | undefined]
    const base = ACCOUNTS[group as keyof typeof ACCOUNTS]
    const mine = own.get(group)
    const name = mine?.name ?? defaultAccountName(group, lang) ?? group
    return {
      code,
      name: shopId ? `${name} - ${shops.get(shopId) ?? shopId}` : name,
      externalCode: mine?.external_code ?? group,
      type: base?.type ?? 'suspense',
    }
  }
}

/** An account code from a daily-totals row: the per-shop accounts get their shop back. */
const accountOf = (group: string, shopId: string) =>
  (group === 'receivable' || group === 'platform_balance') && shopId ? `${group}:${shopId}` : group

export interface VoucherLine {
  account: AccountInfo
  currency: string
  /** Signed transaction amount (debit positive). */
  amount: Decimal
  debit: Decimal
  credit: Decimal
}

export interface Voucher {
  no: number
  date: string
  shopName: string
  channel: string
  summary: string
  lines: VoucherLine[]
}

export async function vouchers(
  db: Executor,
  merchantId: string,
  period: string,
  lang: Lang | undefined,
): Promise<Voucher[]> {
  const rows = await db
    .selectFrom('journal_daily as d')
    .leftJoin('shops as s', (j) =>
      j.onRef('s.id', '=', 'd.shop_id').onRef('s.merchant_id', '=', 'd.merchant_id'),
    )
    .select([
      'd.day',
      'd.channel',
      'd.shop_id',
      's.name as shop_name',
      'd.account_group',
      'd.currency',
      sql<string>`SUM(d.debit) - SUM(d.credit)`.as('amount'),
      sql<string>`SUM(d.base_debit)`.as('debit'),
      sql<string>`SUM(d.base_credit)`.as('credit'),
    ])
    .where('d.merchant_id', '=', merchantId)
    .where('d.day', '>=', `${period}-01`)
    .where('d.day', '<', `${nextPeriod(period)}-01`)
    .groupBy(['d.day', 'd.channel', 'd.shop_id', 's.name', 'd.account_group', 'd.currency'])
    .orderBy('d.day')
    .orderBy('d.channel')
    .orderBy('d.shop_id')
    .orderBy('d.account_group')
    .orderBy('d.currency')
    .execute()
  const account = await chart(db, merchantId, lang)
  const out: Voucher[] = []
  for (const r of rows) {
    const date = ymd(r.day as unknown as Date | string)
    const debit = money(r.debit)
    const credit = money(r.credit)
    // A debit and a credit of the same account in one voucher are shown net (what a GL posts).
    const net = debit.minus(credit)
    if (net.isZero() && money(r.amount).isZero()) continue
    let v = out[out.length - 1]
    if (!v || v.date !== date || v.channel !== r.channel || v.shopName !== (r.shop_name ?? '')) {
      v = {
        no: out.length + 1,
        date,
        shopName: r.shop_name ?? '',
        channel: r.channel,
        summary: `${date} ${r.shop_name ?? r.channel}`,
        lines: [],
      }
      out.push(v)
    }
    v.lines.push({
      account: account(accountOf(r.account_group, r.shop_id)),
      currency: r.currency,
      amount: money(r.amount),
      debit: net.gt(0) ? net : ZERO,
      credit: net.lt(0) ? net.neg() : ZERO,
    })
  }
  return out.filter((v) => v.lines.some((l) => !l.debit.isZero() || !l.credit.isZero()))
}

export const VOUCHER_FORMATS = ['kingdee', 'yonyou', 'generic'] as const
export type VoucherFormat = (typeof VOUCHER_FORMATS)[number]

/**
 * Voucher files. Kingdee (金蝶 KIS/K3 凭证引入) and Yonyou (用友 U8/T+ 凭证导入) column sets as their
 * import templates name them (⚠ community templates; the systems map columns on import); generic
 * is a manual-journal CSV that Xero (Narration, Date, AccountCode, Amount, TaxRate) and
 * QuickBooks (Journal No, Journal Date, Account, Debits, Credits) both map.
 */
export function voucherTable(format: VoucherFormat, base: string, period: string, vs: readonly Voucher[]) {
  const rate = (l: VoucherLine) => {
    if (l.currency === base || l.amount.isZero()) return '1'
    return round(l.debit.plus(l.credit).div(l.amount.abs()), 6).toFixed()
  }
  const amt = (d: Decimal) => (d.isZero() ? '0.00' : toAmount(d))
  if (format === 'kingdee') {
    const header = [
      '日期',
      '会计期间',
      '凭证字',
      '凭证号',
      '分录号',
      '附单据数',
      '摘要',
      '科目代码',
      '科目名称',
      '币别',
      '汇率',
      '原币金额',
      '借方金额',
      '贷方金额',
      '制单人',
    ]
    const rows = vs.flatMap((v) =>
      v.lines.map((l, i) => [
        v.date,
        period,
        '记',
        String(v.no),
        String(i + 1),
        '0',
        v.summary,
        l.account.externalCode,
        l.account.name,
        l.currency,
        rate(l),
        amt(l.amount.abs()),
        amt(l.debit),
        amt(l.credit),
        'Entrepot',
      ]),
    )
    return { header, rows, amountColumns: new Set(['原币金额', '借方金额', '贷方金额']) }
  }
  if (format === 'yonyou') {
    const header = [
      '制单日期',
      '凭证类别',
      '凭证号',
      '附单据数',
      '摘要',
      '科目编码',
      '科目名称',
      '借方金额',
      '贷方金额',
      '币种',
      '汇率',
      '外币金额',
      '制单人',
    ]
    const rows = vs.flatMap((v) =>
      v.lines.map((l) => [
        v.date,
        '记',
        String(v.no),
        '0',
        v.summary,
        l.account.externalCode,
        l.account.name,
        amt(l.debit),
        amt(l.credit),
        l.currency,
        rate(l),
        amt(l.amount.abs()),
        'Entrepot',
      ]),
    )
    return { header, rows, amountColumns: new Set(['借方金额', '贷方金额', '外币金额']) }
  }
  const header = [
    'JournalNo',
    'JournalDate',
    'Narration',
    'AccountCode',
    'AccountName',
    'Description',
    'Debit',
    'Credit',
    'Amount',
    'Currency',
    'TaxRate',
    'OriginalCurrency',
    'OriginalAmount',
  ]
  const rows = vs.flatMap((v) =>
    v.lines.map((l) => [
      `EP-${period}-${String(v.no).padStart(4, '0')}`,
      v.date,
      v.summary,
      l.account.externalCode,
      l.account.name,
      v.shopName,
      amt(l.debit),
      amt(l.credit),
      amt(l.debit.minus(l.credit)),
      base,
      'Tax Exempt',
      l.currency,
      amt(l.amount),
    ]),
  )
  return { header, rows, amountColumns: new Set(['Debit', 'Credit', 'Amount', 'OriginalAmount']) }
}

export interface TrialBalanceRow {
  account: AccountInfo
  openingDebit: string
  openingCredit: string
  periodDebit: string
  periodCredit: string
  closingDebit: string
  closingCredit: string
}

/** Trial balance in the base currency: opening, the period's movements and closing, per account; debits equal credits in every column pair. */
export async function trialBalance(
  db: Executor,
  merchantId: string,
  period: string,
  lang: Lang | undefined,
): Promise<{ rows: TrialBalanceRow[]; totals: Omit<TrialBalanceRow, 'account'> }> {
  const start = `${period}-01`
  const end = `${nextPeriod(period)}-01`
  const rows = await db
    .selectFrom('journal_daily')
    .select([
      'account_group',
      'shop_id',
      sql<string>`SUM(CASE WHEN day < ${start} THEN base_debit - base_credit ELSE 0 END)`.as('opening'),
      sql<string>`SUM(CASE WHEN day >= ${start} THEN base_debit ELSE 0 END)`.as('debit'),
      sql<string>`SUM(CASE WHEN day >= ${start} THEN base_credit ELSE 0 END)`.as('credit'),
    ])
    .where('merchant_id', '=', merchantId)
    .where('day', '<', end)
    .groupBy(['account_group', 'shop_id'])
    .execute()
  const account = await chart(db, merchantId, lang)
  const merged = new Map<string, { opening: Decimal; debit: Decimal; credit: Decimal }>()
  for (const r of rows) {
    const code = accountOf(r.account_group, r.shop_id)
    const x = merged.get(code) ?? { opening: ZERO, debit: ZERO, credit: ZERO }
    merged.set(code, {
      opening: x.opening.plus(money(r.opening)),
      debit: x.debit.plus(money(r.debit)),
      credit: x.credit.plus(money(r.credit)),
    })
  }
  const side = (d: Decimal): [Decimal, Decimal] => (d.gte(0) ? [d, ZERO] : [ZERO, d.neg()])
  const out = [...merged]
    .filter(([, x]) => !(x.opening.isZero() && x.debit.isZero() && x.credit.isZero()))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([code, x]) => {
      const [od, oc] = side(x.opening)
      const [cd, cc] = side(x.opening.plus(x.debit).minus(x.credit))
      return { account: account(code), od, oc, pd: x.debit, pc: x.credit, cd, cc }
    })
  const f = (d: Decimal) => toAmount(d)
  const total = (k: 'od' | 'oc' | 'pd' | 'pc' | 'cd' | 'cc') => f(sum(out.map((r) => r[k])))
  return {
    rows: out.map((r) => ({
      account: r.account,
      openingDebit: f(r.od),
      openingCredit: f(r.oc),
      periodDebit: f(r.pd),
      periodCredit: f(r.pc),
      closingDebit: f(r.cd),
      closingCredit: f(r.cc),
    })),
    totals: {
      openingDebit: total('od'),
      openingCredit: total('oc'),
      periodDebit: total('pd'),
      periodCredit: total('pc'),
      closingDebit: total('cd'),
      closingCredit: total('cc'),
    },
  }
}

export interface JournalRow {
  lineId: string
  entryId: string
  at: Date
  kind: string
  postingKey: string
  orderExternalId: string | null
  shopName: string | null
  channel: string | null
  skuCode: string | null
  skuName: string | null
  account: AccountInfo
  currency: string
  debit: string
  credit: string
  rate: string | null
  baseDebit: string
  baseCredit: string
  rateOrigin: string | null
}

/** The journal lines of a period in posting order (time, entry, line), from after a position. */
export async function journalPage(
  db: Executor,
  merchantId: string,
  q: {
    period: string
    timezone: string
    lang: Lang | undefined
    after: [string, string] | null
    limit: number
  },
): Promise<JournalRow[]> {
  const from = zonedMidnight(`${q.period}-01`, q.timezone)
  const to = zonedMidnight(`${nextPeriod(q.period)}-01`, q.timezone)
  let query = db
    .selectFrom('journal_lines as l')
    .innerJoin('journal_entries as e', 'e.id', 'l.entry_id')
    .leftJoin('orders as o', 'o.id', 'l.order_id')
    .leftJoin('shops as s', 's.id', 'l.shop_id')
    .leftJoin('skus as k', 'k.id', 'l.sku_id')
    .select([
      'l.id',
      'l.entry_id',
      'l.event_at',
      'e.kind',
      'e.posting_key',
      'o.external_id',
      's.name as shop_name',
      'l.channel',
      'k.code as sku_code',
      'k.name as sku_name',
      'l.account',
      'l.currency',
      'l.debit',
      'l.credit',
      'l.fx_rate',
      'l.base_debit',
      'l.base_credit',
      'l.rate_origin',
    ])
    .where('l.merchant_id', '=', merchantId)
    .where('l.event_at', '>=', from)
    .where('l.event_at', '<', to)
  const after = q.after
  if (after) {
    const at = new Date(after[0])
    query = query.where((eb) =>
      eb.or([eb('l.event_at', '>', at), eb.and([eb('l.event_at', '=', at), eb('l.id', '>', after[1])])]),
    )
  }
  const rows = await query.orderBy('l.event_at').orderBy('l.id').limit(q.limit).execute()
  const account = await chart(db, merchantId, q.lang)
  return rows.map((r) => ({
    lineId: r.id,
    entryId: r.entry_id,
    at: r.event_at,
    kind: r.kind,
    postingKey: r.posting_key,
    orderExternalId: r.external_id,
    shopName: r.shop_name,
    channel: r.channel,
    skuCode: r.sku_code,
    skuName: r.sku_name,
    account: account(r.account),
    currency: r.currency,
    debit: toAmount(money(r.debit)),
    credit: toAmount(money(r.credit)),
    rate: r.fx_rate === null ? null : round(money(r.fx_rate), 6).toFixed(),
    baseDebit: toAmount(money(r.base_debit)),
    baseCredit: toAmount(money(r.base_credit)),
    rateOrigin: r.rate_origin,
  }))
}
