/**
 * Raising what the normalizer found on an order, and clearing what a newer version no longer
 * shows. An exception a person resolved is not raised again for the same cause (same reason and
 * same detail): resolving a buyer note, an address the carrier can in fact use or a shipment made
 * outside the hub is a decision that a re-run must respect. An unmapped SKU is the exception: it is
 * raised again until the SKU is mapped, since the order cannot be allocated without it.
 */
import type { Executor } from '../db/connect.js'
import { openReasons, raiseException, resolveExceptions } from './exceptions.js'
import type { FoundException } from './normalize.js'
import type { ExceptionReason } from './tables.js'

/** JSON with object keys sorted, so a detail read back from MySQL 8 (which reorders keys) compares equal. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`
  if (v && typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`)
      .join(',')}}`
  }
  return JSON.stringify(v ?? null)
}

const fingerprint = (reason: string, detail: unknown) => `${reason}|${stableJson(detail)}`

export interface FoundContext {
  merchantId: string
  shopId: string
  orderId: string
  rawInboxId: string
  /** A brand-new order has no resolved exceptions and nothing to clear. */
  isNew: boolean
  /** The order had open exceptions before this version. */
  hadOpen: boolean
  /** Reasons this version may clear (those it no longer shows). */
  clearable: readonly ExceptionReason[]
  /** The caller's clock: when what is cleared is resolved. */
  at: Date
}

/** Raise `found`, clear what no longer applies; returns the reasons open afterwards. */
export async function syncFound(
  db: Executor,
  c: FoundContext,
  found: readonly FoundException[],
): Promise<ExceptionReason[]> {
  let acked = new Set<string>()
  const ackable = [...new Set(found.filter((f) => f.reason !== 'sku_unmapped').map((f) => f.reason))]
  if (!c.isNew && ackable.length > 0) {
    const resolved = await db
      .selectFrom('order_exceptions')
      .select(['reason', 'detail'])
      .where('merchant_id', '=', c.merchantId)
      .where('order_id', '=', c.orderId)
      .where('status', '=', 'resolved')
      .where('reason', 'in', ackable)
      .execute()
    acked = new Set(
      resolved.map((r) =>
        fingerprint(r.reason, typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail),
      ),
    )
  }
  let raised = 0
  for (const f of found) {
    if (acked.has(fingerprint(f.reason, f.detail))) continue
    if (
      await raiseException(db, c.merchantId, {
        shopId: c.shopId,
        orderId: c.orderId,
        rawInboxId: c.rawInboxId,
        reason: f.reason,
        detail: f.detail,
      })
    )
      raised++
  }
  const shown = new Set(found.map((f) => f.reason))
  const cleared = c.clearable.filter((r) => !shown.has(r))
  if (c.hadOpen && cleared.length > 0)
    await resolveExceptions(
      db,
      c.merchantId,
      { orderId: c.orderId, reasons: cleared },
      'pipeline',
      'cleared by a newer platform version',
      c.at,
    )
  return c.hadOpen || found.length > 0 || raised > 0 ? openReasons(db, c.merchantId, c.orderId) : []
}
