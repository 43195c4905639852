/**
 * Allocation of the paid orders a process has in flight at the same time, together: their orders,
 * needs and stock in one round of reads, then one transaction with every event key, status change
 * and allocation row and one conditional reservation statement over all their stock rows. A hot
 * stock row is thus locked once per batch instead of once per order.
 *
 * Nothing is weaker than one by one: the reservation is still conditional on the stock as it is
 * (any shortfall on any row rolls the whole batch back), each order's status change is conditional
 * on the state read, and an order's effects and its event key commit together. An order the batch
 * does not take (not paid, an open exception, no plan from the stock read) — or every order of a
 * batch whose transaction did not go through — is allocated on its own (allocateOne), which gives
 * it its own outcome, exception or error.
 */
import { sql } from 'kysely'
import type { AppContext } from '../context.js'
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import type { Clock } from '../lib/clock.js'
import { faultPoint } from '../lib/fault.js'
import { newId } from '../lib/ids.js'
import { setOrdersStatus } from '../orders/repo.js'
import { listWarehouses } from '../warehouses/repo.js'
import { hubSettings } from '../../connectors/settings.js'
import { allocateOne, perStockRow, type AllocationOutcome } from './allocate.js'
import { planAllocation, stockKey, type Need, type PlannedReservation } from './plan.js'
import { shopRules, type ShopRules } from './shop-rules.js'
import { claimEventKeys, reserveAll } from './stock-repo.js'

export interface AllocationRequest {
  merchantId: string
  orderId: string
  eventKey?: string | undefined
}

interface Waiting {
  r: AllocationRequest
  /** The caller's clock: when its order is allocated. */
  clock: Clock
  resolve: (outcome: AllocationOutcome) => void
  reject: (err: unknown) => void
}

/** Batches of one process in flight at once, and the most orders one batch takes. */
const LANES = 2
const MAX_BATCH = 32

interface Lanes {
  waiting: Waiting[]
  lanes: number
  /** Units the batches in flight have planned on each stock row and not yet committed or given up. */
  planned: Map<string, number>
}
const lanesOf = new WeakMap<Db, Lanes>()

class NotTaken extends Error {}

export function allocateBatched(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  r: AllocationRequest,
): Promise<AllocationOutcome> {
  const { db, clock } = ctx
  return new Promise<AllocationOutcome>((resolve, reject) => {
    let b = lanesOf.get(db)
    if (!b) {
      b = { waiting: [], lanes: 0, planned: new Map() }
      lanesOf.set(db, b)
    }
    b.waiting.push({ r, clock, resolve, reject })
    if (b.lanes < LANES) {
      b.lanes++
      void drain(db, b)
    }
  })
}

async function drain(db: Db, b: Lanes): Promise<void> {
  try {
    for (;;) {
      // The callers whose orders the last batch settled ask for their next ones in the same turn of
      // the event loop: let them, so that the next batch takes them all rather than one.
      await new Promise((resolve) => setImmediate(resolve))
      if (b.waiting.length === 0) break
      // One merchant and one clock, and each order once: a second request for an order waits for
      // the first's outcome.
      const { r: first, clock } = b.waiting[0]!
      const orders = new Set<string>()
      const take: Waiting[] = []
      const rest: Waiting[] = []
      for (const w of b.waiting) {
        const fits =
          take.length < MAX_BATCH &&
          w.r.merchantId === first.merchantId &&
          w.clock === clock &&
          !orders.has(w.r.orderId)
        if (fits) orders.add(w.r.orderId)
        ;(fits ? take : rest).push(w)
      }
      b.waiting = rest
      await runBatch(db, b, take)
    }
  } finally {
    b.lanes-- // no await between the empty check and here: a waiter added meanwhile starts its own lane
  }
}

async function runBatch(db: Db, b: Lanes, take: readonly Waiting[]): Promise<void> {
  let done = new Map<string, AllocationOutcome>()
  if (take.length > 1) {
    try {
      done = await allocateMany(
        db,
        take[0]!.clock,
        b.planned,
        take.map((w) => w.r),
      )
    } catch {
      // The batch did not go through: each order on its own below, with its own outcome or error.
    }
  }
  await Promise.all(
    take.map(async (w) => {
      const outcome = done.get(w.r.orderId)
      if (outcome) return w.resolve(outcome)
      try {
        w.resolve(await allocateOne({ db, clock: w.clock }, w.r.merchantId, w.r.orderId, w.r.eventKey))
      } catch (err) {
        w.reject(err)
      }
    }),
  )
}

/** The orders with their shop's settings and their needs, one row per order and SKU line. */
async function loadOrders(db: Executor, merchantId: string, orderIds: readonly string[]) {
  return db
    .selectFrom('orders as o')
    .innerJoin('shops as s', (j) =>
      j.onRef('s.id', '=', 'o.shop_id').onRef('s.merchant_id', '=', 'o.merchant_id'),
    )
    .leftJoin('order_line_skus as ls', (j) =>
      j.onRef('ls.merchant_id', '=', 'o.merchant_id').onRef('ls.order_id', '=', 'o.id'),
    )
    .select([
      'o.id',
      'o.shop_id',
      'o.status',
      'o.receiver_province',
      'o.open_exceptions',
      's.settings',
      'ls.id as line_sku_id',
      'ls.sku_id',
      'ls.quantity',
    ])
    .where('o.merchant_id', '=', merchantId)
    .where('o.id', 'in', orderIds)
    .orderBy('o.id')
    .orderBy('ls.id')
    .execute()
}

/** Available units per stock row of every SKU the orders need (read beside the orders, not after them). */
async function loadAvailableFor(db: Executor, merchantId: string, orderIds: readonly string[]) {
  const rows = await db
    .selectFrom('stock')
    .select(['warehouse_id', 'sku_id', sql<number>`on_hand - reserved`.as('available')])
    .where('merchant_id', '=', merchantId)
    .where('sku_id', 'in', (eb) =>
      eb
        .selectFrom('order_line_skus')
        .select('sku_id')
        .where('merchant_id', '=', merchantId)
        .where('order_id', 'in', orderIds),
    )
    .execute()
  return new Map(rows.map((s) => [stockKey(s.warehouse_id, s.sku_id), Number(s.available)]))
}

interface Planned {
  orderId: string
  eventKey: string | undefined
  plan: PlannedReservation[]
}

/**
 * Allocate what the batch can take in one transaction; the orders it took are 'allocated'. Orders
 * left out are not in the result. Throws when the transaction did not go through (a row short, an
 * order changed, an event key already claimed): then none of it happened.
 */
async function allocateMany(
  db: Db,
  clock: Clock,
  inFlight: Map<string, number>,
  requests: readonly AllocationRequest[],
): Promise<Map<string, AllocationOutcome>> {
  const merchantId = requests[0]!.merchantId
  const ids = requests.map((r) => r.orderId)
  const [rows, warehouses, available] = await Promise.all([
    loadOrders(db, merchantId, ids),
    listWarehouses(db, merchantId),
    loadAvailableFor(db, merchantId, ids),
  ])
  // What other batches of this process have planned and not committed yet is not there to take.
  for (const [k, q] of inFlight) if (available.has(k)) available.set(k, available.get(k)! - q)
  const orders = new Map<string, { row: (typeof rows)[number]; needs: Need[] }>()
  for (const row of rows) {
    const o = orders.get(row.id) ?? { row, needs: [] }
    if (row.line_sku_id !== null && row.sku_id !== null && row.quantity !== null)
      o.needs.push({ lineSkuId: row.line_sku_id, skuId: row.sku_id, quantity: row.quantity })
    orders.set(row.id, o)
  }
  const rulesOf = new Map<string, ShopRules>()
  const planned: Planned[] = []
  for (const r of requests) {
    const o = orders.get(r.orderId)
    // Anything but a plain paid order (its outcome, exceptions, retries) is allocateOne's.
    if (!o || o.row.status !== 'paid' || o.row.open_exceptions !== 0 || o.needs.length === 0) continue
    let rules = rulesOf.get(o.row.shop_id)
    if (!rules) {
      rules = shopRules(hubSettings(o.row.settings ?? {}))
      rulesOf.set(o.row.shop_id, rules)
    }
    const ids = rules.warehouseIds
    const eligible = ids ? warehouses.filter((w) => ids.includes(w.id)) : warehouses
    const plan = planAllocation(o.needs, eligible, available, o.row.receiver_province, rules.allowSplit)
    if (!plan) continue
    for (const p of plan) {
      const k = stockKey(p.warehouseId, p.skuId)
      available.set(k, (available.get(k) ?? 0) - p.quantity)
    }
    planned.push({ orderId: r.orderId, eventKey: r.eventKey, plan })
  }
  if (planned.length === 0) return new Map()
  const rowsToReserve = perStockRow(planned.flatMap((p) => p.plan))
  for (const s of rowsToReserve) {
    const k = stockKey(s.warehouseId, s.skuId)
    inFlight.set(k, (inFlight.get(k) ?? 0) + s.quantity)
  }
  try {
    await withTx(db, async (tx) => {
      const keys = planned.flatMap((p) => (p.eventKey ? [p.eventKey] : []))
      if (!(await claimEventKeys(tx, merchantId, keys))) throw new NotTaken()
      const moved = await setOrdersStatus(
        tx,
        merchantId,
        planned.map((p) => ({
          orderId: p.orderId,
          note: [...new Set(p.plan.map((x) => x.warehouseId))].join(','),
        })),
        { from: 'paid', to: 'allocated', source: 'inventory', openExceptions: 0, at: clock.now() },
      )
      if (!moved) throw new NotTaken() // an order changed meanwhile: undo everything
      await tx
        .insertInto('stock_allocations')
        .values(
          planned.flatMap((p) =>
            p.plan.map((x) => ({
              id: newId(),
              merchant_id: merchantId,
              order_id: p.orderId,
              order_line_sku_id: x.lineSkuId,
              warehouse_id: x.warehouseId,
              sku_id: x.skuId,
              quantity: x.quantity,
              status: 'open' as const,
            })),
          ),
        )
        .execute()
      if (!(await reserveAll(tx, merchantId, rowsToReserve))) throw new NotTaken()
      faultPoint('inventory.allocate.reserved')
    })
  } finally {
    for (const s of rowsToReserve) {
      const k = stockKey(s.warehouseId, s.skuId)
      const left = inFlight.get(k)! - s.quantity
      if (left === 0) inFlight.delete(k)
      else inFlight.set(k, left)
    }
  }
  return new Map(planned.map((p) => [p.orderId, 'allocated' as const]))
}
