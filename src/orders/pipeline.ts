/**
 * Normalizing one raw inbox entry into the pool, in one transaction: map (pure) → SKU mapping →
 * apportionment → state machine → upsert. Returns the events to emit once the transaction commits.
 */
import { getConnector } from '../../connectors/index.js'
import type { Db } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import type { Channel } from '../db/schema.js'
import { loadCatalogue } from './catalogue.js'
import type { OrderEvent } from './events.js'
import { openReasons, raiseException, resolveExceptions } from './exceptions.js'
import { BLOCKING, normalize } from './normalize.js'
import { lockOrder, recordStatusChange, writeOrder, type ShopRef } from './repo.js'
import { attachPendingRefunds } from './refunds.js'
import { nextStatus } from './state.js'
import type { ExceptionReason } from './tables.js'
import type { MapResult, UnifiedOrderDraft } from './types.js'

export interface PipelineShop extends ShopRef {
  channel: Channel
  settings: Readonly<Record<string, unknown>>
}

export type Outcome = 'applied' | 'unchanged' | 'stale' | 'failed' | 'invalid_transition'

export interface InboxEntry {
  id: string
  payload: string
}

/** mapOrder is pure, but a bug in it must not lose the payload: a throw becomes a failure result. */
export function safeMap(channel: Channel, payload: unknown): MapResult<UnifiedOrderDraft> {
  try {
    return getConnector(channel).mapOrder(payload)
  } catch (err) {
    return { ok: false, reason: 'mapper_error', detail: err instanceof Error ? err.message : String(err) }
  }
}

export async function normalizeInboxOrder(db: Db, shop: PipelineShop, entry: InboxEntry): Promise<{ outcome: Outcome; events: OrderEvent[]; orderId?: string }> {
  const { merchantId } = shop
  return withTx(db, async (tx) => {
    const mark = (outcome: Outcome, error: string | null = null) =>
      tx.updateTable('raw_inbox').set({ outcome, error }).where('merchant_id', '=', merchantId).where('id', '=', entry.id).execute()
    let payload: unknown
    try {
      payload = JSON.parse(entry.payload)
    } catch (err) {
      await raiseException(tx, merchantId, { shopId: shop.id, rawInboxId: entry.id, reason: 'mapping_failed', detail: { error: `stored payload is not JSON: ${String(err)}` } })
      await mark('failed', 'payload is not JSON')
      return { outcome: 'failed' as const, events: [] }
    }
    const mapped = safeMap(shop.channel, payload)
    if (!mapped.ok) {
      await raiseException(tx, merchantId, { shopId: shop.id, rawInboxId: entry.id, reason: 'mapping_failed', detail: { reason: mapped.reason, error: mapped.detail } })
      await mark('failed', `${mapped.reason}: ${mapped.detail}`.slice(0, 2000))
      return { outcome: 'failed' as const, events: [] }
    }
    const draft = mapped.value
    const existing = await lockOrder(tx, shop, draft.externalId)
    if (existing && draft.platformUpdatedAt.getTime() < existing.platform_updated_at.getTime()) {
      await mark('stale')
      return { outcome: 'stale' as const, events: [], orderId: existing.id }
    }
    const transition = nextStatus(existing?.status ?? null, draft.status, draft.refundState)
    if (!transition.ok) {
      if (existing) {
        await raiseException(tx, merchantId, { shopId: shop.id, orderId: existing.id, rawInboxId: entry.id, reason: 'invalid_transition', detail: { from: existing.status, to: draft.status, platformStatus: draft.platformStatus } })
      }
      await mark('invalid_transition', transition.reason)
      return { outcome: 'invalid_transition' as const, events: [], ...(existing ? { orderId: existing.id } : {}) }
    }
    const catalogue = await loadCatalogue(tx, merchantId, shop.id, draft.lines)
    const n = normalize(draft, catalogue, { reviewBuyerNotes: shop.settings.reviewBuyerNotes === true })
    const orderId = await writeOrder(tx, shop, draft, n, transition.status, existing?.id, entry.id)
    if (existing?.status !== transition.status) {
      await recordStatusChange(tx, merchantId, orderId, existing?.status ?? null, transition.status, 'platform', draft.platformStatus)
    }
    if (!existing) await attachPendingRefunds(tx, merchantId, shop.id, orderId, draft.externalId)
    const found = new Set<ExceptionReason>(n.exceptions.map((e) => e.reason))
    for (const e of n.exceptions) await raiseException(tx, merchantId, { shopId: shop.id, orderId, rawInboxId: entry.id, reason: e.reason, detail: e.detail })
    // What this version no longer shows is resolved: a mapping that now exists, an address fixed on the platform.
    const cleared = (['sku_unmapped', 'address_unusable', 'conflicting_update', 'invalid_transition'] as const).filter((r) => !found.has(r))
    // A new order, or one without open exceptions, has nothing to clear or re-read (the hot path of ingest).
    const hadOpen = (existing?.open_exceptions ?? 0) > 0
    if (hadOpen) await resolveExceptions(tx, merchantId, { orderId, reasons: cleared }, 'pipeline', 'cleared by a newer platform version')
    const open = hadOpen || n.exceptions.length > 0 ? await openReasons(tx, merchantId, orderId) : []
    await mark('applied')
    return { outcome: 'applied' as const, events: eventsFor(merchantId, orderId, existing, transition.status, draft, open), orderId }
  }, { isolation: 'read committed' })
}

function eventsFor(
  merchantId: string,
  orderId: string,
  before: { status: string; refund_state: string; platform_updated_at: Date } | undefined,
  status: string,
  draft: UnifiedOrderDraft,
  openExceptions: readonly string[],
): OrderEvent[] {
  const events: OrderEvent[] = []
  const e = (kind: OrderEvent['kind'], key: string) => events.push({ merchantId, orderId, kind, key })
  const blocked = openExceptions.some((r) => BLOCKING.includes(r))
  if (status === 'paid' && !blocked) e('paid', `${orderId}.paid`)
  if (status === 'cancelled' && before?.status !== 'cancelled') e('cancelled', `${orderId}.cancelled`)
  if (draft.refundState !== (before?.refund_state ?? 'none')) {
    if (draft.refundState === 'requested') e('refund_requested', `${orderId}.refund_requested.${draft.platformUpdatedAt.getTime()}`)
    if (draft.refundState === 'partial' || draft.refundState === 'refunded') e('refunded', `${orderId}.refund_state.${draft.refundState}.${draft.platformUpdatedAt.getTime()}`)
  }
  if (before && draft.platformUpdatedAt.getTime() > before.platform_updated_at.getTime()) e('changed', `${orderId}.changed.${draft.platformUpdatedAt.getTime()}`)
  return events
}
