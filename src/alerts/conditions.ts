/**
 * What each rule watches, read now: the list of conditions that hold, each with a stable key
 * (the same condition keeps its key from scan to scan, so it is alerted once until it clears).
 */
import type { Executor } from '../db/connect.js'
import { listLowStock } from '../inventory/repo.js'
import { failedPulls } from '../ledger/rate-pull.js'
import { reconcile } from '../ledger/reconcile.js'
import { localDate } from '../ledger/statements.js'
import { money, toAmount, ZERO } from '../money/index.js'
import { agedExceptions, failedWritebacks, orderStreams, shopNames, skuNames, type RuleRow } from './repo.js'
import type { Locale } from '../users/types.js'
import { subjectOf } from './format.js'
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
  rate_pull_failed: null, // the daily pull's last attempt failed
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
  lang: Locale = 'zh-CN',
): Promise<Condition[]> {
  const on = (k: AlertKind) => rules.find((r) => r.kind === k && r.enabled)
  const limit = (k: AlertKind) => on(k)?.threshold ?? DEFAULT_THRESHOLD[k] ?? 0
  const out: Omit<Condition, 'subject'>[] = []

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
        detail: {
          skuId: l.sku_id,
          code: l.code,
          skuName: names.get(l.sku_id) ?? null,
          available: Number(l.available),
          threshold: l.threshold,
        },
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
        detail: {
          shopId: s.shop_id,
          shopName: s.name,
          channel: s.channel,
          lastOkAt: since?.toISOString() ?? null,
          lagMinutes: lag,
          thresholdMinutes: minutes,
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
        detail: { reason: e.reason, count: e.n, hours, oldestAt: e.oldest.toISOString() },
      })
  }

  if (on('writeback_failed'))
    for (const w of await failedWritebacks(db, merchantId))
      out.push({
        kind: 'writeback_failed',
        key: `writeback_failed.${w.id}`,
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
  if (on('rate_pull_failed'))
    for (const p of await failedPulls(db, merchantId))
      out.push({
        kind: 'rate_pull_failed',
        key: `rate_pull_failed.${p.source}`,
        detail: { source: p.source, day: p.day, attempts: p.attempts, providerError: p.error },
      })
  // Subjects in the merchant's language, from the same detail the webhook message is built from.
  return out.map((c) => ({ ...c, subject: subjectOf(c.kind, c.detail, lang) ?? c.kind }))
}
