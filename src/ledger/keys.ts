/**
 * Business keys for statement rows and exports: SKU code and name, platform order number, shop
 * name and channel, read in batches for the ids a page or a file holds.
 */
import type { Executor } from '../db/connect.js'
import { chunk } from '../lib/collections.js'

export interface RowRef {
  skuCode: string | null
  skuName: string | null
  orderExternalId: string | null
  shopId: string | null
  shopName: string | null
  channel: string | null
}

const empty: RowRef = {
  skuCode: null,
  skuName: null,
  orderExternalId: null,
  shopId: null,
  shopName: null,
  channel: null,
}

export async function businessKeys(
  db: Executor,
  merchantId: string,
  by: 'total' | 'sku' | 'order' | 'shop' | 'channel',
  keys: readonly (string | null)[],
): Promise<Map<string, RowRef>> {
  const ids = [...new Set(keys.filter((k): k is string => k !== null))]
  const out = new Map<string, RowRef>()
  if (ids.length === 0 || by === 'total') return out
  for (const part of chunk(ids, 500)) {
    if (by === 'channel') for (const c of part) out.set(c, { ...empty, channel: c })
    if (by === 'sku') {
      const rows = await db
        .selectFrom('skus')
        .select(['id', 'code', 'name'])
        .where('merchant_id', '=', merchantId)
        .where('id', 'in', part)
        .execute()
      for (const r of rows) out.set(r.id, { ...empty, skuCode: r.code, skuName: r.name })
    }
    if (by === 'shop') {
      const rows = await db
        .selectFrom('shops')
        .select(['id', 'name', 'channel'])
        .where('merchant_id', '=', merchantId)
        .where('id', 'in', part)
        .execute()
      for (const r of rows) out.set(r.id, { ...empty, shopId: r.id, shopName: r.name, channel: r.channel })
    }
    if (by === 'order') {
      const rows = await db
        .selectFrom('orders as o')
        .innerJoin('shops as s', 's.id', 'o.shop_id')
        .select(['o.id', 'o.external_id', 'o.shop_id', 's.name', 'o.channel'])
        .where('o.merchant_id', '=', merchantId)
        .where('o.id', 'in', part)
        .execute()
      for (const r of rows)
        out.set(r.id, {
          ...empty,
          orderExternalId: r.external_id,
          shopId: r.shop_id,
          shopName: r.name,
          channel: r.channel,
        })
    }
  }
  return out
}
