/**
 * What the console's order, exception and SKU screens need from the API: the order search by
 * prefix (order number, buyer, seller or SKU code, phone tail) on its own indexes, the exception
 * filter, allocations in the detail, the exception inbox (counts per reason, assignee, bulk
 * resolve), picking a version of a conflicting update, and a bundle's composition.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { receive } from '../../../src/inventory/operations.js'
import { ingestRawOrders } from '../../../src/orders/ingest.js'
import { SEARCH_BRANCH_MAX } from '../../../src/orders/queries.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createUser } from '../../../src/users/service.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { installTestConnector, testOrder, TEST_CHANNEL, type TestPayload } from './test-connector.js'

let env: TestEnv
let m: TestMerchant
let other: TestMerchant
let shop: Shop
let restore: () => void
const line = (sku: string, id = 'L1') => [{ id, sku, qty: 1, price: '10.00' }]
const ingest = (...ps: TestPayload[]) => ingestRawOrders(env.ctx, shop, ps.map(testOrder), 'pull')
const api = async <T = unknown>(method: string, url: string, payload?: unknown, key = m.keys.admin) => {
  const res = await env.app.inject({
    method: method as 'GET',
    url,
    headers: bearer(key),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  })
  return { status: res.statusCode, body: res.json<T>() }
}
const ids = async (q: string, key?: string) =>
  (await api<{ items: { externalId: string }[] }>('GET', `/orders?${q}`, undefined, key)).body.items
    .map((o) => o.externalId)
    .sort()
const orderId = async (externalId: string) =>
  (
    await env.ctx.db
      .selectFrom('orders')
      .select('id')
      .where('merchant_id', '=', m.id)
      .where('external_id', '=', externalId)
      .executeTakeFirstOrThrow()
  ).id

beforeAll(async () => {
  restore = installTestConnector()
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  other = await seedMerchant(env.ctx, 'Other')
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, { channel: TEST_CHANNEL, name: 'pdd' })
  await upsertSkus(env.ctx, m.id, [
    { code: 'TEA-01', name: '龙井' },
    { code: 'MUG-02', name: '马克杯' },
    { code: 'GIFT-SET', name: '礼盒' },
  ])
  await ingest(
    { id: 'SO-1001', at: '2026-11-11T01:00:00Z', buyer: 'alice_w', lines: line('TEA-01') },
    { id: 'SO-1002', at: '2026-11-11T01:01:00Z', buyer: 'bob', lines: line('MUG-02') },
    { id: 'SO-2001', at: '2026-11-11T01:02:00Z', buyer: 'carol', lines: line('TEA-01') },
    { id: 'SO_3001', at: '2026-11-11T01:03:00Z', buyer: 'dave', lines: line('NOPE-9') },
  )
})
afterAll(async () => {
  restore()
  await env.close()
})

describe('order search', () => {
  it('matches a prefix of the order number, the buyer, the seller code, and the phone tail', async () => {
    expect(await ids('q=SO-100')).toEqual(['SO-1001', 'SO-1002'])
    expect(await ids('q=ali')).toEqual(['SO-1001'])
    expect(await ids('q=TEA')).toEqual(['SO-1001', 'SO-2001'])
    expect(await ids('q=MUG-02')).toEqual(['SO-1002'])
    // The test connector's receiver phone is 13800000000.
    expect(await ids('q=0000')).toEqual(['SO-1001', 'SO-1002', 'SO-2001', 'SO_3001'])
    expect(await ids('q=1234')).toEqual([])
    // LIKE wildcards in the text are literal.
    expect(await ids('q=SO_')).toEqual(['SO_3001'])
    expect(await ids('q=%25')).toEqual([])
    // Not a substring search: the middle of a number finds nothing.
    expect(await ids('q=1001')).toEqual([])
    // Combined with a status and counted the same way.
    expect(await ids('q=TEA&status=paid')).toEqual(['SO-1001', 'SO-2001'])
    const counts = await api<{ total: number }>('GET', '/orders/counts?q=SO-100')
    expect(counts.body.total).toBe(2)
    // Another merchant finds nothing of A's.
    expect(await ids('q=SO', other.keys.admin)).toEqual([])
  })

  it('finds an order by the merchant SKU code its line maps to, when the seller code differs', async () => {
    expect(await ids('q=GIFT')).toEqual([])
    const gift = await env.ctx.db
      .selectFrom('skus')
      .select('id')
      .where('merchant_id', '=', m.id)
      .where('code', '=', 'GIFT-SET')
      .executeTakeFirstOrThrow()
    await env.ctx.db
      .insertInto('sku_mappings')
      .values({
        id: '01JZZZZZZZZZZZZZZZZZZZZZZZ',
        merchant_id: m.id,
        shop_id: shop.id,
        platform_sku_key: 'code:NOPE-9',
        platform_item_id: null,
        platform_sku_id: null,
        outer_code: 'NOPE-9',
        sku_id: gift.id,
        source: 'manual',
      })
      .execute()
    expect((await api('POST', `/orders/${await orderId('SO_3001')}/rerun`)).status).toBe(200)
    expect(await ids('q=GIFT')).toEqual(['SO_3001'])
    expect(await ids('q=NOPE')).toEqual(['SO_3001'])
  })

  it('pages a search with the cursor like the plain list', async () => {
    const first = await api<{ items: { externalId: string }[]; next: string }>('GET', '/orders?q=SO&limit=2')
    expect(first.body.items.map((o) => o.externalId)).toEqual(['SO_3001', 'SO-2001'])
    const second = await api<{ items: { externalId: string }[]; next: string | null }>(
      'GET',
      `/orders?q=SO&limit=2&cursor=${encodeURIComponent(first.body.next)}`,
    )
    expect(second.body.items.map((o) => o.externalId)).toEqual(['SO-1002', 'SO-1001'])
    expect(SEARCH_BRANCH_MAX).toBeGreaterThanOrEqual(100)
  })

  it('each search branch is a range on an index that starts with merchant_id', async () => {
    const plans: [string, string][] = [
      [
        'orders_search_external',
        `SELECT id FROM orders WHERE merchant_id = '${m.id}' AND external_id LIKE 'SO-1%'`,
      ],
      [
        'orders_search_buyer',
        `SELECT id FROM orders WHERE merchant_id = '${m.id}' AND buyer_nick LIKE 'al%'`,
      ],
      [
        'orders_search_phone',
        `SELECT id FROM orders WHERE merchant_id = '${m.id}' AND receiver_phone_tail = '0000'`,
      ],
      [
        'order_lines_search_code',
        `SELECT order_id FROM order_lines WHERE merchant_id = '${m.id}' AND outer_code LIKE 'TEA%'`,
      ],
    ]
    for (const [index, query] of plans) {
      const plan = await sql<{ possible_keys: string | null }>`EXPLAIN ${sql.raw(query)}`.execute(env.ctx.db)
      expect(plan.rows[0]!.possible_keys ?? '', query).toContain(index)
    }
  })

  it('filters by an open exception reason', async () => {
    expect(await ids('exceptionReason=sku_unmapped')).toEqual([])
    await ingest({ id: 'UNM-1', at: '2026-11-11T02:00:00Z', lines: line('ZZZ') })
    expect(await ids('exceptionReason=sku_unmapped')).toEqual(['UNM-1'])
    expect(await ids('exceptionReason=no_stock')).toEqual([])
    const bad = await api<{ error: { details: { field: string } } }>('GET', '/orders?exceptionReason=nope')
    expect(bad.status).toBe(400)
  })
})

describe('order detail', () => {
  it('shows the stock allocated to the order, by warehouse and SKU code', async () => {
    const wh = await createWarehouse(env.ctx.db, m.id, { code: 'HZ', name: '杭州仓' })
    const tea = await env.ctx.db
      .selectFrom('skus')
      .select('id')
      .where('merchant_id', '=', m.id)
      .where('code', '=', 'TEA-01')
      .executeTakeFirstOrThrow()
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId: wh.id, skuId: tea.id, quantity: 5, unitCost: '3.00', currency: 'CNY' },
      { actor: 'test' },
    )
    const id = await orderId('SO-1001')
    expect((await api<{ outcome: string }>('POST', `/orders/${id}/allocate`)).body.outcome).toBe('allocated')
    const d = await api<{ allocations: unknown[]; shipments: unknown[]; exceptions: unknown[] }>(
      'GET',
      `/orders/${id}`,
    )
    expect(d.body.allocations).toEqual([
      expect.objectContaining({
        warehouseCode: 'HZ',
        warehouseName: '杭州仓',
        skuCode: 'TEA-01',
        quantity: 1,
        status: 'open',
      }),
    ])
    expect(d.body.shipments).toEqual([])
  })
})

describe('exception inbox', () => {
  let userId = ''
  beforeAll(async () => {
    userId = (
      await createUser(env.ctx.db, m.id, {
        email: 'ops@m.test',
        name: '小王',
        role: 'admin',
        password: 'correct horse battery',
      })
    ).user.id
    await ingest(
      { id: 'ADDR-1', at: '2026-11-11T03:00:00Z', addr: null, lines: line('TEA-01') },
      { id: 'ADDR-2', at: '2026-11-11T03:01:00Z', addr: null, lines: line('MUG-02') },
    )
  })
  type Ex = { id: string; reason: string; orderExternalId: string | null; assigneeId: string | null }
  const list = async (q = 'status=open') => (await api<{ items: Ex[] }>('GET', `/exceptions?${q}`)).body.items

  it('counts the open ones per reason with the oldest time, and names the order by its platform number', async () => {
    const c = await api<{ open: number; byReason: { reason: string; open: number; oldestAt: string }[] }>(
      'GET',
      '/exceptions/counts',
    )
    const by = Object.fromEntries(c.body.byReason.map((r) => [r.reason, r.open]))
    expect(by).toMatchObject({ sku_unmapped: 1, address_unusable: 2 })
    expect(c.body.open).toBe(Object.values(by).reduce((a, b) => a + b, 0))
    expect(c.body.byReason.every((r) => !Number.isNaN(Date.parse(r.oldestAt)))).toBe(true)
    const addr = await list('status=open&reason=address_unusable')
    expect(addr.map((e) => e.orderExternalId).sort()).toEqual(['ADDR-1', 'ADDR-2'])
    expect((await api('GET', '/exceptions/counts', undefined, other.keys.admin)).body).toEqual({
      open: 0,
      byReason: [],
    })
  })

  it('assigns to a user of the merchant, filters by assignee, and refuses strangers', async () => {
    const [ex] = await list('status=open&reason=address_unusable')
    const res = await api<Ex>('PATCH', `/exceptions/${ex!.id}`, { assigneeId: userId })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: ex!.id, assigneeId: userId, orderExternalId: ex!.orderExternalId })
    expect((await list(`assigneeId=${userId}`)).map((e) => e.id)).toEqual([ex!.id])
    expect((await list('status=open&assigneeId=none')).map((e) => e.id)).not.toContain(ex!.id)
    expect((await api<{ open: number }>('GET', `/exceptions/counts?assigneeId=${userId}`)).body.open).toBe(1)
    const audit = await env.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('merchant_id', '=', m.id)
      .where('entity_id', '=', ex!.id)
      .execute()
    expect(audit.map((a) => a.action)).toEqual(['exception.assign'])
    // Another merchant's user, a malformed id, a warehouse key, another merchant's key.
    const stranger = (
      await createUser(env.ctx.db, other.id, {
        email: 'x@o.test',
        name: 'X',
        role: 'admin',
        password: 'correct horse battery',
      })
    ).user.id
    expect((await api('PATCH', `/exceptions/${ex!.id}`, { assigneeId: stranger })).status).toBe(404)
    expect((await api('PATCH', `/exceptions/${ex!.id}`, { assigneeId: 'bob' })).status).toBe(400)
    expect((await api('PATCH', `/exceptions/${ex!.id}`, { assigneeId: null }, m.keys.warehouse)).status).toBe(
      403,
    )
    expect((await api('PATCH', `/exceptions/${ex!.id}`, { assigneeId: null }, other.keys.admin)).status).toBe(
      404,
    )
    expect((await list(`assigneeId=${userId}`)).map((e) => e.id)).toEqual([ex!.id])
    // Unassign.
    expect((await api<Ex>('PATCH', `/exceptions/${ex!.id}`, { assigneeId: null })).body.assigneeId).toBeNull()
  })

  it('resolves several at once, re-runs each order once, and a foreign id resolves nothing', async () => {
    const addr = await list('status=open&reason=address_unusable')
    const [foreignEx] = (await api<{ items: Ex[] }>('GET', '/exceptions', undefined, m.keys.admin)).body.items
    expect(foreignEx).toBeDefined()
    const refused = await api(
      'POST',
      '/exceptions/resolve',
      { ids: [addr[0]!.id, foreignEx!.id] },
      other.keys.admin,
    )
    expect(refused.status).toBe(404)
    expect(await list('status=open&reason=address_unusable')).toHaveLength(2)

    const res = await api<{ resolved: number; reruns: Record<string, string> }>(
      'POST',
      '/exceptions/resolve',
      {
        ids: addr.map((e) => e.id),
        note: '快递可以送达',
      },
    )
    expect(res.status).toBe(200)
    expect(res.body.resolved).toBe(2)
    expect(Object.keys(res.body.reruns).sort()).toEqual(
      [await orderId('ADDR-1'), await orderId('ADDR-2')].sort(),
    )
    // Resolved by a person: the re-run does not raise it again, and the orders are clear.
    expect(await list('status=open&reason=address_unusable')).toEqual([])
    const orders = await env.ctx.db
      .selectFrom('orders')
      .select(['external_id', 'open_exceptions'])
      .where('merchant_id', '=', m.id)
      .where('external_id', 'in', ['ADDR-1', 'ADDR-2'])
      .execute()
    expect(orders.map((o) => o.open_exceptions)).toEqual([0, 0])
    expect((await api('POST', '/exceptions/resolve', { ids: [addr[0]!.id] }, m.keys.warehouse)).status).toBe(
      403,
    )
    expect((await api('POST', '/exceptions/resolve', { ids: [] })).status).toBe(400)
  })
})

describe('pick a version', () => {
  it('rewrites the order from the version a person picks and resolves the conflict', async () => {
    const a: TestPayload = {
      id: 'EQ-1',
      at: '2026-11-11T04:00:00Z',
      lines: line('TEA-01'),
      note: 'version a',
    }
    const b: TestPayload = { ...a, note: 'version b' }
    await ingest(a)
    await ingest(b)
    const id = await orderId('EQ-1')
    const d = await api<{
      buyerNote: string
      versions: { id: string; payload: string }[]
      exceptions: { reason: string; status: string; detail: { kept: string } }[]
    }>('GET', `/orders/${id}`)
    const conflict = d.body.exceptions.find((e) => e.reason === 'conflicting_update' && e.status === 'open')!
    expect(conflict).toBeDefined()
    const loser = d.body.versions.find((v) => v.id !== conflict.detail.kept)!
    const loserNote = (JSON.parse(loser.payload) as TestPayload).note
    expect(d.body.buyerNote).not.toBe(loserNote)

    expect(
      (await api('POST', `/orders/${id}/pick-version`, { versionId: loser.id }, m.keys.warehouse)).status,
    ).toBe(403)
    expect(
      (await api('POST', `/orders/${id}/pick-version`, { versionId: loser.id }, other.keys.admin)).status,
    ).toBe(404)
    // A version of another order is not this order's.
    const otherVersion = (
      await api<{ versions: { id: string }[] }>('GET', `/orders/${await orderId('SO-1002')}`)
    ).body.versions[0]!.id
    expect((await api('POST', `/orders/${id}/pick-version`, { versionId: otherVersion })).status).toBe(404)

    const res = await api<{ rerun: string; resolved: number }>('POST', `/orders/${id}/pick-version`, {
      versionId: loser.id,
    })
    expect(res.status).toBe(200)
    const after = await api<{
      buyerNote: string
      openExceptions: number
      exceptions: { reason: string; status: string }[]
    }>('GET', `/orders/${id}`)
    expect(after.body.buyerNote).toBe(loserNote)
    expect(after.body.exceptions.filter((e) => e.status === 'open')).toEqual([])
    expect(after.body.openExceptions).toBe(0)

    // A strictly newer version came since: an older one cannot be picked.
    await ingest({ ...a, at: '2026-11-11T04:00:01Z', note: 'newer' })
    const older = await api<{ error: { details: { reason: string } } }>(
      'POST',
      `/orders/${id}/pick-version`,
      {
        versionId: loser.id,
      },
    )
    expect(older.status).toBe(409)
    expect(older.body.error.details.reason).toBe('version_older')
  })
})

describe('bundles', () => {
  it('reads a bundle composition back and marks bundles in the SKU list', async () => {
    const skus = (await api<{ items: { id: string; code: string; isBundle: boolean }[] }>('GET', '/skus'))
      .body.items
    const gift = skus.find((s) => s.code === 'GIFT-SET')!
    expect(gift.isBundle).toBe(false)
    expect((await api<{ components: unknown[] }>('GET', `/skus/${gift.id}/bundle`)).body.components).toEqual(
      [],
    )
    await api('PUT', `/skus/${gift.id}/bundle`, {
      components: [
        { skuCode: 'TEA-01', quantity: 2, unitValue: '30.00' },
        { skuCode: 'MUG-02', quantity: 1, unitValue: '25.50' },
      ],
    })
    const read = await api<{ components: unknown[] }>(
      'GET',
      `/skus/${gift.id}/bundle`,
      undefined,
      m.keys.accountant,
    )
    expect(read.body.components).toEqual([
      expect.objectContaining({ skuCode: 'MUG-02', skuName: '马克杯', quantity: 1, unitValue: '25.5000' }),
      expect.objectContaining({ skuCode: 'TEA-01', skuName: '龙井', quantity: 2, unitValue: '30.0000' }),
    ])
    const again = (await api<{ items: { code: string; isBundle: boolean }[] }>('GET', '/skus?q=GIFT')).body
      .items
    expect(again).toEqual([expect.objectContaining({ code: 'GIFT-SET', isBundle: true })])
    expect((await api('GET', `/skus/${gift.id}/bundle`, undefined, other.keys.admin)).status).toBe(404)
  })
})
