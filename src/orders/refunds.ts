/**
 * Refunds and after-sales: one row per platform refund (newest platform version wins), linked to
 * its order when the order is known, and rolled up into line and order refund state.
 */
import { sql } from 'kysely'
import { getConnector } from '../../connectors/index.js'
import { parseJsonExact } from '../../connectors/json.js'
import type { RefundDraft } from '../../connectors/types.js'
import type { AppContext } from '../context.js'
import type { Db, Executor } from '../db/connect.js'
import { withEvents } from './outbox.js'
import { newId } from '../lib/ids.js'
import { money, sum, toDb, ZERO } from '../money/index.js'
import type { OrderEvent } from './events.js'
import { raiseException } from './exceptions.js'
import type { PipelineShop } from './pipeline.js'
import type { RefundState } from './types.js'

const SETTLED = new Set(['refunded'])
const OPEN = new Set(['requested', 'approved'])

export async function normalizeInboxRefund(
  db: Db,
  shop: PipelineShop,
  entry: { id: string; payload: string },
): Promise<{ events: OrderEvent[] }> {
  return withEvents(
    db,
    async (tx) => {
      const mark = (outcome: string, error: string | null = null) =>
        tx
          .updateTable('raw_inbox')
          .set({ outcome, error })
          .where('merchant_id', '=', shop.merchantId)
          .where('id', '=', entry.id)
          .execute()
      const connector = getConnector(shop.channel)
      let draft: RefundDraft
      try {
        const mapped = connector.mapRefund
          ? connector.mapRefund(parseJsonExact(entry.payload))
          : { ok: false as const, reason: 'unsupported' as const, detail: 'connector maps no refunds' }
        if (!mapped.ok) throw new Error(`${mapped.reason}: ${mapped.detail}`)
        draft = mapped.value
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err)
        await raiseException(tx, shop.merchantId, {
          shopId: shop.id,
          rawInboxId: entry.id,
          reason: 'mapping_failed',
          detail: { kind: 'refund', error },
        })
        await mark('failed', error.slice(0, 2000))
        return { events: [] }
      }
      const order = await tx
        .selectFrom('orders')
        .select(['id'])
        .where('merchant_id', '=', shop.merchantId)
        .where('shop_id', '=', shop.id)
        .where('external_id', '=', draft.orderExternalId)
        .executeTakeFirst()
      const stored = await tx
        .selectFrom('order_refunds')
        .select(['id', 'platform_updated_at', 'status'])
        .where('merchant_id', '=', shop.merchantId)
        .where('shop_id', '=', shop.id)
        .where('external_refund_id', '=', draft.externalRefundId)
        .forUpdate()
        .executeTakeFirst()
      if (stored && stored.platform_updated_at.getTime() > draft.platformUpdatedAt.getTime()) {
        await mark('stale')
        return { events: [] }
      }
      const row = {
        order_id: order?.id ?? null,
        order_external_id: draft.orderExternalId,
        status: draft.status,
        platform_status: draft.platformStatus.slice(0, 64),
        amount: toDb(draft.amount),
        currency: draft.currency,
        reason: draft.reason?.slice(0, 500) ?? null,
        return_goods: draft.returnGoods ? 1 : 0,
        refund_lines: JSON.stringify(
          draft.lines.map((l) => ({
            externalLineId: l.externalLineId,
            quantity: l.quantity,
            amount: toDb(l.amount),
          })),
        ),
        platform_updated_at: draft.platformUpdatedAt,
      }
      const refundId = stored?.id ?? newId()
      if (stored) await tx.updateTable('order_refunds').set(row).where('id', '=', refundId).execute()
      else
        await tx
          .insertInto('order_refunds')
          .values({
            id: refundId,
            merchant_id: shop.merchantId,
            shop_id: shop.id,
            external_refund_id: draft.externalRefundId,
            created_at: draft.createdAt,
            ...row,
          })
          .execute()
      await mark('applied')
      if (!order) {
        await raiseException(tx, shop.merchantId, {
          shopId: shop.id,
          rawInboxId: entry.id,
          reason: 'refund_unknown_order',
          detail: { orderExternalId: draft.orderExternalId, refund: draft.externalRefundId },
        })
        return { events: [] }
      }
      if (stored?.status === draft.status) return { events: [] }
      await rollUpRefunds(tx, shop.merchantId, order.id)
      return {
        events: [refundEvent(shop.merchantId, order.id, refundId, draft.status, draft.platformUpdatedAt)],
      }
    },
    { isolation: 'read committed' },
  )
}

/** Recompute line and order refund state from every refund of the order. */
export async function rollUpRefunds(db: Executor, merchantId: string, orderId: string): Promise<RefundState> {
  const [refunds, order, lines] = await Promise.all([
    db
      .selectFrom('order_refunds')
      .select(['status', 'amount', 'refund_lines'])
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .execute(),
    db
      .selectFrom('orders')
      .select(['buyer_paid'])
      .where('merchant_id', '=', merchantId)
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('order_lines')
      .select(['id', 'external_line_id', 'quantity', 'paid_amount'])
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .execute(),
  ])
  const settled = refunds.filter((r) => SETTLED.has(r.status))
  const refunded = sum(settled.map((r) => money(r.amount)))
  const anyOpen = refunds.some((r) => OPEN.has(r.status))
  const state: RefundState =
    refunded.gte(money(order.buyer_paid)) && refunded.gt(0)
      ? 'refunded'
      : refunded.gt(0)
        ? 'partial'
        : anyOpen
          ? 'requested'
          : 'none'
  for (const line of lines) {
    const parts = settled.flatMap((r) =>
      r.refund_lines.filter((l) => l.externalLineId === line.external_line_id),
    )
    const qty = parts.reduce((n, p) => n + p.quantity, 0)
    const amount = sum(parts.map((p) => money(p.amount)))
    const open = refunds.some(
      (r) => OPEN.has(r.status) && r.refund_lines.some((l) => l.externalLineId === line.external_line_id),
    )
    const lineState: RefundState =
      qty >= line.quantity || (amount.gt(0) && amount.gte(money(line.paid_amount)))
        ? 'refunded'
        : amount.gt(0) || qty > 0
          ? 'partial'
          : open
            ? 'requested'
            : 'none'
    await db
      .updateTable('order_lines')
      .set({
        refund_state: lineState,
        refunded_quantity: Math.min(qty, line.quantity),
        refunded_amount: toDb(amount.gt(0) ? amount : ZERO),
      })
      .where('id', '=', line.id)
      .execute()
  }
  await db
    .updateTable('orders')
    .set({ refund_state: state })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', orderId)
    .execute()
  return state
}

/** Link refunds that arrived before their order, once the order exists; returns their events (to emit after commit). */
export async function attachPendingRefunds(
  db: Executor,
  merchantId: string,
  shopId: string,
  orderId: string,
  externalId: string,
  /** The caller's clock: when the refunds' exceptions are resolved. */
  at: Date,
): Promise<OrderEvent[]> {
  const pending = await db
    .selectFrom('order_refunds')
    .select(['id', 'status', 'platform_updated_at'])
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
    .where('order_external_id', '=', externalId)
    .where('order_id', 'is', null)
    .execute()
  if (pending.length === 0) return []
  await db
    .updateTable('order_refunds')
    .set({ order_id: orderId })
    .where('merchant_id', '=', merchantId)
    .where(
      'id',
      'in',
      pending.map((p) => p.id),
    )
    .execute()
  await rollUpRefunds(db, merchantId, orderId)
  // The refunds waited for this order: their exceptions are settled now.
  await db
    .updateTable('order_exceptions')
    .set({
      status: 'resolved',
      open_marker: null,
      resolved_at: at,
      resolved_by: 'pipeline',
      resolution: 'the order arrived',
      order_id: orderId,
    })
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
    .where('reason', '=', 'refund_unknown_order')
    .where('status', '=', 'open')
    .where(sql<string>`JSON_VALUE(detail, '$.orderExternalId')`, '=', externalId)
    .execute()
  return pending.map((r) => refundEvent(merchantId, orderId, r.id, r.status, r.platform_updated_at))
}

/**
 * After commit: link refunds still waiting for one of these orders when the order now exists.
 * An order and its refund written at the same moment by two read-committed transactions can miss
 * each other (each looks before the other commits); whichever commits last sees the other here.
 */
export async function attachWaitingRefunds(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  shop: PipelineShop,
  orderExternalIds: readonly string[],
): Promise<OrderEvent[]> {
  if (orderExternalIds.length === 0) return []
  const waiting = await ctx.db
    .selectFrom('order_refunds as r')
    .innerJoin('orders as o', (j) =>
      j
        .onRef('o.merchant_id', '=', 'r.merchant_id')
        .onRef('o.shop_id', '=', 'r.shop_id')
        .onRef('o.external_id', '=', 'r.order_external_id'),
    )
    .select(['o.id', 'o.external_id'])
    .distinct()
    .where('r.merchant_id', '=', shop.merchantId)
    .where('r.shop_id', '=', shop.id)
    .where('r.order_external_id', 'in', [...new Set(orderExternalIds)])
    .where('r.order_id', 'is', null)
    .where('o.channel', '=', shop.channel)
    .execute()
  const events: OrderEvent[] = []
  for (const o of waiting) {
    const attached = await withEvents(
      ctx.db,
      async (tx) => {
        // The order row lock makes two late attachers take turns; the second finds nothing left.
        await tx
          .selectFrom('orders')
          .select('id')
          .where('merchant_id', '=', shop.merchantId)
          .where('id', '=', o.id)
          .forUpdate()
          .execute()
        return {
          events: await attachPendingRefunds(
            tx,
            shop.merchantId,
            shop.id,
            o.id,
            o.external_id,
            ctx.clock.now(),
          ),
        }
      },
      { isolation: 'read committed' },
    )
    events.push(...attached.events)
  }
  return events
}

function refundEvent(
  merchantId: string,
  orderId: string,
  refundId: string,
  status: string,
  at: Date,
): OrderEvent {
  const kind = SETTLED.has(status) ? 'refunded' : OPEN.has(status) ? 'refund_requested' : 'changed'
  return {
    merchantId,
    orderId,
    kind,
    key: `${orderId}.refund.${refundId}.${status}`,
    refundId,
    at: at.toISOString(),
  }
}
