import type { Selectable } from 'kysely'
import type { Executor } from '../db/connect.js'
import type { WarehouseTable } from '../db/schema.js'
import { newId } from '../lib/ids.js'

export interface Warehouse {
  id: string
  merchantId: string
  code: string
  name: string
  priority: number
  regions: string[]
  address: Record<string, string>
  active: boolean
  createdAt: Date
  updatedAt: Date
}

export interface WarehouseInput {
  code: string
  name: string
  priority?: number
  regions?: string[]
  address?: Record<string, string>
}

export function toWarehouse(r: Selectable<WarehouseTable>): Warehouse {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    code: r.code,
    name: r.name,
    priority: r.priority,
    regions: r.regions ?? [],
    address: r.address ?? {},
    active: r.active === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

export async function createWarehouse(
  db: Executor,
  merchantId: string,
  input: WarehouseInput,
): Promise<Warehouse> {
  const id = newId()
  await db
    .insertInto('warehouses')
    .values({
      id,
      merchant_id: merchantId,
      code: input.code,
      name: input.name,
      priority: input.priority ?? 100,
      regions: JSON.stringify(input.regions ?? []),
      address: JSON.stringify(input.address ?? {}),
      active: 1,
    })
    .execute()
  return (await getWarehouse(db, merchantId, id))!
}

export async function getWarehouse(
  db: Executor,
  merchantId: string,
  id: string,
): Promise<Warehouse | undefined> {
  const row = await db
    .selectFrom('warehouses')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return row && toWarehouse(row)
}

/** Warehouses by priority (lower first), then code. */
export async function listWarehouses(
  db: Executor,
  merchantId: string,
  opts: {
    includeInactive?: boolean
    after?: readonly [priority: number, code: string]
    limit?: number
    /** Only these warehouses (a user limited to some); null or absent: all of the merchant's. */
    ids?: readonly string[] | null
  } = {},
): Promise<Warehouse[]> {
  if (opts.ids?.length === 0) return []
  let q = db.selectFrom('warehouses').selectAll().where('merchant_id', '=', merchantId)
  if (opts.ids) q = q.where('id', 'in', opts.ids)
  if (!opts.includeInactive) q = q.where('active', '=', 1)
  const after = opts.after
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('priority', '>', after[0]),
        eb.and([eb('priority', '=', after[0]), eb('code', '>', after[1])]),
      ]),
    )
  if (opts.limit !== undefined) q = q.limit(opts.limit)
  return (await q.orderBy('priority').orderBy('code').execute()).map(toWarehouse)
}

export async function updateWarehouse(
  db: Executor,
  merchantId: string,
  id: string,
  patch: Partial<WarehouseInput> & { active?: boolean },
): Promise<boolean> {
  const res = await db
    .updateTable('warehouses')
    .set({
      ...(patch.code !== undefined ? { code: patch.code } : {}),
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.priority !== undefined ? { priority: patch.priority } : {}),
      ...(patch.regions !== undefined ? { regions: JSON.stringify(patch.regions) } : {}),
      ...(patch.address !== undefined ? { address: JSON.stringify(patch.address) } : {}),
      ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
      updated_at: new Date(),
    })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return res.numUpdatedRows > 0n
}
