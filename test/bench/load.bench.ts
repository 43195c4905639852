/**
 * Load mode of the sandboxes (a 双11 burst): orders/s from a sandbox store over real HTTP into the
 * pool, against fetching the same pages raw; and the delay from a stock change to the push arriving
 * at every shop of the SKU — a self-run store, a WooCommerce site and a Taobao shop (p50/p99) —
 * against one raw PUT /stock round trip.
 */
import { startWorkers } from '../../jobs/worker.js'
import { receive } from '../../src/inventory/operations.js'
import { schedulePush } from '../../src/inventory/schedule-push.js'
import { createApiKey, createMerchant } from '../../src/merchants/repo.js'
import { startSelfstoreSandbox } from '../../src/sandbox/selfstore-server.js'
import { startTopSandbox } from '../../src/sandbox/top-server.js'
import { startWooSandbox } from '../../src/sandbox/woocommerce-server.js'
import { newId } from '../../src/lib/ids.js'
import { PRODUCT_NAMES } from '../../src/sandbox/generator.js'
import { createShop } from '../../src/shops/repo.js'
import { upsertSkus } from '../../src/skus/repo.js'
import { pullStream } from '../../src/sync/pull.js'
import { autoMap } from '../../src/orders/mappings.js'
import { createWarehouse } from '../../src/warehouses/repo.js'
import { testEnv } from '../helpers/app.js'
import { fmt, timed, type BenchResult } from './harness.js'

const BURST = Number(process.env.BENCH_BURST_ORDERS ?? 1000)
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!

export async function run(): Promise<BenchResult[]> {
  const env = await testEnv({
    config: { STOCK_PUSH_DEBOUNCE_MS: '50', WORKER_CONCURRENCY: '8', LOG_LEVEL: 'warn' },
  })
  const catalogue = PRODUCT_NAMES.map(([title, price], i) => ({ skuCode: `L${i}`, title, price }))
  const sandbox = await startSelfstoreSandbox({ seed: 11, catalogue, apiKey: 'k', webhookSecret: 's' })
  const woo = await startWooSandbox({
    seed: 12,
    catalogue,
    consumerKey: 'ck_load',
    consumerSecret: 'cs_load',
    currency: 'CNY',
  })
  const top = await startTopSandbox({
    seed: 13,
    catalogue,
    appKey: '21000009',
    appSecret: 'load-secret',
    session: 'load-session',
    refundRate: 0,
  })
  const workers = startWorkers(env.ctx)
  try {
    const m = await createMerchant(env.ctx.db, { name: 'load' })
    await createApiKey(env.ctx.db, m.id, { role: 'admin' })
    const wh = await createWarehouse(env.ctx.db, m.id, { code: 'W', name: 'W' })
    await upsertSkus(
      env.ctx.db,
      m.id,
      catalogue.map((c) => ({ code: c.skuCode, name: c.title })),
    )
    const skus = await env.ctx.db
      .selectFrom('skus')
      .select(['id', 'code'])
      .where('merchant_id', '=', m.id)
      .execute()
    for (const s of skus)
      await receive(
        env.ctx.db,
        m.id,
        { warehouseId: wh.id, skuId: s.id, quantity: 100_000, unitCost: '1', currency: 'CNY' },
        { actor: 'bench' },
      )
    const shop = await createShop(env.ctx.db, env.ctx.config.secretKey, m.id, {
      channel: 'selfstore',
      name: 'burst',
      settings: { baseUrl: sandbox.url },
      credentials: { apiKey: 'k', webhookSecret: 's' },
    })

    sandbox.generate(BURST, new Date(Date.now() - 60_000))
    const raw = await timed(async () => {
      let cursor: string | null = null
      let n = 0
      do {
        const res = await fetch(
          `${sandbox.url}/orders?limit=100&changed_since=1970-01-01T00:00:00Z${cursor ? `&cursor=${cursor}` : ''}`,
          { headers: { authorization: 'Bearer k' } },
        )
        const page = (await res.json()) as { orders: unknown[]; next_cursor: string | null }
        n += page.orders.length
        cursor = page.next_cursor
      } while (cursor)
      return n
    })
    const pulled = await timed(() => pullStream(env.ctx, m.id, shop.id, 'orders'))
    if (pulled.value.stored !== BURST) throw new Error(`pulled ${pulled.value.stored} of ${BURST}`)
    await autoMap(env.ctx.db, m.id, shop.id)
    const rate = (BURST / pulled.ms) * 1000
    const rawRate = (raw.value / raw.ms) * 1000

    // Two more shops selling the same SKUs, mapped by their platform ids.
    const wooShop = await createShop(env.ctx.db, env.ctx.config.secretKey, m.id, {
      channel: 'woocommerce',
      name: 'woo',
      settings: { baseUrl: woo.url },
      credentials: { consumerKey: 'ck_load', consumerSecret: 'cs_load', webhookSecret: 'w' },
    })
    const topShop = await createShop(env.ctx.db, env.ctx.config.secretKey, m.id, {
      channel: 'taobao',
      name: 'tb',
      settings: { baseUrl: top.url, ratePerSecond: 1000 },
      credentials: { appKey: '21000009', appSecret: 'load-secret', session: 'load-session' },
    })
    const skuId = new Map(skus.map((s) => [s.code, s.id]))
    await env.ctx.db
      .insertInto('sku_mappings')
      .values([
        ...catalogue.map((c) => ({
          id: newId(),
          merchant_id: m.id,
          shop_id: wooShop.id,
          platform_sku_key: woo.productIdOf(c.skuCode),
          platform_item_id: woo.productIdOf(c.skuCode),
          platform_sku_id: woo.productIdOf(c.skuCode),
          outer_code: c.skuCode,
          sku_id: skuId.get(c.skuCode)!,
          source: 'bulk' as const,
        })),
        ...catalogue.map((c) => ({
          id: newId(),
          merchant_id: m.id,
          shop_id: topShop.id,
          platform_sku_key: top.skuIdOf(c.skuCode),
          platform_item_id: top.itemIdOf(c.skuCode),
          platform_sku_id: top.skuIdOf(c.skuCode),
          outer_code: c.skuCode,
          sku_id: skuId.get(c.skuCode)!,
          source: 'bulk' as const,
        })),
      ])
      .execute()

    // Stock change → push arrives at every shop, measured once the burst's allocations are done.
    const sku = skus[0]!
    for (;;) {
      const c = await env.ctx.queues['inventory-order-event'].getJobCounts('waiting', 'active', 'delayed')
      if ((c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0) break
      await new Promise((r) => setTimeout(r, 50))
    }
    const delays: number[] = []
    const putBaseline: number[] = []
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now()
      await fetch(`${sandbox.url}/stock`, {
        method: 'PUT',
        headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
        body: JSON.stringify({ items: [] }),
      })
      putBaseline.push(performance.now() - t0)
      const start = performance.now()
      await receive(
        env.ctx.db,
        m.id,
        { warehouseId: wh.id, skuId: sku.id, quantity: 1, unitCost: '1', currency: 'CNY' },
        { actor: 'bench' },
      )
      await schedulePush(env.ctx, m.id)
      const expected = await env.ctx.db
        .selectFrom('stock')
        .select(['on_hand', 'reserved'])
        .where('sku_id', '=', sku.id)
        .executeTakeFirstOrThrow()
      const want = expected.on_hand - expected.reserved
      const arrived = () =>
        sandbox.stock.get(sku.code)?.quantity === want &&
        woo.stock.get(woo.productIdOf(sku.code)) === want &&
        top.stock.get(top.skuIdOf(sku.code))?.quantity === want
      for (let waited = 0; !arrived(); waited += 2) {
        if (waited > 30_000) throw new Error(`push of ${sku.code} = ${want} never arrived at every shop`)
        await new Promise((r) => setTimeout(r, 2))
      }
      delays.push(performance.now() - start)
    }
    const p50 = quantile(delays, 0.5)
    const p99 = quantile(delays, 0.99)
    const base = quantile(putBaseline, 0.5)
    return [
      {
        name: `burst of ${fmt(BURST)} orders, store → pool over HTTP`,
        figure: `${fmt(rate)} orders/s vs raw page fetch ${fmt(rawRate)} orders/s`,
        ratio: rate / rawRate,
        target: 'reported',
        ok: true,
      },
      {
        name: 'stock change → push arrives at all three shops of the SKU (self-run, WooCommerce, Taobao; debounce 50 ms)',
        figure: `p50 ${fmt(p50, 1)} ms, p99 ${fmt(p99, 1)} ms vs raw PUT /stock ${fmt(base, 1)} ms`,
        ratio: base / p50,
        target: 'reported',
        ok: true,
      },
    ]
  } finally {
    await workers.close()
    await sandbox.close()
    await woo.close()
    await top.close()
    await env.close()
  }
}
