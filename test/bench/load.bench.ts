/**
 * Load mode of the sandboxes (a 双11 burst): orders/s from a sandbox store over real HTTP into the
 * pool, against fetching the same pages raw. (Stock push latency is push.bench.ts: under sustained
 * sales, not after one change on an idle system.)
 */
import { startWorkers } from '../../jobs/worker.js'
import { receive } from '../../src/inventory/operations.js'
import { createApiKey, createMerchant } from '../../src/merchants/repo.js'
import { startSelfstoreSandbox } from '../../src/sandbox/selfstore-server.js'
import { PRODUCT_NAMES } from '../../src/sandbox/generator.js'
import { createShop } from '../../src/shops/repo.js'
import { upsertSkus } from '../../src/skus/repo.js'
import { pullStream } from '../../src/sync/pull.js'
import { autoMap } from '../../src/orders/mappings.js'
import { createWarehouse } from '../../src/warehouses/repo.js'
import { testEnv } from '../helpers/app.js'
import { fmt, timed, type BenchResult } from './harness.js'

const BURST = Number(process.env.BENCH_BURST_ORDERS ?? 1000)

export async function run(): Promise<BenchResult[]> {
  const env = await testEnv({
    config: { LOG_LEVEL: 'warn' },
  })
  const catalogue = PRODUCT_NAMES.map(([title, price], i) => ({ skuCode: `L${i}`, title, price }))
  const sandbox = await startSelfstoreSandbox({ seed: 11, catalogue, apiKey: 'k', webhookSecret: 's' })
  const workers = startWorkers(env.ctx)
  try {
    const m = await createMerchant(env.ctx.db, { name: 'load' })
    await createApiKey(env.ctx.db, m.id, { role: 'admin' }, env.ctx.clock.now())
    const wh = await createWarehouse(env.ctx.db, m.id, { code: 'W', name: 'W' })
    await upsertSkus(
      env.ctx,
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
    const shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
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

    return [
      {
        name: `burst of ${fmt(BURST)} orders, store → pool over HTTP`,
        figure: `${fmt(rate)} orders/s vs raw page fetch ${fmt(rawRate)} orders/s`,
        ratio: rate / rawRate,
        target: 'reported',
        ok: true,
      },
    ]
  } finally {
    await workers.close()
    await sandbox.close()
    await env.close()
  }
}
