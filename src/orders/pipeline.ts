/**
 * Normalizing one raw inbox entry into the pool, in one transaction: map (pure) → SKU mapping →
 * apportionment → state machine → upsert. Returns the events to emit once the transaction commits.
 *
 * Versions: an entry older than the stored platform_updated_at is `stale` and changes nothing. Two
 * different payloads with the SAME platform time are a conflicting update: the one with the greater
 * content hash wins (so any arrival order, and a replay, converge to the same pool) and a
 * `conflicting_update` exception stays open until a strictly newer version arrives or a person
 * resolves it — unless both payloads map to the same order (one version in two shapes). A re-run whose rows equal what is stored (same pool hash) writes nothing: `unchanged`.
 */
import { getConnector } from '../../connectors/index.js'
import { parseJsonExact } from '../../connectors/json.js'
import type { AppContext } from '../context.js'
import type { Executor } from '../db/connect.js'
import type { Channel } from '../db/schema.js'
import { loadCatalogue } from './catalogue.js'
import { withEvents } from './outbox.js'
import type { OrderEvent } from './events.js'
import { raiseException } from './exceptions.js'
import { syncFound } from './found.js'
import { BLOCKING, normalize, type FoundException } from './normalize.js'
import { lockOrder, writeOrder, type ShopRef, type StoredOrderHead } from './repo.js'
import { attachPendingRefunds, rollUpRefunds } from './refunds.js'
import { contentHash, orderValues, poolHash } from './rows.js'
import { nextStatus } from './state.js'
import type { MapResult, UnifiedOrderDraft } from './types.js'
import type { HubSettings } from '../../connectors/settings.js'

export interface PipelineShop extends ShopRef {
  channel: Channel
  /** The shop's parsed hub settings (autoMerge, reviewBuyerNotes). */
  settings: Readonly<Partial<HubSettings>>
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

export async function normalizeInboxOrder(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  shop: PipelineShop,
  entry: InboxEntry,
): Promise<{ outcome: Outcome; events: OrderEvent[]; orderId?: string }> {
  const { merchantId } = shop
  return withEvents(
    ctx.db,
    async (tx) => {
      // What this run settles by itself (an exception cleared, a waiting refund's) is resolved now.
      const now = ctx.clock.now()
      const mark = (outcome: Outcome, error: string | null = null) =>
        tx
          .updateTable('raw_inbox')
          .set({ outcome, error })
          .where('merchant_id', '=', merchantId)
          .where('id', '=', entry.id)
          .execute()
      let mapped: MapResult<UnifiedOrderDraft>
      try {
        mapped = safeMap(shop.channel, parseJsonExact(entry.payload))
      } catch (err) {
        mapped = {
          ok: false,
          reason: 'malformed_payload',
          detail: `stored payload is not JSON: ${String(err)}`,
        }
      }
      if (!mapped.ok) {
        await raiseException(tx, merchantId, {
          shopId: shop.id,
          rawInboxId: entry.id,
          reason: 'mapping_failed',
          detail: { reason: mapped.reason, error: mapped.detail },
        })
        await mark('failed', `${mapped.reason}: ${mapped.detail}`.slice(0, 2000))
        return { outcome: 'failed' as const, events: [] }
      }
      const draft = mapped.value
      const existing = await lockOrder(tx, shop, draft.externalId)
      // A version refused outright still shows its exception, unless a person already resolved that very one.
      const raiseUnlessResolved = (order: StoredOrderHead, f: FoundException) =>
        syncFound(
          tx,
          {
            merchantId,
            shopId: shop.id,
            orderId: order.id,
            rawInboxId: entry.id,
            isNew: false,
            hadOpen: false,
            clearable: [],
            at: now,
          },
          [f],
        )
      const found: FoundException[] = []
      if (existing) {
        const stored = existing.platform_updated_at.getTime()
        const incoming = draft.platformUpdatedAt.getTime()
        const hash = contentHash(entry.payload)
        if (
          incoming === stored &&
          existing.version_hash !== null &&
          hash !== existing.version_hash &&
          !(await sameVersion(tx, shop, existing.raw_inbox_id, draft))
        ) {
          const winner = hash > existing.version_hash ? entry.id : existing.raw_inbox_id
          const detail = {
            message: 'two different versions carry the same platform modified time',
            versions: [existing.raw_inbox_id, entry.id].sort(),
            kept: winner,
          }
          if (winner !== entry.id) {
            await raiseUnlessResolved(existing, { reason: 'conflicting_update', detail })
            await mark('stale', 'same platform time as the stored version; the stored one wins')
            return { outcome: 'stale' as const, events: [], orderId: existing.id }
          }
          found.push({ reason: 'conflicting_update', detail })
        } else if (incoming < stored) {
          await mark('stale')
          return { outcome: 'stale' as const, events: [], orderId: existing.id }
        }
      }
      const transition = nextStatus(existing?.status ?? null, draft.status, draft.refundState)
      if (!transition.ok) {
        if (existing)
          await raiseUnlessResolved(existing, {
            reason: 'invalid_transition',
            detail: { from: existing.status, to: draft.status, platformStatus: draft.platformStatus },
          })
        await mark('invalid_transition', transition.reason)
        return {
          outcome: 'invalid_transition' as const,
          events: [],
          ...(existing ? { orderId: existing.id } : {}),
        }
      }
      if (transition.review && existing)
        found.push({
          reason: 'invalid_transition',
          detail: {
            from: existing.status,
            to: draft.status,
            platformStatus: draft.platformStatus,
            note: transition.review,
          },
        })
      // A receiver fixed by hand stands over the platform’s on every version (PATCH /orders/:id/receiver).
      const effective = existing?.receiver_override
        ? { ...draft, receiver: existing.receiver_override }
        : draft
      const catalogue = await loadCatalogue(tx, merchantId, shop.id, draft.lines)
      const n = normalize(effective, catalogue, { reviewBuyerNotes: shop.settings.reviewBuyerNotes === true })
      found.push(...n.exceptions)
      let orderId = existing?.id
      const unchanged =
        existing !== undefined &&
        existing.pool_hash === poolHash(orderValues(effective, n, transition.status, entry.id), n)
      const refundEvents: OrderEvent[] = []
      if (!unchanged) {
        orderId = (await writeOrder(tx, shop, effective, n, transition.status, existing, entry.id)).id
        if (!existing)
          refundEvents.push(
            ...(await attachPendingRefunds(tx, merchantId, shop.id, orderId, draft.externalId, now)),
          )
        else if (existing.has_refunds) await rollUpRefunds(tx, merchantId, orderId)
      }
      const newer = !existing || draft.platformUpdatedAt.getTime() > existing.platform_updated_at.getTime()
      const open = await syncFound(
        tx,
        {
          merchantId,
          shopId: shop.id,
          orderId: orderId!,
          rawInboxId: entry.id,
          isNew: !existing,
          hadOpen: (existing?.open_exceptions ?? 0) > 0,
          clearable: newer
            ? ['sku_unmapped', 'address_unusable', 'buyer_note', 'conflicting_update', 'invalid_transition']
            : ['sku_unmapped', 'address_unusable'],
          at: now,
        },
        found,
      )
      if (unchanged)
        return {
          outcome: 'unchanged' as const,
          events: eventsFor(merchantId, orderId!, existing, transition.status, draft, open),
          orderId: orderId!,
        }
      await mark('applied')
      return {
        outcome: 'applied' as const,
        events: [
          ...eventsFor(merchantId, orderId!, existing, transition.status, draft, open),
          ...refundEvents,
        ],
        orderId: orderId!,
      }
    },
    { isolation: 'read committed' },
  )
}

/**
 * Whether the stored version, mapped again, equals the incoming draft: the same version can arrive
 * in two shapes (Shopify's REST webhook body and its GraphQL node), which is no conflict.
 */
async function sameVersion(
  db: Executor,
  shop: PipelineShop,
  rawInboxId: string | null,
  draft: UnifiedOrderDraft,
): Promise<boolean> {
  if (!rawInboxId) return false
  const stored = await db
    .selectFrom('raw_inbox')
    .select('payload')
    .where('merchant_id', '=', shop.merchantId)
    .where('id', '=', rawInboxId)
    .executeTakeFirst()
  if (!stored) return false
  try {
    const again = safeMap(shop.channel, parseJsonExact(stored.payload))
    return again.ok && JSON.stringify(again.value) === JSON.stringify(draft)
  } catch {
    return false
  }
}

export function eventsFor(
  merchantId: string,
  orderId: string,
  before: StoredOrderHead | undefined,
  status: string,
  draft: UnifiedOrderDraft,
  openExceptions: readonly string[],
): OrderEvent[] {
  const events: OrderEvent[] = []
  // Every event of a version happened at that version's platform time (the ledger dates by it).
  const at = draft.platformUpdatedAt.toISOString()
  const e = (kind: OrderEvent['kind'], key: string) => events.push({ merchantId, orderId, kind, key, at })
  const blocked = openExceptions.some((r) => BLOCKING.includes(r))
  if (status === 'paid' && !blocked) e('paid', `${orderId}.paid`)
  if (status === 'cancelled' && before?.status !== 'cancelled') e('cancelled', `${orderId}.cancelled`)
  if (draft.refundState !== (before?.refund_state ?? 'none')) {
    if (draft.refundState === 'requested')
      e('refund_requested', `${orderId}.refund_requested.${draft.platformUpdatedAt.getTime()}`)
    if (draft.refundState === 'partial' || draft.refundState === 'refunded')
      e('refunded', `${orderId}.refund_state.${draft.refundState}.${draft.platformUpdatedAt.getTime()}`)
  }
  if (before && draft.platformUpdatedAt.getTime() > before.platform_updated_at.getTime())
    e('changed', `${orderId}.changed.${draft.platformUpdatedAt.getTime()}`)
  return events
}
