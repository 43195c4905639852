/**
 * The real Shopify connector against the sandbox store over real HTTP (no nock): cursor paging over
 * an updated_at window with every order mapped and equal to the store's own record, signed webhooks
 * verified and read by the connector, stock per location with compare-and-set and idempotency keys,
 * fulfillments, payouts, a wrong token, and faults injected and recovered from.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shopify } from '../../../connectors/shopify/index.js'
import { SET_QUANTITIES, shopifyClient } from '../../../connectors/shopify/graphql.js'
import type { RawOrder, SettlementLineDraft, ShopContext } from '../../../connectors/types.js'
import { systemClock } from '../../../src/lib/clock.js'
import { createLogger } from '../../../src/lib/logger.js'
import { money, sum } from '../../../src/money/index.js'
import { startShopifySandbox, type ShopifySandbox } from '../../../src/sandbox/shopify-server.js'
import { connectorFailure } from '../../helpers/connectors.js'

const catalogue = [
  { skuCode: 'MUG-BLUE', title: 'Mug Blue', price: '25.00' },
  { skuCode: 'MUG-RED', title: 'Mug Red', price: '25.00' },
  { skuCode: 'TEA-100', title: 'Green Tea 100g', price: '35.50' },
  { skuCode: 'SCARF-GRY', title: 'Wool Scarf Grey', price: '158.00' },
]
let store: ShopifySandbox
const hooks: { headers: Record<string, string | undefined>; body: Buffer }[] = []
let hookServer: Server

function shop(over: { accessToken?: string } = {}): ShopContext {
  return {
    id: `sh-${randomBytes(4).toString('hex')}`,
    merchantId: 'm',
    channel: 'shopify',
    settings: { shopDomain: store.shopDomain, baseUrl: store.url, ratePerSecond: 1000 },
    credentials: { accessToken: over.accessToken ?? 'shpat_sandbox', webhookSecret: 'whsec' },
    clock: systemClock,
    log: createLogger('silent'),
    saveCredentials: async () => undefined,
  }
}

async function pullAll(
  sc: ShopContext,
  from: Date,
  to: Date,
): Promise<{ orders: RawOrder[]; pages: number }> {
  const orders: RawOrder[] = []
  let pages = 0
  for await (const page of shopify.pullOrders(sc, { from, to })) {
    pages++
    orders.push(...page.items)
  }
  return { orders, pages }
}

beforeAll(async () => {
  store = await startShopifySandbox({
    seed: 21,
    catalogue,
    accessToken: 'shpat_sandbox',
    webhookSecret: 'whsec',
    refundRate: 0.1,
    slowMs: 1000,
  })
  hookServer = createServer((req, res) => {
    const chunks: Buffer[] = []
    req
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => {
        hooks.push({
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
          body: Buffer.concat(chunks),
        })
        res.writeHead(200).end()
      })
  })
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r))
})
afterAll(async () => {
  await store.close()
  await new Promise<void>((r) => hookServer.close(() => r()))
})

describe('pull', () => {
  it('pages by cursor over the updated_at window and every order maps to what the store sold', async () => {
    const at = new Date(systemClock.now().getTime() - 10 * 60_000)
    store.generate(120, at)
    const { orders, pages } = await pullAll(shop(), new Date(at.getTime() - 60_000), systemClock.now())
    expect(pages).toBe(3) // 50 a page
    expect(orders).toHaveLength(120)
    const bySold = new Map(store.sold.map((g) => [g.externalId, g]))
    const statuses = new Set<string>()
    for (const raw of orders) {
      const r = shopify.mapOrder(raw.payload)
      if (!r.ok) throw new Error(`${raw.externalId}: ${r.reason} ${r.detail}`)
      const d = r.value
      const g = bySold.get(raw.externalId)!
      statuses.add(`${d.status}/${d.refundState}`)
      expect(d.currency).toBe('USD')
      expect(d.totals.goods.toFixed(2)).toBe(g.goods)
      expect(d.totals.merchantDiscount.toFixed(2)).toBe(g.merchantDiscount)
      expect(d.totals.shipping.toFixed(2)).toBe(g.shipping)
      expect(d.totals.tax.toFixed(2)).toBe(g.tax)
      expect(d.totals.buyerPaid.toFixed(2)).toBe(g.paid)
      expect(d.lines.map((l) => l.outerCode)).toEqual(g.lines.map((l) => l.skuCode))
    }
    expect([...statuses]).toEqual(
      expect.arrayContaining(['paid/none', 'pending_payment/none', 'cancelled/none', 'cancelled/refunded']),
    )
    // An order outside the window is not returned.
    const later = await pullAll(shop(), systemClock.now(), new Date(systemClock.now().getTime() + 60_000))
    expect(later.orders).toHaveLength(0)
  })
})

describe('webhooks', () => {
  it('sends orders/create, orders/updated and refunds/create signed as Shopify does; the connector verifies and reads them', async () => {
    store.setWebhookUrl(`http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hooks`)
    hooks.length = 0
    const [o] = store.generate(1)
    store.refund(o!.id)
    await store.settled()
    store.setWebhookUrl(null)
    expect(hooks.map((h) => h.headers['x-shopify-topic'])).toEqual(
      expect.arrayContaining(['orders/create', 'refunds/create', 'orders/updated']),
    )
    const sc = shop()
    for (const h of hooks) {
      expect(shopify.verifyWebhook!({ headers: h.headers, rawBody: h.body, query: {} }, sc)).toBe(true)
      expect(
        shopify.verifyWebhook!(
          { headers: h.headers, rawBody: Buffer.concat([h.body, Buffer.from(' ')]), query: {} },
          sc,
        ),
      ).toBe(false)
      const ev = shopify.parseWebhook!({ headers: h.headers, rawBody: h.body, query: {} })
      expect(ev.deliveryId).toBe(h.headers['x-shopify-webhook-id'])
      if (ev.topic === 'refunds/create') expect(ev.orderIdsToFetch).toEqual([o!.id])
      else expect(shopify.mapOrder(ev.orders[0]!.payload)).toMatchObject({ ok: true })
    }
    // The REST body and the GraphQL node of the same order map to the same figures.
    const updated = hooks.filter((h) => h.headers['x-shopify-topic'] === 'orders/updated').at(-1)!
    const viaHook = shopify.mapOrder(JSON.parse(updated.body.toString('utf8')))
    const viaApi = shopify.mapOrder((await shopify.fetchOrder(sc, o!.id)).payload)
    if (!viaHook.ok || !viaApi.ok) throw new Error('mapping failed')
    expect(viaHook.value.totals).toEqual(viaApi.value.totals)
    expect(viaHook.value.refundState).toBe('partial')
    expect(viaHook.value.lines.map((l) => [l.refundedQuantity, l.refundedAmount.toFixed(2)])).toEqual(
      viaApi.value.lines.map((l) => [l.refundedQuantity, l.refundedAmount.toFixed(2)]),
    )
  })
})

describe('one order, two shapes', () => {
  it('maps a fulfilled, a partly fulfilled, a refunded and a cancelled order the same from the webhook body and the GraphQL pull', async () => {
    store.setWebhookUrl(`http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hooks`)
    hooks.length = 0
    const open = store
      .generate(40)
      .filter((o) => o.financial === 'PAID' && !o.cancelledAt)
      .sort((a, b) => b.lines.length - a.lines.length)
    const [partly, fulfilled, refunded, cancelled] = open
    expect(partly!.lines.length).toBeGreaterThan(1)
    const sc = shop()
    const ship = (id: string, lineExternalIds: string[] = []) =>
      shopify.pushShipment(sc, {
        orderExternalId: id,
        lineExternalIds,
        carrier: 'UPS',
        trackingNumber: `1Z${id}`,
        shippedAt: new Date(),
      })
    await ship(fulfilled!.id)
    await ship(partly!.id, [partly!.lines[0]!.id])
    await ship(refunded!.id)
    store.refund(refunded!.id)
    store.cancel(cancelled!.id)
    await store.settled()
    store.setWebhookUrl(null)

    const expected: Record<string, { status: string; lines: (string | null)[] }> = {
      [fulfilled!.id]: { status: 'shipped', lines: fulfilled!.lines.map(() => 'fulfilled') },
      [partly!.id]: { status: 'paid', lines: partly!.lines.map((_l, i) => (i === 0 ? 'fulfilled' : null)) },
      [refunded!.id]: { status: 'shipped', lines: refunded!.lines.map(() => 'fulfilled') },
      [cancelled!.id]: { status: 'cancelled', lines: cancelled!.lines.map(() => null) },
    }
    for (const [id, want] of Object.entries(expected)) {
      // The newest webhook body of the order, and the order as the pull reads it now.
      const bodies = hooks
        .filter((h) => h.headers['x-shopify-topic']?.startsWith('orders/'))
        .map((h) => JSON.parse(h.body.toString('utf8')) as { id: number; updated_at: string })
        .filter((b) => String(b.id) === id)
        .sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at))
      const viaHook = shopify.mapOrder(bodies.at(-1))
      const viaPull = shopify.mapOrder((await shopify.fetchOrder(sc, id)).payload)
      if (!viaHook.ok || !viaPull.ok) throw new Error(`order ${id} did not map`)
      expect(JSON.parse(JSON.stringify(viaPull.value)), `order ${id}`).toEqual(
        JSON.parse(JSON.stringify(viaHook.value)),
      )
      expect(viaPull.value.status).toBe(want.status)
      expect(viaPull.value.lines.map((l) => l.platformStatus)).toEqual(want.lines)
    }
  })
})

describe('stock', () => {
  it('sets quantities per location with compare-and-set, remembers them, and sends nothing for an unchanged level', async () => {
    const [l1, l2] = store.locationIds
    const levels = catalogue.flatMap((c, i) => [
      { platformSkuId: store.variantIdOf(c.skuCode), locationId: l1!, quantity: 5 + i },
      { platformSkuId: store.variantIdOf(c.skuCode), locationId: l2!, quantity: 50 + i },
    ])
    const outcomes = await shopify.pushStock(shop(), levels)
    expect(outcomes.filter((o) => o.ok)).toHaveLength(levels.length)
    for (const [i, c] of catalogue.entries()) {
      expect(store.available(c.skuCode, l1!)).toBe(5 + i)
      expect(store.available(c.skuCode, l2!)).toBe(50 + i)
    }
    const keys = store.idempotencyKeys.size
    expect(keys).toBe(2) // one mutation per location
    expect(await shopify.pushStock(shop(), levels)).toHaveLength(levels.length)
    expect(store.idempotencyKeys.size).toBe(keys)
    const unknown = await shopify.pushStock(shop(), [{ platformSkuId: '1', locationId: l1!, quantity: 1 }])
    expect(unknown).toMatchObject([{ ok: false, kind: 'permanent' }])
  })

  it('answers CHANGE_FROM_QUANTITY_STALE when the compare value is old, and replays an idempotency key without applying it twice', async () => {
    const client = shopifyClient(shop())
    const item = `gid://shopify/InventoryItem/${store.inventoryItemIdOf('MUG-BLUE')}`
    const location = `gid://shopify/Location/${store.locationIds[0]}`
    const current = store.available('MUG-BLUE', store.locationIds[0]!)!
    const set = (changeFromQuantity: number | null, quantity: number, key: string) =>
      client.graphql<{ inventorySetQuantities: { userErrors: { code: string; field: string[] }[] } }>(
        SET_QUANTITIES,
        {
          input: {
            name: 'available',
            reason: 'correction',
            referenceDocumentUri: 'gid://entrepot/Test/1',
            quantities: [{ inventoryItemId: item, locationId: location, quantity, changeFromQuantity }],
          },
          key,
        },
      )
    const stale = await set(current + 3, 99, 'k-stale')
    expect(stale.inventorySetQuantities.userErrors).toEqual([
      expect.objectContaining({
        code: 'CHANGE_FROM_QUANTITY_STALE',
        field: ['input', 'quantities', '0', 'changeFromQuantity'],
      }),
    ])
    expect(store.available('MUG-BLUE', store.locationIds[0]!)).toBe(current)
    await set(current, 40, 'k-once')
    expect(store.available('MUG-BLUE', store.locationIds[0]!)).toBe(40)
    store.levels.set(`${store.inventoryItemIdOf('MUG-BLUE')}|${store.locationIds[0]}`, 41) // a sale on Shopify
    await set(current, 40, 'k-once') // a retried request: the stored answer, nothing applied again
    expect(store.available('MUG-BLUE', store.locationIds[0]!)).toBe(41)
    // The connector compares against the level it has just read, so a sale made on Shopify does not block its push.
    expect(
      await shopify.pushStock(shop(), [
        { platformSkuId: store.variantIdOf('MUG-BLUE'), locationId: store.locationIds[0]!, quantity: 7 },
      ]),
    ).toMatchObject([{ ok: true }])
    expect(store.available('MUG-BLUE', store.locationIds[0]!)).toBe(7)
  })
})

describe('fulfillment', () => {
  it('creates a fulfillment on the open fulfillment order, records the tracking, and a replay changes nothing', async () => {
    const o = [...store.orders.values()].find((x) => x.financial === 'PAID' && x.lines.length > 1)!
    const sc = shop()
    await shopify.pushShipment(sc, {
      orderExternalId: o.id,
      lineExternalIds: [],
      carrier: 'DHL',
      trackingNumber: 'JD014600003456789012',
      shippedAt: systemClock.now(),
    })
    expect(store.fulfillments.filter((f) => f.orderId === o.id)).toEqual([
      {
        orderId: o.id,
        company: 'DHL Express',
        number: 'JD014600003456789012',
        lines: o.lines.map((l) => ({ lineId: l.id, quantity: l.quantity })),
      },
    ])
    const mapped = shopify.mapOrder((await shopify.fetchOrder(sc, o.id)).payload)
    expect(mapped).toMatchObject({ ok: true, value: { status: 'shipped' } })
    await shopify.pushShipment(sc, {
      orderExternalId: o.id,
      lineExternalIds: [],
      carrier: 'DHL',
      trackingNumber: 'JD014600003456789012',
      shippedAt: systemClock.now(),
    })
    expect(store.fulfillments.filter((f) => f.orderId === o.id)).toHaveLength(1)
  })
})

describe('payouts', () => {
  it('pays out what it sold: charges, fees, refunds and the payout itself balance to zero', async () => {
    const date = systemClock.now().toISOString().slice(0, 10)
    const payout = store.payout(date)!
    const lines: SettlementLineDraft[] = []
    for await (const batch of shopify.pullSettlements!(shop(), {
      from: new Date(`${date}T00:00:00Z`),
      to: new Date(new Date(`${date}T00:00:00Z`).getTime() + 86_400_000),
    }))
      lines.push(...batch)
    expect(sum(lines.map((l) => l.amount)).toFixed(2)).toBe('0.00')
    expect(lines.find((l) => l.type === 'payout')).toMatchObject({ payoutId: payout.id })
    expect(
      lines
        .find((l) => l.type === 'payout')!
        .amount.neg()
        .toFixed(2),
    ).toBe(payout.amount)
    // Charges are what buyers paid on the orders that were paid; refunds are what went back.
    const charged = store.sold.filter((g) => g.status === 'paid').map((g) => money(g.paid))
    expect(sum(lines.filter((l) => l.type === 'sale').map((l) => l.amount)).toFixed(2)).toBe(
      sum(charged).toFixed(2),
    )
    const refunded = [...store.orders.values()].flatMap((o) => o.refunds.map((r) => r.amount))
    expect(
      sum(lines.filter((l) => l.type === 'refund').map((l) => l.amount))
        .neg()
        .toFixed(2),
    ).toBe(sum(refunded).toFixed(2))
    expect(lines.filter((l) => l.type === 'payment_fee').every((l) => l.amount.lt(0))).toBe(true)
  })
})

describe('errors and faults', () => {
  it('refuses a wrong access token (401 → auth_expired)', async () => {
    const err = await connectorFailure(shopify.verifyCredentials(shop({ accessToken: 'shpat_wrong' })))
    expect(err).toMatchObject({ kind: 'auth_expired', detail: { httpStatus: 401 } })
    expect(err.message).not.toContain('shpat_wrong')
    await expect(shopify.verifyCredentials(shop())).resolves.toBeUndefined()
  })

  it('recovers from THROTTLED, an internal error and a slow answer inside the call', async () => {
    const at = new Date(systemClock.now().getTime() - 2 * 60_000)
    const made = store.generate(4, at)
    store.injectFault('throttled')
    store.injectFault('internal')
    store.injectFault('slow')
    const { orders } = await pullAll(shop(), new Date(at.getTime() - 1000), systemClock.now())
    expect(orders.map((o) => o.externalId)).toEqual(expect.arrayContaining(made.map((o) => o.id)))
  })

  it('a malformed body fails the pull permanently; the next pull reads everything', async () => {
    const at = new Date(systemClock.now().getTime() - 60_000)
    const made = store.generate(2, at)
    store.injectFault('malformed')
    expect(
      (await connectorFailure(pullAll(shop(), new Date(at.getTime() - 1000), systemClock.now()))).kind,
    ).toBe('permanent')
    const { orders } = await pullAll(shop(), new Date(at.getTime() - 1000), systemClock.now())
    expect(orders.map((o) => o.externalId)).toEqual(expect.arrayContaining(made.map((o) => o.id)))
  })
})
