/**
 * The event outbox: events are written in the transaction that changed the pool, marked sent once
 * enqueued, and events whose enqueue never happened (a crash between commit and enqueue) are sent
 * by the scheduler's sweep — once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { RawOrder } from '../../../connectors/types.js'
import { ingestRawOrders } from '../../../src/orders/ingest.js'
import { sweepOutbox, withEvents } from '../../../src/orders/outbox.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { fixedClock, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { selfstoreOrder } from '../../fixtures/selfstore/orders.js'

const clock = fixedClock('2026-11-20T12:00:00Z')
let env: TestEnv
let m: TestMerchant
let shop: Shop
const outbox = () =>
  env.ctx.db
    .selectFrom('event_outbox')
    .select(['event_key', 'sent_at'])
    .where('merchant_id', '=', m.id)
    .orderBy('event_key')
    .execute()
const queued = async () =>
  (await env.ctx.queues['inventory-order-event'].getJobs(['waiting', 'delayed', 'prioritized']))
    .map((j) => j.data.key)
    .sort()

beforeAll(async () => {
  env = await testEnv({ clock })
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: '官网',
    settings: { baseUrl: 'https://shop.example/api' },
  })
  await upsertSkus(env.ctx, m.id, [
    { code: 'CUP-500', name: '保温杯' },
    { code: 'TEA-01', name: 'tea' },
    { code: 'GIFT-SET', name: 'gift' },
  ])
})
afterAll(() => env.close())

it('records the events of an ingest in the outbox and marks them sent once they are queued', async () => {
  const o = selfstoreOrder({ id: 'OB-1', updated_at: '2026-11-20T11:00:00Z' })
  const raw: RawOrder = { externalId: o.id, platformUpdatedAt: new Date(o.updated_at), payload: o }
  await ingestRawOrders(env.ctx, shop, [raw], 'pull')
  const rows = await outbox()
  expect(rows.length).toBeGreaterThan(0)
  expect(rows.every((r) => r.sent_at !== null)).toBe(true)
  expect(await queued()).toEqual(rows.map((r) => r.event_key).sort())
})

it('sends what a crash left unsent, after the grace period, exactly once', async () => {
  const orderId = (
    await env.ctx.db
      .selectFrom('orders')
      .select('id')
      .where('merchant_id', '=', m.id)
      .executeTakeFirstOrThrow()
  ).id
  const event = { merchantId: m.id, orderId, kind: 'changed' as const, key: `${orderId}.changed.crash` }
  // The transaction commits with its event; the process "dies" before enqueueing it.
  await withEvents(env.ctx.db, async () => ({ events: [event] }))
  expect((await outbox()).find((r) => r.event_key === event.key)?.sent_at).toBeNull()
  expect(await sweepOutbox(env.ctx)).toBe(0) // within the grace period an emitter may still be sending it
  await new Promise((r) => setTimeout(r, 20))
  expect(await sweepOutbox(env.ctx, 10)).toBe(1) // past a grace of 10 ms
  expect(await queued()).toContain(event.key)
  expect((await outbox()).find((r) => r.event_key === event.key)?.sent_at).not.toBeNull()
  expect(await sweepOutbox(env.ctx, 10)).toBe(0)
})
