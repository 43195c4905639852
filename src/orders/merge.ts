/**
 * Merge (合单): paid orders of one shop that go to the same buyer and receiver, not yet in a wave,
 * ship together as one group. The platform orders stay distinct: each keeps its own lines, money
 * and writeback. Automatic merging is a shop setting (`autoMerge`).
 */
import type { Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { newId } from '../lib/ids.js'

export class MergeError extends Error {
  override name = 'MergeError'
}

const MERGEABLE = ['paid', 'allocated'] as const

export async function mergeOrders(
  db: Executor,
  merchantId: string,
  orderIds: readonly string[],
): Promise<string> {
  if (new Set(orderIds).size < 2) throw new MergeError('merging needs at least two different orders')
  return withTx(db, async (tx) => {
    const rows = await tx
      .selectFrom('orders')
      .select(['id', 'shop_id', 'status', 'receiver_key', 'merge_group_id'])
      .where('merchant_id', '=', merchantId)
      .where('id', 'in', orderIds)
      .forUpdate()
      .execute()
    if (rows.length !== new Set(orderIds).size) throw new MergeError('some orders were not found')
    if (new Set(rows.map((r) => r.shop_id)).size > 1)
      throw new MergeError('orders of different shops cannot be merged')
    if (rows.some((r) => !r.receiver_key) || new Set(rows.map((r) => r.receiver_key)).size > 1)
      throw new MergeError('orders go to different buyers or addresses')
    const bad = rows.filter((r) => !(MERGEABLE as readonly string[]).includes(r.status))
    if (bad.length > 0)
      throw new MergeError(
        `orders already in picking or beyond cannot be merged: ${bad.map((b) => `${b.id} (${b.status})`).join(', ')}`,
      )
    const groupId = rows.find((r) => r.merge_group_id)?.merge_group_id ?? newId()
    await tx
      .updateTable('orders')
      .set({ merge_group_id: groupId, updated_at: new Date() })
      .where('merchant_id', '=', merchantId)
      .where('id', 'in', orderIds)
      .execute()
    return groupId
  })
}

export async function unmergeOrder(db: Executor, merchantId: string, orderId: string): Promise<boolean> {
  const r = await db
    .updateTable('orders')
    .set({ merge_group_id: null, updated_at: new Date() })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', orderId)
    .where('status', 'in', [...MERGEABLE])
    .executeTakeFirst()
  return r.numUpdatedRows === 1n
}

/** With `autoMerge` on, a newly paid order joins other mergeable orders of its shop for the same receiver. */
export async function autoMerge(db: Executor, merchantId: string, orderId: string): Promise<string | null> {
  const o = await db
    .selectFrom('orders')
    .select(['shop_id', 'receiver_key', 'status'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', orderId)
    .executeTakeFirst()
  if (!o?.receiver_key || !(MERGEABLE as readonly string[]).includes(o.status)) return null
  const peers = await db
    .selectFrom('orders')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', o.shop_id)
    .where('receiver_key', '=', o.receiver_key)
    .where('status', 'in', [...MERGEABLE])
    .where('id', '!=', orderId)
    .execute()
  if (peers.length === 0) return null
  return mergeOrders(db, merchantId, [orderId, ...peers.map((p) => p.id)])
}
