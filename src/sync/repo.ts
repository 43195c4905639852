/** SQL for a shop's sync health: stream cursors, the latest pull errors, failed webhook deliveries. */
import type { Executor } from '../db/connect.js'

/** Each stream's cursor of the shop, by stream. */
export function listSyncCursors(db: Executor, merchantId: string, shopId: string) {
  return db
    .selectFrom('sync_cursors')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
    .orderBy('stream')
    .execute()
}

/** The shop's latest pull errors, newest first. */
export function latestSyncErrors(db: Executor, merchantId: string, shopId: string, limit = 50) {
  return db
    .selectFrom('sync_errors')
    .select(['stream', 'kind', 'message', 'http_status', 'created_at'])
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute()
}

/** The shop's latest webhook deliveries that could not be read, newest first. */
export function latestFailedWebhooks(db: Executor, merchantId: string, shopId: string, limit = 50) {
  return db
    .selectFrom('webhook_deliveries')
    .select(['id', 'topic', 'error', 'received_at'])
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
    .where('status', '=', 'failed')
    .orderBy('received_at', 'desc')
    .limit(limit)
    .execute()
}
