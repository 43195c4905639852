/**
 * Allocation of whole orders through the inventory engine — handleInventoryEvent('paid'), the path
 * the inventory worker takes, with every write it makes (event key, conditional reservations,
 * allocation rows, order status and history, exceptions for orders that find no stock) — against
 * the raw conditional UPDATE per line (first warehouse that has the units, no transaction, nothing
 * recorded), on the same orders and stock, in the same run, with the same number of concurrent
 * allocators on a pool of that many connections.
 *
 * Orders have 1–3 lines of 1–2 units; the shop may split an order across three warehouses. Two
 * shapes: a few hot SKUs with 64 allocators (more demand than stock, so the last orders must fail),
 * and many uncontended SKUs with 16. After each engine run the inventory invariants are checked
 * (src/inventory/check.ts: on_hand = Σ movements, reserved = Σ open allocations, 0 ≤ reserved ≤
 * on_hand) and every order is either wholly allocated or not at all.
 */
import { sql } from 'kysely'
import { createDb, type Db } from '../../src/db/connect.js'
import { checkInventory } from '../../src/inventory/check.js'
import { handleInventoryEvent } from '../../src/inventory/events.js'
import { systemClock } from '../../src/lib/clock.js'
import { chunk } from '../../src/lib/collections.js'
import { newId } from '../../src/lib/ids.js'
import { createMerchant } from '../../src/merchants/repo.js'
import { createShop } from '../../src/shops/repo.js'
import { createWarehouse } from '../../src/warehouses/repo.js'
import { freshDb } from '../helpers/db.js'
import { fmt, pairedRounds, timed, type BenchResult } from './harness.js'

const ROUNDS = Number(process.env.BENCH_RESERVE_ROUNDS ?? 5)
/** Orders per round on the hot SKUs. */
const HOT_ORDERS = Number(process.env.BENCH_RESERVE_ORDERS ?? 400)

interface Line {
  skuId: string
  quantity: number
}

/** A deterministic pseudo-random sequence (the same orders every run). */
function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

export function makeOrders(
  count: number,
  skus: readonly string[],
  seed: number,
  distinct: boolean,
): Line[][] {
  const r = rng(seed)
  return Array.from({ length: count }, (_, i) => {
    const n = 1 + Math.floor(r() * 3)
    const picked = new Set<string>()
    while (picked.size < n)
      picked.add(distinct ? skus[(i * 3 + picked.size) % skus.length]! : skus[Math.floor(r() * skus.length)]!)
    return [...picked].map((skuId) => ({ skuId, quantity: 1 + Math.floor(r() * 2) }))
  })
}

interface Fixture {
  merchantId: string
  warehouses: string[]
  orderIds: string[]
}

/** A merchant, a shop that may split orders, three warehouses, stock received as movements, paid orders. */
export async function fixture(db: Db, skus: readonly string[], unitsPerStock: number, orders: Line[][]) {
  const m = await createMerchant(db, { name: 'bench' })
  const shop = await createShop({ db, clock: systemClock }, Buffer.alloc(32), m.id, {
    channel: 'selfstore',
    name: 'bench',
    settings: { allowSplit: true },
  })
  const warehouses: string[] = []
  for (const [i, regions] of [['浙江省', '上海市'], ['广东省'], []].entries())
    warehouses.push(
      (await createWarehouse(db, m.id, { code: `W${i}`, name: `W${i}`, priority: i, regions })).id,
    )
  for (const part of chunk(
    warehouses.flatMap((w) => skus.map((s) => [w, s] as const)),
    1000,
  )) {
    await db
      .insertInto('stock')
      .values(
        part.map(([w, s]) => ({
          merchant_id: m.id,
          warehouse_id: w,
          sku_id: s,
          on_hand: unitsPerStock,
          reserved: 0,
        })),
      )
      .execute()
    await db
      .insertInto('stock_movements')
      .values(
        part.map(([w, s]) => ({
          id: newId(),
          merchant_id: m.id,
          warehouse_id: w,
          sku_id: s,
          kind: 'receipt' as const,
          quantity: unitsPerStock,
        })),
      )
      .execute()
  }
  const provinces = ['浙江省', '广东省', '四川省']
  const orderIds = orders.map(() => newId())
  for (const part of chunk(
    orders.map((lines, i) => ({ lines, id: orderIds[i]!, province: provinces[i % 3]! })),
    500,
  )) {
    await db
      .insertInto('orders')
      .values(
        part.map((o) => ({
          id: o.id,
          merchant_id: m.id,
          shop_id: shop.id,
          channel: 'selfstore',
          external_id: o.id,
          status: 'paid',
          platform_status: 'paid',
          refund_state: 'none',
          open_exceptions: 0,
          currency: 'CNY',
          paid_at: new Date(),
          platform_updated_at: new Date(),
          receiver: JSON.stringify({ province: o.province }),
          receiver_province: o.province,
          goods_amount: '10',
          platform_discount: '0',
          merchant_discount: '0',
          shipping_amount: '0',
          tax_amount: '0',
          buyer_paid: '10',
        })),
      )
      .execute()
    const lines = part.flatMap((o) => o.lines.map((l, n) => ({ ...l, orderId: o.id, n, lineId: newId() })))
    await db
      .insertInto('order_lines')
      .values(
        lines.map((l) => ({
          id: l.lineId,
          merchant_id: m.id,
          order_id: l.orderId,
          line_no: l.n + 1,
          external_line_id: `L${l.n + 1}`,
          title: 'item',
          quantity: l.quantity,
          unit_price: '10',
          goods_amount: '10',
          platform_discount: '0',
          merchant_discount: '0',
          paid_amount: '10',
          shipping_share: '0',
          tax_amount: '0',
          sku_id: l.skuId,
          is_bundle: 0,
          refund_state: 'none',
          refunded_quantity: 0,
          refunded_amount: '0',
        })),
      )
      .execute()
    await db
      .insertInto('order_line_skus')
      .values(
        lines.map((l) => ({
          id: newId(),
          merchant_id: m.id,
          order_id: l.orderId,
          order_line_id: l.lineId,
          sku_id: l.skuId,
          quantity: l.quantity,
          revenue_share: '10',
        })),
      )
      .execute()
  }
  return { merchantId: m.id, warehouses, orderIds } satisfies Fixture
}

async function parallel(n: number, tasks: number, fn: (i: number) => Promise<boolean>): Promise<number> {
  let next = 0
  let ok = 0
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let i = next++; i < tasks; i = next++) if (await fn(i)) ok++
    }),
  )
  return ok
}

/** Every order wholly allocated (its allocations cover its lines) or not at all; the invariants hold. */
async function verify(db: Db, f: Fixture, orders: Line[][]): Promise<number> {
  const violations = await checkInventory(db, f.merchantId)
  if (violations.length > 0)
    throw new Error(`inventory invariants broken: ${JSON.stringify(violations.slice(0, 5))}`)
  const allocated = new Map<string, number>()
  for (const r of await db
    .selectFrom('stock_allocations')
    .select(['order_id', sql<string>`SUM(quantity)`.as('q')])
    .where('merchant_id', '=', f.merchantId)
    .where('status', '=', 'open')
    .groupBy('order_id')
    .execute())
    allocated.set(r.order_id, Number(r.q))
  const status = new Map(
    (
      await db.selectFrom('orders').select(['id', 'status']).where('merchant_id', '=', f.merchantId).execute()
    ).map((r) => [r.id, r.status]),
  )
  let whole = 0
  for (const [i, id] of f.orderIds.entries()) {
    const need = orders[i]!.reduce((n, l) => n + l.quantity, 0)
    const got = allocated.get(id) ?? 0
    if (got !== 0 && got !== need) throw new Error(`order ${id} half reserved: ${got} of ${need}`)
    if ((got === need) !== (status.get(id) === 'allocated'))
      throw new Error(`order ${id} is ${status.get(id)} with ${got} of ${need} reserved`)
    if (got === need) whole++
  }
  return whole
}

interface Shape {
  name: string
  skus: number
  units: number
  orders: number
  concurrency: number
  distinct: boolean
}

/** One round: the same orders and stock twice, allocated raw and through the engine. */
async function round(db: Db, shape: Shape, seed: number) {
  const skus = Array.from({ length: shape.skus }, () => newId())
  const orders = makeOrders(shape.orders, skus, seed, shape.distinct)
  const raw = await fixture(db, skus, shape.units, orders)
  const eng = await fixture(db, skus, shape.units, orders)
  // Raw: each line one conditional UPDATE on the first warehouse that has the units.
  const rawLine = async (l: Line) => {
    for (const w of raw.warehouses) {
      const r =
        await sql`UPDATE stock SET reserved = reserved + ${l.quantity} WHERE merchant_id = ${raw.merchantId} AND warehouse_id = ${w} AND sku_id = ${l.skuId} AND on_hand - reserved >= ${l.quantity}`.execute(
          db,
        )
      if (r.numAffectedRows === 1n) return true
    }
    return false
  }
  const a = await timed(() =>
    parallel(shape.concurrency, orders.length, async (i) => {
      let ok = true
      for (const l of orders[i]!) ok = (await rawLine(l)) && ok
      return ok
    }),
  )
  const b = await timed(() =>
    parallel(shape.concurrency, orders.length, async (i) => {
      const id = eng.orderIds[i]!
      const out = await handleInventoryEvent(
        { db, clock: systemClock },
        {
          merchantId: eng.merchantId,
          orderId: id,
          kind: 'paid',
          key: `${id}.paid`,
        },
      )
      return out === 'allocated'
    }),
  )
  const whole = await verify(db, eng, orders)
  if (whole !== b.value) throw new Error(`${b.value} orders reported allocated, ${whole} found allocated`)
  const over = (await checkInventory(db, raw.merchantId)).filter(
    (v) => v.kind === 'negative_or_over_reserved',
  )
  if (over.length > 0) throw new Error(`raw UPDATEs over-reserved ${over.length} rows`)
  return {
    baselineMs: a.ms,
    engineMs: b.ms,
    allocated: b.value,
    lines: orders.reduce((n, o) => n + o.length, 0),
  }
}

async function measure(db: Db, shape: Shape, rounds: number): Promise<BenchResult> {
  let allocated = 0
  let lines = 0
  const r = await pairedRounds(rounds, async (i) => {
    const x = await round(db, shape, 7 + i)
    allocated += x.allocated
    lines += x.lines
    return x
  })
  const orders = shape.orders * rounds
  const rate = (orders / sum(r.engineMs)) * 1000
  const rawRate = (orders / sum(r.baselineMs)) * 1000
  return {
    name: shape.name,
    figure: `${fmt(rate)} orders/s (${fmt(allocated)} of ${fmt(orders)} allocated whole, the rest no stock) vs raw ${fmt(rawRate)} orders/s (${fmt((lines / sum(r.baselineMs)) * 1000)} line UPDATEs/s); ${rounds} paired rounds; 0 oversold, invariants hold`,
    ratio: r.ratio,
    target: '≥ 0.3',
    ok: r.ratio >= 0.3,
  }
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0)

export async function run(): Promise<BenchResult[]> {
  const t = await freshDb()
  const db = createDb({ url: t.url, poolSize: 64 })
  try {
    return [
      await measure(
        db,
        {
          name: `whole orders (1–3 lines, 3 warehouses, split allowed) on 4 hot SKUs, 64 concurrent allocators`,
          skus: 4,
          units: Math.round((HOT_ORDERS * 3) / 12 / 1.25), // about 80% of the demand
          orders: HOT_ORDERS,
          concurrency: 64,
          distinct: false,
        },
        ROUNDS,
      ),
      await measure(
        db,
        {
          name: `whole orders on 10,000 uncontended SKUs (${fmt(10_000 / ROUNDS)} a round), 16 concurrent allocators`,
          skus: Math.round(10_000 / ROUNDS),
          units: 5,
          orders: Math.round(10_000 / 3 / ROUNDS),
          concurrency: 16,
          distinct: true,
        },
        ROUNDS,
      ),
    ]
  } finally {
    await db.destroy()
    await t.drop()
  }
}
