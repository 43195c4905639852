/**
 * Crash safety, proved by injecting a fault at every step boundary of every handler: a first run
 * records the fault points the handler passes; then, for each point, a fresh case is run with the
 * fault armed (the run dies there), run again as the queue or the caller would, and the invariants
 * are checked — inventory (`entrepot check inventory`), a balanced journal with one entry per
 * posting key and daily totals equal to its lines, follow-up work queued, pushes converged to the
 * stock. The store is the self-run store sandbox (a real local HTTP server).
 *
 * A thrown fault rolls back an open transaction exactly as a killed process does; the points sit
 * outside any catch, so no catch block turns the fault into a recorded outcome. The one `finally`
 * on the way (the stock-push turn) is undone after the fault, as a dead process would leave it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Job } from 'bullmq'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { jobId, QUEUE_OPTIONS, type JobPayloads, type QueueName } from '../../../jobs/queues.js'
import { PROCESSORS, type Processor } from '../../../jobs/workers/index.js'
import { allocateOrder } from '../../../src/inventory/allocate.js'
import { checkInventory } from '../../../src/inventory/check.js'
import { receive } from '../../../src/inventory/operations.js'
import { STOCK_CHANGE_PREFIX, sweepStockChanges } from '../../../src/inventory/stock-outbox.js'
import { pushShopStock } from '../../../src/inventory/push.js'
import { shipOrder } from '../../../src/fulfillment/ship.js'
import { signWebhook } from '../../../connectors/selfstore/index.js'
import { InjectedFault, setFaultHook } from '../../../src/lib/fault.js'
import { money } from '../../../src/money/index.js'
import type { OrderEvent } from '../../../src/orders/events.js'
import { upsertMappings } from '../../../src/orders/mappings.js'
import { sweepOutbox, unsentEvents } from '../../../src/orders/outbox.js'
import { startSelfstoreSandbox, type SelfstoreSandbox } from '../../../src/sandbox/selfstore-server.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

let env: TestEnv
let m: TestMerchant
let store: SelfstoreSandbox
let shop: Shop
let warehouseId = ''
let secondWarehouseId = ''
let skuId = ''
const catalogue = [{ skuCode: 'CUP', title: 'cup', price: '30.00' }]

/** Every fault point any handler passed, over the whole file. */
const covered = new Set<string>()

function recordPoints(): string[] {
  const hit: string[] = []
  setFaultHook((p) => {
    hit.push(p)
    covered.add(p)
  })
  return hit
}

/** Die at the first pass through `point`; later passes (the re-run) go through. */
function arm(point: string): () => boolean {
  let fired = false
  setFaultHook((p) => {
    if (!fired && p === point) {
      fired = true
      throw new InjectedFault(p)
    }
  })
  return () => fired
}

/** Run a queue's processor as a worker would, on a job with the queue's own options. */
function runJob<Q extends QueueName>(
  queue: Q,
  data: JobPayloads[Q],
  id: string,
  attemptsMade = 0,
): Promise<unknown> {
  const job = {
    id,
    name: queue,
    data,
    opts: { ...QUEUE_OPTIONS[queue], jobId: id },
    attemptsMade,
    moveToDelayed: () => Promise.reject(new Error('the job was told to wait: the test expects no wait')),
  } as unknown as Job<JobPayloads[Q]>
  return (PROCESSORS[queue] as (ctx: typeof env.ctx) => Processor<Q>)(env.ctx)(job, 'token')
}

interface Case {
  /** Run the handler once (as the queue or the caller would). Throws when it died. */
  run(): Promise<void>
  /** The invariants after the handler finally succeeded. */
  check(point: string): Promise<void>
}

/**
 * Record the points `make()`'s case passes; then for each, a fresh case: die there, run again,
 * check. Returns the points, so the caller can say which it expects.
 */
async function everyPoint(make: () => Promise<Case>): Promise<string[]> {
  const clean = await make()
  const points = recordPoints()
  await clean.run()
  setFaultHook(null)
  await clean.check('(no fault)')
  for (const point of [...new Set(points)]) {
    const c = await make()
    const fired = arm(point)
    await expect(c.run(), point).rejects.toThrow(InjectedFault)
    expect(fired(), point).toBe(true)
    setFaultHook(null)
    await afterDeath()
    await c.run()
    await c.check(point)
  }
  return [...new Set(points)]
}

/** What a dead process leaves behind that a live one would have cleaned up: its push turn. */
let afterDeath: () => Promise<void> = async () => undefined

async function globalInvariants(point: string): Promise<void> {
  expect(await checkInventory(env.ctx.db, m.id), point).toEqual([])
  const unbalanced = await sql<{ entry_id: string }>`
    SELECT entry_id FROM journal_lines WHERE merchant_id = ${m.id}
    GROUP BY entry_id, currency HAVING SUM(debit) <> SUM(credit)`.execute(env.ctx.db)
  expect(unbalanced.rows, point).toEqual([])
  const twice = await sql<{ posting_key: string }>`
    SELECT posting_key FROM journal_entries WHERE merchant_id = ${m.id}
    GROUP BY posting_key HAVING COUNT(*) > 1`.execute(env.ctx.db)
  expect(twice.rows, point).toEqual([])
  const lines = await sql<{ currency: string; debit: string; credit: string }>`
    SELECT currency, SUM(debit) AS debit, SUM(credit) AS credit FROM journal_lines
    WHERE merchant_id = ${m.id} GROUP BY currency ORDER BY currency`.execute(env.ctx.db)
  const daily = await sql<{ currency: string; debit: string; credit: string }>`
    SELECT currency, SUM(debit) AS debit, SUM(credit) AS credit FROM journal_daily
    WHERE merchant_id = ${m.id} GROUP BY currency ORDER BY currency`.execute(env.ctx.db)
  const exact = (rows: { currency: string; debit: string; credit: string }[]) =>
    rows.map((r) => [r.currency, money(r.debit).toFixed(4), money(r.credit).toFixed(4)])
  expect(exact(daily.rows), point).toEqual(exact(lines.rows))
}

/** The push the handler asked for: queued for the shop, and once run, the store shows the stock. */
async function pushQueuedAndConverges(point: string): Promise<void> {
  const jobs = await env.ctx.queues['stock-push'].getJobs(['waiting', 'delayed', 'prioritized'])
  expect(
    jobs.map((j) => j.data.shopId),
    `${point}: a stock push is queued`,
  ).toContain(shop.id)
  await env.ctx.queues['stock-push'].obliterate({ force: true })
  await runJob('stock-push', { merchantId: m.id, shopId: shop.id, full: false }, jobId('push', 'test'))
  await storeShowsStock(point)
}

async function storeShowsStock(point: string): Promise<void> {
  const rows = await env.ctx.db
    .selectFrom('stock')
    .select(['on_hand', 'reserved'])
    .where('merchant_id', '=', m.id)
    .where('sku_id', '=', skuId)
    .execute()
  expect(store.stock.get('CUP')?.quantity, `${point}: the store shows the available stock`).toBe(
    rows.reduce((n, s) => n + s.on_hand - s.reserved, 0),
  )
  // Nothing left to send: every SKU's last push succeeded with the quantity due.
  expect((await pushShopStock(env.ctx, m.id, shop.id)).sent, point).toBe(0)
}

/** A paid order of the sandbox store (so the store knows it for the writeback), in the pool. */
async function paidOrder(): Promise<string> {
  const external = store.generate(1)[0]!.id
  const { orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId, quantity: 1, paid: '30' }], {
    externalId: external,
  })
  return orderId
}

async function allocated(): Promise<string> {
  const orderId = await paidOrder()
  expect(await allocateOrder(env.ctx, m.id, orderId)).toBe('allocated')
  return orderId
}

const parcels = (orderId: string) => [
  { carrier: 'SF' as const, carrierName: null, trackingNumber: `SF${orderId}`, lineExternalIds: [] },
]

async function shipped(): Promise<{ orderId: string; event: OrderEvent; writebackId: string }> {
  const orderId = await allocated()
  const r = await shipOrder(
    env.ctx.db,
    m.id,
    orderId,
    parcels(orderId),
    `ship.${orderId}`,
    'test',
    undefined,
    env.ctx.clock.now(),
  )
  return { orderId, event: r.events[0]!, writebackId: r.writebackIds[0]! }
}

const orderStatus = async (orderId: string) =>
  (await env.ctx.db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow())
    .status

const openAllocations = async (orderId: string) =>
  (
    await env.ctx.db
      .selectFrom('stock_allocations')
      .select('id')
      .where('order_id', '=', orderId)
      .where('status', '=', 'open')
      .execute()
  ).length

beforeAll(async () => {
  env = await testEnv({ config: { STOCK_PUSH_DEBOUNCE_MS: '0' } })
  m = await seedMerchant(env.ctx)
  store = await startSelfstoreSandbox({ seed: 5, catalogue, apiKey: 'k-f', webhookSecret: 's-f' })
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'selfstore',
    name: 'own store',
    settings: { baseUrl: store.url },
    credentials: { apiKey: 'k-f', webhookSecret: 's-f' },
  })
  warehouseId = (await createWarehouse(env.ctx.db, m.id, { code: 'W1', name: 'W1' })).id
  secondWarehouseId = (await createWarehouse(env.ctx.db, m.id, { code: 'W2', name: 'W2' })).id
  await upsertSkus(env.ctx, m.id, [{ code: 'CUP', name: 'cup' }])
  skuId = (
    await env.ctx.db.selectFrom('skus').select('id').where('merchant_id', '=', m.id).executeTakeFirstOrThrow()
  ).id
  await upsertMappings(env.ctx.db, m.id, [{ shopId: shop.id, platformSkuId: 'CUP', skuCode: 'CUP' }], 'bulk')
  await receive(
    env.ctx.db,
    m.id,
    { warehouseId, skuId, quantity: 500, unitCost: '12.50', currency: 'CNY' },
    { actor: 't' },
  )
})
beforeEach(async () => {
  afterDeath = async () => undefined
  for (const q of Object.values(env.ctx.queues)) await q.obliterate({ force: true })
})
afterAll(async () => {
  setFaultHook(null)
  await store.close()
  await env.close()
})

it('inventory, paid: the reservation and the event key commit together, and the push is asked for again on the retry', async () => {
  const points = await everyPoint(async () => {
    const orderId = await paidOrder()
    const event: OrderEvent = { merchantId: m.id, orderId, kind: 'paid', key: `${orderId}.paid` }
    return {
      run: async () => void (await runJob('inventory-order-event', event, jobId('inv', event.key))),
      check: async (point) => {
        expect(await orderStatus(orderId), point).toBe('allocated')
        expect(await openAllocations(orderId), point).toBe(1)
        await globalInvariants(point)
        await pushQueuedAndConverges(point)
      },
    }
  })
  expect(points).toEqual(['inventory.allocate.reserved', 'inventory.event.handled'])
})

it('inventory, cancelled: a run that dies after claiming the event still releases the stock on its retry', async () => {
  const points = await everyPoint(async () => {
    const orderId = await allocated()
    await env.ctx.db.updateTable('orders').set({ status: 'cancelled' }).where('id', '=', orderId).execute()
    const event: OrderEvent = { merchantId: m.id, orderId, kind: 'cancelled', key: `${orderId}.cancelled` }
    return {
      run: async () => void (await runJob('inventory-order-event', event, jobId('inv', event.key))),
      check: async (point) => {
        expect(await openAllocations(orderId), point).toBe(0)
        await globalInvariants(point)
        await pushQueuedAndConverges(point)
      },
    }
  })
  expect(points).toEqual([
    'inventory.release.claimed',
    'inventory.release.released',
    'inventory.event.handled',
  ])
})

it('inventory, refund before shipment: released and on hold, once', async () => {
  const points = await everyPoint(async () => {
    const orderId = await allocated()
    const event: OrderEvent = { merchantId: m.id, orderId, kind: 'refund_requested', key: `${orderId}.rr` }
    return {
      run: async () => void (await runJob('inventory-order-event', event, jobId('inv', event.key))),
      check: async (point) => {
        expect(await openAllocations(orderId), point).toBe(0)
        expect(await orderStatus(orderId), point).toBe('on_hold')
        const holds = await env.ctx.db
          .selectFrom('order_status_history')
          .select('id')
          .where('order_id', '=', orderId)
          .where('to_status', '=', 'on_hold')
          .execute()
        expect(holds, point).toHaveLength(1)
        await globalInvariants(point)
        await pushQueuedAndConverges(point)
      },
    }
  })
  expect(points).toEqual([
    'inventory.release.claimed',
    'inventory.release.released',
    'inventory.release.unwaved',
    'inventory.event.handled',
  ])
})

it('ledger, shipped: sale and COGS post together or not at all, each once', async () => {
  const points = await everyPoint(async () => {
    const { orderId, event } = await shipped()
    return {
      run: async () => void (await runJob('ledger-order-event', event, jobId('led', event.key))),
      check: async (point) => {
        const keys = await env.ctx.db
          .selectFrom('journal_entries')
          .select('posting_key')
          .where('merchant_id', '=', m.id)
          .where('order_id', '=', orderId)
          .orderBy('posting_key')
          .execute()
        expect(
          keys.map((k) => k.posting_key),
          point,
        ).toEqual([`cogs.${event.shipmentId}`, `sale.${orderId}`])
        await globalInvariants(point)
      },
    }
  })
  expect(points).toEqual(['ledger.sale.posted', 'ledger.cogs.posted'])
})

it('ship: a request repeated after it died ships once and still queues its writeback and its event', async () => {
  const points = await everyPoint(async () => {
    const orderId = await allocated()
    const ship = async () => {
      const res = await env.app.inject({
        method: 'POST',
        url: `/orders/${orderId}/ship`,
        headers: { ...bearer(m.keys.warehouse), 'idempotency-key': `k-${orderId}` },
        payload: {
          withoutWave: { reason: 'fault injection' },
          parcels: [{ carrier: 'SF', trackingNumber: `SF${orderId}` }],
        },
      })
      if (res.statusCode === 500) throw new InjectedFault('(answered 500)')
      expect(res.statusCode, res.body).toBe(200)
    }
    return {
      run: ship,
      check: async (point) => {
        expect(await orderStatus(orderId), point).toBe('shipped')
        const shipments = await env.ctx.db
          .selectFrom('shipments')
          .select('id')
          .where('order_id', '=', orderId)
          .execute()
        expect(shipments, point).toHaveLength(1)
        const writebacks = await env.ctx.db
          .selectFrom('shipment_writebacks')
          .select('id')
          .where('order_id', '=', orderId)
          .execute()
        expect(writebacks, point).toHaveLength(1)
        expect(
          await env.ctx.queues['shipment-writeback'].getJob(jobId('wb', writebacks[0]!.id)),
          `${point}: the writeback is queued`,
        ).toBeDefined()
        const key = `${orderId}.shipped.${shipments[0]!.id}`
        expect(
          await env.ctx.queues['ledger-order-event'].getJob(jobId('led', key)),
          `${point}: the shipped event is queued`,
        ).toBeDefined()
        expect(await unsentEvents(env.ctx.db, m.id, [orderId]), `${point}: every event sent`).toEqual([])
        await globalInvariants(point)
      },
    }
  })
  expect(points).toEqual([
    'ship.allocation.shipped',
    'ship.shipment.recorded',
    'ship.committed',
    'ship.writebacks.queued',
  ])
})

it('shipment writeback: a run that died after the store took the parcel sends it again and ends done', async () => {
  const points = await everyPoint(async () => {
    const { orderId, writebackId } = await shipped()
    const external = (
      await env.ctx.db
        .selectFrom('orders')
        .select('external_id')
        .where('id', '=', orderId)
        .executeTakeFirstOrThrow()
    ).external_id
    return {
      run: async () =>
        void (await runJob(
          'shipment-writeback',
          { merchantId: m.id, writebackId },
          jobId('wb', writebackId),
        )),
      check: async (point) => {
        const wb = await env.ctx.db
          .selectFrom('shipment_writebacks')
          .select(['status', 'last_error'])
          .where('id', '=', writebackId)
          .executeTakeFirstOrThrow()
        expect(wb, point).toEqual({ status: 'done', last_error: null })
        const sent = store.shipments.filter((s) => s.orderId === external)
        expect(sent.length, point).toBeGreaterThanOrEqual(1)
        expect(
          sent.every((s) => (s.body as { tracking_number: string }).tracking_number === `SF${orderId}`),
          point,
        ).toBe(true)
        await globalInvariants(point)
      },
    }
  })
  expect(points).toEqual(['writeback.sent'])
})

it('stock push: a run that died anywhere converges on its retry, also when its turn was left taken', async () => {
  const owner = jobId('push', 'fault')
  const points = await everyPoint(async () => {
    await receive(
      env.ctx.db,
      m.id,
      { warehouseId, skuId, quantity: 3, unitCost: '12.50', currency: 'CNY' },
      { actor: 't' },
    )
    // A dead process runs no `finally`: its turn stays taken until its own job runs again.
    afterDeath = async () => {
      await env.ctx.redis.set(
        `${env.ctx.config.redis.prefix}:stock-push:lock:${shop.id}`,
        owner,
        'PX',
        60_000,
      )
    }
    return {
      run: async () =>
        void (await runJob('stock-push', { merchantId: m.id, shopId: shop.id, full: false }, owner)),
      check: async (point) => {
        await storeShowsStock(point)
        await globalInvariants(point)
      },
    }
  })
  expect(points).toEqual(['stock-push.turn-taken', 'stock-push.planned', 'stock-push.sent'])
})

// ───────────── stock documents: receipts, count sheets, transfers ─────────────

type Role = 'admin' | 'warehouse'
/** A request to the API; a 500 is the process dying there (the injected fault). */
async function call(role: Role, method: 'POST' | 'GET', url: string, payload?: object) {
  const res = await env.app.inject({
    method,
    url,
    headers: bearer(m.keys[role]),
    ...(payload ? { payload } : {}),
  })
  if (res.statusCode === 500) throw new InjectedFault('(answered 500)')
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() }
}
async function created(role: Role, url: string, payload: object): Promise<string> {
  const r = await call(role, 'POST', url, payload)
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return r.body.id as string
}
async function stepOk(role: Role, url: string, payload?: object): Promise<void> {
  const r = await call(role, 'POST', url, payload)
  expect(r.status, JSON.stringify(r.body)).toBe(200)
}

const unsentStockChanges = async () =>
  env.ctx.db
    .selectFrom('event_outbox')
    .select('event_key')
    .where('merchant_id', '=', m.id)
    .where('event_key', 'like', `${STOCK_CHANGE_PREFIX}%`)
    .where('sent_at', 'is', null)
    .execute()

/** The movements a document made, by kind, and its audit rows, by action. */
async function documentRecord(id: string, number: string) {
  const movements = await env.ctx.db
    .selectFrom('stock_movements')
    .select(['kind', 'quantity', 'warehouse_id'])
    .where('merchant_id', '=', m.id)
    .where('ref_id', '=', number)
    .orderBy('kind')
    .execute()
  const audits = await env.ctx.db
    .selectFrom('audit_log')
    .select('action')
    .where('merchant_id', '=', m.id)
    .where('entity_id', '=', id)
    .orderBy('action')
    .execute()
  return { movements, actions: audits.map((a) => a.action) }
}

const numberOf = async (table: 'stock_receipts' | 'stock_counts' | 'stock_transfers', id: string) =>
  (await env.ctx.db.selectFrom(table).select('number').where('id', '=', id).executeTakeFirstOrThrow()).number

/** What every stock document step must leave: its change sent, the push converged, the invariants. */
async function documentStepDone(point: string): Promise<void> {
  expect(await unsentStockChanges(), `${point}: the stock change was sent`).toEqual([])
  await globalInvariants(point)
  await pushQueuedAndConverges(point)
}

const documentPoints = ['stock-doc.moved', 'stock-doc.committed', 'stock-change.asked']

it('receipt post: the stock, its audit row and its push request commit together; a repeated post pushes and posts once', async () => {
  const points = await everyPoint(async () => {
    const id = await created('warehouse', '/receipts', {
      warehouseId,
      currency: 'CNY',
      lines: [{ skuId, quantity: 4, unitCost: '12.50', bin: 'A-01-01' }],
    })
    const number = await numberOf('stock_receipts', id)
    return {
      run: () => stepOk('warehouse', `/receipts/${id}/post`),
      check: async (point) => {
        expect(await documentRecord(id, number), point).toEqual({
          movements: [{ kind: 'receipt', quantity: 4, warehouse_id: warehouseId }],
          actions: ['receipt.create', 'receipt.post'],
        })
        await documentStepDone(point)
      },
    }
  })
  expect(points).toEqual(documentPoints)
})

it('count approval: the variance, its audit row and its push request commit together, once', async () => {
  const points = await everyPoint(async () => {
    const id = await created('warehouse', '/stock-counts', { warehouseId, skuIds: [skuId] })
    const expected = (
      await env.ctx.db
        .selectFrom('stock_count_lines')
        .select('expected')
        .where('count_id', '=', id)
        .executeTakeFirstOrThrow()
    ).expected
    await stepOk('warehouse', `/stock-counts/${id}/counts`, {
      items: [{ skuId, quantity: expected - 1, mode: 'set' }],
    })
    await stepOk('warehouse', `/stock-counts/${id}/submit`)
    const number = await numberOf('stock_counts', id)
    return {
      run: () => stepOk('admin', `/stock-counts/${id}/approve`),
      check: async (point) => {
        expect(await documentRecord(id, number), point).toEqual({
          movements: [{ kind: 'adjustment', quantity: -1, warehouse_id: warehouseId }],
          actions: ['count.approve', 'count.create', 'count.submit'],
        })
        await documentStepDone(point)
      },
    }
  })
  expect(points).toEqual(documentPoints)
})

async function draftTransfer(): Promise<{ id: string; number: string }> {
  const id = await created('warehouse', '/transfers', {
    fromWarehouseId: warehouseId,
    toWarehouseId: secondWarehouseId,
    lines: [{ skuId, quantity: 2 }],
  })
  return { id, number: await numberOf('stock_transfers', id) }
}

it('transfer ship: the stock leaves the source with its audit row and push request, once', async () => {
  const points = await everyPoint(async () => {
    const { id, number } = await draftTransfer()
    return {
      run: () => stepOk('warehouse', `/transfers/${id}/ship`),
      check: async (point) => {
        expect(await documentRecord(id, number), point).toEqual({
          movements: [{ kind: 'transfer_out', quantity: -2, warehouse_id: warehouseId }],
          actions: ['transfer.create', 'transfer.ship'],
        })
        await documentStepDone(point)
      },
    }
  })
  expect(points).toEqual(documentPoints)
})

it('transfer receive: a request repeated after it died receives once and still pushes', async () => {
  const points = await everyPoint(async () => {
    const { id, number } = await draftTransfer()
    await stepOk('warehouse', `/transfers/${id}/ship`)
    return {
      // The retry of a receive that committed finds the transfer received (409): the client's
      // answer that it is done; the retry still sends what the dead run left unsent.
      run: async () => {
        const r = await call('warehouse', 'POST', `/transfers/${id}/receive`, {
          lines: [{ lineNo: 1, quantity: 2 }],
        })
        if (r.status === 409) expect(r.body.error).toMatchObject({ details: { reason: 'status_received' } })
        else expect(r.status, JSON.stringify(r.body)).toBe(200)
      },
      check: async (point) => {
        expect(await documentRecord(id, number), point).toEqual({
          movements: [
            { kind: 'transfer_in', quantity: 2, warehouse_id: secondWarehouseId },
            { kind: 'transfer_out', quantity: -2, warehouse_id: warehouseId },
          ],
          actions: ['transfer.create', 'transfer.receive', 'transfer.ship'],
        })
        await documentStepDone(point)
      },
    }
  })
  expect(points).toEqual(documentPoints)
})

it('stock document: a change nobody sent is sent by the sweep, and the order sweep leaves it alone', async () => {
  const id = await created('warehouse', '/receipts', {
    warehouseId,
    currency: 'CNY',
    lines: [{ skuId, quantity: 1, unitCost: '12.50' }],
  })
  arm('stock-doc.committed')
  await expect(stepOk('warehouse', `/receipts/${id}/post`)).rejects.toThrow(InjectedFault)
  setFaultHook(null)
  expect(await unsentStockChanges()).toHaveLength(1)
  await sweepOutbox(env.ctx, 0)
  expect(await unsentStockChanges(), 'the order sweep does not send stock changes').toHaveLength(1)
  const orderJobs = await env.ctx.queues['inventory-order-event'].getJobs(['waiting', 'delayed'])
  expect(orderJobs.filter((j) => j.data.key.startsWith(STOCK_CHANGE_PREFIX))).toEqual([])
  expect(await sweepStockChanges(env.ctx, 60_000), 'not before its grace').toBe(0)
  expect(await sweepStockChanges(env.ctx, 0)).toBe(1)
  await documentStepDone('(swept)')
})

it('direct stock receipt: the stock, its audit row and its push request commit together; a repeat with its key sends what the dead run left', async () => {
  let n = 0
  const points = await everyPoint(async () => {
    const key = `direct-receipt-${++n}`
    return {
      run: async () => {
        const r = await call('warehouse', 'POST', '/stock/receipts', {
          warehouseId,
          skuId,
          quantity: 3,
          unitCost: '12.50',
          currency: 'CNY',
          reference: key,
          idempotencyKey: key,
        })
        expect(r.status, JSON.stringify(r.body)).toBe(201)
      },
      check: async (point) => {
        const movements = await env.ctx.db
          .selectFrom('stock_movements')
          .select(['kind', 'quantity'])
          .where('merchant_id', '=', m.id)
          .where('idempotency_key', '=', key)
          .execute()
        expect(movements, point).toEqual([{ kind: 'receipt', quantity: 3 }])
        const audits = await env.ctx.db
          .selectFrom('audit_log')
          .select('action')
          .where('merchant_id', '=', m.id)
          .where('action', '=', 'stock.receipt')
          .where(sql<string>`JSON_UNQUOTE(JSON_EXTRACT(detail, '$.reference'))`, '=', key)
          .execute()
        expect(audits, point).toHaveLength(1)
        await documentStepDone(point)
      },
    }
  })
  expect(points).toEqual(['stock-op.committed', 'stock-change.asked'])
})

it('webhook delivery: a run that died anywhere stores its order once, sends its events and ends processed', async () => {
  const points = await everyPoint(async () => {
    const order = store.generate(1)[0]!
    const body = JSON.stringify({ event: 'order.updated', order })
    const t = Math.floor(env.ctx.clock.now().getTime() / 1000) // the application's clock (test:future moves it)
    const res = await env.app.inject({
      method: 'POST',
      url: `/webhooks/selfstore/${shop.id}`,
      headers: {
        'content-type': 'application/json',
        'x-entrepot-delivery': `d-${order.id}`,
        'x-entrepot-signature': `t=${t},v1=${signWebhook('s-f', t, body)}`,
      },
      payload: body,
    })
    expect(res.statusCode, res.body).toBe(200)
    const [job] = await env.ctx.queues['webhook-process'].getJobs(['waiting'])
    let attempts = 0 // the run again is the job's next attempt
    return {
      run: async () => void (await runJob('webhook-process', job!.data, job!.id!, attempts++)),
      check: async (point) => {
        const delivery = await env.ctx.db
          .selectFrom('webhook_deliveries')
          .select('status')
          .where('id', '=', job!.data.deliveryId)
          .executeTakeFirstOrThrow()
        expect(delivery.status, point).toBe('processed')
        const orders = await env.ctx.db
          .selectFrom('orders')
          .select('id')
          .where('shop_id', '=', shop.id)
          .where('external_id', '=', String(order.id))
          .execute()
        expect(orders, point).toHaveLength(1)
        // What the dead run left unsent, the outbox sweep sends (sync-tick).
        await sweepOutbox(env.ctx, 0)
        expect(await unsentEvents(env.ctx.db, m.id, [orders[0]!.id]), `${point}: every event sent`).toEqual(
          [],
        )
        const queued = await env.ctx.queues['inventory-order-event'].getJobs(['waiting'])
        expect(
          queued.some((j) => j.data.orderId === orders[0]!.id),
          `${point}: the order's event is queued`,
        ).toBe(true)
        await globalInvariants(point)
      },
    }
  })
  expect(points).toEqual(['ingest.inbox.stored', 'ingest.orders.written', 'webhook.deliveries.ingested'])
})

it('every fault point in the code is exercised above', () => {
  const declared = new Set<string>()
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (path.endsWith('.ts'))
        for (const match of readFileSync(path, 'utf8').matchAll(/faultPoint\('([^']+)'\)/g))
          declared.add(match[1]!)
    }
  }
  for (const dir of ['src', 'jobs', 'connectors']) walk(dir)
  expect(declared.size).toBeGreaterThan(0)
  expect([...declared].filter((p) => !covered.has(p)).sort()).toEqual([])
})
