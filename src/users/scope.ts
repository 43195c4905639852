/**
 * Data scopes: a user may be limited to some warehouses and some shops. The guard below is the
 * enforcement hook every route gets for free: a scoped caller who names a shop or a warehouse
 * outside its scope (in the path of /shops/:id… and /warehouses/:id…, or as shopId, warehouseId,
 * fromWarehouseId, toWarehouseId, shopIds or warehouseIds in the query or the body) gets the same
 * 404 as for another merchant's row. Lists narrow themselves with shopScope / warehouseScope.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Auth } from '../api/auth.js'
import { AppError } from '../api/errors.js'

const SHOP_FIELDS = ['shopId', 'shopIds'] as const
const WAREHOUSE_FIELDS = ['warehouseId', 'warehouseIds', 'fromWarehouseId', 'toWarehouseId'] as const

export function installScopeGuard(app: FastifyInstance): void {
  app.addHook('preHandler', async (req) => {
    const auth = req.auth as Auth | null
    if (!auth || (!auth.scope.shopIds && !auth.scope.warehouseIds)) return
    const named = namedIds(req)
    check(auth.scope.shopIds, named.shops, 'shop')
    check(auth.scope.warehouseIds, named.warehouses, 'warehouse')
  })
}

function check(allowed: readonly string[] | null, named: ReadonlySet<string>, what: string): void {
  if (!allowed) return
  for (const id of named)
    if (!allowed.includes(id)) throw new AppError('not_found', `${what} ${id} not found`, 404, { id })
}

function namedIds(req: FastifyRequest): { shops: Set<string>; warehouses: Set<string> } {
  const shops = new Set<string>()
  const warehouses = new Set<string>()
  const url = req.routeOptions.url ?? ''
  const params = (req.params ?? {}) as Record<string, unknown>
  if (typeof params.id === 'string') {
    if (url.startsWith('/shops/:id')) shops.add(params.id)
    if (url.startsWith('/warehouses/:id')) warehouses.add(params.id)
  }
  for (const source of [req.query, req.body]) {
    if (typeof source !== 'object' || source === null || Array.isArray(source)) continue
    const record = source as Record<string, unknown>
    for (const f of SHOP_FIELDS) addIds(shops, record[f])
    for (const f of WAREHOUSE_FIELDS) addIds(warehouses, record[f])
  }
  return { shops, warehouses }
}

function addIds(into: Set<string>, value: unknown): void {
  if (typeof value === 'string') into.add(value)
  else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') into.add(v)
}

/** The shops a list may show: null = all of the merchant's. */
export const shopScope = (auth: Auth): readonly string[] | null => auth.scope.shopIds
/** The warehouses a list may show: null = all of the merchant's. */
export const warehouseScope = (auth: Auth): readonly string[] | null => auth.scope.warehouseIds
