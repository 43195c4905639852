/**
 * The Alipay 账务明细 CSV a Taobao/Tmall seller downloads (cn-marketplaces.md §1.10,
 * intl-and-settlements.md §D.1). GBK, `#` preamble and footer, TAB-suffixed cells, unsigned
 * 收入/支出 columns, a running 账户余额 and footer totals 收入合计/支出合计. Columns are found by
 * header name (newer exports reorder them and add 业务基础订单号 …). Pure: bytes in, lines out.
 *
 * Every data row becomes a line or a `rejected` entry with its reason; none is dropped. A row whose
 * amount does not carry the running balance from the row before it is rejected: either its amount
 * is wrong or rows are missing before it, and the balances cannot tell which, so a person decides.
 */
import { sum, ZERO, type Decimal } from '../../src/money/index.js'
import { cleanCell, decodeExport, readStatement, rowKey, yuanCell } from '../cn/files.js'
import { fromShanghai } from '../cn/time.js'
import type { SettlementLineDraft, SettlementLineType, SettlementParseResult } from '../types.js'

export const COL = {
  entryId: '账务流水号',
  bizId: '业务流水号',
  merchantOrderNo: '商户订单号',
  item: '商品名称',
  time: '发生时间',
  counterparty: '对方账号',
  income: '收入金额（+元）',
  expense: '支出金额（-元）',
  balance: '账户余额（元）',
  channel: '交易渠道',
  bizType: '业务类型',
  memo: '备注',
  baseOrderNo: '业务基础订单号',
} as const

const REQUIRED = [COL.entryId, COL.time, COL.income, COL.expense, COL.bizType] as const

/** 业务类型 → settlement line type. Unlisted texts become 'unknown' (suspense) with the text kept. */
export const ALIPAY_BIZ_TYPE = {
  在线支付: 'sale', // buyer's payment released to the seller (确认收货)
  交易付款: 'sale',
  交易退款: 'refund',
  收费: 'commission', // 技术服务费 / 佣金; payment-service fees are recognised by their text below
  交易分账: 'commission', // proceeds split to the platform or an affiliate
  转账: 'adjustment', // transfers in or out; affiliate commission (淘宝客) recognised below
  提现: 'payout', // withdrawal to the seller's bank account
  其它: 'unknown',
} as const satisfies Record<string, SettlementLineType>

/** Refinements the 业务类型 alone does not give, read from 商品名称 / 备注. */
function refineType(type: SettlementLineType, bizType: string, text: string): SettlementLineType {
  if (bizType === '收费' && /花呗|信用卡|支付服务费|手续费/.test(text)) return 'payment_fee'
  if (bizType === '转账' && /淘宝客佣金/.test(text)) return 'commission'
  return type
}

const TID = '(\\d{15,20})'
/** Order-id patterns in 商户订单号 (§D.1, ShopEx rules ⚠), tried in order. */
const MERCHANT_ORDER_PATTERNS = [
  new RegExp(`^T\\d+P${TID}$`),
  new RegExp(`^HJC(?:OM|AE)==.*==${TID}$`),
  new RegExp(`^CAE_POINT_.*_${TID}$`),
  new RegExp(`^GXFZ_.*_${TID}$`),
]
/** Order-id patterns in 备注: T200P<tid>, 淘宝客佣金代扣款[<tid>], {<tid>}. */
const MEMO_PATTERNS = [new RegExp(`T\\d+P${TID}`), new RegExp(`\\[${TID}\\]`), new RegExp(`\\{${TID}\\}`)]
/** Types whose 备注 carries the tid as a bare digit run when no pattern matches. */
const DIGITS_IN_MEMO = new Set(['交易退款', '转账', '交易分账'])

/** The Taobao tid a row belongs to: 业务基础订单号, then 商户订单号, then 备注; 提现 has none. */
export function tidOf(values: Readonly<Record<string, string>>): string | null {
  const bizType = values[COL.bizType] ?? ''
  if (bizType === '提现') return null
  const base = values[COL.baseOrderNo] ?? ''
  if (/^\d{15,20}$/.test(base)) return base
  const merchant = values[COL.merchantOrderNo] ?? ''
  for (const re of MERCHANT_ORDER_PATTERNS) {
    const m = re.exec(merchant)
    if (m) return m[1]!
  }
  const memo = values[COL.memo] ?? ''
  for (const re of MEMO_PATTERNS) {
    const m = re.exec(memo)
    if (m) return m[1]!
  }
  if (DIGITS_IN_MEMO.has(bizType)) return new RegExp(TID).exec(memo)?.[1] ?? null
  return null
}

/** `#收入合计：3笔，共1,234.00元` → 1234.00 (unsigned). */
function footerAmount(footer: readonly string[], label: '收入合计' | '支出合计'): Decimal | null {
  for (const line of footer) {
    const m = new RegExp(`${label}[：:]\\s*\\d+\\s*笔[，,]\\s*共\\s*(-?[\\d,]+(?:\\.\\d+)?)\\s*元`).exec(line)
    if (m) return yuanCell(m[1])?.abs() ?? null
  }
  return null
}

interface Candidate {
  index: number
  line: number
  raw: string
  values: Record<string, string>
  amount: Decimal | null
  balance: Decimal | null
}

/** Signed amount: income − expense (expense shown negative or unsigned, so its magnitude counts). */
function signedAmount(values: Readonly<Record<string, string>>): Decimal | string {
  const inText = values[COL.income] ?? ''
  const outText = values[COL.expense] ?? ''
  const income = yuanCell(inText)
  const expense = yuanCell(outText)
  if (income === null && cleanCell(inText) !== '') return `unreadable ${COL.income} "${inText}"`
  if (expense === null && cleanCell(outText) !== '') return `unreadable ${COL.expense} "${outText}"`
  if (income === null && expense === null) return 'neither income nor expense is given'
  if (income && expense && !income.isZero() && !expense.isZero()) return 'both income and expense are given'
  return (income ?? ZERO).minus((expense ?? ZERO).abs())
}

/**
 * Which way the balance chains: exports have been seen oldest-first and newest-first. Count the
 * adjacent pairs that chain each way and follow the majority (forward on a tie).
 */
function chainsForward(rows: readonly Candidate[]): boolean {
  let forward = 0
  let backward = 0
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!
    const b = rows[i]!
    if (!a.balance || !b.balance) continue
    if (b.amount && a.balance.plus(b.amount).eq(b.balance)) forward++
    if (a.amount && b.balance.plus(a.amount).eq(a.balance)) backward++
  }
  return forward >= backward
}

/** Reasons for rows that break the running balance, by candidate index. */
function balanceBreaks(rows: readonly Candidate[]): Map<number, string> {
  const breaks = new Map<number, string>()
  const ordered = chainsForward(rows) ? rows : [...rows].reverse()
  for (let i = 1; i < ordered.length; i++) {
    const prev = ordered[i - 1]!
    const cur = ordered[i]!
    if (!prev.balance || !cur.balance || !cur.amount) continue
    const expected = prev.balance.plus(cur.amount)
    if (!expected.eq(cur.balance)) {
      breaks.set(
        cur.index,
        `running balance broken: previous balance ${prev.balance.toFixed(2)} + amount ${cur.amount.toFixed(2)} = ${expected.toFixed(2)}, but the row states ${cur.balance.toFixed(2)} (wrong amount, or rows missing before it)`,
      )
    }
  }
  return breaks
}

export function parseAlipayStatement(bytes: Buffer): SettlementParseResult {
  const table = readStatement(decodeExport(bytes), REQUIRED)
  const candidates = table.rows.map((r, index): Candidate & { problem: string | null } => {
    const amount = signedAmount(r.values)
    const problem =
      typeof amount === 'string'
        ? amount
        : fromShanghai(r.values[COL.time])
          ? null
          : `unreadable ${COL.time} "${r.values[COL.time] ?? ''}"`
    return {
      index,
      line: r.line,
      raw: r.raw,
      values: r.values,
      amount: typeof amount === 'string' ? null : amount,
      balance: yuanCell(r.values[COL.balance]),
      problem,
    }
  })
  const breaks = table.headers.includes(COL.balance) ? balanceBreaks(candidates) : new Map<number, string>()
  const rejected: SettlementParseResult['rejected'] = []
  const lines: SettlementLineDraft[] = []
  for (const c of candidates) {
    const problem = c.problem ?? breaks.get(c.index) ?? null
    const occurredAt = fromShanghai(c.values[COL.time])
    if (problem !== null || !c.amount || !occurredAt) {
      rejected.push({ row: c.line, raw: c.raw, reason: problem ?? 'unreadable row' })
      continue
    }
    lines.push(toLine(c.values, c.amount, occurredAt, c.line))
  }
  const income = footerAmount(table.footer, '收入合计')
  const expense = footerAmount(table.footer, '支出合计')
  return { lines, rejected, statedTotal: income && expense ? income.minus(expense) : null }
}

function toLine(
  values: Record<string, string>,
  amount: Decimal,
  occurredAt: Date,
  line: number,
): SettlementLineDraft {
  const bizType = values[COL.bizType] ?? ''
  const text = [values[COL.item], values[COL.memo]].filter((s): s is string => !!s).join(' ')
  const base: SettlementLineType = Object.hasOwn(ALIPAY_BIZ_TYPE, bizType)
    ? ALIPAY_BIZ_TYPE[bizType as keyof typeof ALIPAY_BIZ_TYPE]
    : 'unknown'
  const type = refineType(base, bizType, text)
  const entryId = values[COL.entryId] ?? ''
  return {
    // 账务流水号 is unique per ledger entry; a row without one gets a stable hash of its content.
    externalLineId: entryId !== '' ? entryId : rowKey([...Object.values(values), String(line)]),
    orderExternalId: tidOf(values),
    type,
    platformType: bizType,
    amount,
    currency: 'CNY',
    occurredAt,
    description: text === '' ? null : text,
    payoutId: type === 'payout' ? values[COL.bizId] || entryId || null : null,
    raw: values,
  }
}

/** Σ of parsed line amounts — what a caller compares with statedTotal. */
export const parsedTotal = (r: SettlementParseResult): Decimal => sum(r.lines.map((l) => l.amount))
