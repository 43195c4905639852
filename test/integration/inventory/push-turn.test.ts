/**
 * A push turn goes in slices sized to the shop's pace and reads the stock again between them: on a
 * platform that takes one call per item under a call budget, the items sent late in a turn carry
 * the stock as it is when they go, not as it was when the turn began, and a turn that goes on
 * during a stream of changes sends the items in turn (the one waiting longest first), none twice
 * before the others. The self-run store's documented PUT /stock (connectors/selfstore/CONTRACT.md)
 * answers through nock; it is made slow, as a platform under a call budget is.
 */
import nock from 'nock'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { receive } from '../../../src/inventory/operations.js'
import { endPushTurn, takePushTurn } from '../../../src/inventory/push-gate.js'
import { pushShopNow, pushShopStock } from '../../../src/inventory/push.js'
import { upsertMappings } from '../../../src/orders/mappings.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

const BASE = 'https://slow-store.example'
const CODES = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']
let env: TestEnv
let m: TestMerchant
let shop: Shop
let warehouseId = ''
const skuIds = new Map<string, string>()

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** One more unit of every SKU, committed. */
async function receiveAll(): Promise<void> {
  for (const id of skuIds.values())
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId, skuId: id, quantity: 1, unitCost: '1', currency: 'CNY' },
      { actor: 't' },
    )
}

interface Sent {
  sku: string
  quantity: number
}

/** The store answers each PUT /stock after `before` has run (a slow platform, or a change meanwhile). */
function store(before: () => Promise<void>): Sent[][] {
  const calls: Sent[][] = []
  nock(BASE)
    .persist()
    .put('/api/stock')
    .reply(async (_uri, body) => {
      const items = (body as { items: Sent[] }).items
      calls.push(items.map((i) => ({ sku: i.sku, quantity: i.quantity })))
      await before()
      return [200, { results: items.map((i) => ({ sku: i.sku, ok: true })) }]
    })
  return calls
}

beforeAll(async () => {
  env = await testEnv({ config: { STOCK_PUSH_DEBOUNCE_MS: '100' } })
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'slow store',
    settings: { baseUrl: `${BASE}/api` },
    credentials: { apiKey: 'k-1', webhookSecret: 's' },
  })
  warehouseId = (await createWarehouse(env.ctx.db, m.id, { code: 'W1', name: 'W1' })).id
  await upsertSkus(
    env.ctx,
    m.id,
    CODES.map((code) => ({ code, name: code })),
  )
  for (const r of await env.ctx.db
    .selectFrom('skus')
    .select(['id', 'code'])
    .where('merchant_id', '=', m.id)
    .execute())
    skuIds.set(r.code, r.id)
  await upsertMappings(
    env.ctx.db,
    m.id,
    CODES.map((c) => ({ shopId: shop.id, platformSkuId: `P-${c}`, skuCode: c })),
    'bulk',
  )
  await receiveAll()
})
afterAll(() => env.close())

it('sends the items late in a turn with the stock as it is when they go', async () => {
  let changed = false
  // The stock changes while the first slice is at the store, and the store is slow.
  const calls = store(async () => {
    if (!changed) {
      changed = true
      await receiveAll()
    }
    await sleep(300)
  })
  const report = await pushShopStock(env.ctx, m.id, shop.id)
  nock.cleanAll()
  expect(report).toMatchObject({ considered: 8, sent: 8, failed: 0, retryable: 0 })
  const sent = calls.flat()
  // Each SKU once (a one-pass turn), all of them.
  expect(sent.map((s) => s.sku).sort()).toEqual(CODES.map((c) => `P-${c}`))
  // The first slice went with the reading of the start (1 each); every later one with the
  // reading after the change (2 each). One reading for the whole turn would have sent 1 for all.
  expect(calls.length).toBeGreaterThan(1)
  expect(calls[0]!.every((s) => s.quantity === 1)).toBe(true)
  expect(
    calls
      .slice(1)
      .flat()
      .every((s) => s.quantity === 2),
  ).toBe(true)
  // The store now shows what the warehouse holds, and nothing is left to send.
  expect(await pushShopStock(env.ctx, m.id, shop.id)).toMatchObject({ sent: 0 })
})

it('goes on during a stream of changes, sending the items in turn, none twice before the others', async () => {
  // Every answer comes after one more unit of every SKU: every item always has a change waiting.
  await receiveAll()
  const calls = store(async () => {
    await receiveAll()
    await sleep(150)
  })
  const report = await pushShopStock(env.ctx, m.id, shop.id, false, { continueMs: 4000 })
  nock.cleanAll()
  const order = calls.flatMap((c) => c.map((s) => s.sku))
  // Past its first round the turn went on.
  expect(order.length).toBeGreaterThan(CODES.length)
  expect(report.sent).toBe(order.length)
  // Between two sends of an item, every other item was sent once: round after round.
  for (const [i, sku] of order.entries()) {
    const next = order.indexOf(sku, i + 1)
    if (next === -1) continue
    const between = order.slice(i + 1, next)
    expect(between.length, `${sku} at ${i} and ${next}`).toBe(CODES.length - 1)
    expect(new Set(between).size, `${sku} at ${i} and ${next}`).toBe(CODES.length - 1)
  }
  // Each send carried the stock of its own reading: quantities of an item only grow.
  for (const code of CODES) {
    const q = calls
      .flat()
      .filter((s) => s.sku === `P-${code}`)
      .map((s) => s.quantity)
    expect(q).toEqual([...q].sort((a, b) => a - b))
    expect(new Set(q).size).toBe(q.length)
  }
})

it('holds its turn between slices, and stops when the turn is lost: another push of the shop may be sending', async () => {
  // Held all along: every slice goes.
  await receiveAll()
  expect(await takePushTurn(env.ctx, shop.id, 'job-1', { spaced: false })).toBe(0)
  const held = store(async () => {
    await sleep(300)
  })
  expect(await pushShopStock(env.ctx, m.id, shop.id, false, { turn: 'job-1' })).toMatchObject({ sent: 8 })
  nock.cleanAll()
  expect(held.length).toBeGreaterThan(1)
  await endPushTurn(env.ctx, shop.id, 'job-1')

  // Lost while the first slice is at the store (its lock expired and another push took the shop).
  await receiveAll()
  expect(await takePushTurn(env.ctx, shop.id, 'job-2', { spaced: false })).toBe(0)
  const lost: Sent[][] = store(async () => {
    if (lost.length === 1) {
      await endPushTurn(env.ctx, shop.id, 'job-2')
      await takePushTurn(env.ctx, shop.id, 'other-job', { spaced: false })
    }
    await sleep(300)
  })
  const report = await pushShopStock(env.ctx, m.id, shop.id, false, { turn: 'job-2' })
  nock.cleanAll()
  expect(lost).toHaveLength(1)
  expect(report.sent).toBe(lost[0]!.length)
  expect(report.sent).toBeLessThan(8)
  // The other push's turn is untouched; the rest is still to send, and the next push sends it.
  expect(await takePushTurn(env.ctx, shop.id, 'third-job', { spaced: false })).toBeGreaterThan(0)
  await endPushTurn(env.ctx, shop.id, 'other-job')
  const rest = store(async () => undefined)
  expect(await pushShopStock(env.ctx, m.id, shop.id)).toMatchObject({ sent: 8 - report.sent })
  nock.cleanAll()
  expect(rest.flat()).toHaveLength(8 - report.sent)
})

it("gives its turn up to a person's push now when it goes on during a stream of changes", async () => {
  await receiveAll()
  const calls = store(async () => {
    await receiveAll()
    await sleep(100)
  })
  expect(await takePushTurn(env.ctx, shop.id, 'busy-job', { spaced: false })).toBe(0)
  // The automatic push of a busy shop would go on for a minute; the job releases its turn after it.
  const automatic = pushShopStock(env.ctx, m.id, shop.id, false, {
    continueMs: 60_000,
    turn: 'busy-job',
  }).finally(() => endPushTurn(env.ctx, shop.id, 'busy-job'))
  for (let i = 0; i < 200 && calls.length === 0; i++) await sleep(50)
  expect(calls.length).toBeGreaterThan(0)
  // A person waits at most 10 s (the route's default), far less than the minute the automatic push
  // would go on: it stops at its next slice instead.
  const manual = await pushShopNow(env.ctx, m.id, shop.id)
  expect(manual).toMatchObject({ sent: 8, failed: 0, skipped: null })
  await automatic
  nock.cleanAll()
})
