import { sql, type Selectable } from 'kysely'
import type { AppContext } from '../context.js'
import type { Executor } from '../db/connect.js'
import type { SkuTable } from '../db/schema.js'
import { newId } from '../lib/ids.js'

export interface Sku {
  id: string
  merchantId: string
  code: string
  name: string
  barcode: string | null
  category: string | null
  unit: string
  weightG: number | null
  active: boolean
  createdAt: Date
  updatedAt: Date
}

export interface SkuInput {
  code: string
  name: string
  barcode?: string | null
  category?: string | null
  unit?: string
  weightG?: number | null
  active?: boolean
}

export function toSku(r: Selectable<SkuTable>): Sku {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    code: r.code,
    name: r.name,
    barcode: r.barcode,
    category: r.category,
    unit: r.unit,
    weightG: r.weight_g,
    active: r.active === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/**
 * Insert or update SKUs by merchant code in one statement; existing rows keep their id.
 * Returns how many were created and how many already existed (and were overwritten).
 */
/** Insert or update SKUs by code; the clock gives a new SKU's createdAt, and updatedAt. */
export async function upsertSkus(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  merchantId: string,
  items: readonly SkuInput[],
): Promise<{ created: number; updated: number }> {
  if (items.length === 0) return { created: 0, updated: 0 }
  const { db } = ctx
  const existing = await skusByCode(
    db,
    merchantId,
    items.map((s) => s.code),
  )
  const now = ctx.clock.now()
  await db
    .insertInto('skus')
    .values(
      items.map((s) => ({
        id: newId(),
        merchant_id: merchantId,
        code: s.code,
        name: s.name,
        barcode: s.barcode ?? null,
        category: s.category ?? null,
        unit: s.unit ?? 'pcs',
        weight_g: s.weightG ?? null,
        active: s.active === false ? 0 : 1,
        created_at: now,
        updated_at: now,
      })),
    )
    .onDuplicateKeyUpdate({
      name: sql`VALUES(name)`,
      barcode: sql`VALUES(barcode)`,
      category: sql`VALUES(category)`,
      unit: sql`VALUES(unit)`,
      weight_g: sql`VALUES(weight_g)`,
      active: sql`VALUES(active)`,
      updated_at: sql`VALUES(updated_at)`,
    })
    .execute()
  return { created: items.length - existing.size, updated: existing.size }
}

export async function getSku(db: Executor, merchantId: string, id: string): Promise<Sku | undefined> {
  const row = await db
    .selectFrom('skus')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return row && toSku(row)
}

export async function skusByCode(
  db: Executor,
  merchantId: string,
  codes: readonly string[],
): Promise<Map<string, Sku>> {
  if (codes.length === 0) return new Map()
  const rows = await db
    .selectFrom('skus')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('code', 'in', codes)
    .execute()
  return new Map(rows.map((r) => [r.code, toSku(r)]))
}

/** Keyset page ordered by code; `q` matches code or barcode prefix, or part of the name. */
export async function listSkus(
  db: Executor,
  merchantId: string,
  opts: { after?: string; limit: number; q?: string },
): Promise<Sku[]> {
  let query = db.selectFrom('skus').selectAll().where('merchant_id', '=', merchantId)
  if (opts.after !== undefined) query = query.where('code', '>', opts.after)
  if (opts.q) {
    const like = opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)
    query = query.where((eb) =>
      eb.or([
        eb('code', 'like', `${like}%`),
        eb('barcode', 'like', `${like}%`),
        eb('name', 'like', `%${like}%`),
        eb.exists(
          eb
            .selectFrom('sku_barcodes as b')
            .select('b.code')
            .whereRef('b.merchant_id', '=', 'skus.merchant_id')
            .whereRef('b.sku_id', '=', 'skus.id')
            .where('b.code', 'like', `${like}%`),
        ),
      ]),
    )
  }
  return (await query.orderBy('code').limit(opts.limit).execute()).map(toSku)
}

/** Which of these SKUs are bundles (组合装: they have components). */
export async function bundleIds(
  db: Executor,
  merchantId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db
    .selectFrom('sku_bundle_components')
    .select('bundle_sku_id')
    .distinct()
    .where('merchant_id', '=', merchantId)
    .where('bundle_sku_id', 'in', [...ids])
    .execute()
  return new Set(rows.map((r) => r.bundle_sku_id))
}

/** A bundle's components with their SKU codes and names, by code. */
export async function bundleComponents(db: Executor, merchantId: string, bundleId: string) {
  return db
    .selectFrom('sku_bundle_components as c')
    .innerJoin('skus as s', (j) =>
      j.onRef('s.merchant_id', '=', 'c.merchant_id').onRef('s.id', '=', 'c.component_sku_id'),
    )
    .select(['c.component_sku_id', 's.code', 's.name', 'c.quantity', 'c.unit_value'])
    .where('c.merchant_id', '=', merchantId)
    .where('c.bundle_sku_id', '=', bundleId)
    .orderBy('s.code')
    .execute()
}
