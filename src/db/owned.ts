/**
 * Tenancy of ids a request names: which of them are not the merchant's. Another merchant's id and
 * an id that does not exist are the same to the caller (404), so that nothing tells them apart.
 */
import type { Executor } from './connect.js'

/** Merchant tables whose rows are named by an `id`. */
export type OwnedTable =
  | 'api_keys'
  | 'shops'
  | 'warehouses'
  | 'skus'
  | 'orders'
  | 'order_lines'
  | 'order_exceptions'
  | 'sku_mappings'
  | 'stock_allocations'
  | 'waves'
  | 'shipment_writebacks'

export async function notOwned(
  db: Executor,
  merchantId: string,
  table: OwnedTable,
  ids: readonly string[],
): Promise<string[]> {
  const wanted = [...new Set(ids)]
  if (wanted.length === 0) return []
  const rows = await db
    .selectFrom(table)
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', wanted)
    .execute()
  const found = new Set(rows.map((r) => r.id))
  return wanted.filter((id) => !found.has(id))
}
