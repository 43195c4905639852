/** SKU mappings: bulk upsert by merchant SKU code, and auto-mapping by matching seller codes. */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { newId } from '../lib/ids.js'

export interface MappingInput {
  shopId: string
  platformSkuId?: string | null
  platformItemId?: string | null
  skuCode: string
}

export async function upsertMappings(
  db: Executor,
  merchantId: string,
  items: readonly MappingInput[],
  source: 'manual' | 'bulk',
): Promise<{ saved: number; unknownCodes: string[]; unknownShops: string[] }> {
  const codes = [...new Set(items.map((i) => i.skuCode))]
  const shops = [...new Set(items.map((i) => i.shopId))]
  const [skus, shopRows] = await Promise.all([
    db
      .selectFrom('skus')
      .select(['id', 'code'])
      .where('merchant_id', '=', merchantId)
      .where('code', 'in', codes)
      .execute(),
    db
      .selectFrom('shops')
      .select('id')
      .where('merchant_id', '=', merchantId)
      .where('id', 'in', shops)
      .execute(),
  ])
  const skuByCode = new Map(skus.map((s) => [s.code, s.id]))
  const knownShops = new Set(shopRows.map((s) => s.id))
  const rows = items
    .filter(
      (i) => skuByCode.has(i.skuCode) && knownShops.has(i.shopId) && (i.platformSkuId || i.platformItemId),
    )
    .map((i) => ({
      id: newId(),
      merchant_id: merchantId,
      shop_id: i.shopId,
      platform_sku_key: i.platformSkuId ?? `item:${i.platformItemId}`,
      platform_item_id: i.platformItemId ?? null,
      platform_sku_id: i.platformSkuId ?? null,
      outer_code: null,
      sku_id: skuByCode.get(i.skuCode)!,
      source,
    }))
  if (rows.length > 0) {
    await db
      .insertInto('sku_mappings')
      .values(rows)
      .onDuplicateKeyUpdate({
        sku_id: sql`VALUES(sku_id)`,
        source: sql`VALUES(source)`,
        updated_at: sql`CURRENT_TIMESTAMP(3)`,
      })
      .execute()
  }
  return {
    saved: rows.length,
    unknownCodes: codes.filter((c) => !skuByCode.has(c)),
    unknownShops: shops.filter((s) => !knownShops.has(s)),
  }
}

/** Map every platform SKU seen on a shop's orders whose seller code equals a merchant SKU code. */
export async function autoMap(db: Executor, merchantId: string, shopId: string): Promise<number> {
  const res = await sql`
    INSERT IGNORE INTO sku_mappings (id, merchant_id, shop_id, platform_sku_key, platform_item_id, platform_sku_id, outer_code, sku_id, source)
    SELECT MIN(l.id), l.merchant_id, o.shop_id,
           COALESCE(l.platform_sku_id, CONCAT('item:', l.platform_item_id), CONCAT('code:', l.outer_code)),
           MIN(l.platform_item_id), MIN(l.platform_sku_id), l.outer_code, s.id, 'auto'
    FROM order_lines l
    JOIN orders o ON o.id = l.order_id AND o.merchant_id = l.merchant_id
    JOIN skus s ON s.merchant_id = l.merchant_id AND s.code = l.outer_code
    WHERE l.merchant_id = ${merchantId} AND o.shop_id = ${shopId} AND l.sku_id IS NULL AND l.is_bundle = 0 AND l.outer_code IS NOT NULL
    GROUP BY l.merchant_id, o.shop_id, COALESCE(l.platform_sku_id, CONCAT('item:', l.platform_item_id), CONCAT('code:', l.outer_code)), l.outer_code, s.id`.execute(
    db,
  )
  return Number(res.numAffectedRows ?? 0n)
}

export async function listMappings(
  db: Executor,
  merchantId: string,
  f: { shopId?: string; after?: readonly [shopId: string, platformSkuKey: string]; limit: number },
) {
  let q = db
    .selectFrom('sku_mappings as m')
    .innerJoin('skus as s', 's.id', 'm.sku_id')
    .select([
      'm.id',
      'm.shop_id',
      'm.platform_sku_key',
      'm.platform_item_id',
      'm.platform_sku_id',
      'm.source',
      's.code as sku_code',
    ])
    .where('m.merchant_id', '=', merchantId)
  if (f.shopId) q = q.where('m.shop_id', '=', f.shopId)
  const after = f.after
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('m.shop_id', '>', after[0]),
        eb.and([eb('m.shop_id', '=', after[0]), eb('m.platform_sku_key', '>', after[1])]),
      ]),
    )
  return q.orderBy('m.shop_id').orderBy('m.platform_sku_key').limit(f.limit).execute()
}

export async function deleteMapping(db: Executor, merchantId: string, id: string): Promise<boolean> {
  const r = await db
    .deleteFrom('sku_mappings')
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return r.numDeletedRows === 1n
}
