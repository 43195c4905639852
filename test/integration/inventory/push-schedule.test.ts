/**
 * Stock pushes under load, with the real queue and worker: a steady stream of stock changes must
 * keep pushes flowing (not starve them until the stream stops), one push per shop at a time, and
 * a push that failed for a transient reason is retried by the queue. The self-run store's
 * documented PUT /stock (connectors/selfstore/CONTRACT.md) answers through nock.
 */
import nock from 'nock'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { startWorkers, type Workers } from '../../../jobs/worker.js'
import { receive } from '../../../src/inventory/operations.js'
import { schedulePush } from '../../../src/inventory/schedule-push.js'
import { upsertMappings } from '../../../src/orders/mappings.js'
import { createShop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

const BASE = 'https://own-store.example'
const INTERVAL_MS = 250
let env: TestEnv
let m: TestMerchant
let workers: Workers
let warehouseId = ''
let skuId = ''
let onHand = 0

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Push {
  /** Stock changes the test had made when the push reached the store. */
  changesBefore: number
  quantity: number
}

async function change(): Promise<void> {
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId, skuId, quantity: 1, unitCost: '1', currency: 'CNY' },
    { actor: 't' },
  )
  onHand++
  await schedulePush(env.ctx, m.id)
}

/** Wait (polling, bounded by a count, not a clock) until `done()` holds. */
async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await done()) return
    await sleep(50)
  }
  throw new Error(`never happened: ${what}`)
}

const idle = async () => {
  const c = await env.ctx.queues['stock-push'].getJobCounts('waiting', 'active', 'delayed', 'prioritized')
  return Object.values(c).every((n) => n === 0)
}

beforeAll(async () => {
  env = await testEnv({ config: { STOCK_PUSH_DEBOUNCE_MS: String(INTERVAL_MS), WORKER_CONCURRENCY: '4' } })
  m = await seedMerchant(env.ctx)
  const shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'own store',
    settings: { baseUrl: `${BASE}/api` },
    credentials: { apiKey: 'k-1', webhookSecret: 's' },
  })
  warehouseId = (await createWarehouse(env.ctx.db, m.id, { code: 'W1', name: 'W1' })).id
  await upsertSkus(env.ctx, m.id, [{ code: 'CUP', name: 'cup' }])
  skuId = (
    await env.ctx.db.selectFrom('skus').select('id').where('merchant_id', '=', m.id).executeTakeFirstOrThrow()
  ).id
  await upsertMappings(
    env.ctx.db,
    m.id,
    [{ shopId: shop.id, platformSkuId: 'P-CUP', skuCode: 'CUP' }],
    'bulk',
  )
  workers = startWorkers(env.ctx, ['stock-push'])
})
afterEach(async () => {
  await until(idle, 'the push queue drained')
})
afterAll(async () => {
  await workers.close()
  await env.close()
})

it('keeps pushing during a steady stream of changes: one push per interval, the last one after the last change', async () => {
  const CHANGES = 40
  const pushes: Push[] = []
  let made = 0
  nock(BASE)
    .persist()
    .put('/api/stock')
    .reply(200, (_uri, body) => {
      const items = (body as { items: { sku: string; quantity: number }[] }).items
      pushes.push({ changesBefore: made, quantity: items[0]!.quantity })
      return { results: items.map((i) => ({ sku: i.sku, ok: true })) }
    })
  const start = Date.now()
  for (let i = 0; i < CHANGES; i++) {
    await change()
    made++
    await sleep(50) // about five changes per interval, for about eight intervals
  }
  await until(() => pushes.at(-1)?.quantity === onHand, 'a push of the final quantity')
  const elapsedMs = Date.now() - start
  // Every change is covered by a push that started after it, and no push overtook a newer one.
  expect(pushes.at(-1)!.quantity).toBe(onHand)
  for (const [i, p] of pushes.entries())
    if (i > 0) expect(p.quantity).toBeGreaterThan(pushes[i - 1]!.quantity)
  // The first change of a quiet shop goes out at once, not after the burst.
  expect(pushes[0]!.changesBefore).toBeLessThan(CHANGES / 4)
  // Pushes keep flowing while the changes go on: in each half of the stream.
  expect(pushes.filter((p) => p.changesBefore <= CHANGES / 2).length).toBeGreaterThanOrEqual(1)
  expect(
    pushes.filter((p) => p.changesBefore > CHANGES / 2 && p.changesBefore < CHANGES).length,
  ).toBeGreaterThanOrEqual(1)
  // …and they coalesce: never more than one per interval (plus the first, which goes at once).
  expect(pushes.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / INTERVAL_MS) + 1)
})

it('never runs two pushes of a shop at once, and a change during a running push gets one more push after it', async () => {
  let inFlight = 0
  let maxInFlight = 0
  const pushes: number[] = []
  let release: () => void = () => undefined
  const held = new Promise<void>((r) => (release = r))
  let arrived: () => void = () => undefined
  const firstArrived = new Promise<void>((r) => (arrived = r))
  nock(BASE)
    .persist()
    .put('/api/stock')
    .reply(async (_uri, body) => {
      const items = (body as { items: { sku: string; quantity: number }[] }).items
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      pushes.push(items[0]!.quantity)
      if (pushes.length === 1) {
        arrived()
        await held
      }
      inFlight--
      return [200, { results: items.map((i) => ({ sku: i.sku, ok: true })) }]
    })
  await sleep(INTERVAL_MS) // a quiet shop again
  await change()
  await firstArrived
  // While the first push hangs at the store, two more changes, each asking for a push.
  await change()
  await sleep(INTERVAL_MS * 2) // long enough for a second push to start, if anything let it
  await change()
  release()
  await until(() => pushes.at(-1) === onHand, 'a push of the quantity after the last change')
  await until(idle, 'the push queue drained')
  expect(maxInFlight).toBe(1)
  expect(pushes).toEqual([onHand - 2, onHand])
})

it('retries a push that failed for a transient reason; a permanent refusal stays visible per SKU', async () => {
  let calls = 0
  nock(BASE)
    .persist()
    .put('/api/stock')
    .reply(200, (_uri, body) => {
      calls++
      const items = (body as { items: { sku: string }[] }).items
      // First answer leaves the SKU out (the contract's "no result": not known to be applied).
      return { results: calls === 1 ? [] : items.map((i) => ({ sku: i.sku, ok: true })) }
    })
  await sleep(INTERVAL_MS)
  await change()
  const state = () =>
    env.ctx.db
      .selectFrom('stock_push_state')
      .select(['quantity', 'ok', 'error'])
      .where('merchant_id', '=', m.id)
      .executeTakeFirst()
  await until(async () => {
    const s = await state()
    return s?.ok === 1 && s.quantity === onHand
  }, 'the retry to land')
  expect(calls).toBe(2)

  nock.cleanAll()
  let refusals = 0
  nock(BASE)
    .persist()
    .put('/api/stock')
    .reply(200, (_uri, body) => {
      refusals++
      const items = (body as { items: { sku: string }[] }).items
      return { results: items.map((i) => ({ sku: i.sku, ok: false, error: 'item delisted' })) }
    })
  await sleep(INTERVAL_MS)
  await change()
  await until(async () => (await state())?.ok === 0, 'the refusal to be recorded')
  await until(idle, 'the push queue drained')
  expect(refusals).toBe(1) // permanent: the queue does not retry it
  const listed = await env.app.inject({ method: 'GET', url: '/stock/pushes', headers: bearer(m.keys.admin) })
  const items = listed.json<{ items: Record<string, unknown>[] }>().items
  expect(items).toHaveLength(1)
  expect(Object.values(items[0]!)).toEqual(expect.arrayContaining(['P-CUP', onHand, 'item delisted']))
})
