/**
 * The stock push's SQL: what a shop maps and holds (the inputs of push-plan.ts), what was last sent,
 * and the outcomes — the latest per platform SKU (stock_push_state) and every one of them, appended
 * in the same transaction (stock_push_log, the per-SKU push log).
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { chunk, groupBy } from '../lib/collections.js'
import { newId } from '../lib/ids.js'
import type { PushInputs, PushMapping } from './push-plan.js'

export async function loadPushInputs(
  db: Executor,
  merchantId: string,
  shopId: string,
  warehouseIds: readonly string[],
  /** warehouse id → platform location id, for channels that keep stock per location. */
  locationOf: ReadonlyMap<string, string> | null,
  filter: { after?: string; limit?: number; q?: string } = {},
): Promise<PushInputs> {
  let q = db
    .selectFrom('sku_mappings as m')
    .innerJoin('skus as s', 's.id', 'm.sku_id')
    .select(['m.platform_sku_key', 'm.platform_sku_id', 'm.platform_item_id', 'm.sku_id', 's.code', 's.name'])
    .where('m.merchant_id', '=', merchantId)
    .where('m.shop_id', '=', shopId)
  if (filter.after !== undefined) q = q.where('m.platform_sku_key', '>', filter.after)
  if (filter.q) {
    const like = `${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    q = q.where((eb) => eb.or([eb('s.code', 'like', like), eb('m.platform_sku_key', 'like', like)]))
  }
  if (filter.limit !== undefined) q = q.orderBy('m.platform_sku_key').limit(filter.limit)
  const rows = await q.execute()
  const mappings: PushMapping[] = rows.map((r) => ({
    platformSkuKey: r.platform_sku_key,
    platformSkuId: r.platform_sku_id,
    platformItemId: r.platform_item_id,
    skuId: r.sku_id,
    code: r.code,
    name: r.name,
  }))
  const locations = locationOf ? [...new Set(locationOf.values())] : ['']
  if (mappings.length === 0 || warehouseIds.length === 0)
    return { mappings, bundles: new Map(), available: new Map(), locations }
  const components = await db
    .selectFrom('sku_bundle_components')
    .select(['bundle_sku_id', 'component_sku_id', 'quantity'])
    .where('merchant_id', '=', merchantId)
    .where('bundle_sku_id', 'in', [...new Set(mappings.map((m) => m.skuId))])
    .execute()
  const bundles = new Map(
    [...groupBy(components, (c) => c.bundle_sku_id)].map(([id, parts]) => [
      id,
      parts.map((p) => ({ componentSkuId: p.component_sku_id, quantity: p.quantity })),
    ]),
  )
  const skuIds = [...new Set([...mappings.map((m) => m.skuId), ...components.map((c) => c.component_sku_id)])]
  const available = new Map<string, number>()
  for (const part of chunk(skuIds, 1000)) {
    const stock = await db
      .selectFrom('stock')
      .select(['sku_id', 'warehouse_id', 'on_hand', 'reserved'])
      .where('merchant_id', '=', merchantId)
      .where('warehouse_id', 'in', warehouseIds)
      .where('sku_id', 'in', part)
      .execute()
    for (const s of stock) {
      const loc = locationOf ? locationOf.get(s.warehouse_id) : ''
      if (loc === undefined) continue
      const k = `${loc}|${s.sku_id}`
      available.set(k, (available.get(k) ?? 0) + s.on_hand - s.reserved)
    }
  }
  return { mappings, bundles, available, locations }
}

export interface LastPush {
  quantity: number | null
  ok: boolean | null
  pushedAt: Date | null
  error: string | null
}

/** `${location}|${platformSkuKey}` → the last outcome sent to the shop. */
export async function lastPushes(
  db: Executor,
  merchantId: string,
  shopId: string,
  keys?: readonly string[],
): Promise<Map<string, LastPush>> {
  if (keys && keys.length === 0) return new Map()
  let q = db
    .selectFrom('stock_push_state')
    .select(['platform_sku_key', 'location_id', 'quantity', 'ok', 'pushed_at', 'error'])
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
  if (keys) q = q.where('platform_sku_key', 'in', keys)
  return new Map(
    (await q.execute()).map((r) => [
      `${r.location_id}|${r.platform_sku_key}`,
      {
        quantity: r.quantity,
        ok: r.ok === null ? null : r.ok === 1,
        pushedAt: r.pushed_at,
        error: r.error,
      },
    ]),
  )
}

export interface PushRecord {
  platformSkuKey: string
  location: string
  quantity: number
  ok: boolean
  kind: string | null
  error: string | null
}

/** The outcomes of one push: the latest per SKU and the log, in one transaction (the caller's). */
export async function recordPushes(
  tx: Executor,
  merchantId: string,
  shopId: string,
  records: readonly PushRecord[],
  at: Date,
): Promise<void> {
  for (const part of chunk(records, 500)) {
    await tx
      .insertInto('stock_push_state')
      .values(
        part.map((r) => ({
          merchant_id: merchantId,
          shop_id: shopId,
          platform_sku_key: r.platformSkuKey,
          location_id: r.location,
          quantity: r.quantity,
          pushed_at: at,
          ok: r.ok ? 1 : 0,
          error: r.ok ? null : (r.error ?? 'no outcome').slice(0, 2000),
        })),
      )
      .onDuplicateKeyUpdate({
        quantity: sql`VALUES(quantity)`,
        pushed_at: sql`VALUES(pushed_at)`,
        ok: sql`VALUES(ok)`,
        error: sql`VALUES(error)`,
      })
      .execute()
    await tx
      .insertInto('stock_push_log')
      .values(
        part.map((r) => ({
          id: newId(at.getTime()),
          merchant_id: merchantId,
          shop_id: shopId,
          platform_sku_key: r.platformSkuKey,
          location_id: r.location,
          quantity: r.quantity,
          ok: r.ok ? 1 : 0,
          kind: r.ok ? null : (r.kind?.slice(0, 16) ?? null),
          error: r.ok ? null : (r.error ?? 'no outcome').slice(0, 2000),
          pushed_at: at,
        })),
      )
      .execute()
  }
}

/** A shop's push log, newest first; one platform SKU's when asked. */
export async function listPushLog(
  db: Executor,
  merchantId: string,
  shopId: string,
  filter: { platformSkuKey?: string; before?: string; limit: number },
) {
  let q = db
    .selectFrom('stock_push_log')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
  if (filter.platformSkuKey) q = q.where('platform_sku_key', '=', filter.platformSkuKey)
  if (filter.before) q = q.where('id', '<', filter.before)
  return q.orderBy('id', 'desc').limit(filter.limit).execute()
}
