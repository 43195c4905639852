/**
 * Versions, state machine, exceptions and refunds of the order pool, driven through the test-only
 * connector (test-connector.ts) so each edge case is one small payload.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ingestRawOrders, ingestRawRefunds } from '../../../src/orders/ingest.js'
import { storeRaw } from '../../../src/orders/inbox.js'
import { reprocess } from '../../../src/orders/reprocess.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
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
const L = [
  { id: 'L1', sku: 'A', qty: 1, price: '10.00' },
  { id: 'L2', sku: 'B', qty: 2, price: '5.50' },
]
const newShop = (name: string, settings: Record<string, unknown> = {}) =>
  createShop(env.ctx, env.ctx.config.secretKey, m.id, { channel: TEST_CHANNEL, name, settings })
const ingest = (s: Shop, ...ps: TestPayload[]) => ingestRawOrders(env.ctx, s, ps.map(testOrder), 'pull')
const order = (s: Shop, externalId: string) =>
  env.ctx.db
    .selectFrom('orders')
    .selectAll()
    .where('merchant_id', '=', m.id)
    .where('shop_id', '=', s.id)
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow()
const exceptions = (orderId: string, status: 'open' | 'resolved' = 'open') =>
  env.ctx.db
    .selectFrom('order_exceptions')
    .select(['id', 'reason', 'detail'])
    .where('merchant_id', '=', m.id)
    .where('order_id', '=', orderId)
    .where('status', '=', status)
    .orderBy('id')
    .execute()
const events = async (orderId: string) =>
  (await env.ctx.queues['inventory-order-event'].getJobs(['waiting', 'delayed', 'prioritized']))
    .map((j) => j.data)
    .filter((e) => e.orderId === orderId)
const inbox = (s: Shop, externalId: string) =>
  env.ctx.db
    .selectFrom('raw_inbox')
    .select(['id', 'outcome', 'error', 'payload'])
    .where('shop_id', '=', s.id)
    .where('external_id', '=', externalId)
    .orderBy('id')
    .execute()

beforeAll(async () => {
  restore = installTestConnector()
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  await upsertSkus(env.ctx, m.id, [
    { code: 'A', name: 'A' },
    { code: 'B', name: 'B' },
    { code: 'C', name: 'C' },
  ])
})
afterAll(async () => {
  restore()
  await env.close()
})
beforeEach(async () => {
  await env.ctx.queues['inventory-order-event'].obliterate({ force: true })
  await env.ctx.queues['ledger-order-event'].obliterate({ force: true })
})

describe('versions', () => {
  it('two different payloads with the same platform time converge in every arrival order and raise conflicting_update', async () => {
    const a: TestPayload = { id: 'EQ', at: '2026-11-11T01:00:00Z', lines: L, note: 'version a' }
    const b: TestPayload = { ...a, note: 'version b' }
    const [s1, s2, s3] = await Promise.all([newShop('eq1'), newShop('eq2'), newShop('eq3')])
    await ingest(s1, a)
    await ingest(s1, b)
    await ingest(s2, b)
    await ingest(s2, a)
    await Promise.all([ingest(s3, a), ingest(s3, b)])
    const rows = await Promise.all([s1, s2, s3].map((s) => order(s, 'EQ')))
    expect(new Set(rows.map((r) => r.buyer_note)).size).toBe(1)
    for (const r of rows) {
      expect(r.open_exceptions).toBe(1)
      expect((await exceptions(r.id)).map((e) => e.reason)).toEqual(['conflicting_update'])
      // The first version was paid and clean when it came; the conflict (a blocking reason) now holds allocation.
      expect((await events(r.id)).map((e) => e.kind)).toEqual(['paid'])
    }
    // A strictly newer version settles it.
    await ingest(s1, { ...a, at: '2026-11-11T01:00:01Z', note: 'settled' })
    const settled = await order(s1, 'EQ')
    expect(settled).toMatchObject({ buyer_note: 'settled', open_exceptions: 0 })
    expect((await events(settled.id)).map((e) => e.kind).sort()).toEqual(['changed', 'paid'])
  })

  it('a re-run of an unchanged version writes nothing, and reprocessing twice changes nothing the second time', async () => {
    const s = await newShop('rerun')
    await ingest(
      s,
      { id: 'RR', at: '2026-11-11T02:00:00Z', status: 'pending_payment', lines: L },
      { id: 'RR', at: '2026-11-11T02:05:00Z', lines: L },
      { id: 'RR2', at: '2026-11-11T02:00:00Z', lines: L },
    )
    const before = await order(s, 'RR')
    const lines = await env.ctx.db
      .selectFrom('order_lines')
      .selectAll()
      .where('order_id', '=', before.id)
      .orderBy('line_no')
      .execute()
    const res = await env.app.inject({
      method: 'POST',
      url: `/orders/${before.id}/rerun`,
      headers: bearer(m.keys.admin),
    })
    expect(res.json()).toEqual({ outcome: 'unchanged' })
    const first = await reprocess(env.ctx, m.id, s.id, new Date(0))
    expect(first).toMatchObject({ unchanged: 2, stale: 1, applied: 0 })
    expect(await reprocess(env.ctx, m.id, s.id, new Date(0))).toEqual(first)
    expect(await order(s, 'RR')).toEqual(before)
    expect(
      await env.ctx.db
        .selectFrom('order_lines')
        .selectAll()
        .where('order_id', '=', before.id)
        .orderBy('line_no')
        .execute(),
    ).toEqual(lines)
    const history = await env.ctx.db
      .selectFrom('order_status_history')
      .select('to_status')
      .where('order_id', '=', before.id)
      .orderBy('id')
      .execute()
    expect(history.map((h) => h.to_status)).toEqual(['pending_payment', 'paid'])
  })

  it('keeps a payload that makes the mapper throw, shows it as an exception, and maps it once the mapper is fixed', async () => {
    const s = await newShop('boom')
    const p: TestPayload = { id: 'BOOM', at: '2026-11-11T03:00:00Z', lines: L, boom: true }
    expect(await ingest(s, p, { id: 'BAD', at: '2026-11-11T03:00:00Z', bad: true })).toEqual({
      stored: 2,
      duplicates: 0,
    })
    const [kept] = await inbox(s, 'BOOM')
    expect(kept).toMatchObject({ outcome: 'failed', error: 'mapper_error: boom: the mapper has a bug' })
    expect(JSON.parse(kept!.payload)).toEqual(p)
    expect((await inbox(s, 'BAD'))[0]!.outcome).toBe('failed')
    const list = (
      await env.app.inject({
        method: 'GET',
        url: `/exceptions?reason=mapping_failed&shopId=${s.id}`,
        headers: bearer(m.keys.admin),
      })
    ).json<{ items: { id: string; rawInboxId: string; orderId: null }[] }>().items
    expect(list.map((e) => e.rawInboxId).sort()).toEqual([kept!.id, (await inbox(s, 'BAD'))[0]!.id].sort())
    // "Fix the mapper": the stored payload is corrected here the way a connector fix would read it.
    await env.ctx.db
      .updateTable('raw_inbox')
      .set({ payload: JSON.stringify({ ...p, boom: false }) })
      .where('id', '=', kept!.id)
      .execute()
    const ex = list.find((e) => e.rawInboxId === kept!.id)!
    const resolved = await env.app.inject({
      method: 'POST',
      url: `/exceptions/${ex.id}/resolve`,
      headers: bearer(m.keys.admin),
      payload: { note: 'connector fixed' },
    })
    expect(resolved.json()).toEqual({ resolved: true, rerun: 'applied' })
    expect((await order(s, 'BOOM')).status).toBe('paid')
  })

  it('does not raise a resolved buyer note again on re-run, but raises a new note', async () => {
    const s = await newShop('notes', { reviewBuyerNotes: true })
    await ingest(s, { id: 'NOTE', at: '2026-11-11T04:00:00Z', lines: L, note: '请送到前台' })
    const o = await order(s, 'NOTE')
    const [ex] = await exceptions(o.id)
    expect(ex).toMatchObject({ reason: 'buyer_note', detail: { note: '请送到前台' } })
    expect(await events(o.id)).toEqual([])
    const res = await env.app.inject({
      method: 'POST',
      url: `/exceptions/${ex!.id}/resolve`,
      headers: bearer(m.keys.admin),
      payload: {},
    })
    expect(res.json()).toMatchObject({ resolved: true })
    expect(await exceptions(o.id)).toEqual([])
    expect((await order(s, 'NOTE')).open_exceptions).toBe(0)
    expect((await events(o.id)).map((e) => e.kind)).toEqual(['paid'])
    await ingest(s, { id: 'NOTE', at: '2026-11-11T04:10:00Z', lines: L, note: '改送到家里' })
    expect((await exceptions(o.id)).map((e) => e.detail)).toEqual([{ note: '改送到家里' }])
  })
})

describe('state machine in the pool', () => {
  it('keeps the hub state when the platform says shipped while the hub holds stock, and asks a person', async () => {
    const s = await newShop('outside')
    await ingest(
      s,
      { id: 'OUT-A', at: '2026-11-11T05:00:00Z', lines: L },
      { id: 'OUT-P', at: '2026-11-11T05:00:00Z', lines: L },
    )
    const held = await order(s, 'OUT-A')
    await env.ctx.db.updateTable('orders').set({ status: 'allocated' }).where('id', '=', held.id).execute()
    await ingest(
      s,
      { id: 'OUT-A', at: '2026-11-11T06:00:00Z', status: 'shipped', lines: L },
      { id: 'OUT-P', at: '2026-11-11T06:00:00Z', status: 'shipped', lines: L },
    )
    expect(await order(s, 'OUT-A')).toMatchObject({ status: 'allocated', platform_status: 'shipped' })
    expect((await exceptions(held.id)).map((e) => e.reason)).toEqual(['invalid_transition'])
    // Paid and unallocated: nothing is reserved, so it simply moves on, shipped at the platform's time.
    expect(await order(s, 'OUT-P')).toMatchObject({
      status: 'shipped',
      shipped_at: new Date('2026-11-11T06:00:00Z'),
    })
  })

  it('refuses an impossible transition as an exception without writing it, and lets a platform cancel stop picking', async () => {
    const s = await newShop('transitions')
    await ingest(
      s,
      { id: 'DONE', at: '2026-11-11T07:00:00Z', status: 'completed', lines: L },
      { id: 'PICK', at: '2026-11-11T07:00:00Z', lines: L },
    )
    await ingest(s, { id: 'DONE', at: '2026-11-11T07:30:00Z', status: 'pending_payment', lines: L })
    const done = await order(s, 'DONE')
    expect(done.status).toBe('completed')
    expect(done.platform_updated_at.toISOString()).toBe('2026-11-11T07:00:00.000Z')
    expect((await exceptions(done.id)).map((e) => e.detail)).toEqual([
      { from: 'completed', to: 'pending_payment', platformStatus: 'pending_payment' },
    ])
    expect((await inbox(s, 'DONE')).map((r) => r.outcome)).toEqual(['applied', 'invalid_transition'])
    // Resolved by a person: replaying the inbox does not raise it again.
    const [refused] = await exceptions(done.id)
    expect(
      (
        await env.app.inject({
          method: 'POST',
          url: `/exceptions/${refused!.id}/resolve`,
          headers: bearer(m.keys.admin),
          payload: {},
        })
      ).statusCode,
    ).toBe(200)
    await reprocess(env.ctx, m.id, s.id, new Date(0))
    expect(await exceptions(done.id)).toEqual([])
    expect((await order(s, 'DONE')).status).toBe('completed')
    const pick = await order(s, 'PICK')
    await env.ctx.db.updateTable('orders').set({ status: 'picking' }).where('id', '=', pick.id).execute()
    await ingest(s, { id: 'PICK', at: '2026-11-11T07:40:00Z', status: 'cancelled', lines: L })
    expect((await order(s, 'PICK')).status).toBe('cancelled')
    expect((await events(pick.id)).map((e) => e.key)).toContain(`${pick.id}.cancelled`)
  })
})

describe('refunds', () => {
  it('keeps a refund for an unknown order, attaches it when the order arrives, and emits its event', async () => {
    const s = await newShop('refunds')
    const r = await ingestRawRefunds(
      env.ctx,
      s,
      [
        testRefund({
          id: 'RF1',
          order: 'LATE',
          at: '2026-11-11T08:00:00Z',
          status: 'refunded',
          amount: '11.00',
          lines: [{ id: 'L2', qty: 2, amount: '11.00' }],
        }),
      ],
      'webhook',
    )
    expect(r).toEqual({ stored: 1, duplicates: 0 })
    const waiting = await env.ctx.db
      .selectFrom('order_exceptions')
      .select(['id', 'status'])
      .where('shop_id', '=', s.id)
      .where('reason', '=', 'refund_unknown_order')
      .execute()
    expect(waiting).toEqual([{ id: expect.any(String), status: 'open' }])
    await ingest(s, { id: 'LATE', at: '2026-11-11T07:59:00Z', lines: L })
    const o = await order(s, 'LATE')
    expect(o.refund_state).toBe('partial')
    const lines = await env.ctx.db
      .selectFrom('order_lines')
      .select(['external_line_id', 'refund_state', 'refunded_amount'])
      .where('order_id', '=', o.id)
      .orderBy('line_no')
      .execute()
    expect(lines).toEqual([
      { external_line_id: 'L1', refund_state: 'none', refunded_amount: '0.0000' },
      { external_line_id: 'L2', refund_state: 'refunded', refunded_amount: '11.0000' },
    ])
    const refund = await env.ctx.db
      .selectFrom('order_refunds')
      .select(['id', 'order_id'])
      .where('external_refund_id', '=', 'RF1')
      .executeTakeFirstOrThrow()
    expect(refund.order_id).toBe(o.id)
    expect((await events(o.id)).map((e) => e.key)).toContain(`${o.id}.refund.${refund.id}.refunded`)
    const after = await env.ctx.db
      .selectFrom('order_exceptions')
      .select('status')
      .where('id', '=', waiting[0]!.id)
      .executeTakeFirstOrThrow()
    expect(after.status).toBe('resolved')
    // A newer order version keeps the refund state the refunds give.
    await ingest(s, { id: 'LATE', at: '2026-11-11T09:00:00Z', lines: L, note: 'later' })
    expect((await order(s, 'LATE')).refund_state).toBe('partial')
  })
})

describe('crash between storing and normalizing', () => {
  it('normalizes a payload stored minutes ago but never normalized when it comes again', async () => {
    const s = await newShop('crash')
    const p: TestPayload = { id: 'CRASH', at: '2026-11-11T11:00:00Z', lines: L }
    await storeRaw(env.ctx.db, {
      merchantId: m.id,
      shopId: s.id,
      channel: TEST_CHANNEL,
      kind: 'order',
      externalId: 'CRASH',
      platformUpdatedAt: new Date(p.at),
      payload: p,
      source: 'pull',
      receivedAt: new Date(Date.now() - 5 * 60_000),
    })
    expect(await ingest(s, p, { id: 'FRESH', at: p.at, lines: L })).toEqual({ stored: 1, duplicates: 1 })
    expect((await order(s, 'CRASH')).status).toBe('paid')
    expect((await inbox(s, 'CRASH')).map((r) => r.outcome)).toEqual(['applied'])
    expect(await ingest(s, p)).toEqual({ stored: 0, duplicates: 1 })
  })
})

describe('races', () => {
  it('pages from a pull and a webhook racing over the same new orders give each order once', async () => {
    const s = await newShop('race')
    const page = Array.from({ length: 40 }, (_, i): TestPayload => ({
      id: `R${i}`,
      at: '2026-11-11T10:00:00Z',
      lines: L,
    }))
    const newer = page
      .filter((_, i) => i % 4 === 0)
      .map((p) => ({ ...p, at: '2026-11-11T10:00:05Z', note: 'newer' }))
    const results = await Promise.all([
      ingestRawOrders(env.ctx, s, page.map(testOrder), 'pull'),
      ingestRawOrders(env.ctx, s, [...newer, ...page].map(testOrder), 'webhook'),
      ingestRawOrders(env.ctx, s, [...page].reverse().map(testOrder), 'webhook'),
    ])
    expect(results.reduce((n, r) => n + r.stored, 0)).toBe(50)
    const rows = await env.ctx.db
      .selectFrom('orders')
      .select(['id', 'external_id', 'buyer_note'])
      .where('shop_id', '=', s.id)
      .execute()
    expect(rows).toHaveLength(40)
    expect(rows.filter((r) => r.buyer_note === 'newer')).toHaveLength(10)
    const lines = await env.ctx.db
      .selectFrom('order_lines')
      .select((eb) => eb.fn.countAll().as('n'))
      .where(
        'order_id',
        'in',
        rows.map((r) => r.id),
      )
      .executeTakeFirstOrThrow()
    expect(Number(lines.n)).toBe(80)
  })
})
