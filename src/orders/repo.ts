/**
 * SQL for the order pool: the order row, its lines and their stock view are written together.
 * Line and line-SKU rows keep their ids across updates (allocations refer to them).
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { newId } from '../lib/ids.js'
import type { Normalized } from './normalize.js'
import { lineSkuValues, lineValues, orderValues, poolHash } from './rows.js'
import type { OrderStatus, Receiver, UnifiedOrderDraft } from './types.js'

export interface ShopRef {
  id: string
  merchantId: string
  channel: string
}

export interface StoredOrderHead {
  id: string
  status: OrderStatus
  refund_state: string
  platform_updated_at: Date
  open_exceptions: number
  raw_inbox_id: string | null
}

/** The current order row, locked for update inside the caller's transaction. */
export async function lockOrder(db: Executor, shop: ShopRef, externalId: string): Promise<StoredOrderHead | undefined> {
  return db
    .selectFrom('orders')
    .select(['id', 'status', 'refund_state', 'platform_updated_at', 'open_exceptions', 'raw_inbox_id'])
    .where('merchant_id', '=', shop.merchantId)
    .where('channel', '=', shop.channel)
    .where('shop_id', '=', shop.id)
    .where('external_id', '=', externalId)
    .forUpdate()
    .executeTakeFirst()
}

/** What the pool knows about a stored order besides its row: last write hash, hand-fixed receiver, content hash of the applied version. */
export async function poolStateOf(db: Executor, merchantId: string, order: StoredOrderHead): Promise<{ poolHash: string | null; receiverOverride: Receiver | null; versionHash: string | null }> {
  const [state, version] = await Promise.all([
    db.selectFrom('order_pool_state').select(['pool_hash', 'receiver_override']).where('merchant_id', '=', merchantId).where('order_id', '=', order.id).executeTakeFirst(),
    order.raw_inbox_id
      ? db.selectFrom('raw_inbox').select('content_hash').where('merchant_id', '=', merchantId).where('id', '=', order.raw_inbox_id).executeTakeFirst()
      : Promise.resolve(undefined),
  ])
  const override = state?.receiver_override
  return {
    poolHash: state?.pool_hash ?? null,
    receiverOverride: typeof override === 'string' ? (JSON.parse(override) as Receiver) : (override ?? null),
    versionHash: version?.content_hash ?? null,
  }
}

export async function writeOrder(
  db: Executor,
  shop: ShopRef,
  draft: UnifiedOrderDraft,
  n: Normalized,
  status: OrderStatus,
  existingId: string | undefined,
  rawInboxId: string,
): Promise<{ id: string; poolHash: string }> {
  const id = existingId ?? newId()
  const values = orderValues(draft, n, status, rawInboxId)
  const hash = poolHash(values, n)
  if (existingId) {
    await db.updateTable('orders').set({ ...values, updated_at: new Date() }).where('merchant_id', '=', shop.merchantId).where('id', '=', id).execute()
  } else {
    await db
      .insertInto('orders')
      .values({ id, merchant_id: shop.merchantId, shop_id: shop.id, channel: shop.channel, external_id: draft.externalId, open_exceptions: 0, ...values })
      .execute()
  }
  await writeLines(db, shop.merchantId, id, n)
  await savePoolHash(db, shop.merchantId, id, hash)
  return { id, poolHash: hash }
}

export async function savePoolHash(db: Executor, merchantId: string, orderId: string, hash: string): Promise<void> {
  await db
    .insertInto('order_pool_state')
    .values({ merchant_id: merchantId, order_id: orderId, pool_hash: hash })
    .onDuplicateKeyUpdate({ pool_hash: hash, updated_at: new Date() })
    .execute()
}

async function writeLines(db: Executor, merchantId: string, orderId: string, n: Normalized): Promise<void> {
  const existing = await db
    .selectFrom('order_lines')
    .select(['id', 'external_line_id'])
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', orderId)
    .execute()
  const idByExternal = new Map(existing.map((l) => [l.external_line_id, l.id]))
  for (const line of n.lines) {
    const lineId = idByExternal.get(line.externalLineId) ?? newId()
    const row = lineValues(line)
    if (idByExternal.has(line.externalLineId)) {
      await db.updateTable('order_lines').set(row).where('merchant_id', '=', merchantId).where('id', '=', lineId).execute()
    } else {
      await db.insertInto('order_lines').values({ id: lineId, merchant_id: merchantId, order_id: orderId, external_line_id: line.externalLineId, ...row }).execute()
    }
    await writeLineSkus(db, merchantId, orderId, lineId, lineSkuValues(line), !idByExternal.has(line.externalLineId))
  }
}

async function writeLineSkus(
  db: Executor,
  merchantId: string,
  orderId: string,
  lineId: string,
  skus: readonly { sku_id: string; quantity: number; revenue_share: string }[],
  freshLine: boolean,
): Promise<void> {
  if (skus.length > 0) {
    await db
      .insertInto('order_line_skus')
      .values(skus.map((s) => ({ id: newId(), merchant_id: merchantId, order_id: orderId, order_line_id: lineId, ...s })))
      .onDuplicateKeyUpdate({ quantity: sql`VALUES(quantity)`, revenue_share: sql`VALUES(revenue_share)` })
      .execute()
  }
  if (freshLine) return
  let del = db.deleteFrom('order_line_skus').where('merchant_id', '=', merchantId).where('order_line_id', '=', lineId)
  if (skus.length > 0) del = del.where('sku_id', 'not in', skus.map((s) => s.sku_id))
  await del.execute()
}

export async function recordStatusChange(
  db: Executor,
  merchantId: string,
  orderId: string,
  from: OrderStatus | null,
  to: OrderStatus,
  source: string,
  note: string | null = null,
): Promise<void> {
  await db.insertInto('order_status_history').values({ id: newId(), merchant_id: merchantId, order_id: orderId, from_status: from, to_status: to, source, note }).execute()
}
