import { createHash } from 'node:crypto'
import nock from 'nock'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { signWebhook } from '../../../connectors/selfstore/index.js'
import { processDeliveryJoined } from '../../../src/webhooks/batch.js'
import { processDelivery, receiveWebhook } from '../../../src/webhooks/service.js'
import { fixedClock } from '../../../src/lib/clock.js'
import { pullStream } from '../../../src/sync/pull.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { selfstoreOrder } from '../../fixtures/selfstore/orders.js'

const BASE = 'https://store.example'
const clock = fixedClock('2026-11-11T12:00:00Z')
let env: TestEnv
let m: TestMerchant
let shop: Shop

const orderCount = async () =>
  Number(
    (
      await env.ctx.db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('shop_id', '=', shop.id)
        .executeTakeFirstOrThrow()
    ).n,
  )
const cursor = async () =>
  (
    await env.ctx.db
      .selectFrom('sync_cursors')
      .select('cursor_at')
      .where('shop_id', '=', shop.id)
      .where('stream', '=', 'orders')
      .executeTakeFirst()
  )?.cursor_at

beforeAll(async () => {
  env = await testEnv({ clock, config: { SYNC_OVERLAP_MS: '300000' } })
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: '官网',
    settings: { baseUrl: `${BASE}/api`, timeoutMs: 1000 },
    credentials: { apiKey: 'api-key-1', webhookSecret: 'whsec-1' },
  })
  await upsertSkus(env.ctx, m.id, [
    { code: 'CUP-500', name: 'cup' },
    { code: 'TEA-01', name: 'tea' },
  ])
})
afterAll(() => env.close())
beforeEach(() => nock.cleanAll())

describe('pulling orders', () => {
  it('pages through a window, commits each page, then advances the cursor', async () => {
    const o = (id: string, at: string) => selfstoreOrder({ id, updated_at: at })
    nock(BASE)
      .get('/api/orders')
      .query(
        (q) =>
          q.changed_since === '2026-11-10T12:00:00.000Z' &&
          q.changed_before === '2026-11-11T12:00:00.000Z' &&
          !q.cursor,
      )
      .reply(200, {
        orders: [o('A1', '2026-11-11T01:00:00Z'), o('A2', '2026-11-11T02:00:00Z')],
        next_cursor: 'p2',
      })
      .get('/api/orders')
      .query((q) => q.cursor === 'p2')
      .reply(200, { orders: [o('A3', '2026-11-11T03:00:00Z')], next_cursor: 'p3' })
      .get('/api/orders')
      .query((q) => q.cursor === 'p3')
      .reply(200, { orders: [o('A4', '2026-11-11T11:59:59.999Z')], next_cursor: null })
    const r = await pullStream(env.ctx, m.id, shop.id, 'orders')
    expect(r).toMatchObject({ pages: 3, stored: 4, duplicates: 0 })
    expect(await orderCount()).toBe(4)
    expect((await cursor())?.toISOString()).toBe('2026-11-11T12:00:00.000Z')
    expect(nock.isDone()).toBe(true)
  })

  it('an order updated exactly at the window boundary is neither lost nor duplicated across the overlap', async () => {
    clock.set('2026-11-11T12:10:00Z')
    const boundary = selfstoreOrder({ id: 'B1', updated_at: '2026-11-11T12:00:00.000Z' })
    // Next window starts 5 minutes before the cursor: it sees A4 again (unchanged) and B1 for the first time.
    nock(BASE)
      .get('/api/orders')
      .query(
        (q) =>
          q.changed_since === '2026-11-11T11:55:00.000Z' && q.changed_before === '2026-11-11T12:10:00.000Z',
      )
      .reply(200, {
        orders: [selfstoreOrder({ id: 'A4', updated_at: '2026-11-11T11:59:59.999Z' }), boundary],
        next_cursor: null,
      })
    const r = await pullStream(env.ctx, m.id, shop.id, 'orders')
    expect(r).toMatchObject({ stored: 1, duplicates: 1 })
    expect(await orderCount()).toBe(5)
    clock.set('2026-11-11T12:20:00Z')
    nock(BASE)
      .get('/api/orders')
      .query(true)
      .reply(200, { orders: [boundary], next_cursor: null })
    expect(await pullStream(env.ctx, m.id, shop.id, 'orders')).toMatchObject({ stored: 0, duplicates: 1 })
    expect(await orderCount()).toBe(5)
  })

  it('waits out a 429 with Retry-After and retries a 5xx and a timeout, then succeeds', async () => {
    clock.set('2026-11-11T12:30:00Z')
    nock(BASE)
      .get('/api/orders')
      .query(true)
      .reply(429, { error: 'slow down' }, { 'Retry-After': '1' })
      .get('/api/orders')
      .query(true)
      .reply(503, 'upstream unavailable')
      .get('/api/orders')
      .query(true)
      .delay(3_000)
      .reply(200, { orders: [], next_cursor: null })
      .get('/api/orders')
      .query(true)
      .reply(200, {
        orders: [selfstoreOrder({ id: 'C1', updated_at: '2026-11-11T12:25:00Z' })],
        next_cursor: null,
      })
    const r = await pullStream(env.ctx, m.id, shop.id, 'orders')
    expect(r.stored).toBe(1)
    expect(nock.isDone()).toBe(true)
  })

  it('keeps a malformed body verbatim as a sync error, does not move the cursor, and does not crash', async () => {
    clock.set('2026-11-11T12:40:00Z')
    const before = await cursor()
    nock(BASE)
      .get('/api/orders')
      .query(true)
      .reply(200, '{"orders": [ {"id": "X"', { 'content-type': 'application/json' })
    await expect(pullStream(env.ctx, m.id, shop.id, 'orders')).rejects.toMatchObject({ kind: 'permanent' })
    expect(await cursor()).toEqual(before)
    const errors = await env.ctx.db
      .selectFrom('sync_errors')
      .select(['kind', 'body', 'message'])
      .where('shop_id', '=', shop.id)
      .execute()
    expect(errors.at(-1)).toMatchObject({ kind: 'permanent', body: '{"orders": [ {"id": "X"' })
    expect(errors.at(-1)!.message).not.toContain('api-key-1')
  })
})

describe('webhooks', () => {
  const send = (body: string, headers: Record<string, string>) =>
    env.app.inject({
      method: 'POST',
      url: `/webhooks/selfstore/${shop.id}`,
      headers: { 'content-type': 'application/json', ...headers },
      payload: body,
    })
  const signed = (body: string, delivery: string, at = clock.now()) => {
    const t = Math.floor(at.getTime() / 1000)
    return {
      'x-entrepot-signature': `t=${t},v1=${signWebhook('whsec-1', t, body)}`,
      'x-entrepot-delivery': delivery,
    }
  }
  const deliveries = async () =>
    Number(
      (
        await env.ctx.db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('shop_id', '=', shop.id)
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('rejects a wrong or stale signature with 401 and stores nothing', async () => {
    const body = JSON.stringify({
      event: 'order.updated',
      order: selfstoreOrder({ id: 'W1', updated_at: '2026-11-11T12:41:00Z' }),
    })
    const bad = await send(body, {
      'x-entrepot-signature': `t=${Math.floor(clock.now().getTime() / 1000)},v1=${'0'.repeat(64)}`,
      'x-entrepot-delivery': 'd-0',
    })
    expect(bad.statusCode).toBe(401)
    const stale = await send(body, signed(body, 'd-0', new Date(clock.now().getTime() - 10 * 60_000)))
    expect(stale.statusCode).toBe(401)
    const tampered = await send(body.replace('W1', 'W2'), signed(body, 'd-0'))
    expect(tampered.statusCode).toBe(401)
    expect(await deliveries()).toBe(0)
  })

  it('stores a good delivery once, processes it into the pool, and treats a replay as a no-op', async () => {
    const body = JSON.stringify({
      event: 'order.updated',
      order: selfstoreOrder({ id: 'W1', updated_at: '2026-11-11T12:41:00Z' }),
    })
    const first = await send(body, signed(body, 'd-1'))
    expect(first.statusCode).toBe(200)
    expect(first.json()).toEqual({ ok: true, duplicate: false })
    const replay = await send(body, signed(body, 'd-1'))
    expect(replay.json()).toEqual({ ok: true, duplicate: true })
    expect(await deliveries()).toBe(1)
    const jobs = await env.ctx.queues['webhook-process'].getJobs(['waiting'])
    expect(jobs).toHaveLength(1)
    await processDelivery(env.ctx, m.id, shop.id, jobs[0]!.data.deliveryId)
    await processDelivery(env.ctx, m.id, shop.id, jobs[0]!.data.deliveryId)
    const w1 = await env.ctx.db
      .selectFrom('orders')
      .select('status')
      .where('external_id', '=', 'W1')
      .execute()
    expect(w1).toEqual([{ status: 'paid' }])
  })

  it('receives a burst of deliveries together, each with its own answer', async () => {
    const before = await deliveries()
    const body = (id: string) =>
      JSON.stringify({
        event: 'order.updated',
        order: selfstoreOrder({ id, updated_at: '2026-11-11T12:44:00Z' }),
      })
    const raw = (b: string, headers: Record<string, string>) => ({
      headers: { 'content-type': 'application/json', ...headers },
      rawBody: Buffer.from(b),
      query: {},
    })
    // Arriving in one turn: two new, one twice, one forged, one unreadable, a ping, an earlier one again.
    const unreadable = '{"event": "order.updated", "order": '
    const ping = JSON.stringify({ event: 'ping' })
    const burst = [
      raw(body('B1'), signed(body('B1'), 'd-b1')),
      raw(body('B2'), signed(body('B2'), 'd-b2')),
      raw(body('B2'), signed(body('B2'), 'd-b2')),
      raw(body('B3'), { ...signed(body('B3'), 'd-b3'), 'x-entrepot-signature': 't=1,v1=00' }),
      raw(unreadable, signed(unreadable, 'd-b4')),
      raw(ping, signed(ping, 'd-b5')),
      raw(body('W1'), signed(body('W1'), 'd-1')),
    ]
    const answers = await Promise.all(burst.map((r) => receiveWebhook(env.ctx, 'selfstore', shop.id, r)))
    expect(answers).toEqual([
      { status: 200, stored: true, ping: false },
      { status: 200, stored: true, ping: false },
      { status: 200, stored: false, ping: false },
      { status: 401, reason: 'signature does not match' },
      { status: 200, stored: true, ping: false },
      { status: 200, stored: false, ping: true },
      { status: 200, stored: false, ping: false },
    ])
    expect(await deliveries()).toBe(before + 3)
    const kept = await env.ctx.db
      .selectFrom('webhook_deliveries')
      .select(['delivery_key', 'status', 'error'])
      .where('delivery_key', 'in', [
        'id:d-b1',
        'id:d-b2',
        'sha256:' + createHash('sha256').update(unreadable).digest('hex'),
      ])
      .orderBy('delivery_key')
      .execute()
    expect(kept.map((k) => [k.delivery_key.slice(0, 7), k.status, k.error === null])).toEqual([
      ['id:d-b1', 'received', true],
      ['id:d-b2', 'received', true],
      ['sha256:', 'failed', false],
    ])
  })

  it('processes the deliveries a worker holds at once together, each with its own outcome', async () => {
    const full = (id: string) =>
      JSON.stringify({
        event: 'order.updated',
        order: selfstoreOrder({ id, updated_at: '2026-11-11T12:42:00Z' }),
      })
    // The third names its order only: the store does not find it yet, then does.
    const named = JSON.stringify({ event: 'order.created', order_id: 'W12' })
    for (const [body, id] of [
      [full('W10'), 'd-10'],
      [full('W11'), 'd-11'],
      [named, 'd-12'],
    ] as const)
      expect((await send(body, signed(body, id))).statusCode).toBe(200)
    const stored = await env.ctx.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'delivery_key'])
      .where('delivery_key', 'in', ['id:d-10', 'id:d-11', 'id:d-12'])
      .orderBy('delivery_key')
      .execute()
    const ids = stored.map((d) => d.id)
    nock(BASE).get('/api/orders/W12').reply(404, { error: 'not found' })
    const outcomes = await Promise.allSettled(
      ids.map((id) => processDeliveryJoined(env.ctx, m.id, shop.id, id)),
    )
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
    const status = async () =>
      (
        await env.ctx.db
          .selectFrom('webhook_deliveries')
          .select('status')
          .where('id', 'in', ids)
          .orderBy('delivery_key')
          .execute()
      ).map((d) => d.status)
    expect(await status()).toEqual(['processed', 'processed', 'received'])
    const inPool = async () =>
      (
        await env.ctx.db
          .selectFrom('orders')
          .select('external_id')
          .where('external_id', 'in', ['W10', 'W11', 'W12'])
          .orderBy('external_id')
          .execute()
      ).map((o) => o.external_id)
    expect(await inPool()).toEqual(['W10', 'W11'])
    // The job's retry: the store has the order now.
    nock(BASE)
      .get('/api/orders/W12')
      .reply(200, selfstoreOrder({ id: 'W12', updated_at: '2026-11-11T12:43:00Z' }))
    await processDeliveryJoined(env.ctx, m.id, shop.id, ids[2]!)
    expect(await status()).toEqual(['processed', 'processed', 'processed'])
    expect(await inPool()).toEqual(['W10', 'W11', 'W12'])
    // Run again (a job that died after its batch committed): nothing changes.
    await Promise.all(ids.map((id) => processDeliveryJoined(env.ctx, m.id, shop.id, id)))
    expect(await inPool()).toEqual(['W10', 'W11', 'W12'])
  })

  it('answers the ping with 200 and stores nothing', async () => {
    const body = JSON.stringify({ event: 'ping' })
    const before = await deliveries()
    expect((await send(body, signed(body, 'd-ping'))).statusCode).toBe(200)
    expect(await deliveries()).toBe(before)
  })
})
