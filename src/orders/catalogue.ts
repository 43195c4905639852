/**
 * Loads what the normalizer needs to resolve platform SKUs: mappings for the keys of an order's
 * lines, falling back to the seller's outer code matched against the merchant's SKU codes (then
 * recorded as an automatic mapping), and the bundle definitions of the SKUs found.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { newId } from '../lib/ids.js'
import { money } from '../money/index.js'
import { platformSkuKey, type BundleComponent, type Catalogue } from './normalize.js'
import type { UnifiedLineDraft } from './types.js'

export async function loadCatalogue(
  db: Executor,
  merchantId: string,
  shopId: string,
  lines: readonly UnifiedLineDraft[],
): Promise<Catalogue> {
  const keys = [...new Set(lines.map(platformSkuKey).filter((k): k is string => k !== null))]
  const mappings = new Map<string, string>()
  const bundles = new Map<string, BundleComponent[]>()
  if (keys.length > 0) {
    // Mappings and the bundle components of the SKUs they map to, in one round trip.
    const rows = await db
      .selectFrom('sku_mappings as m')
      .leftJoin('sku_bundle_components as b', (j) =>
        j.onRef('b.merchant_id', '=', 'm.merchant_id').onRef('b.bundle_sku_id', '=', 'm.sku_id'),
      )
      .select(['m.platform_sku_key', 'm.sku_id', 'b.component_sku_id', 'b.quantity', 'b.unit_value'])
      .where('m.merchant_id', '=', merchantId)
      .where('m.shop_id', '=', shopId)
      .where('m.platform_sku_key', 'in', keys)
      .orderBy('m.platform_sku_key')
      .orderBy('b.component_sku_id')
      .execute()
    const seen = new Set<string>()
    for (const r of rows) {
      mappings.set(r.platform_sku_key, r.sku_id)
      if (r.component_sku_id === null || seen.has(`${r.sku_id}|${r.component_sku_id}`)) continue
      seen.add(`${r.sku_id}|${r.component_sku_id}`)
      const list = bundles.get(r.sku_id) ?? []
      list.push({
        componentSkuId: r.component_sku_id,
        quantity: r.quantity!,
        unitValue: money(r.unit_value!),
      })
      bundles.set(r.sku_id, list)
    }
  }
  const missing = lines.filter((l) => {
    const k = platformSkuKey(l)
    return k !== null && !mappings.has(k) && l.outerCode
  })
  if (missing.length === 0) return { mappings, bundles }
  // Seller codes matched against merchant SKU codes, recorded as automatic mappings.
  const codes = [...new Set(missing.map((l) => l.outerCode!))]
  const skus = await db
    .selectFrom('skus')
    .select(['id', 'code'])
    .where('merchant_id', '=', merchantId)
    .where('code', 'in', codes)
    .execute()
  const byCode = new Map(skus.map((s) => [s.code, s.id]))
  for (const line of missing) {
    const skuId = byCode.get(line.outerCode!)
    const key = platformSkuKey(line)!
    if (!skuId || mappings.has(key)) continue
    mappings.set(key, skuId)
    await db
      .insertInto('sku_mappings')
      .ignore()
      .values({
        id: newId(),
        merchant_id: merchantId,
        shop_id: shopId,
        platform_sku_key: key,
        platform_item_id: line.platformItemId,
        platform_sku_id: line.platformSkuId,
        outer_code: line.outerCode,
        sku_id: skuId,
        source: 'auto',
      })
      .execute()
  }
  return { mappings, bundles: await loadBundles(db, merchantId, [...new Set(mappings.values())]) }
}

export async function loadBundles(
  db: Executor,
  merchantId: string,
  skuIds: readonly string[],
): Promise<Map<string, BundleComponent[]>> {
  const bundles = new Map<string, BundleComponent[]>()
  if (skuIds.length === 0) return bundles
  const rows = await db
    .selectFrom('sku_bundle_components')
    .select(['bundle_sku_id', 'component_sku_id', 'quantity', 'unit_value'])
    .where('merchant_id', '=', merchantId)
    .where('bundle_sku_id', 'in', skuIds)
    .orderBy(sql`component_sku_id`)
    .execute()
  for (const r of rows) {
    const list = bundles.get(r.bundle_sku_id) ?? []
    list.push({ componentSkuId: r.component_sku_id, quantity: r.quantity, unitValue: money(r.unit_value) })
    bundles.set(r.bundle_sku_id, list)
  }
  return bundles
}
