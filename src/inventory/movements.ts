/**
 * The stock movements ledger (库存流水) as people read it: every change of on-hand with its SKU,
 * warehouse, kind, quantity, cost, reference and who did it, newest first, as a keyset page.
 */
import type { Executor } from '../db/connect.js'
import type { MovementKind } from './tables.js'

export interface MovementFilter {
  skuId?: string
  warehouseId?: string
  /** The warehouses a scoped caller may see (null = all). */
  warehouseIds?: readonly string[] | null
  kind?: MovementKind
  /** A document number or other reference (ref_id), exactly. */
  ref?: string
  from?: Date
  to?: Date
}

export interface MovementRow {
  id: string
  created_at: Date
  warehouse_id: string
  warehouse_code: string
  warehouse_name: string
  sku_id: string
  sku_code: string
  sku_name: string
  kind: MovementKind
  quantity: number
  unit_cost: string | null
  currency: string | null
  reason: string | null
  ref_type: string | null
  ref_id: string | null
  actor: string | null
}

export async function listMovements(
  db: Executor,
  merchantId: string,
  f: MovementFilter & { after?: readonly [at: string, id: string]; limit: number },
): Promise<MovementRow[]> {
  let q = db
    .selectFrom('stock_movements as mv')
    .innerJoin('skus as k', 'k.id', 'mv.sku_id')
    .innerJoin('warehouses as w', 'w.id', 'mv.warehouse_id')
    .select([
      'mv.id',
      'mv.created_at',
      'mv.warehouse_id',
      'w.code as warehouse_code',
      'w.name as warehouse_name',
      'mv.sku_id',
      'k.code as sku_code',
      'k.name as sku_name',
      'mv.kind',
      'mv.quantity',
      'mv.unit_cost',
      'mv.currency',
      'mv.reason',
      'mv.ref_type',
      'mv.ref_id',
      'mv.actor',
    ])
    .where('mv.merchant_id', '=', merchantId)
  if (f.skuId) q = q.where('mv.sku_id', '=', f.skuId)
  if (f.warehouseId) q = q.where('mv.warehouse_id', '=', f.warehouseId)
  if (f.warehouseIds) q = q.where('mv.warehouse_id', 'in', f.warehouseIds.length ? f.warehouseIds : [''])
  if (f.kind) q = q.where('mv.kind', '=', f.kind)
  if (f.ref) q = q.where('mv.ref_id', '=', f.ref)
  if (f.from) q = q.where('mv.created_at', '>=', f.from)
  if (f.to) q = q.where('mv.created_at', '<', f.to)
  const after = f.after
  if (after) {
    const at = new Date(after[0])
    q = q.where((eb) =>
      eb.or([
        eb('mv.created_at', '<', at),
        eb.and([eb('mv.created_at', '=', at), eb('mv.id', '<', after[1])]),
      ]),
    )
  }
  return q.orderBy('mv.created_at', 'desc').orderBy('mv.id', 'desc').limit(f.limit).execute()
}

/** Names of the actors recorded on movements: users by name, API keys by their name. */
export async function actorNames(
  db: Executor,
  merchantId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)].filter((id) => /^[0-9A-Z]{26}$/.test(id))
  const out = new Map<string, string>()
  if (wanted.length === 0) return out
  const [users, keys] = await Promise.all([
    db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('merchant_id', '=', merchantId)
      .where('id', 'in', wanted)
      .execute(),
    db
      .selectFrom('api_keys')
      .select(['id', 'name'])
      .where('merchant_id', '=', merchantId)
      .where('id', 'in', wanted)
      .execute(),
  ])
  for (const k of keys) out.set(k.id, k.name ? `API: ${k.name}` : 'API')
  for (const u of users) out.set(u.id, u.name)
  return out
}
