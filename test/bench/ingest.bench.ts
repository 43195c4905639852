/**
 * Ingest throughput: raw self-run-store payloads → raw inbox → normalizer → pool (orders/s), as a
 * ratio against a plain multi-row INSERT of the same order and line rows into the same tables.
 */
import { sql } from 'kysely'
import type { RawOrder } from '../../connectors/types.js'
import { closeQueues, createQueues } from '../../jobs/queues.js'
import { producerConnection } from '../../jobs/connection.js'
import { loadConfig } from '../../config/index.js'
import { newId } from '../../src/lib/ids.js'
import { createLogger } from '../../src/lib/logger.js'
import { systemClock } from '../../src/lib/clock.js'
import { ingestRawOrders } from '../../src/orders/ingest.js'
import { createMerchant } from '../../src/merchants/repo.js'
import { createShop } from '../../src/shops/repo.js'
import { upsertSkus } from '../../src/skus/repo.js'
import { createOrderGenerator, PRODUCT_NAMES } from '../../src/sandbox/generator.js'
import { freshDb } from '../helpers/db.js'
import { clearPrefix } from '../helpers/app.js'
import { fmt, timed, type BenchResult } from './harness.js'

const N = Number(process.env.BENCH_INGEST_ORDERS ?? 2000)

export async function run(): Promise<BenchResult> {
  const t = await freshDb()
  const config = loadConfig({ ...process.env, DATABASE_URL: t.url, QUEUE_PREFIX: `{entrepot-bench-${process.pid}}` })
  const redis = producerConnection(config.redis.url)
  const ctx = { db: t.db, queues: createQueues(redis, config.redis.prefix), clock: systemClock, config, log: createLogger('warn') }
  try {
    const m = await createMerchant(t.db, { name: 'bench' })
    const shop = await createShop(t.db, config.secretKey, m.id, { channel: 'selfstore', name: 'bench', settings: { baseUrl: 'http://127.0.0.1:1' } })
    const catalogue = PRODUCT_NAMES.map(([title, price], i) => ({ skuCode: `B${i}`, title, price }))
    await upsertSkus(t.db, m.id, catalogue.map((c) => ({ code: c.skuCode, name: c.title })))
    const gen = createOrderGenerator({ seed: 1, catalogue, start: new Date('2026-11-11T00:00:00Z'), platformDiscountRate: 0 })
    const orders = gen.batch(N)
    const raws: RawOrder[] = orders.map((g) => {
      const payload = {
        id: `SO${g.seq}`, status: g.status === 'pending_payment' ? 'pending' : g.status, currency: 'CNY', created_at: g.createdAt.toISOString(), paid_at: g.createdAt.toISOString(), updated_at: g.createdAt.toISOString(),
        customer: { id: g.buyer.id, name: g.receiver.name }, shipping_address: { ...g.receiver, country: 'CN' }, note: g.buyerNote,
        lines: g.lines.map((l) => ({ id: `L${l.lineNo}`, sku: l.skuCode, title: l.title, quantity: l.quantity, unit_price: l.unitPrice, discount: l.merchantDiscount })),
        order_discount: '0.00', shipping_fee: g.shipping, tax: '0.00', total: g.paid, refunds: [],
      }
      return { externalId: payload.id, platformUpdatedAt: g.createdAt, payload }
    })
    // Baseline: the same order and line rows with plain multi-row INSERTs (500 per statement).
    const baseline = await timed(async () => {
      for (let i = 0; i < orders.length; i += 500) {
        const batch = orders.slice(i, i + 500)
        const rows = batch.map((g) => ({ id: newId(), g }))
        await sql`INSERT INTO orders (id, merchant_id, shop_id, channel, external_id, status, platform_status, currency, platform_updated_at, receiver, goods_amount, platform_discount, merchant_discount, shipping_amount, tax_amount, buyer_paid)
          VALUES ${sql.join(rows.map(({ id, g }) => sql`(${id}, ${m.id}, ${shop.id}, 'baseline', ${`SO${g.seq}`}, 'paid', 'paid', 'CNY', ${g.createdAt}, ${JSON.stringify(g.receiver)}, ${g.goods}, 0, ${g.merchantDiscount}, ${g.shipping}, 0, ${g.paid})`))}`.execute(t.db)
        await sql`INSERT INTO order_lines (id, merchant_id, order_id, line_no, external_line_id, title, quantity, unit_price, goods_amount, platform_discount, merchant_discount, paid_amount)
          VALUES ${sql.join(rows.flatMap(({ id, g }) => g.lines.map((l) => sql`(${newId()}, ${m.id}, ${id}, ${l.lineNo}, ${`L${l.lineNo}`}, ${l.title}, ${l.quantity}, ${l.unitPrice}, ${l.goods}, 0, ${l.merchantDiscount}, ${l.paid})`)))}`.execute(t.db)
      }
    })
    const ingest = await timed(() => ingestRawOrders(ctx, { id: shop.id, merchantId: m.id, channel: 'selfstore' }, raws, 'pull'))
    const count = await t.db.selectFrom('orders').select((eb) => eb.fn.countAll().as('n')).where('channel', '=', 'selfstore').executeTakeFirstOrThrow()
    if (Number(count.n) !== N) throw new Error(`ingested ${count.n} of ${N} orders`)
    const rate = (N / ingest.ms) * 1000
    const base = (N / baseline.ms) * 1000
    return { name: `ingest ${N} orders (raw → pool, one transaction per order)`, figure: `${fmt(rate)} orders/s vs ${fmt(base)} orders/s plain multi-row INSERT`, ratio: rate / base, target: '≥ 0.3', ok: rate / base >= 0.3 }
  } finally {
    await closeQueues(ctx.queues)
    await clearPrefix(config.redis.url, config.redis.prefix)
    await redis.quit()
    await t.drop()
  }
}
