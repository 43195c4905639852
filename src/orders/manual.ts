/**
 * Changes a person makes to an order in the pool: fixing the receiver (kept over the platform's on
 * every re-run) and splitting (拆单) lines into another shipment group. Neither touches money: the
 * platform order stays one order for the ledger and for writeback.
 */
import type { Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { newId } from '../lib/ids.js'
import type { OrderStatus, Receiver } from './types.js'

export class ManualChangeError extends Error {
  override name = 'ManualChangeError'
}

/** Before picking starts, the shipment can still be changed. */
const CHANGEABLE: readonly OrderStatus[] = ['pending_payment', 'paid', 'allocated', 'on_hold']

export type ReceiverPatch = Partial<Omit<Receiver, 'masked' | 'privacyRef'>>

async function lockChangeable(db: Executor, merchantId: string, orderId: string) {
  const order = await db
    .selectFrom('orders')
    .select(['id', 'status', 'receiver'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirst()
  if (!order) return undefined
  if (!CHANGEABLE.includes(order.status))
    throw new ManualChangeError(`the order is ${order.status}: its shipment can no longer be changed`)
  return order
}

/** Store a receiver fixed by hand; the caller re-runs the pipeline so the order picks it up. */
export async function setReceiverOverride(
  db: Executor,
  merchantId: string,
  orderId: string,
  patch: ReceiverPatch,
): Promise<Receiver | undefined> {
  return withTx(db, async (tx) => {
    const order = await lockChangeable(tx, merchantId, orderId)
    if (!order) return undefined
    const current = (
      typeof order.receiver === 'string' ? JSON.parse(order.receiver) : order.receiver
    ) as Receiver
    const fields = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
    // What a person typed is plain text, not the platform's masked values.
    const next: Receiver = { ...current, ...fields, masked: false }
    const json = JSON.stringify(next)
    await tx
      .insertInto('order_pool_state')
      .values({ merchant_id: merchantId, order_id: orderId, pool_hash: '', receiver_override: json })
      .onDuplicateKeyUpdate({ receiver_override: json, updated_at: new Date() })
      .execute()
    return next
  })
}

/** Groups are fixed once one of them has shipped (an order on hold after a shortage, say): the shipments name them. */
async function refuseIfShipped(db: Executor, merchantId: string, orderId: string): Promise<void> {
  const shipped = await db
    .selectFrom('shipments')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .limit(1)
    .executeTakeFirst()
  if (shipped)
    throw new ManualChangeError('part of the order has shipped: its shipment groups can no longer be changed')
}

/** Move lines of an order into a new shipment group; at least one line stays with the order. */
export async function splitLines(
  db: Executor,
  merchantId: string,
  orderId: string,
  lineIds: readonly string[],
): Promise<string | undefined> {
  return withTx(db, async (tx) => {
    if (!(await lockChangeable(tx, merchantId, orderId))) return undefined
    await refuseIfShipped(tx, merchantId, orderId)
    const [lines, groups] = await Promise.all([
      tx
        .selectFrom('order_lines')
        .select('id')
        .where('merchant_id', '=', merchantId)
        .where('order_id', '=', orderId)
        .execute(),
      tx
        .selectFrom('order_line_groups')
        .select('order_line_id')
        .where('merchant_id', '=', merchantId)
        .where('order_id', '=', orderId)
        .execute(),
    ])
    const own = new Set(lines.map((l) => l.id))
    const moving = new Set(lineIds)
    const foreign = [...moving].filter((id) => !own.has(id))
    if (foreign.length > 0) throw new ManualChangeError(`lines not on this order: ${foreign.join(', ')}`)
    const grouped = new Set(groups.map((g) => g.order_line_id))
    if (!lines.some((l) => !moving.has(l.id) && !grouped.has(l.id)))
      throw new ManualChangeError('at least one line must stay in the order’s own shipment')
    const groupId = newId()
    await tx
      .deleteFrom('order_line_groups')
      .where('merchant_id', '=', merchantId)
      .where('order_line_id', 'in', [...moving])
      .execute()
    await tx
      .insertInto('order_line_groups')
      .values(
        [...moving].map((id) => ({
          merchant_id: merchantId,
          order_line_id: id,
          order_id: orderId,
          shipment_group_id: groupId,
        })),
      )
      .execute()
    return groupId
  })
}

/** Undo every split of an order: all its lines ship together again. */
export async function unsplitOrder(db: Executor, merchantId: string, orderId: string): Promise<boolean> {
  return withTx(db, async (tx) => {
    if (!(await lockChangeable(tx, merchantId, orderId))) return false
    await refuseIfShipped(tx, merchantId, orderId)
    await tx
      .deleteFrom('order_line_groups')
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .execute()
    return true
  })
}
