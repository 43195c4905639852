/**
 * Douyin settlements, both sources pivoted to the long form (intl-and-settlements.md §D.4): one
 * SettlementLineDraft per non-zero component of a wide row, keyed `<row id>:<component>`.
 *
 *  - API: order.getSettleBillDetailV3 rows (结算账单, fen integers) — settleRowLines().
 *  - File: the 资金流水明细 / 动账明细 export (yuan text, UTF-8 BOM or GBK) — parseDouyinSettlementFile().
 *
 * Each row's lines sum exactly to what moved (settle_amount / the signed 动账金额): where our
 * components do not explain the whole movement, the difference is its own `adjustment` line named
 * 差额, so a statement always reconciles and the gap is visible instead of silently absorbed.
 */
import { fromMinor, sum, ZERO, type Decimal } from '../../src/money/index.js'
import {
  cleanCell,
  decodeExport,
  parseCsv,
  readStatement,
  yuanCell,
  type StatementTable,
} from '../cn/files.js'
import { fromShanghai } from '../cn/time.js'
import { idString } from '../json.js'
import type { SettlementLineDraft, SettlementLineType, SettlementParseResult } from '../types.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const RESIDUAL = '差额'

/** Income (+1) or cost (−1) to the merchant, as the component is named. */
interface Component {
  key: string
  type: SettlementLineType
  sign: 1 | -1
}

/**
 * Settle-row components (fen). The identity Douyin documents field by field:
 * settle_amount (商家实收) = total_income − total_outcome, total_income = real_pay_amount + the
 * subsidies − refund_before_settle, total_outcome = Σ fees. shop_coupon is not a money movement
 * (the buyer simply paid less) and total_* are sums, so they are not components.
 */
export const SETTLE_COMPONENTS: readonly Component[] = [
  { key: 'real_pay_amount', type: 'sale', sign: 1 }, // 用户实付 (goods + shipping)
  { key: 'platform_coupon', type: 'subsidy', sign: 1 }, // 平台补贴
  { key: 'author_coupon', type: 'subsidy', sign: 1 }, // 达人补贴
  { key: 'zt_pay_promotion', type: 'subsidy', sign: 1 }, // 抖音支付补贴
  { key: 'zr_pay_promotion', type: 'subsidy', sign: 1 }, // DOU分期营销补贴
  { key: 'refund_before_settle', type: 'refund', sign: -1 }, // 结算前退款
  { key: 'platform_service_fee', type: 'commission', sign: -1 }, // 平台服务费 (技术服务费)
  { key: 'commission', type: 'commission', sign: -1 }, // 佣金 (达人 / 精选联盟)
  { key: 'good_learn_channel_fee', type: 'other_fee', sign: -1 }, // 渠道分成
  { key: 'colonel_service_fee', type: 'other_fee', sign: -1 }, // 团长服务费
  { key: 'channel_promotion_fee', type: 'other_fee', sign: -1 }, // 站外推广费
  { key: 'other_sharing_amount', type: 'other_fee', sign: -1 }, // 其他分成
]

/** trade_type of a settle row: 0 is a settlement, the others move money back out. ✅ values, ❓ signs. */
export const SETTLE_TRADE_TYPE = {
  '0': '已结算',
  '1': '结算后退款-原路退回',
  '2': '保证金退款-支出退回',
  '3': '结算后退款-非原路退回',
} as const

const fenOf = (v: unknown): Decimal | null =>
  typeof v === 'number' && Number.isSafeInteger(v)
    ? fromMinor(v)
    : typeof v === 'string' && /^-?\d+$/.test(v)
      ? fromMinor(v)
      : null

const flat = (row: Obj): Record<string, string> =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')]),
  )

/**
 * One settle row → its lines. Throws on a row it cannot read (the API caller surfaces it as a
 * permanent error: a settlement row is never skipped). After-settlement refund rows (trade_type
 * 1/3) book the buyer-paid component as `refund`; amounts keep the sign Douyin gives them ❓ and
 * the 差额 line absorbs any convention we have wrong, visibly.
 */
export function settleRowLines(row: unknown): SettlementLineDraft[] {
  if (!isObj(row)) throw new Error('settle row must be an object')
  const rowId = idString(row.request_no) ?? idString(row.order_id)
  if (!rowId) throw new Error('settle row has neither request_no nor order_id')
  const settled = fenOf(row.settle_amount)
  if (!settled)
    throw new Error(
      `settle row ${rowId}: settle_amount must be fen (got ${JSON.stringify(row.settle_amount)})`,
    )
  const occurredAt = fromShanghai(row.settle_time)
  if (!occurredAt)
    throw new Error(
      `settle row ${rowId}: settle_time must be yyyy-MM-dd HH:mm:ss (got ${JSON.stringify(row.settle_time)})`,
    )
  const tradeType =
    typeof row.trade_type === 'number' || typeof row.trade_type === 'string' ? String(row.trade_type) : '0'
  const refundRow = tradeType === '1' || tradeType === '3'
  const base = {
    orderExternalId: idString(row.shop_order_id),
    currency: 'CNY',
    occurredAt,
    description:
      [
        row.flow_type_desc,
        row.pay_type_desc,
        (SETTLE_TRADE_TYPE as Record<string, string>)[tradeType],
        row.remark,
      ]
        .filter((s) => typeof s === 'string' && s !== '')
        .join(' · ') || null,
    payoutId: null,
    raw: flat(row),
  }
  const lines: SettlementLineDraft[] = []
  for (const c of SETTLE_COMPONENTS) {
    const value = row[c.key] === undefined || row[c.key] === null ? ZERO : fenOf(row[c.key])
    if (!value)
      throw new Error(`settle row ${rowId}: ${c.key} must be fen (got ${JSON.stringify(row[c.key])})`)
    if (value.isZero()) continue
    const type: SettlementLineType = refundRow && c.type === 'sale' ? 'refund' : c.type
    lines.push({
      ...base,
      externalLineId: `${rowId}:${c.key}`,
      type,
      platformType: c.key,
      amount: value.mul(c.sign),
    })
  }
  const residual = settled.minus(sum(lines.map((l) => l.amount)))
  if (!residual.isZero()) {
    lines.push({
      ...base,
      externalLineId: `${rowId}:${RESIDUAL}`,
      type: 'adjustment',
      platformType: `${RESIDUAL} settle_amount − components`,
      amount: residual,
    })
  }
  return lines
}

// ---------------------------------------------------------------------------------------------
// 资金流水明细 export

const COL = {
  time: '动账时间',
  id: '动帐流水号', // sic: 帐 — the header text independent importers match
  idAlt: '动账流水号',
  direction: '动账方向',
  amount: '动账金额',
  scene: '动账场景',
  billing: '计费类型',
  summary: '动账摘要',
  order: '订单号',
  shopOrder: '店铺单号',
} as const

/**
 * Wide columns pivoted into lines. 运费实付, 打包费 and 免佣金额 are breakdowns already inside
 * 订单实付应结 / the fee columns (their API twins pay_amount/post_amount follow the order API, where
 * pay_amount includes post_amount), so they stay in `raw` only.
 */
export const FILE_COMPONENTS: readonly Component[] = [
  { key: '订单实付应结', type: 'sale', sign: 1 },
  { key: '实际平台补贴', type: 'subsidy', sign: 1 },
  { key: '实际平台补贴_运费', type: 'subsidy', sign: 1 },
  { key: '实际达人补贴', type: 'subsidy', sign: 1 },
  { key: '实际抖音支付补贴', type: 'subsidy', sign: 1 },
  { key: '实际抖音月付营销补贴', type: 'subsidy', sign: 1 },
  { key: '银行补贴', type: 'subsidy', sign: 1 },
  { key: '政府补贴平台垫资', type: 'subsidy', sign: 1 },
  { key: '以旧换新抵扣', type: 'subsidy', sign: 1 },
  { key: '订单退款', type: 'refund', sign: -1 },
  { key: '平台服务费', type: 'commission', sign: -1 },
  { key: '佣金', type: 'commission', sign: -1 },
  { key: '服务商佣金', type: 'commission', sign: -1 },
  { key: '渠道分成', type: 'other_fee', sign: -1 },
  { key: '招商服务费', type: 'other_fee', sign: -1 },
  { key: '站外推广费', type: 'other_fee', sign: -1 },
  { key: '其他分成', type: 'other_fee', sign: -1 },
]

/** 动账方向 → sign of 动账金额. */
export const DIRECTION = { 入账: 1, 出账: -1 } as const satisfies Record<string, 1 | -1>

/** A movement with no component columns (提现, 保证金, 罚款…) is typed by its scene text; first match wins. */
export const SCENE_TYPES: readonly [RegExp, SettlementLineType][] = [
  [/提现/, 'payout'],
  [/退款|售后/, 'refund'],
  [/补贴/, 'subsidy'],
  [/服务费|佣金|分成/, 'commission'],
  [/运费|快递|物流/, 'shipping_fee'],
  [/保证金|调账|赔付|罚/, 'adjustment'],
  [/结算|货款/, 'sale'],
]

class Rejected extends Error {}

function readTable(text: string): StatementTable {
  try {
    return readStatement(text, [COL.time, COL.id, COL.direction, COL.amount])
  } catch {
    return readStatement(text, [COL.time, COL.idAlt, COL.direction, COL.amount])
  }
}

function directionOf(v: Record<string, string>): 1 | -1 {
  // Some exports name the column 动账方向(类型) next to it; the text one is the one we read.
  const text = v[COL.direction] ?? ''
  const sign = (DIRECTION as Record<string, 1 | -1>)[text]
  if (!sign) throw new Rejected(`unknown ${COL.direction} "${text}" (expected 入账 or 出账)`)
  return sign
}

function fileRowLines(values: Record<string, string>): { id: string; lines: SettlementLineDraft[] } {
  const id = values[COL.id] || values[COL.idAlt] || ''
  if (id === '') throw new Rejected(`${COL.id} is empty`)
  const occurredAt = fromShanghai(values[COL.time])
  if (!occurredAt) throw new Rejected(`${COL.time} "${values[COL.time] ?? ''}" is not yyyy-MM-dd HH:mm:ss`)
  const amount = yuanCell(values[COL.amount])
  if (!amount) throw new Rejected(`${COL.amount} "${values[COL.amount] ?? ''}" is not an amount`)
  const moved = amount.abs().mul(directionOf(values))
  const base = {
    orderExternalId: values[COL.order] || values[COL.shopOrder] || null,
    currency: 'CNY',
    occurredAt,
    description: values[COL.summary] || values[COL.scene] || null,
    payoutId: null,
    raw: values,
  }
  const parts: { c: Component; value: Decimal }[] = []
  for (const c of FILE_COMPONENTS) {
    const cell = values[c.key]
    if (cell === undefined || cell === '' || cell === '-') continue
    const value = yuanCell(cell)
    if (!value) throw new Rejected(`${c.key} "${cell}" is not an amount`)
    if (!value.isZero()) parts.push({ c, value: value.abs().mul(c.sign) })
  }
  if (parts.length === 0) {
    const scene = values[COL.scene] || values[COL.billing] || ''
    const type = SCENE_TYPES.find(([re]) => re.test(scene))?.[1] ?? 'unknown'
    return {
      id,
      lines: [
        {
          ...base,
          externalLineId: `${id}:${COL.amount}`,
          type,
          platformType: scene || COL.amount,
          amount: moved,
        },
      ],
    }
  }
  // Components are written as magnitudes; a reversal (the same row shape moving money out) flips them all.
  const natural = sum(parts.map((p) => p.value))
  const flip = !natural.eq(moved) && natural.neg().eq(moved) ? -1 : 1
  const lines: SettlementLineDraft[] = parts.map(({ c, value }) => ({
    ...base,
    externalLineId: `${id}:${c.key}`,
    type: c.type,
    platformType: c.key,
    amount: value.mul(flip),
  }))
  const residual = moved.minus(sum(lines.map((l) => l.amount)))
  if (!residual.isZero()) {
    lines.push({
      ...base,
      externalLineId: `${id}:${RESIDUAL}`,
      type: 'adjustment',
      platformType: `${RESIDUAL} ${COL.amount} − 分项`,
      amount: residual,
    })
  }
  return { id, lines }
}

/**
 * The stated net total, when the export states one: a 合计 row with a value under 动账金额, or
 * `#…入账…合计：x` / `#…出账…合计：y` lines (net = x − y). ⚠ Douyin's footer shape is not documented;
 * both shapes are read.
 */
export function statedTotalOf(footer: readonly string[], headers: readonly string[]): Decimal | null {
  const amountAt = headers.indexOf(COL.amount)
  let income: Decimal | null = null
  let outgo: Decimal | null = null
  for (const line of footer) {
    const cells = parseCsv(line)[0]?.cells ?? []
    if (/^(合计|总计)/.test(cleanCell(cells[0])) && amountAt >= 0) {
      const total = yuanCell(cells[amountAt])
      if (total) return total
    }
    for (const m of line.matchAll(/(入账|出账)[^:：\d-]*[:：]\s*([+-]?[\d,]+(?:\.\d+)?)/g)) {
      const value = yuanCell(m[2])
      if (!value) continue
      if (m[1] === '入账') income = (income ?? ZERO).plus(value.abs())
      else outgo = (outgo ?? ZERO).plus(value.abs())
    }
  }
  return income === null && outgo === null ? null : (income ?? ZERO).minus(outgo ?? ZERO)
}

export function parseDouyinSettlementFile(bytes: Buffer): SettlementParseResult {
  const text = decodeExport(bytes)
  let table: StatementTable
  try {
    table = readTable(text)
  } catch (err) {
    return {
      lines: [],
      rejected: [{ row: 0, raw: text.slice(0, 2000), reason: (err as Error).message }],
      statedTotal: null,
    }
  }
  const lines: SettlementLineDraft[] = []
  const rejected: SettlementParseResult['rejected'] = []
  const seen = new Set<string>()
  for (const row of table.rows) {
    try {
      const movement = fileRowLines(row.values)
      // Line keys are `<动帐流水号>:<component>`: a movement id seen twice would collide, so the second is rejected.
      if (seen.has(movement.id)) throw new Rejected(`${COL.id} ${movement.id} appears twice in the file`)
      seen.add(movement.id)
      lines.push(...movement.lines)
    } catch (err) {
      if (!(err instanceof Rejected)) throw err
      rejected.push({ row: row.line, raw: row.raw, reason: err.message })
    }
  }
  return { lines, rejected, statedTotal: statedTotalOf(table.footer, table.headers) }
}
