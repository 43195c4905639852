/**
 * JD 结算单 / 钱包结算明细 export (intl-and-settlements.md §D.3 ⚠: header text as seen by two
 * independent importers; no official layout). GBK or UTF-8 with BOM, an optional `#` preamble,
 * ids wrapped as ="…", one amount plus a 收支方向 column, and sometimes a 合计 footer. Pure.
 */
import type { Decimal } from '../../src/money/index.js'
import { cleanCell, decodeExport, parseCsv, readStatement, rowKey, yuanCell } from '../cn/files.js'
import { fromShanghai } from '../cn/time.js'
import type { SettlementLineDraft, SettlementLineType, SettlementParseResult } from '../types.js'

/** Columns without which a row cannot be booked; the rest (收支方向, times, 币种…) are read when present. */
export const REQUIRED_COLUMNS = ['订单编号', '单据编号', '费用项', '金额'] as const

/**
 * 费用项 → line type. 货款/佣金/代收配送费/随单送的京豆/短信服务费 are the documented items (§D.3;
 * the full list is ❓). 随单送的京豆 is other_fee, not subsidy: the merchant chose to give JD beans
 * with the order and JD bills the merchant for them (支出) — a marketing cost the merchant funds,
 * whereas a subsidy is money the platform adds. 代收配送费 is the freight JD collected from the buyer
 * for the merchant. Anything else is kept as `unknown` with its text, never guessed.
 */
export const FEE_ITEM_TYPE: Readonly<Record<string, SettlementLineType>> = {
  货款: 'sale',
  佣金: 'commission',
  代收配送费: 'shipping_fee',
  随单送的京豆: 'other_fee',
  短信服务费: 'other_fee',
}

/** 单据类型 whose 货款 row moves sale money back to the buyer (FxJingdongBill: 2 取消退款单, 3 售后服务单). */
const REFUND_DOCUMENTS = new Set(['取消退款单', '售后服务单'])

export function lineType(feeItem: string, documentType: string): SettlementLineType {
  const t = FEE_ITEM_TYPE[feeItem] ?? 'unknown'
  return t === 'sale' && REFUND_DOCUMENTS.has(documentType) ? 'refund' : t
}

/** Times as exported: "yyyy-MM-dd HH:mm:ss", with "/" separators from Excel, or a bare date. */
export function exportTime(value: string): Date | null {
  const v = value.trim().replace(/\//g, '-')
  if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(v)) return fromShanghai(`${pad(v)} 00:00:00`)
  const m = /^(\d{4}-\d{1,2}-\d{1,2})[ T](\d{1,2}:\d{2}(:\d{2})?)$/.exec(v)
  if (!m) return null
  const time = m[3] ? m[2]! : `${m[2]!}:00`
  return fromShanghai(`${pad(m[1]!)} ${time.padStart(8, '0')}`)
}
const pad = (date: string): string => date.replace(/-(\d)(?=-|$)/g, '-0$1')

/** 收入 → +, 支出 → −; without a direction the amount keeps its own sign (JD's convention for 金额 is ❓). */
function signed(amount: Decimal, direction: string): Decimal | string {
  if (direction === '收入') return amount.abs()
  if (direction === '支出') return amount.abs().negated()
  if (direction === '') return amount
  return `收支方向 "${direction}" is neither 收入 nor 支出`
}

interface Row {
  line: number
  raw: string
  values: Record<string, string>
}

function readRow(row: Row, ids: ReadonlyMap<string, number>): SettlementLineDraft | string {
  const v = row.values
  const fee = v['费用项'] ?? ''
  if (fee === '') return '费用项 is empty'
  const amount = yuanCell(v['金额'])
  if (!amount) return `金额 "${v['金额'] ?? ''}" is not an amount`
  const value = signed(amount, v['收支方向'] ?? '')
  if (typeof value === 'string') return value
  // Book on 费用结算时间 (§D.3); rows not yet settled carry only the billing or occurrence time.
  const timeText =
    [v['费用结算时间'], v['费用计费时间'], v['费用发生时间']].find((t) => t !== undefined && t !== '') ?? ''
  const occurredAt = exportTime(timeText)
  if (!occurredAt) return `no readable 费用结算时间/费用计费时间/费用发生时间 ("${timeText}")`
  const doc = v['单据编号'] ?? ''
  // 单据编号 is the row id (ShopEx dedupes on it); a document split over several fee items keeps them apart by item.
  const externalLineId =
    doc === ''
      ? rowKey([...Object.values(v), String(row.line)])
      : (ids.get(doc) ?? 0) > 1
        ? `${doc}:${fee}`
        : doc
  return {
    externalLineId,
    orderExternalId: v['订单编号'] || null,
    type: lineType(fee, v['单据类型'] ?? ''),
    platformType: fee,
    amount: value,
    currency: v['币种'] || 'CNY',
    occurredAt,
    description: v['商品名称'] || v['备注'] || v['钱包结算备注'] || null,
    payoutId: null,
    raw: v,
  }
}

/** A 合计/总计 footer: the amount under the 金额 column, or the first amount after the word. */
function footerTotal(footer: readonly string[], amountColumn: number): Decimal | null {
  for (const line of footer) {
    const cells = parseCsv(line.replace(/^#/, ''))[0]?.cells ?? []
    const inColumn =
      /^(合计|总计)/.test(cleanCell(cells[0])) && amountColumn >= 0 ? yuanCell(cells[amountColumn]) : null
    if (inColumn) return inColumn
    const m = /(?:合计|总计)[^\d-]*(-?[\d,]+(?:\.\d+)?)/.exec(line)
    const loose = m ? yuanCell(m[1]) : null
    if (loose) return loose
  }
  return null
}

export function parseJdSettlement(bytes: Buffer): SettlementParseResult {
  const text = decodeExport(bytes)
  const table = readStatement(text, REQUIRED_COLUMNS)
  const ids = new Map<string, number>()
  for (const r of table.rows) {
    const doc = r.values['单据编号'] ?? ''
    if (doc !== '') ids.set(doc, (ids.get(doc) ?? 0) + 1)
  }
  const lines: SettlementLineDraft[] = []
  const rejected: SettlementParseResult['rejected'] = []
  for (const row of table.rows) {
    const out = readRow(row, ids)
    if (typeof out === 'string') rejected.push({ row: row.line, raw: row.raw, reason: out })
    else lines.push(out)
  }
  return { lines, rejected, statedTotal: footerTotal(table.footer, table.headers.indexOf('金额')) }
}
