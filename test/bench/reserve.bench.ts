/**
 * Reservations/s through the inventory engine's reserve() (one conditional UPDATE per call): on one
 * hot SKU with 64 concurrent reservers, and on 10,000 uncontended SKUs; each against a raw loop of
 * the same conditional UPDATE written inline, in the same run. Oversell is checked after each run.
 */
import { sql } from 'kysely'
import { newId } from '../../src/lib/ids.js'
import { reserve } from '../../src/inventory/stock-repo.js'
import { checkInventory } from '../../src/inventory/check.js'
import type { Db } from '../../src/db/connect.js'
import { freshDb } from '../helpers/db.js'
import { fmt, timed, type BenchResult } from './harness.js'

async function seed(
  db: Db,
  merchantId: string,
  warehouseId: string,
  skus: number,
  onHand: number,
): Promise<string[]> {
  const ids = Array.from({ length: skus }, () => newId())
  for (let i = 0; i < ids.length; i += 1000) {
    await sql`INSERT INTO stock (merchant_id, warehouse_id, sku_id, on_hand, reserved) VALUES ${sql.join(ids.slice(i, i + 1000).map((id) => sql`(${merchantId}, ${warehouseId}, ${id}, ${onHand}, 0)`))}`.execute(
      db,
    )
  }
  return ids
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

export async function run(): Promise<BenchResult[]> {
  const t = await freshDb()
  const db = t.db
  const m = newId()
  const w = newId()
  const raw = (skuId: string) =>
    sql`UPDATE stock SET reserved = reserved + 1 WHERE merchant_id = ${m} AND warehouse_id = ${w} AND sku_id = ${skuId} AND on_hand - reserved >= 1`
      .execute(db)
      .then((r) => r.numAffectedRows === 1n)
  const engine = (skuId: string) => reserve(db, { merchantId: m, warehouseId: w, skuId }, 1)
  const results: BenchResult[] = []
  try {
    const HOT_UNITS = 3000
    const [hotRaw] = await seed(db, m, w, 1, HOT_UNITS)
    const [hotEngine] = await seed(db, m, w, 1, HOT_UNITS)
    const tasks = HOT_UNITS + 500 // more attempts than units: the last ones must fail
    const a = await timed(() => parallel(64, tasks, () => raw(hotRaw!)))
    const b = await timed(() => parallel(64, tasks, () => engine(hotEngine!)))
    const reservedHot = await db
      .selectFrom('stock')
      .select(['sku_id', 'reserved', 'on_hand'])
      .where('sku_id', 'in', [hotRaw!, hotEngine!])
      .execute()
    if (b.value !== HOT_UNITS || reservedHot.some((r) => r.reserved !== HOT_UNITS || r.reserved > r.on_hand))
      throw new Error(`oversell or undersell on the hot SKU: ${JSON.stringify(reservedHot)}`)
    const hotRatio = b.value / b.ms / (a.value / a.ms)
    results.push({
      name: 'reservations, 1 hot SKU, 64 concurrent reservers',
      figure: `${fmt((b.value / b.ms) * 1000)}/s vs raw ${fmt((a.value / a.ms) * 1000)}/s, 0 oversold`,
      ratio: hotRatio,
      target: '≥ 0.5',
      ok: hotRatio >= 0.5,
    })

    const N = 10_000
    const rawSkus = await seed(db, m, w, N, 5)
    const engineSkus = await seed(db, m, w, N, 5)
    const c = await timed(() => parallel(16, N, (i) => raw(rawSkus[i]!)))
    const d = await timed(() => parallel(16, N, (i) => engine(engineSkus[i]!)))
    if (c.value !== N || d.value !== N) throw new Error('uncontended reservations failed')
    const violations = await checkInventory(db)
    const over = violations.filter((v) => v.kind === 'negative_or_over_reserved')
    if (over.length > 0) throw new Error(`over-reserved rows: ${over.length}`)
    const ratio = d.value / d.ms / (c.value / c.ms)
    results.push({
      name: `reservations, ${fmt(N)} uncontended SKUs`,
      figure: `${fmt((d.value / d.ms) * 1000)}/s vs raw ${fmt((c.value / c.ms) * 1000)}/s, 0 oversold`,
      ratio,
      target: '≥ 0.5',
      ok: ratio >= 0.5,
    })
    return results
  } finally {
    await t.drop()
  }
}
