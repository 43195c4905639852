/**
 * PDD 货款明细 (daily merchant bill) file → settlement lines (intl-and-settlements.md §D.2 ⚠: the
 * header as seen by independent importers; PDD publishes no layout). Pure: bytes in, lines out.
 *
 * Layout handled: UTF-8 with BOM (what importers see, ⚠) or GBK (also seen; the reference asks for
 * both); optional `#` preamble lines; header 商户订单号, 发生时间, 收入金额（+元）, 支出金额（-元）,
 * 账务类型, 备注, 业务描述 found by name; cells possibly TAB-suffixed or ="…"-wrapped; an optional footer
 * (a 合计 row under the amount columns, or `#收入合计…共X元` / `#支出合计…共Y元` lines) — whether PDD
 * writes a footer at all is not confirmed, so none is required. 支出 is shown unsigned or negative
 * depending on the export (⚠), so its absolute value is taken; amount = 收入 − |支出|.
 *
 * The file has no row id. externalLineId = rowKey(the row's seven cells) + "." + how many times that
 * same content has occurred so far in the file: two identical fee rows in one file stay distinct,
 * and the same row in an overlapping re-download gets the same id again.
 */
import { sum, ZERO, type Decimal } from '../../src/money/index.js'
import { cleanCell, decodeExport, parseCsv, readStatement, rowKey, yuanCell } from '../cn/files.js'
import { fromShanghai } from '../cn/time.js'
import type { SettlementLineDraft, SettlementLineType, SettlementParseResult } from '../types.js'

export const COL = {
  order: '商户订单号',
  time: '发生时间',
  income: '收入金额（+元）',
  expense: '支出金额（-元）',
  type: '账务类型',
  memo: '备注',
  desc: '业务描述',
} as const

const REQUIRED = [COL.order, COL.time, COL.income, COL.expense, COL.type] as const
/** The content that identifies a row (the seven documented columns). */
const KEY_COLUMNS = [COL.order, COL.time, COL.income, COL.expense, COL.type, COL.memo, COL.desc] as const

/**
 * 账务类型 → line type. ⚠ 交易收入 / 退款 / 技术服务费 are in the reference; 多多进宝佣金 (affiliate
 * commission) is named in the brief; the rest (❓) come from an independent importer's classifier
 * (提现/充值/转账 = transfers, 推广/广告 spend, 售后费用, 消费者体验提升计划, 小额打款 …). 小额打款 is a
 * payment the merchant makes to the buyer as after-sales compensation: an other_fee, not a refund of
 * the order. Anything not listed stays `unknown` with its text kept in platformType.
 */
export const BILL_TYPE: Readonly<Record<string, SettlementLineType>> = {
  交易收入: 'sale',
  退款: 'refund',
  技术服务费: 'commission',
  多多进宝佣金: 'commission',
  多多进宝: 'commission',
  优惠券结算: 'subsidy',
  百亿补贴: 'subsidy',
  提现: 'payout',
  转账: 'adjustment',
  充值: 'adjustment',
  扣款: 'other_fee',
  售后费用: 'other_fee',
  小额打款: 'other_fee',
  消费者体验提升计划: 'other_fee',
  推广费: 'other_fee',
  费用返还: 'adjustment',
  申诉补回: 'adjustment',
  其他收入: 'adjustment',
}

export function parsePddBill(bytes: Buffer): SettlementParseResult {
  const text = decodeExport(bytes)
  let table: ReturnType<typeof readStatement>
  try {
    table = readStatement(text, REQUIRED)
  } catch (err) {
    // Not a 货款明细 at all: one rejected entry that says so, with the start of the file.
    return {
      lines: [],
      rejected: [{ row: 0, raw: text.slice(0, 500), reason: (err as Error).message }],
      statedTotal: null,
    }
  }
  const lines: SettlementLineDraft[] = []
  const rejected: SettlementParseResult['rejected'] = []
  const occurrences = new Map<string, number>()
  for (const row of table.rows) {
    const parsed = readRow(row.values)
    if (typeof parsed === 'string') {
      rejected.push({ row: row.line, raw: row.raw, reason: parsed })
      continue
    }
    const key = rowKey(KEY_COLUMNS.map((c) => row.values[c] ?? ''))
    const n = (occurrences.get(key) ?? 0) + 1
    occurrences.set(key, n)
    lines.push({ ...parsed, externalLineId: `${key}.${n}`, raw: row.values })
  }
  return { lines, rejected, statedTotal: statedTotal(table.footer, table.headers) }
}

function readRow(v: Record<string, string>): Omit<SettlementLineDraft, 'externalLineId' | 'raw'> | string {
  const platformType = v[COL.type] ?? ''
  if (platformType === '') return `${COL.type} is empty`
  const occurredAt = fromShanghai(v[COL.time])
  if (!occurredAt) return `${COL.time} "${v[COL.time] ?? ''}" is not a 'yyyy-MM-dd HH:mm:ss' time`
  const income = amountCell(v[COL.income], COL.income)
  if (typeof income === 'string') return income
  const expense = amountCell(v[COL.expense], COL.expense)
  if (typeof expense === 'string') return expense
  if (income === null && expense === null) return `neither ${COL.income} nor ${COL.expense} holds an amount`
  const order = v[COL.order] ?? ''
  return {
    orderExternalId: order === '' ? null : order,
    type: BILL_TYPE[platformType] ?? 'unknown',
    platformType,
    amount: (income ?? ZERO).abs().minus((expense ?? ZERO).abs()),
    currency: 'CNY',
    occurredAt,
    description: v[COL.desc] || v[COL.memo] || null,
    payoutId: null,
  }
}

/** An amount cell: empty → null; present but unreadable → the reason it is rejected. */
function amountCell(value: string | undefined, column: string): Decimal | null | string {
  const v = cleanCell(value)
  if (v === '' || v === '-') return null
  return yuanCell(v) ?? `${column} "${v}" is not an amount`
}

/**
 * Footer total (收入 − 支出): a 合计/总计 row under the amount columns, or else `#收入合计…共X元` and
 * `#支出合计…共Y元` lines (the Alipay-style footer); null when the file states none. When both shapes
 * are present the row wins, so the same total is never counted twice.
 */
export function statedTotal(footer: readonly string[], headers: readonly string[]): Decimal | null {
  let fromRow: Decimal | null = null
  const fromComments: Decimal[] = []
  for (const raw of footer) {
    const comment = /^\s*#?\s*(收入|支出)合计[^共]*共\s*([-+]?[\d,]+(?:\.\d+)?)\s*元/.exec(raw)
    if (comment) {
      const d = yuanCell(comment[2])
      if (d) fromComments.push(comment[1] === '收入' ? d.abs() : d.abs().negated())
      continue
    }
    const cells = parseCsv(raw)[0]?.cells ?? []
    if (!/^(合计|总计)/.test(cleanCell(cells[0]))) continue
    const income = yuanCell(cells[headers.indexOf(COL.income)])
    const expense = yuanCell(cells[headers.indexOf(COL.expense)])
    if (income || expense) fromRow = (income ?? ZERO).abs().minus((expense ?? ZERO).abs())
  }
  return fromRow ?? (fromComments.length > 0 ? sum(fromComments) : null)
}
