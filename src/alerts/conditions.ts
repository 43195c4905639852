/**
 * What each rule watches, read now: the list of conditions that hold, each with a stable key
 * (the same condition keeps its key from scan to scan, so it is alerted once until it clears).
 */
import type { Executor } from '../db/connect.js'
import { listLowStock } from '../inventory/repo.js'
import { reconcile } from '../ledger/reconcile.js'
import { localDate } from '../ledger/statements.js'
import { money, toAmount, ZERO } from '../money/index.js'
import { agedExceptions, failedWritebacks, orderStreams, shopNames, skuNames, type RuleRow } from './repo.js'
import { ALERT_KINDS, type AlertKind } from './tables.js'

export interface Condition {
  kind: AlertKind
  key: string
  subject: string
  detail: Record<string, unknown>
}

/** A rule's threshold when the merchant set none, and what it counts in. */
export const DEFAULT_THRESHOLD: Record<AlertKind, number | null> = {
  low_stock: null, // each SKU's own threshold (PUT /stock/thresholds)
  sync_stalled: 60, // minutes since the last good order pull
  exception_aged: 24, // hours an exception has stayed open
  writeback_failed: null,
  settlement_difference: 1, // whole units of the order's currency
}

/** Every kind with the merchant's setting, or the default (all on). */
export function effectiveRules(saved: readonly RuleRow[]): RuleRow[] {
  return ALERT_KINDS.map(
    (kind) =>
      saved.find((r) => r.kind === kind) ?? { kind, enabled: true, threshold: DEFAULT_THRESHOLD[kind] },
  )
}

const HOUR_MS = 3_600_000

export async function currentConditions(
  db: Executor,
  merchantId: string,
  rules: readonly RuleRow[],
  now: Date,
  timezone: string,
): Promise<Condition[]> {
  const on = (k: AlertKind) => rules.find((r) => r.kind === k && r.enabled)
  const limit = (k: AlertKind) => on(k)?.threshold ?? DEFAULT_THRESHOLD[k] ?? 0
  const out: Condition[] = []

  if (on('low_stock')) {
    const low = await listLowStock(db, merchantId, { limit: 500 })
    const names = await skuNames(
      db,
      merchantId,
      low.map((l) => l.sku_id),
    )
    for (const l of low)
      out.push({
        kind: 'low_stock',
        key: `low_stock.${l.sku_id}`,
        subject:
          `${l.code} ${names.get(l.sku_id) ?? ''} 可用 ${l.available}，低于预警值 ${l.threshold}`.trim(),
        detail: { skuId: l.sku_id, code: l.code, available: Number(l.available), threshold: l.threshold },
      })
  }

  if (on('sync_stalled')) {
    const minutes = limit('sync_stalled')
    for (const s of await orderStreams(db, merchantId)) {
      const since = s.last_ok_at ?? null
      const stale =
        since === null ? s.last_run_at !== null : now.getTime() - since.getTime() > minutes * 60_000
      if (!stale) continue
      const lag = since === null ? null : Math.floor((now.getTime() - since.getTime()) / 60_000)
      out.push({
        kind: 'sync_stalled',
        key: `sync_stalled.${s.shop_id}`,
        subject:
          lag === null
            ? `店铺「${s.name}」的订单从未同步成功`
            : `店铺「${s.name}」已 ${lag} 分钟没有同步到订单（阈值 ${minutes} 分钟）`,
        detail: {
          shopId: s.shop_id,
          shopName: s.name,
          channel: s.channel,
          lastOkAt: since?.toISOString() ?? null,
          lagMinutes: lag,
          lastError: s.last_error,
        },
      })
    }
  }

  if (on('exception_aged')) {
    const hours = limit('exception_aged')
    for (const e of await agedExceptions(db, merchantId, new Date(now.getTime() - hours * HOUR_MS)))
      out.push({
        kind: 'exception_aged',
        key: `exception_aged.${e.reason}`,
        subject: `${e.n} 个异常订单超过 ${hours} 小时未处理`,
        detail: { reason: e.reason, count: e.n, hours, oldestAt: e.oldest.toISOString() },
      })
  }

  if (on('writeback_failed'))
    for (const w of await failedWritebacks(db, merchantId))
      out.push({
        kind: 'writeback_failed',
        key: `writeback_failed.${w.id}`,
        subject: `「${w.shop_name}」订单 ${w.external_id} 发货回传失败`,
        detail: {
          writebackId: w.id,
          shopName: w.shop_name,
          orderExternalId: w.external_id,
          attempts: w.attempts,
          error: w.last_error,
        },
      })

  if (on('settlement_difference')) {
    const least = money(String(limit('settlement_difference')))
    // The last 31 days of settlements, as the reconciliation screen reads them.
    const to = localDate(new Date(now.getTime() + 24 * HOUR_MS), timezone)
    const from = localDate(new Date(now.getTime() - 31 * 24 * HOUR_MS), timezone)
    const { findings } = await reconcile(db, merchantId, { from, to, timezone, now })
    const names = await shopNames(db, merchantId)
    const byShop = new Map<string, { n: number; total: ReturnType<typeof money>; currency: string }>()
    for (const f of findings) {
      if (f.kind !== 'amount_differs' && f.kind !== 'fee_differs') continue
      const diff =
        f.kind === 'amount_differs'
          ? money(f.difference ?? '0')
          : money(f.commissionActual ?? '0').minus(money(f.commissionExpected ?? '0'))
      if (diff.abs().lt(least)) continue
      const k = `${f.shopId}.${f.currency}`
      const agg = byShop.get(k) ?? { n: 0, total: ZERO, currency: f.currency }
      byShop.set(k, { n: agg.n + 1, total: agg.total.plus(diff.abs()), currency: f.currency })
    }
    for (const [k, agg] of byShop) {
      const shopId = k.split('.')[0]!
      out.push({
        kind: 'settlement_difference',
        key: `settlement_difference.${k}`,
        subject: `店铺「${names.get(shopId) ?? shopId}」有 ${agg.n} 笔结算差异，合计 ${toAmount(agg.total)} ${agg.currency}`,
        detail: {
          shopId,
          shopName: names.get(shopId) ?? null,
          count: agg.n,
          total: toAmount(agg.total),
          currency: agg.currency,
          from,
          to,
        },
      })
    }
  }
  return out
}
