/**
 * Stock push latency under sustained load, with the default settings (STOCK_PUSH_DEBOUNCE_MS,
 * WORKER_CONCURRENCY): a sandbox self-run store sells at a steady rate (300 orders/s for 60 s by
 * default) and delivers every order to Entrepot by signed webhook over real HTTP; the API stores
 * it, the workers (in their own process, as `entrepot work` beside `entrepot serve`) ingest it,
 * allocate it and push stock to every shop of the SKU — a WooCommerce site and a Taobao shop,
 * sandboxes too. For every paid order: the time from the sale to the moment
 * both other shops show a quantity that accounts for it (and for every sale before it), p50 and
 * p99. Stock only goes down during the run, so a shop "accounts for" the first k sales of a SKU
 * once it shows at most the starting quantity less their units. Orders still not shown at the other
 * shops when the load ends are waited for (BENCH_PUSH_DRAIN_S, 120 s) and count from their sale.
 *
 * Knobs: `npm run bench -- push --seconds=10 --rate=100`, or BENCH_PUSH_SECONDS / BENCH_PUSH_RATE.
 * The baseline is one raw PUT /stock round trip to the store, measured in the same run.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startWorkers } from '../../jobs/worker.js'
import { chunk } from '../../src/lib/collections.js'
import { newId } from '../../src/lib/ids.js'
import { receive } from '../../src/inventory/operations.js'
import { PRODUCT_NAMES } from '../../src/sandbox/generator.js'
import { startSelfstoreSandbox } from '../../src/sandbox/selfstore-server.js'
import { startTopSandbox } from '../../src/sandbox/top-server.js'
import { startWooSandbox } from '../../src/sandbox/woocommerce-server.js'
import { createShop } from '../../src/shops/repo.js'
import { upsertSkus } from '../../src/skus/repo.js'
import { createWarehouse } from '../../src/warehouses/repo.js'
import { seedMerchant, testEnv } from '../helpers/app.js'
import { fmt, median, quantile, type BenchResult } from './harness.js'

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]
const SECONDS = Number(arg('seconds') ?? process.env.BENCH_PUSH_SECONDS ?? 60)
const RATE = Number(arg('rate') ?? process.env.BENCH_PUSH_RATE ?? 300)
const DRAIN_MS = Number(process.env.BENCH_PUSH_DRAIN_S ?? 120) * 1000
const START = 1_000_000 // units of each SKU: no order ever lacks stock
const WORKER_PROCESSES = Number(process.env.BENCH_PUSH_WORKER_PROCESSES ?? 1)

async function workerProcesses(n: number, env: NodeJS.ProcessEnv): Promise<{ close(): Promise<void> }> {
  const children = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ChildProcess>((resolve, reject) => {
          const child = fork(fileURLToPath(new URL('./push-workers.ts', import.meta.url)), [], {
            env,
            // BENCH_CPU_PROF=<dir>: a CPU profile of each worker process, written there on exit.
            execArgv: [
              '--import',
              'tsx',
              ...(process.env.BENCH_CPU_PROF
                ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
                : []),
            ],
          })
          child.once('message', () => resolve(child))
          child.once('exit', (code) => reject(new Error(`worker process exited (${code})`)))
        }),
    ),
  )
  return {
    async close() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              c.once('exit', () => resolve())
              c.kill('SIGTERM')
            }),
        ),
      )
    },
  }
}

/** A shop's quantity history per platform SKU, recorded as each push lands (the sandbox's own map). */
function record<V>(stock: Map<string, V>, quantityOf: (v: V) => number, landed: { n: number }) {
  const history = new Map<string, { at: number; quantity: number }[]>()
  const set = stock.set.bind(stock)
  stock.set = (key: string, value: V) => {
    const h = history.get(key) ?? []
    h.push({ at: performance.now(), quantity: quantityOf(value) })
    landed.n++
    history.set(key, h)
    return set(key, value)
  }
  /** When the shop first showed at most `quantity` of the SKU at or after `from`; null if not yet. */
  return (key: string, quantity: number, from: number): number | null => {
    for (const r of history.get(key) ?? []) if (r.at >= from && r.quantity <= quantity) return r.at
    return null
  }
}

export async function run(): Promise<BenchResult> {
  const env = await testEnv({ config: { LOG_LEVEL: 'warn' } })
  const catalogue = PRODUCT_NAMES.map(([title, price], i) => ({ skuCode: `P${i}`, title, price }))
  const store = await startSelfstoreSandbox({ seed: 21, catalogue, apiKey: 'k', webhookSecret: 'whs' })
  const woo = await startWooSandbox({
    seed: 22,
    catalogue,
    consumerKey: 'ck_push',
    consumerSecret: 'cs_push',
    currency: 'CNY',
  })
  const top = await startTopSandbox({
    seed: 23,
    catalogue,
    appKey: '21000010',
    appSecret: 'push-secret',
    session: 'push-session',
    refundRate: 0,
  })
  // The workers run as in a deployment: in their own process(es) beside the API's, each with its
  // own connection pool (BENCH_PUSH_WORKER_PROCESSES, 1; 0 runs them in this process).
  const workers =
    WORKER_PROCESSES === 0
      ? startWorkers(env.ctx)
      : await workerProcesses(WORKER_PROCESSES, {
          ...process.env,
          NODE_ENV: 'test',
          DATABASE_URL: env.testDb.url,
          QUEUE_PREFIX: env.prefix,
          LOG_LEVEL: 'warn',
        })
  try {
    const api = await env.app.listen({ port: 0, host: '127.0.0.1' })
    const m = await seedMerchant(env.ctx, 'push')
    const wh = await createWarehouse(env.ctx.db, m.id, { code: 'W', name: 'W' })
    await upsertSkus(
      env.ctx,
      m.id,
      catalogue.map((c) => ({ code: c.skuCode, name: c.title })),
    )
    const skuId = new Map(
      (
        await env.ctx.db.selectFrom('skus').select(['id', 'code']).where('merchant_id', '=', m.id).execute()
      ).map((s) => [s.code, s.id]),
    )
    for (const id of skuId.values())
      await receive(
        env.ctx.db,
        m.id,
        { warehouseId: wh.id, skuId: id, quantity: START, unitCost: '1', currency: 'CNY' },
        { actor: 'bench' },
      )
    const shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
      channel: 'selfstore',
      name: 'web',
      settings: { baseUrl: store.url },
      credentials: { apiKey: 'k', webhookSecret: 'whs' },
    })
    const wooShop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
      channel: 'woocommerce',
      name: 'woo',
      settings: { baseUrl: woo.url },
      credentials: { consumerKey: 'ck_push', consumerSecret: 'cs_push', webhookSecret: 'w' },
    })
    const topShop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
      channel: 'taobao',
      name: 'tb',
      // BENCH_PUSH_TOP_QPS: the shop's TOP call budget (settings.ratePerSecond); unset, the default.
      settings: {
        baseUrl: top.url,
        ...(process.env.BENCH_PUSH_TOP_QPS ? { ratePerSecond: Number(process.env.BENCH_PUSH_TOP_QPS) } : {}),
      },
      credentials: { appKey: '21000010', appSecret: 'push-secret', session: 'push-session' },
    })
    const mapping = (shopId: string, key: string, item: string, code: string) => ({
      id: newId(),
      merchant_id: m.id,
      shop_id: shopId,
      platform_sku_key: key,
      platform_item_id: item,
      platform_sku_id: key,
      outer_code: code,
      sku_id: skuId.get(code)!,
      source: 'bulk' as const,
    })
    await env.ctx.db
      .insertInto('sku_mappings')
      .values(
        catalogue.flatMap(({ skuCode: c }) => [
          mapping(shop.id, c, c, c),
          mapping(wooShop.id, woo.productIdOf(c), woo.productIdOf(c), c),
          mapping(topShop.id, top.skuIdOf(c), top.itemIdOf(c), c),
        ]),
      )
      .execute()
    const landed = { woo: { n: 0 }, top: { n: 0 } }
    const atWoo = record(woo.stock, (v) => v, landed.woo)
    const atTop = record(top.stock, (v) => v.quantity, landed.top)
    store.setWebhookUrl(`${api}/webhooks/selfstore/${shop.id}`)

    // The baseline: one raw PUT /stock round trip to the store.
    const puts: number[] = []
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now()
      await fetch(`${store.url}/stock`, {
        method: 'PUT',
        headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
        body: JSON.stringify({ items: [] }),
      })
      puts.push(performance.now() - t0)
    }

    const sales: { at: number; wall: number; id: string; lines: { code: string; quantity: number }[] }[] = []
    const started = performance.now()
    let made = 0
    // BENCH_PUSH_TRACE=1: where the pipeline stands, every second (deliveries stored and processed,
    // orders in the pool, jobs waiting per queue, pushes landed).
    const trace = process.env.BENCH_PUSH_TRACE
      ? setInterval(() => {
          void (async () => {
            const db = env.ctx.db
            const n = async (
              t: 'webhook_deliveries' | 'orders' | 'stock_allocations',
              where?: [string, string],
            ) =>
              Number(
                (
                  await db
                    .selectFrom(t)
                    .select((eb) => eb.fn.countAll().as('n'))
                    .$if(!!where, (q) => q.where(where![0] as never, '=', where![1] as never))
                    .executeTakeFirstOrThrow()
                ).n,
              )
            const waiting = await Promise.all(
              (['webhook-process', 'inventory-order-event', 'ledger-order-event', 'stock-push'] as const).map(
                async (q) => {
                  const c = await env.ctx.queues[q].getJobCounts(
                    'waiting',
                    'active',
                    'delayed',
                    'prioritized',
                  )
                  return `${q.split('-')[0]} ${c.waiting! + c.prioritized!}/${c.active}/${c.delayed}`
                },
              ),
            )
            process.stdout.write(
              `  t=${fmt((performance.now() - started) / 1000, 1)} made ${made} delivered ${await n('webhook_deliveries')} processed ${await n('webhook_deliveries', ['status', 'processed'])} orders ${await n('orders')} alloc ${await n('stock_allocations')} | ${waiting.join(' · ')} | levels landed woo ${landed.woo.n} top ${landed.top.n}\n`,
            )
          })()
        }, 1000)
      : null

    // The load: RATE orders a second in ticks of 20 ms, for SECONDS.
    while (performance.now() - started < SECONDS * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * RATE) - made
      if (due > 0) {
        const at = performance.now()
        for (const o of store.generate(due)) {
          if (o.status !== 'paid') continue
          const lines = (o.lines as { sku: string; quantity: number }[]).map((l) => ({
            code: l.sku,
            quantity: l.quantity,
          }))
          sales.push({ at, wall: Date.now() - (performance.now() - at), id: String(o.id), lines })
        }
        made += due
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    const loadMs = performance.now() - started

    // Each paid sale's threshold per SKU: the start less the units of every sale up to it.
    const sold = new Map<string, number>()
    const wants = sales.map((s) => ({
      at: s.at,
      lines: s.lines.map((l) => {
        const total = (sold.get(l.code) ?? 0) + l.quantity
        sold.set(l.code, total)
        return { code: l.code, threshold: START - total }
      }),
    }))
    /** When the sale showed at the shops asked (both by default); null if not yet at one of them. */
    const arrival = (w: (typeof wants)[number], at: 'woo' | 'top' | 'both' = 'both') => {
      let last = w.at
      for (const l of w.lines) {
        const a = at === 'top' ? w.at : atWoo(woo.productIdOf(l.code), l.threshold, w.at)
        const b = at === 'woo' ? w.at : atTop(top.skuIdOf(l.code), l.threshold, w.at)
        if (a === null || b === null) return null
        last = Math.max(last, a, b)
      }
      return last
    }
    const drainStart = performance.now()
    while (performance.now() - drainStart < DRAIN_MS && wants.some((w) => arrival(w) === null))
      await new Promise((r) => setTimeout(r, 250))
    if (trace) clearInterval(trace)
    const now = performance.now()
    const delays = wants.map((w) => (arrival(w) ?? now) - w.at)
    const missing = wants.filter((w) => arrival(w) === null).length
    // Where the missing ones stopped, for the record.
    const diagnosis = async () => {
      const count = async (q: Promise<{ n: string | number | bigint }>) => Number((await q).n)
      const db = env.ctx.db
      const pool = await count(
        db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('shop_id', '=', shop.id)
          .executeTakeFirstOrThrow(),
      )
      const allocated = await count(
        db
          .selectFrom('stock_allocations')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('merchant_id', '=', m.id)
          .executeTakeFirstOrThrow(),
      )
      const pushes = await db
        .selectFrom('stock_push_state')
        .select(['shop_id', 'ok', 'error'])
        .where('merchant_id', '=', m.id)
        .execute()
      const failed = pushes.filter((p) => p.ok !== 1)
      return `pool ${pool} orders, ${allocated} allocation rows, ${pushes.length} pushed SKUs (${failed.length} failed${failed[0] ? `: ${failed[0].error}` : ''})`
    }
    // Where the time goes, by stage (medians and p99s over the paid orders that went through):
    // sale → delivery stored (the API) → delivery processed → order allocated (the workers) →
    // quantity shown at both other shops (the push).
    const stages = async () => {
      const db = env.ctx.db
      const ids = sales.map((s) => s.id)
      const rows = new Map<string, { received?: number; processed?: number; allocated?: number }>()
      for (const part of chunk(ids, 1000)) {
        const byOrder = await db
          .selectFrom('orders as o')
          .innerJoin('stock_allocations as a', 'a.order_id', 'o.id')
          .select(['o.external_id', (eb) => eb.fn.min('a.created_at').as('allocated')])
          .where('o.shop_id', '=', shop.id)
          .where('o.external_id', 'in', part)
          .groupBy('o.external_id')
          .execute()
        for (const r of byOrder) rows.set(r.external_id, { allocated: new Date(r.allocated).getTime() })
      }
      const delivered = await db
        .selectFrom('webhook_deliveries')
        .select(['delivery_key', 'received_at', 'processed_at'])
        .where('shop_id', '=', shop.id)
        .execute()
      for (const d of delivered) {
        const id = d.delivery_key.slice(3, d.delivery_key.lastIndexOf('.', d.delivery_key.length - 6))
        const r = rows.get(id) ?? {}
        r.received = Math.min(r.received ?? Infinity, d.received_at.getTime())
        if (d.processed_at) r.processed = Math.min(r.processed ?? Infinity, d.processed_at.getTime())
        rows.set(id, r)
      }
      const spans: Record<string, number[]> = { stored: [], processed: [], allocated: [], shown: [] }
      sales.forEach((s, i) => {
        const r = rows.get(s.id)
        const shown = arrival(wants[i]!)
        if (!r?.received || !r.processed || !r.allocated || shown === null) return
        const shownWall = s.wall + (shown - s.at)
        spans.stored!.push(r.received - s.wall)
        spans.processed!.push(r.processed - r.received)
        spans.allocated!.push(r.allocated - r.processed)
        spans.shown!.push(shownWall - r.allocated)
      })
      return Object.entries(spans)
        .map(([k, v]) => `${k} +${fmt(quantile(v, 0.5), 0)}/${fmt(quantile(v, 0.99), 0)} ms`)
        .join(', ')
    }
    // Each shop on its own: the Taobao shop's call budget (one call per item) is not the pipeline's.
    const perShop = (['woo', 'top'] as const)
      .map((at) => {
        const d = wants.map((w) => (arrival(w, at) ?? now) - w.at)
        return `${at === 'woo' ? 'WooCommerce' : 'Taobao'} ${fmt(quantile(d, 0.5) / 1000, 2)}/${fmt(quantile(d, 0.99) / 1000, 2)} s`
      })
      .join(', ')
    const p50 = quantile(delays, 0.5)
    const p99 = quantile(delays, 0.99)
    const base = median(puts)
    return {
      name: `sale at the self-run store (webhook) → quantity at the WooCommerce and Taobao shops of the SKU, ${fmt(RATE)} orders/s for ${fmt(SECONDS)} s, default settings (debounce ${fmt(env.ctx.config.sync.stockPushDebounceMs)} ms, ${env.ctx.config.workers.concurrency} workers a queue${WORKER_PROCESSES > 0 ? ` in ${WORKER_PROCESSES} worker process${WORKER_PROCESSES > 1 ? 'es' : ''} beside the API's` : ', in the API process'})`,
      figure: `p50 ${fmt(p50 / 1000, 2)} s, p99 ${fmt(p99 / 1000, 2)} s, max ${fmt(Math.max(...delays) / 1000, 1)} s over ${fmt(wants.length)} paid orders (${fmt(made)} sent at ${fmt((made / loadMs) * 1000)}/s)${missing ? `; ${fmt(missing)} still not shown ${fmt(DRAIN_MS / 1000)} s after the load (counted to then; ${await diagnosis()})` : ''} ; by shop p50/p99: ${perShop}; by stage p50/p99: ${await stages()} vs raw PUT /stock ${fmt(base, 1)} ms`,
      ratio: base / p99,
      target: 'p99 ≤ 1 s',
      ok: p99 <= 1000 && missing === 0,
    }
  } finally {
    store.setWebhookUrl(null)
    await workers.close()
    await store.close()
    await woo.close()
    await top.close()
    await env.close()
  }
}
