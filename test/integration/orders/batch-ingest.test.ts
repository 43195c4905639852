/**
 * The batched ingest path (batch.ts: new orders of a page in one transaction per chunk) against a
 * real database: every order all-or-nothing, a failing order isolated and surfaced, newest-wins
 * under a real race between two connection pools (a pull page and single-order webhooks), a
 * replayed page a no-op, and events emitted once per change. Driven by the test connector.
 */
import type { Queue } from 'bullmq'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createDb, type Db } from '../../../src/db/connect.js'
import type { AppContext } from '../../../src/context.js'
import { ingestNewOrders } from '../../../src/orders/batch.js'
import type { OrderEvent } from '../../../src/orders/events.js'
import { ingestRawOrders, ingestRawRefunds } from '../../../src/orders/ingest.js'
import { normalizeInboxRefund } from '../../../src/orders/refunds.js'
import { contentHash } from '../../../src/orders/rows.js'
import { newId } from '../../../src/lib/ids.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import {
  installTestConnector,
  testOrder,
  testRefund,
  TEST_CHANNEL,
  type TestPayload,
} from './test-connector.js'

let env: TestEnv
let m: TestMerchant
let restore: () => void
/** A second pool: another process's connections, so the race below is a race in the database. */
let otherDb: Db
let other: Pick<AppContext, 'db' | 'queues' | 'clock'>
/** Every event handed to the queues, duplicates included (the queue's job id would hide them). */
let emitted: OrderEvent[] = []

const L = [
  { id: 'L1', sku: 'A', qty: 1, price: '10.00' },
  { id: 'L2', sku: 'B', qty: 2, price: '5.50' },
]
const newShop = (name: string) =>
  createShop(env.ctx, env.ctx.config.secretKey, m.id, { channel: TEST_CHANNEL, name, settings: {} })
const pull = (s: Shop, ps: readonly TestPayload[]) => ingestRawOrders(env.ctx, s, ps.map(testOrder), 'pull')
const orders = (s: Shop) =>
  env.ctx.db
    .selectFrom('orders')
    .selectAll()
    .where('merchant_id', '=', m.id)
    .where('shop_id', '=', s.id)
    .orderBy('external_id')
    .execute()
const count = async (
  table: 'order_lines' | 'order_line_skus' | 'order_status_history' | 'order_pool_state' | 'order_exceptions',
  orderIds: readonly string[],
) => {
  if (orderIds.length === 0) return 0
  const r = await env.ctx.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .where('merchant_id', '=', m.id)
    .where('order_id', 'in', orderIds)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}
const inbox = (s: Shop) =>
  env.ctx.db
    .selectFrom('raw_inbox')
    .select(['id', 'external_id', 'outcome', 'error', 'payload', 'content_hash'])
    .where('shop_id', '=', s.id)
    .where('kind', '=', 'order')
    .orderBy('id')
    .execute()
const queued = async () =>
  (await env.ctx.queues['inventory-order-event'].getJobs(['waiting', 'delayed', 'prioritized'])).map(
    (j) => j.data,
  )
const page = (prefix: string, n: number, at: string, extra: Partial<TestPayload> = {}): TestPayload[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${String(i).padStart(3, '0')}`,
    at,
    lines: L,
    ...extra,
  }))

/** Everything the pool holds for a shop, to compare before and after a replay. */
async function snapshot(s: Shop) {
  const os = await orders(s)
  const ids = os.map((o) => o.id)
  return {
    orders: os.map((o) => [
      o.id,
      o.status,
      o.updated_at.getTime(),
      o.platform_updated_at.getTime(),
      o.open_exceptions,
      o.raw_inbox_id,
    ]),
    lines: await count('order_lines', ids),
    lineSkus: await count('order_line_skus', ids),
    history: await count('order_status_history', ids),
    poolState: await count('order_pool_state', ids),
    exceptions: await count('order_exceptions', ids),
    inbox: (await inbox(s)).map((r) => [r.id, r.outcome]),
  }
}

beforeAll(async () => {
  restore = installTestConnector()
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  await upsertSkus(env.ctx, m.id, [
    { code: 'A', name: 'A' },
    { code: 'B', name: 'B' },
  ])
  otherDb = createDb({ url: env.testDb.url, poolSize: 8 })
  other = { db: otherDb, queues: env.ctx.queues, clock: env.ctx.clock }
  // The queue behind enqueueBulk: domain code cannot add to it directly, the spy can.
  const queue = env.ctx.queues['inventory-order-event'] as unknown as Queue<OrderEvent>
  const addBulk = queue.addBulk.bind(queue)
  vi.spyOn(queue, 'addBulk').mockImplementation((jobs) => {
    emitted.push(...jobs.map((j) => j.data))
    return addBulk(jobs)
  })
})
afterAll(async () => {
  restore()
  await otherDb.destroy()
  await env.close()
})
beforeEach(async () => {
  emitted = []
  await env.ctx.queues['inventory-order-event'].obliterate({ force: true })
  await env.ctx.queues['ledger-order-event'].obliterate({ force: true })
})

describe('all-or-nothing per order', () => {
  it('a page of new orders is written whole: every order with its lines, stock view, history, pool state and inbox link', async () => {
    const s = await newShop('whole')
    const p = page('W', 120, '2026-11-11T10:00:00Z') // three chunks of 40, written by three lanes
    expect(await pull(s, p)).toEqual({ stored: 120, duplicates: 0 })
    const os = await orders(s)
    const ids = os.map((o) => o.id)
    expect(os).toHaveLength(120)
    expect(await count('order_lines', ids)).toBe(240)
    expect(await count('order_line_skus', ids)).toBe(240)
    expect(await count('order_status_history', ids)).toBe(120)
    expect(await count('order_pool_state', ids)).toBe(120)
    const raws = await inbox(s)
    expect(raws.every((r) => r.outcome === 'applied')).toBe(true)
    const rawById = new Map(raws.map((r) => [r.id, r]))
    for (const o of os) expect(rawById.get(o.raw_inbox_id!)?.external_id).toBe(o.external_id)
    expect(
      os.every((o) => o.status === 'paid' && o.buyer_paid === '21.0000' && o.open_exceptions === 0),
    ).toBe(true)
  })

  it('an order the database refuses loses none of the others of its chunk and is kept verbatim as an exception', async () => {
    const s = await newShop('refused')
    const p = page('F', 30, '2026-11-11T10:00:00Z')
    // A platform line id longer than the column: the chunk's multi-row INSERT fails after the order rows went in.
    const tooLong: TestPayload = { ...p[7]!, lines: [L[0]!, { ...L[1]!, id: 'X'.repeat(80) }] }
    const refused: TestPayload = { id: 'F-BAD', at: '2026-11-11T10:00:00Z', bad: true }
    const throwing: TestPayload = { id: 'F-BOOM', at: '2026-11-11T10:00:00Z', lines: L, boom: true }
    const input = [...p.slice(0, 7), tooLong, ...p.slice(8), refused, throwing]
    expect(await pull(s, input)).toEqual({ stored: 32, duplicates: 0 })
    const os = await orders(s)
    expect(os.map((o) => o.external_id)).toEqual(p.filter((_, i) => i !== 7).map((x) => x.id))
    const ids = os.map((o) => o.id)
    expect(await count('order_lines', ids)).toBe(58)
    expect(await count('order_line_skus', ids)).toBe(58)
    expect(await count('order_status_history', ids)).toBe(29)
    expect(await count('order_pool_state', ids)).toBe(29)
    // Nothing of the refused order anywhere: no order row, no orphan lines, stock view or history.
    for (const table of [
      'order_lines',
      'order_line_skus',
      'order_status_history',
      'order_pool_state',
    ] as const) {
      const orphans = await sql<{
        n: number
      }>`SELECT COUNT(*) AS n FROM ${sql.table(table)} t LEFT JOIN orders o ON o.id = t.order_id WHERE t.merchant_id = ${m.id} AND o.id IS NULL`.execute(
        env.ctx.db,
      )
      expect(Number(orphans.rows[0]!.n), table).toBe(0)
    }
    const raws = await inbox(s)
    // The page's chunks are stored by concurrent lanes: inbox ids order entries within a chunk, not
    // across chunks (F007 is in the first, F-BAD and F-BOOM in the second), and nothing relies on it.
    const kept = ['F007', 'F-BAD', 'F-BOOM'].flatMap((id) => raws.filter((r) => r.external_id === id))
    expect(kept.map((r) => [r.external_id, r.outcome])).toEqual([
      ['F007', 'failed'],
      ['F-BAD', 'failed'],
      ['F-BOOM', 'failed'],
    ])
    expect(JSON.parse(kept[0]!.payload)).toEqual(tooLong) // verbatim
    expect(kept[0]!.error).toMatch(/too long|external_line_id/i)
    const ex = await env.ctx.db
      .selectFrom('order_exceptions')
      .select(['raw_inbox_id', 'reason', 'status', 'detail'])
      .where('merchant_id', '=', m.id)
      .where(
        'raw_inbox_id',
        'in',
        kept.map((k) => k.id),
      )
      .execute()
    expect(ex.map((e) => [e.raw_inbox_id, e.reason, e.status]).sort()).toEqual(
      kept.map((k) => [k.id, 'mapping_failed', 'open']).sort(),
    )
    expect(raws.filter((r) => r.outcome !== 'failed').every((r) => r.outcome === 'applied')).toBe(true)
    // The page still emitted the good orders' events, once each.
    expect(emitted.filter((e) => e.kind === 'paid')).toHaveLength(29)
    // Replaying the page changes nothing and raises nothing twice.
    expect(await pull(s, input)).toEqual({ stored: 0, duplicates: 32 })
    expect(
      await env.ctx.db
        .selectFrom('order_exceptions')
        .select('id')
        .where('merchant_id', '=', m.id)
        .where(
          'raw_inbox_id',
          'in',
          kept.map((k) => k.id),
        )
        .execute(),
    ).toHaveLength(3)
  })
})

describe('newest wins under a real race', () => {
  it('a pull page and single-order webhooks on another connection pool, carrying different versions of the same new orders, end with one order each at the newest version', async () => {
    const s = await newShop('race')
    const n = 60
    const older = page('R', n, '2026-11-11T10:00:00Z', { note: 'older' })
    const newer = page('R', n, '2026-11-11T10:00:05Z', { note: 'newer' })
    // Half the orders: the pull has the older version; the other half: the pull has the newer one.
    const pulled = older.map((o, i) => (i % 2 === 0 ? o : newer[i]!))
    const hooked = older.map((o, i) => (i % 2 === 0 ? newer[i]! : o))
    await Promise.all([
      ingestRawOrders(env.ctx, s, pulled.map(testOrder), 'pull'),
      ...hooked.map((h) => ingestRawOrders(other, s, [testOrder(h)], 'webhook')),
    ])
    const os = await orders(s)
    expect(os).toHaveLength(n)
    expect(
      os.every(
        (o) => o.buyer_note === 'newer' && o.platform_updated_at.toISOString() === '2026-11-11T10:00:05.000Z',
      ),
    ).toBe(true)
    const ids = os.map((o) => o.id)
    expect(await count('order_lines', ids)).toBe(2 * n)
    expect(await count('order_line_skus', ids)).toBe(2 * n)
    expect(await count('order_status_history', ids)).toBe(n) // one creation each, no second "new order"
    const raws = await inbox(s)
    expect(raws).toHaveLength(2 * n)
    expect(raws.every((r) => r.outcome === 'applied' || r.outcome === 'stale')).toBe(true)
    // Each order points at its newest version's payload.
    const byId = new Map(raws.map((r) => [r.id, r]))
    for (const o of os)
      expect((JSON.parse(byId.get(o.raw_inbox_id!)!.payload) as TestPayload).note).toBe('newer')
    // One paid job per order; a `changed` only where the older version happened to be written first.
    const jobs = await queued()
    for (const o of os) {
      const mine = jobs.filter((e) => e.orderId === o.id)
      expect(mine.filter((e) => e.kind === 'paid')).toHaveLength(1)
      const olderApplied = raws.some(
        (r) =>
          r.external_id === o.external_id &&
          r.outcome === 'applied' &&
          (JSON.parse(r.payload) as TestPayload).note === 'older',
      )
      expect(mine.filter((e) => e.kind === 'changed')).toHaveLength(olderApplied ? 1 : 0)
    }
    // Every event handed to the queue belongs to an order that exists: no event for a rolled-back insert.
    const known = new Set(ids)
    expect(emitted.every((e) => known.has(e.orderId))).toBe(true)
  })

  it('a refund and its order written at the same moment end linked, whichever commits first', async () => {
    const s = await newShop('refund-race')
    const ps = page('RR', 20, '2026-11-11T10:00:00Z')
    const refunds = ps.map((p, i) =>
      testRefund({
        id: `RF${i}`,
        order: p.id,
        at: '2026-11-11T11:00:00Z',
        status: 'requested',
        amount: '10.00',
        lines: [{ id: 'L1', qty: 1, amount: '10.00' }],
      }),
    )
    await Promise.all([
      ingestRawOrders(env.ctx, s, ps.map(testOrder), 'pull'),
      ...refunds.map((r) => ingestRawRefunds(other, s, [r], 'webhook')),
    ])
    const linked = await env.ctx.db
      .selectFrom('order_refunds')
      .select(['order_id'])
      .where('shop_id', '=', s.id)
      .execute()
    expect(linked).toHaveLength(20)
    expect(linked.every((r) => r.order_id !== null)).toBe(true)
    expect((await orders(s)).every((o) => o.refund_state === 'requested')).toBe(true)
  })
})

describe('replay and events', () => {
  it('replaying the same page is a no-op: nothing written, nothing emitted', async () => {
    const s = await newShop('replay')
    const p = [
      ...page('P', 50, '2026-11-11T10:00:00Z'),
      { id: 'P-NOTE', at: '2026-11-11T10:00:00Z', lines: L, addr: null },
    ]
    await pull(s, p)
    expect(emitted.filter((e) => e.kind === 'paid')).toHaveLength(50) // P-NOTE waits on its address
    const before = await snapshot(s)
    emitted = []
    expect(await pull(s, p)).toEqual({ stored: 0, duplicates: 51 })
    expect(
      await Promise.all([ingestRawOrders(other, s, p.map(testOrder), 'webhook'), pull(s, [...p].reverse())]),
    ).toEqual([
      { stored: 0, duplicates: 51 },
      { stored: 0, duplicates: 51 },
    ])
    expect(await snapshot(s)).toEqual(before)
    expect(emitted).toEqual([])
  })

  it('emits one event per real change: paid once per new order, changed once per newer version, nothing for stale or repeated ones', async () => {
    const s = await newShop('events')
    const v1 = page('E', 30, '2026-11-11T10:00:00Z')
    await pull(s, v1)
    const os = await orders(s)
    expect(emitted.map((e) => e.kind)).toEqual(Array(30).fill('paid'))
    expect(new Set(emitted.map((e) => e.key)).size).toBe(30)
    emitted = []
    // 10 orders get a newer version, 10 an older one; the page carries the newer ones twice.
    const v2 = v1.slice(0, 10).map((o) => ({ ...o, at: '2026-11-11T10:05:00Z', note: 'v2' }))
    const stale = v1.slice(10, 20).map((o) => ({ ...o, at: '2026-11-11T09:00:00Z', note: 'old' }))
    expect(await pull(s, [...v2, ...stale, ...v2])).toEqual({ stored: 20, duplicates: 10 })
    const changed = emitted.filter((e) => e.kind === 'changed')
    expect(changed.map((e) => e.orderId).sort()).toEqual(
      os
        .filter((o) => v2.some((x) => x.id === o.external_id))
        .map((o) => o.id)
        .sort(),
    )
    expect(emitted.filter((e) => e.kind !== 'changed' && e.kind !== 'paid')).toEqual([])
    // The paid order's `paid` goes out again with its same key (the consumers keep it once), never a new key.
    expect(emitted.filter((e) => e.kind === 'paid').every((e) => e.key === `${e.orderId}.paid`)).toBe(true)
    const staleRows = (await inbox(s)).filter(
      (r) =>
        stale.some((x) => x.id === r.external_id) && (JSON.parse(r.payload) as TestPayload).note === 'old',
    )
    expect(staleRows.map((r) => r.outcome)).toEqual(Array(10).fill('stale'))
    expect((await queued()).filter((e) => e.kind === 'changed')).toHaveLength(10)
  })
})

describe('exact ids', () => {
  it('reads 19-digit ids of stored order and refund payloads exactly', async () => {
    const s = await newShop('exact')
    const rawText = (json: string, externalId: string, kind: 'order' | 'refund') => ({
      id: newId(),
      merchant_id: m.id,
      shop_id: s.id,
      channel: TEST_CHANNEL,
      kind,
      external_id: externalId,
      platform_updated_at: new Date('2026-11-11T10:00:00Z'),
      content_hash: contentHash(json),
      payload: json,
      source: 'pull' as const,
      received_at: new Date(),
    })
    // Payloads as a platform sends them: the ids are bare JSON numbers beyond 2^53.
    const orderJson = `{"id":6921001234567890123,"at":"2026-11-11T10:00:00Z","lines":[{"id":"L1","sku":"A","qty":1,"price":"10.00"}]}`
    const refundJson = `{"id":6921001234567890999,"order":6921001234567890123,"at":"2026-11-11T11:00:00Z","status":"requested","amount":"10.00"}`
    const o = rawText(orderJson, '6921001234567890123', 'order')
    const r = rawText(refundJson, '6921001234567890999', 'refund')
    await env.ctx.db.insertInto('raw_inbox').values([o, r]).execute()
    const shop = { id: s.id, merchantId: m.id, channel: TEST_CHANNEL, settings: {} }
    const written = await ingestNewOrders(env.ctx.db, shop, [{ id: o.id, payload: o.payload }])
    expect(written.handled.has(o.id)).toBe(true)
    expect((await orders(s)).map((x) => x.external_id)).toEqual(['6921001234567890123'])
    await normalizeInboxRefund(env.ctx.db, shop, { id: r.id, payload: r.payload })
    const refund = await env.ctx.db
      .selectFrom('order_refunds')
      .select(['external_refund_id', 'order_external_id', 'order_id'])
      .where('shop_id', '=', s.id)
      .executeTakeFirstOrThrow()
    expect(refund).toMatchObject({
      external_refund_id: '6921001234567890999',
      order_external_id: '6921001234567890123',
    })
    expect(refund.order_id).not.toBeNull()
  })
})
