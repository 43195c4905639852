/**
 * A sandbox Shopify store over real HTTP (shared/reference/intl-and-settlements.md §A): the Admin
 * GraphQL endpoint of a pinned version answering the operations the connector sends (matched by
 * operation name, answered with exactly the fields the query selects), the access-token check,
 * generated orders (USD shop money, EUR presentment, discount allocations, shipping lines, taxes,
 * cancelled and refunded orders) paged by cursor over an updated_at window, inventory levels per
 * location with changeFromQuantity compare-and-set and remembered idempotency keys, fulfillment
 * orders and recorded fulfillments, Shopify Payments payouts and balance transactions (REST) built
 * from what it sold, THROTTLED answers and other faults on request, and signed webhooks.
 */
import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { signShopifyWebhook } from '../../connectors/shopify/index.js'
import { Decimal, money, round, sum, toAmount, truncate, ZERO } from '../money/index.js'
import { systemClock } from '../lib/clock.js'
import { createOrderGenerator, prng, type CatalogueItem, type GeneratedOrder } from './generator.js'
import { buildListings, type SandboxListing } from './catalogue.js'
import {
  SHOPIFY_CATALOGUE_OPERATIONS,
  ShopifyCatalogueError,
  shopifyCatalogueResolve,
} from './shopify-catalogue.js'

export type ShopifyFault = 'throttled' | 'internal' | 'slow' | 'malformed'
type Obj = Record<string, unknown>

export interface ShopifySandboxOptions {
  seed: number
  catalogue: readonly CatalogueItem[]
  accessToken: string
  /** Signs webhooks (the app's client secret, or a custom app's webhook secret). */
  webhookSecret: string
  apiVersion?: string
  locationCount?: number
  refundRate?: number
  cancelRate?: number
  unpaidRate?: number
  slowMs?: number
  webhookUrl?: string | null
}

export type ShopifySold = GeneratedOrder & { externalId: string; tax: string }

interface Line {
  id: string
  variantId: string
  productId: string
  sku: string
  title: string
  variantTitle: string
  quantity: number
  price: Decimal
  discount: Decimal
  tax: Decimal
  taxRate: number
  taxTitle: string
}
interface Refund {
  id: string
  createdAt: Date
  note: string
  lines: { lineId: string; quantity: number; subtotal: Decimal; restockType: string }[]
  amount: Decimal
  txId: string
}
interface FoLine {
  id: string
  lineId: string
  remaining: number
}
export interface ShopifyOrder {
  id: string
  number: number
  createdAt: Date
  updatedAt: Date
  processedAt: Date
  cancelledAt: Date | null
  cancelReason: string | null
  financial: 'PENDING' | 'PAID' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'VOIDED'
  email: string
  note: string | null
  customer: { id: string; firstName: string; lastName: string }
  address: {
    address1: string
    city: string
    province: string | null
    country: string
    countryCode: string
    zip: string
    phone: string
  }
  lines: Line[]
  shipping: { id: string; price: Decimal; discount: Decimal }
  refunds: Refund[]
  fulfillments: {
    id: string
    createdAt: Date
    company: string | null
    number: string
    lines: { lineId: string; quantity: number }[]
  }[]
  fulfillmentOrder: { id: string; status: 'OPEN' | 'IN_PROGRESS' | 'CLOSED'; lines: FoLine[] }
}
interface Transaction {
  id: string
  type: 'charge' | 'refund' | 'payout'
  amount: Decimal
  fee: Decimal
  orderId: string | null
  processedAt: Date
  payoutId: string | null
}
interface Payout {
  id: string
  date: string
  amount: Decimal
  charges: [Decimal, Decimal]
  refunds: [Decimal, Decimal]
}

export interface ShopifySandbox {
  url: string
  shopDomain: string
  locationIds: string[]
  orders: Map<string, ShopifyOrder>
  sold: ShopifySold[]
  /** `${inventoryItemId}|${locationId}` → available. */
  levels: Map<string, number>
  /** `${inventoryItemId}|${locationId}` levels set by inventorySetQuantities at least once. */
  pushed: Set<string>
  /** Every inventorySetQuantities idempotency key seen, with the answer given. */
  idempotencyKeys: Map<string, unknown>
  fulfillments: {
    orderId: string
    company: string | null
    number: string
    lines: { lineId: string; quantity: number }[]
  }[]
  webhooks: { topic: string; id: string; status: number | null }[]
  /** The products the store lists (catalogue pull); edit them to show the merchant conflicts. */
  listings: SandboxListing[]
  variantIdOf(skuCode: string): string
  productIdOf(skuCode: string): string
  inventoryItemIdOf(skuCode: string): string
  /** Stock a shop shows at a location (the sandbox's own record), by merchant code. */
  available(skuCode: string, locationId: string): number | undefined
  generate(n: number, at?: Date): ShopifyOrder[]
  cancel(id: string, at?: Date): void
  /** One unit of a line refunded (default the first line), without restock. */
  refund(id: string, lineId?: string, at?: Date): void
  /** Pay out every balance transaction not yet paid out, dated `date` (YYYY-MM-DD). */
  payout(date?: string): { id: string; amount: string } | null
  injectFault(fault: ShopifyFault, count?: number): void
  setWebhookUrl(url: string | null): void
  /** Wait for webhooks in flight. */
  settled(): Promise<void>
  close(): Promise<void>
}

// -------------------------------------------------------------------------------------------------
// A small GraphQL selection reader: enough for the connector's documents (fields, arguments,
// directives, inline fragments). The answer carries exactly the selected fields, as Shopify's does.
// -------------------------------------------------------------------------------------------------

type Selection = Map<string, Selection | null>

function tokens(src: string): string[] {
  return src.match(/\.\.\.|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)?|[{}()[\]:!$@,=]/g) ?? []
}

function parseSelection(ts: string[], at: { i: number }): Selection {
  const sel: Selection = new Map()
  at.i++ // '{'
  while (ts[at.i] !== '}' && at.i < ts.length) {
    if (ts[at.i] === '...') {
      at.i += 3 // '...' 'on' Type
      for (const [k, v] of parseSelection(ts, at)) sel.set(k, v)
      continue
    }
    const name = ts[at.i++]!
    const skipParens = () => {
      if (ts[at.i] !== '(') return
      for (let depth = 0; at.i < ts.length; at.i++) {
        if (ts[at.i] === '(') depth++
        if (ts[at.i] === ')' && --depth === 0) break
      }
      at.i++
    }
    skipParens()
    while (ts[at.i] === '@') {
      at.i += 2
      skipParens()
    }
    sel.set(name, ts[at.i] === '{' ? parseSelection(ts, at) : null)
  }
  at.i++
  return sel
}

export function parseOperation(query: string): { kind: string; name: string; selection: Selection } | null {
  const ts = tokens(query)
  const start = ts.indexOf('{')
  if (start < 2 || !['query', 'mutation'].includes(ts[0]!)) return null
  return { kind: ts[0]!, name: ts[1]!, selection: parseSelection(ts, { i: start }) }
}

function project(value: unknown, sel: Selection | null): unknown {
  if (sel === null || value === null || value === undefined) return value ?? null
  if (Array.isArray(value)) return value.map((v) => project(v, sel))
  if (typeof value !== 'object') return value
  return Object.fromEntries([...sel].map(([k, s]) => [k, project((value as Obj)[k], s)]))
}

// -------------------------------------------------------------------------------------------------

const PEOPLE: readonly [string, string, string, string, string | null, string, string, number, string][] = [
  ['Camille', 'Martin', '12 Rue de Rivoli', 'Paris', null, 'France', 'FR', 0.2, 'FR TVA'],
  ['Lukas', 'Schmidt', 'Torstraße 45', 'Berlin', null, 'Germany', 'DE', 0.19, 'DE MwSt'],
  ['Lucía', 'García', 'Calle de Alcalá 88', 'Madrid', 'Madrid', 'Spain', 'ES', 0.21, 'ES IVA'],
  ['Daan', 'de Vries', 'Prinsengracht 263', 'Amsterdam', null, 'Netherlands', 'NL', 0.21, 'NL BTW'],
  ['Giulia', 'Rossi', 'Via Torino 21', 'Milano', 'MI', 'Italy', 'IT', 0.22, 'IT IVA'],
]
const ZIPS = ['75001', '10115', '28014', '1016 GV', '20123']
const EUR_PER_USD = new Decimal('0.92')
const isoZ = (d: Date) => `${d.toISOString().slice(0, 19)}Z`
/** REST timestamps carry the shop's offset (a New York shop, -05:00). */
const isoNy = (d: Date | null) =>
  d ? `${new Date(d.getTime() - 5 * 3600_000).toISOString().slice(0, 19)}-05:00` : null
const gid = (type: string, id: string) => `gid://shopify/${type}/${id}`
const tail = (v: unknown) => (typeof v === 'string' ? (/\/(\d+)$/.exec(v)?.[1] ?? v) : '')
const amount = (d: Decimal) => toAmount(d)
const eur = (d: Decimal) => toAmount(round(d.mul(EUR_PER_USD)))
const bag = (d: Decimal) => ({
  shopMoney: { amount: amount(d), currencyCode: 'USD' },
  presentmentMoney: { amount: eur(d), currencyCode: 'EUR' },
})
/** REST writes refund line subtotals as JSON numbers (A.3); the text is written as is, never through a float. */
const bareNumber = (d: Decimal) => `@@n${amount(d)}n@@`
const restJson = (body: unknown) => JSON.stringify(body).replace(/"@@n(-?\d+\.\d+)n@@"/g, '$1')
const restBag = (d: Decimal) => ({
  shop_money: { amount: amount(d), currency_code: 'USD' },
  presentment_money: { amount: eur(d), currency_code: 'EUR' },
})

function orderTotals(o: ShopifyOrder) {
  const goods = sum(o.lines.map((l) => l.price.mul(l.quantity)))
  const discounts = sum(o.lines.map((l) => l.discount))
  const shipping = o.shipping.price.minus(o.shipping.discount)
  const tax = sum(o.lines.map((l) => l.tax))
  return {
    goods,
    discounts,
    shipping,
    tax,
    total: goods.minus(discounts).plus(shipping).plus(tax),
    refunded: sum(o.refunds.map((r) => r.amount)),
  }
}

function fulfillmentStatus(o: ShopifyOrder): 'UNFULFILLED' | 'PARTIALLY_FULFILLED' | 'FULFILLED' {
  const done = sum(o.fulfillments.flatMap((f) => f.lines.map((l) => new Decimal(l.quantity))))
  if (done.isZero()) return 'UNFULFILLED'
  return o.fulfillmentOrder.lines.every((l) => l.remaining === 0) ? 'FULFILLED' : 'PARTIALLY_FULFILLED'
}

/** Units of a line in the order's fulfillments, and units still to fulfil (its fulfillment-order line). */
function lineProgress(o: ShopifyOrder, lineId: string): { fulfilled: number; remaining: number } {
  return {
    fulfilled: o.fulfillments
      .flatMap((f) => f.lines)
      .filter((l) => l.lineId === lineId)
      .reduce((n, l) => n + l.quantity, 0),
    remaining: o.fulfillmentOrder.lines.find((l) => l.lineId === lineId)?.remaining ?? 0,
  }
}

/** A line's REST fulfillment_status: null until some of it is fulfilled, then partial, then fulfilled. */
function lineFulfillmentStatus(o: ShopifyOrder, lineId: string): 'fulfilled' | 'partial' | null {
  const p = lineProgress(o, lineId)
  return p.fulfilled === 0 ? null : p.remaining === 0 ? 'fulfilled' : 'partial'
}

/** The order as the GraphQL Admin API has it (every field ORDER_FIELDS may select, and more). */
function graphqlOrder(o: ShopifyOrder): Obj {
  const t = orderTotals(o)
  return {
    id: gid('Order', o.id),
    legacyResourceId: o.id,
    name: `#${o.number}`,
    createdAt: isoZ(o.createdAt),
    updatedAt: isoZ(o.updatedAt),
    processedAt: isoZ(o.processedAt),
    cancelledAt: o.cancelledAt ? isoZ(o.cancelledAt) : null,
    closedAt: null,
    cancelReason: o.cancelledAt ? (o.cancelReason ?? 'OTHER') : null,
    test: false,
    displayFinancialStatus: o.financial,
    displayFulfillmentStatus: fulfillmentStatus(o),
    currencyCode: 'USD',
    presentmentCurrencyCode: 'EUR',
    taxesIncluded: false,
    email: o.email,
    phone: null,
    note: o.note,
    totalTaxSet: bag(t.tax),
    totalPriceSet: bag(t.total),
    subtotalPriceSet: bag(t.goods.minus(t.discounts)),
    totalDiscountsSet: bag(t.discounts),
    totalShippingPriceSet: bag(t.shipping),
    customer: {
      id: gid('Customer', o.customer.id),
      firstName: o.customer.firstName,
      lastName: o.customer.lastName,
      email: o.email,
    },
    shippingAddress: {
      name: `${o.customer.firstName} ${o.customer.lastName}`,
      firstName: o.customer.firstName,
      lastName: o.customer.lastName,
      address1: o.address.address1,
      address2: null,
      city: o.address.city,
      province: o.address.province,
      provinceCode: o.address.province,
      country: o.address.country,
      countryCodeV2: o.address.countryCode,
      zip: o.address.zip,
      phone: o.address.phone,
    },
    lineItems: {
      nodes: o.lines.map((l) => ({
        id: gid('LineItem', l.id),
        sku: l.sku,
        title: l.title,
        name: `${l.title} - ${l.variantTitle}`,
        variantTitle: l.variantTitle,
        quantity: l.quantity,
        unfulfilledQuantity: lineProgress(o, l.id).remaining,
        product: { id: gid('Product', l.productId) },
        variant: { id: gid('ProductVariant', l.variantId) },
        originalUnitPriceSet: bag(l.price),
        discountAllocations: l.discount.isZero() ? [] : [{ allocatedAmountSet: bag(l.discount) }],
        taxLines: [{ rate: l.taxRate, title: l.taxTitle, priceSet: bag(l.tax) }],
      })),
    },
    shippingLines: {
      nodes: [
        {
          id: gid('ShippingLine', o.shipping.id),
          title: 'Standard International',
          code: 'INTL_STANDARD',
          originalPriceSet: bag(o.shipping.price),
          discountAllocations: o.shipping.discount.isZero()
            ? []
            : [{ allocatedAmountSet: bag(o.shipping.discount) }],
        },
      ],
    },
    refunds: o.refunds.map((r) => ({
      id: gid('Refund', r.id),
      createdAt: isoZ(r.createdAt),
      note: r.note,
      refundLineItems: {
        nodes: r.lines.map((rl) => ({
          quantity: rl.quantity,
          restockType: rl.restockType.toUpperCase(),
          lineItem: { id: gid('LineItem', rl.lineId) },
          subtotalSet: bag(rl.subtotal),
        })),
      },
      transactions: {
        nodes: [
          {
            id: gid('OrderTransaction', r.txId),
            kind: 'REFUND',
            status: 'SUCCESS',
            gateway: 'shopify_payments',
            processedAt: isoZ(r.createdAt),
            amountSet: bag(r.amount),
          },
        ],
      },
    })),
    fulfillments: o.fulfillments.map((f) => ({
      id: gid('Fulfillment', f.id),
      createdAt: isoZ(f.createdAt),
      status: 'SUCCESS',
      fulfillmentLineItems: {
        nodes: f.lines.map((l) => ({ quantity: l.quantity, lineItem: { id: gid('LineItem', l.lineId) } })),
      },
    })),
    fulfillmentOrders: {
      nodes: [
        {
          id: gid('FulfillmentOrder', o.fulfillmentOrder.id),
          status: o.fulfillmentOrder.status,
          lineItems: {
            nodes: o.fulfillmentOrder.lines.map((l) => ({
              id: gid('FulfillmentOrderLineItem', l.id),
              remainingQuantity: l.remaining,
              lineItem: { id: gid('LineItem', l.lineId) },
            })),
          },
        },
      ],
    },
  }
}

const REST_FINANCIAL: Record<ShopifyOrder['financial'], string> = {
  PENDING: 'pending',
  PAID: 'paid',
  PARTIALLY_REFUNDED: 'partially_refunded',
  REFUNDED: 'refunded',
  VOIDED: 'voided',
}
const REST_FULFILLMENT = {
  UNFULFILLED: null,
  PARTIALLY_FULFILLED: 'partial',
  FULFILLED: 'fulfilled',
} as const

function restRefund(o: ShopifyOrder, r: Refund): Obj {
  return {
    id: Number(r.id),
    order_id: Number(o.id),
    created_at: isoNy(r.createdAt),
    processed_at: isoNy(r.createdAt),
    note: r.note,
    restock: false,
    refund_line_items: r.lines.map((rl, i) => ({
      id: Number(r.id) + i + 1,
      line_item_id: Number(rl.lineId),
      quantity: rl.quantity,
      restock_type: rl.restockType,
      subtotal: bareNumber(rl.subtotal),
      subtotal_set: restBag(rl.subtotal),
    })),
    transactions: [
      {
        id: Number(r.txId),
        order_id: Number(o.id),
        kind: 'refund',
        status: 'success',
        gateway: 'shopify_payments',
        amount: amount(r.amount),
        currency: 'USD',
        processed_at: isoNy(r.createdAt),
      },
    ],
    order_adjustments: [],
  }
}

/** The REST order resource (A.3) — the body of orders/create and orders/updated webhooks. */
function restOrder(o: ShopifyOrder): Obj {
  const t = orderTotals(o)
  const fs = fulfillmentStatus(o)
  return {
    id: Number(o.id),
    admin_graphql_api_id: gid('Order', o.id),
    name: `#${o.number}`,
    number: o.number - 1000,
    order_number: o.number,
    email: o.email,
    created_at: isoNy(o.createdAt),
    updated_at: isoNy(o.updatedAt),
    processed_at: isoNy(o.processedAt),
    cancelled_at: isoNy(o.cancelledAt),
    closed_at: null,
    cancel_reason: o.cancelledAt ? (o.cancelReason ?? 'other').toLowerCase() : null,
    financial_status: REST_FINANCIAL[o.financial],
    fulfillment_status: REST_FULFILLMENT[fs],
    currency: 'USD',
    presentment_currency: 'EUR',
    taxes_included: false,
    test: false,
    note: o.note,
    source_name: 'web',
    gateway: 'shopify_payments',
    payment_gateway_names: ['shopify_payments'],
    total_line_items_price: amount(t.goods),
    total_discounts: amount(t.discounts),
    subtotal_price: amount(t.goods.minus(t.discounts)),
    total_tax: amount(t.tax),
    total_price: amount(t.total),
    total_line_items_price_set: restBag(t.goods),
    total_discounts_set: restBag(t.discounts),
    subtotal_price_set: restBag(t.goods.minus(t.discounts)),
    total_tax_set: restBag(t.tax),
    total_price_set: restBag(t.total),
    total_shipping_price_set: restBag(t.shipping),
    customer: {
      id: Number(o.customer.id),
      email: o.email,
      first_name: o.customer.firstName,
      last_name: o.customer.lastName,
    },
    shipping_address: {
      first_name: o.customer.firstName,
      last_name: o.customer.lastName,
      name: `${o.customer.firstName} ${o.customer.lastName}`,
      address1: o.address.address1,
      address2: null,
      city: o.address.city,
      province: o.address.province,
      province_code: o.address.province,
      country: o.address.country,
      country_code: o.address.countryCode,
      zip: o.address.zip,
      phone: o.address.phone,
    },
    line_items: o.lines.map((l) => ({
      id: Number(l.id),
      variant_id: Number(l.variantId),
      product_id: Number(l.productId),
      sku: l.sku,
      title: l.title,
      variant_title: l.variantTitle,
      name: `${l.title} - ${l.variantTitle}`,
      quantity: l.quantity,
      price: amount(l.price),
      price_set: restBag(l.price),
      total_discount: '0.00',
      discount_allocations: l.discount.isZero()
        ? []
        : [{ amount: amount(l.discount), amount_set: restBag(l.discount), discount_application_index: 0 }],
      tax_lines: [
        {
          price: amount(l.tax),
          price_set: restBag(l.tax),
          rate: l.taxRate,
          title: l.taxTitle,
          channel_liable: false,
        },
      ],
      fulfillable_quantity: lineProgress(o, l.id).remaining,
      fulfillment_status: lineFulfillmentStatus(o, l.id),
      requires_shipping: true,
    })),
    shipping_lines: [
      {
        id: Number(o.shipping.id),
        title: 'Standard International',
        code: 'INTL_STANDARD',
        source: 'shopify',
        price: amount(o.shipping.price),
        price_set: restBag(o.shipping.price),
        discounted_price: amount(o.shipping.price.minus(o.shipping.discount)),
        discount_allocations: o.shipping.discount.isZero()
          ? []
          : [
              {
                amount: amount(o.shipping.discount),
                amount_set: restBag(o.shipping.discount),
                discount_application_index: 1,
              },
            ],
        tax_lines: [],
      },
    ],
    refunds: o.refunds.map((r) => restRefund(o, r)),
    fulfillments: o.fulfillments.map((f) => ({
      id: Number(f.id),
      order_id: Number(o.id),
      status: 'success',
      created_at: isoNy(f.createdAt),
      tracking_company: f.company,
      tracking_number: f.number,
    })),
  }
}

export async function startShopifySandbox(opts: ShopifySandboxOptions): Promise<ShopifySandbox> {
  const version = opts.apiVersion ?? '2026-07'
  const gen = createOrderGenerator({
    seed: opts.seed,
    catalogue: opts.catalogue,
    start: systemClock.now(),
    intervalMs: 1,
    platformDiscountRate: 0,
    shippingFee: '9.90',
    freeShippingOver: '99',
    ...(opts.cancelRate !== undefined ? { cancelRate: opts.cancelRate } : {}),
    ...(opts.unpaidRate !== undefined ? { unpaidRate: opts.unpaidRate } : {}),
  })
  const rnd = prng(opts.seed ^ 0x5a0f)
  const n = opts.seed % 1000
  const shopDomain = `sandbox-${n}.myshopify.com`
  const locationIds = Array.from({ length: opts.locationCount ?? 3 }, (_, i) =>
    String(76_540_000_000 + n * 100 + i),
  )
  const products = [...new Set(opts.catalogue.map((c) => c.skuCode.split('-')[0]!))]
  const ids = new Map(
    opts.catalogue.map((c, i) => [
      c.skuCode,
      {
        variant: String(44_000_000_000_000 + n * 10_000 + i),
        item: String(46_000_000_000_000 + n * 10_000 + i),
        product: String(8_000_000_000_000 + n * 1_000 + products.indexOf(c.skuCode.split('-')[0]!)),
      },
    ]),
  )
  const byVariant = new Map([...ids].map(([code, x]) => [x.variant, { code, ...x }]))
  const byItem = new Map([...ids].map(([code, x]) => [x.item, { code, ...x }]))
  const listings = buildListings(
    opts.catalogue,
    { itemIdOf: (c) => ids.get(c)!.product, skuIdOf: (c) => ids.get(c)!.variant },
    new Date(),
  )
  const orders = new Map<string, ShopifyOrder>()
  const sold: ShopifySold[] = []
  const levels = new Map<string, number>()
  for (const x of ids.values()) for (const loc of locationIds) levels.set(`${x.item}|${loc}`, 0)
  const idempotencyKeys = new Map<string, unknown>()
  const pushed = new Set<string>()
  const fulfillments: ShopifySandbox['fulfillments'] = []
  const webhooks: ShopifySandbox['webhooks'] = []
  const transactions: Transaction[] = []
  const payouts: Payout[] = []
  const faults: ShopifyFault[] = []
  const inFlight = new Set<Promise<void>>()
  let webhookUrl = opts.webhookUrl ?? null
  let serial = 0
  const nextId = (base: number) => String(base + n * 1_000_000 + ++serial)

  function deliver(topic: string, body: Obj): void {
    if (!webhookUrl) return
    const raw = restJson(body)
    const entry = { topic, id: randomUUID(), status: null as number | null }
    webhooks.push(entry)
    const p = fetch(webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-webhook-id': entry.id,
        'x-shopify-hmac-sha256': signShopifyWebhook(opts.webhookSecret, raw),
        'x-shopify-shop-domain': shopDomain,
        'x-shopify-api-version': version,
        'x-shopify-triggered-at': systemClock.now().toISOString(),
      },
      body: raw,
    })
      .then((r) => void (entry.status = r.status))
      .catch(() => void (entry.status = 0))
      .finally(() => inFlight.delete(p))
    inFlight.add(p)
  }
  const touch = (o: ShopifyOrder, at: Date) => {
    o.updatedAt = new Date(Math.max(Math.floor(at.getTime() / 1000) * 1000, o.updatedAt.getTime() + 1000))
  }

  function toOrder(g: GeneratedOrder, at: Date): ShopifyOrder {
    const [first, last, address1, city, province, country, countryCode, rate, taxTitle] =
      PEOPLE[g.seq % PEOPLE.length]!
    const created = new Date(Math.floor(at.getTime() / 1000) * 1000)
    const lines: Line[] = g.lines.map((l) => {
      const x = ids.get(l.skuCode)!
      const discount = money(l.merchantDiscount)
      return {
        id: nextId(14_600_000_000_000),
        variantId: x.variant,
        productId: x.product,
        sku: l.skuCode,
        title: l.title.split(' ')[0]!,
        variantTitle: l.title.split(' ').slice(1).join(' ') || 'Default Title',
        quantity: l.quantity,
        price: money(l.unitPrice),
        discount,
        tax: round(money(l.goods).minus(discount).mul(rate)),
        taxRate: rate,
        taxTitle,
      }
    })
    // Free shipping over the threshold comes as a shipping discount code on a charged rate, half the time.
    const freeByCode = money(g.shipping).isZero() && rnd() < 0.5
    const shipping = {
      id: nextId(4_900_000_000_000),
      price: freeByCode ? money('9.90') : money(g.shipping),
      discount: freeByCode ? money('9.90') : ZERO,
    }
    const o: ShopifyOrder = {
      id: nextId(5_900_000_000_000),
      number: 1000 + g.seq,
      createdAt: created,
      updatedAt: created,
      processedAt: created,
      cancelledAt: g.status === 'cancelled' ? created : null,
      cancelReason: g.status === 'cancelled' ? 'CUSTOMER' : null,
      financial: g.status === 'paid' ? 'PAID' : g.status === 'cancelled' ? 'VOIDED' : 'PENDING',
      email: `${first.toLowerCase()}.${g.seq}@example.com`,
      note: g.buyerNote && /^[A-Za-z]/.test(g.buyerNote) ? g.buyerNote : null,
      customer: {
        id: String(7_100_000_000_000 + n * 10_000 + (g.seq % 500)),
        firstName: first,
        lastName: last,
      },
      address: {
        address1,
        city,
        province,
        country,
        countryCode,
        zip: ZIPS[g.seq % ZIPS.length]!,
        phone: `+${30 + (g.seq % 9)} 6 ${String(10_000_000 + g.seq).slice(-8)}`,
      },
      lines,
      shipping,
      refunds: [],
      fulfillments: [],
      fulfillmentOrder: {
        id: nextId(6_100_000_000_000),
        status: g.status === 'cancelled' ? 'CLOSED' : 'OPEN',
        lines: lines.map((l) => ({
          id: nextId(13_000_000_000_000),
          lineId: l.id,
          remaining: g.status === 'cancelled' ? 0 : l.quantity,
        })),
      },
    }
    const tax = sum(lines.map((l) => l.tax))
    sold.push({ ...g, externalId: o.id, tax: amount(tax), paid: amount(money(g.paid).plus(tax)) })
    if (o.financial === 'PAID')
      transactions.push({
        id: nextId(9_200_000_000_000),
        type: 'charge',
        amount: orderTotals(o).total,
        fee: round(orderTotals(o).total.mul('0.029').plus('0.30')),
        orderId: o.id,
        processedAt: created,
        payoutId: null,
      })
    return o
  }

  function addRefund(
    o: ShopifyOrder,
    lines: Refund['lines'],
    returned: Decimal,
    note: string,
    at: Date,
  ): void {
    const r: Refund = {
      id: nextId(9_100_000_000_000),
      createdAt: at,
      note,
      lines,
      amount: returned,
      txId: nextId(9_300_000_000_000),
    }
    o.refunds.push(r)
    const t = orderTotals(o)
    o.financial = t.refunded.gte(t.total) ? 'REFUNDED' : 'PARTIALLY_REFUNDED'
    touch(o, at)
    transactions.push({
      id: nextId(9_200_000_000_000),
      type: 'refund',
      amount: returned.neg(),
      fee: ZERO,
      orderId: o.id,
      processedAt: at,
      payoutId: null,
    })
    deliver('refunds/create', restRefund(o, r))
    deliver('orders/updated', restOrder(o))
  }

  /** Cancel: an unpaid order is voided; a paid, unfulfilled one is cancelled, restocked and refunded in full. */
  function cancelOrder(o: ShopifyOrder, at: Date): void {
    if (o.cancelledAt || fulfillmentStatus(o) !== 'UNFULFILLED') return
    o.cancelledAt = at
    o.cancelReason = 'CUSTOMER'
    o.fulfillmentOrder.status = 'CLOSED'
    for (const l of o.fulfillmentOrder.lines) l.remaining = 0
    if (o.financial === 'PAID') {
      addRefund(
        o,
        o.lines.map((l) => ({
          lineId: l.id,
          quantity: l.quantity,
          subtotal: l.price.mul(l.quantity).minus(l.discount),
          restockType: 'cancel',
        })),
        orderTotals(o).total,
        'Order canceled',
        at,
      )
    } else {
      o.financial = 'VOIDED'
      touch(o, at)
      deliver('orders/updated', restOrder(o))
    }
  }

  // ---------------------------------------------------------------------------------------------
  // GraphQL operations
  // ---------------------------------------------------------------------------------------------

  class GqlError extends Error {
    constructor(
      message: string,
      readonly code: string,
    ) {
      super(message)
    }
  }

  function ordersPage(v: Obj): Obj {
    const first = typeof v.first === 'number' ? v.first : 0
    if (first < 1 || first > 250)
      throw new GqlError('The first argument must be between 1 and 250', 'BAD_REQUEST')
    const q = typeof v.query === 'string' ? v.query : ''
    const bounds = [...q.matchAll(/updated_at:(>=|<=|>|<)'?([^'\s]+)'?/g)].map((m) => ({
      op: m[1]!,
      at: new Date(m[2]!).getTime(),
    }))
    const ok = (t: number) =>
      bounds.every((b) =>
        b.op === '>=' ? t >= b.at : b.op === '>' ? t > b.at : b.op === '<=' ? t <= b.at : t < b.at,
      )
    const all = [...orders.values()]
      .filter((o) => ok(o.updatedAt.getTime()))
      .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || a.id.localeCompare(b.id))
    const cursorOf = (o: ShopifyOrder) =>
      Buffer.from(JSON.stringify({ last_id: o.id, last_value: o.updatedAt.getTime() })).toString('base64url')
    let start = 0
    if (typeof v.after === 'string') {
      const c = JSON.parse(Buffer.from(v.after, 'base64url').toString('utf8')) as {
        last_id: string
        last_value: number
      }
      start = all.findIndex(
        (o) =>
          o.updatedAt.getTime() > c.last_value ||
          (o.updatedAt.getTime() === c.last_value && o.id > c.last_id),
      )
      if (start < 0) start = all.length
    }
    const page = all.slice(start, start + first)
    return {
      orders: {
        pageInfo: {
          hasNextPage: start + first < all.length,
          endCursor: page.length ? cursorOf(page.at(-1)!) : null,
        },
        nodes: page.map(graphqlOrder),
      },
    }
  }

  function levelsOf(v: Obj): Obj {
    const location = tail(v.location)
    const nodes = (Array.isArray(v.ids) ? v.ids : []).map((id) => {
      const x = byVariant.get(tail(id))
      if (!x) return null
      const q = levels.get(`${x.item}|${location}`)
      return {
        id: gid('ProductVariant', x.variant),
        inventoryItem: {
          id: gid('InventoryItem', x.item),
          inventoryLevel: q === undefined ? null : { quantities: [{ name: 'available', quantity: q }] },
        },
      }
    })
    return { nodes }
  }

  function setQuantities(v: Obj, query: string): Obj {
    const key = typeof v.key === 'string' ? v.key : ''
    // 2026-04+: the mutation must carry @idempotent (reference A.5).
    if (!/@idempotent\s*\(/.test(query) || key === '')
      throw new GqlError(
        'The @idempotent directive with a key is required for inventorySetQuantities',
        'BAD_REQUEST',
      )
    if (idempotencyKeys.has(key)) return idempotencyKeys.get(key) as Obj
    const input = (v.input ?? {}) as { name?: string; reason?: string; quantities?: Obj[] }
    const userErrors: Obj[] = []
    if (input.name !== 'available' && input.name !== 'on_hand')
      userErrors.push({
        field: ['input', 'name'],
        message: 'The quantity name must be available or on_hand.',
        code: 'INVALID_QUANTITY_NAME',
      })
    const apply: [string, number][] = []
    ;(input.quantities ?? []).forEach((q, i) => {
      const field = (f: string) => ['input', 'quantities', String(i), f]
      const item = tail(q.inventoryItemId)
      const k = `${item}|${tail(q.locationId)}`
      const current = levels.get(k)
      if (!byItem.has(item))
        userErrors.push({
          field: field('inventoryItemId'),
          message: 'The specified inventory item could not be found.',
          code: 'INVALID_INVENTORY_ITEM',
        })
      else if (current === undefined)
        userErrors.push({
          field: field('locationId'),
          message: 'The item is not stocked at the location.',
          code: 'ITEM_NOT_STOCKED_AT_LOCATION',
        })
      else if (!('changeFromQuantity' in q))
        userErrors.push({
          field: field('changeFromQuantity'),
          message: 'changeFromQuantity is required; pass null to opt out of the check.',
          code: 'CHANGE_FROM_QUANTITY_REQUIRED',
        })
      else if (typeof q.quantity !== 'number' || !Number.isInteger(q.quantity) || q.quantity < 0)
        userErrors.push({
          field: field('quantity'),
          message: 'The quantity must be a whole number ≥ 0.',
          code: 'INVALID_QUANTITY_NEGATIVE',
        })
      else if (q.changeFromQuantity !== null && q.changeFromQuantity !== current)
        userErrors.push({
          field: field('changeFromQuantity'),
          message: 'The specified compare quantity does not match the current quantity.',
          code: 'CHANGE_FROM_QUANTITY_STALE',
        })
      else apply.push([k, q.quantity])
    })
    // @NOTE per-quantity: the entries that pass are set even when others fail (the connector reads outcomes by index).
    for (const [k, q] of apply) {
      levels.set(k, q)
      pushed.add(k)
    }
    const answer = {
      inventorySetQuantities: {
        inventoryAdjustmentGroup:
          apply.length > 0
            ? {
                id: gid('InventoryAdjustmentGroup', nextId(30_000_000_000_000)),
                reason: input.reason ?? 'correction',
              }
            : null,
        userErrors,
      },
    }
    idempotencyKeys.set(key, answer)
    return answer
  }

  function fulfillmentCreate(v: Obj): Obj {
    const input = (v.fulfillment ?? {}) as {
      trackingInfo?: { company?: string | null; number?: string }
      lineItemsByFulfillmentOrder?: {
        fulfillmentOrderId: string
        fulfillmentOrderLineItems?: { id: string; quantity: number }[]
      }[]
    }
    const groups = input.lineItemsByFulfillmentOrder ?? []
    const userErrors: Obj[] = []
    const plan: { o: ShopifyOrder; fo: FoLine; quantity: number }[] = []
    for (const g of groups) {
      const o = [...orders.values()].find((x) => x.fulfillmentOrder.id === tail(g.fulfillmentOrderId))
      if (!o) {
        userErrors.push({
          field: ['fulfillment', 'lineItemsByFulfillmentOrder'],
          message: 'Fulfillment order does not exist.',
        })
        continue
      }
      if (o.fulfillmentOrder.status === 'CLOSED')
        userErrors.push({
          field: ['fulfillment'],
          message: 'Fulfillment order is not in an actionable state.',
        })
      for (const li of g.fulfillmentOrderLineItems ??
        o.fulfillmentOrder.lines.map((l) => ({ id: l.id, quantity: l.remaining }))) {
        const fo = o.fulfillmentOrder.lines.find((l) => l.id === tail(li.id))
        if (!fo || li.quantity > fo.remaining || li.quantity < 1)
          userErrors.push({
            field: ['fulfillment', 'lineItemsByFulfillmentOrder'],
            message: 'Invalid fulfillment order line item quantity requested.',
          })
        else plan.push({ o, fo, quantity: li.quantity })
      }
    }
    if (plan.length === 0 && userErrors.length === 0)
      userErrors.push({ field: ['fulfillment'], message: 'No line items to fulfill.' })
    if (userErrors.length > 0) return { fulfillmentCreate: { fulfillment: null, userErrors } }
    const now = systemClock.now()
    const id = nextId(5_100_000_000_000)
    const o = plan[0]!.o
    for (const p of plan) p.fo.remaining -= p.quantity
    const record = {
      id,
      createdAt: now,
      company: input.trackingInfo?.company ?? null,
      number: input.trackingInfo?.number ?? '',
      lines: plan.map((p) => ({ lineId: p.fo.lineId, quantity: p.quantity })),
    }
    o.fulfillments.push(record)
    o.fulfillmentOrder.status = o.fulfillmentOrder.lines.every((l) => l.remaining === 0)
      ? 'CLOSED'
      : 'IN_PROGRESS'
    touch(o, now)
    fulfillments.push({ orderId: o.id, company: record.company, number: record.number, lines: record.lines })
    deliver('orders/updated', restOrder(o))
    return {
      fulfillmentCreate: { fulfillment: { id: gid('Fulfillment', id), status: 'SUCCESS' }, userErrors: [] },
    }
  }

  function resolve(name: string, v: Obj, query: string): Obj {
    switch (name) {
      case 'Orders':
        return ordersPage(v)
      case 'Order':
      case 'FulfillmentOrders': {
        const o = orders.get(tail(v.id))
        return { order: o ? graphqlOrder(o) : null }
      }
      case 'Shop':
        return {
          shop: {
            id: gid('Shop', String(60_000_000 + n)),
            name: `Sandbox store ${n}`,
            currencyCode: 'USD',
            myshopifyDomain: shopDomain,
          },
        }
      case 'Levels':
        return levelsOf(v)
      case 'SetQuantities':
        return setQuantities(v, query)
      case 'FulfillmentCreate':
        return fulfillmentCreate(v)
      default:
        if (!SHOPIFY_CATALOGUE_OPERATIONS.has(name))
          throw new GqlError(`The sandbox does not answer the operation ${name}`, 'BAD_REQUEST')
        try {
          return shopifyCatalogueResolve(name, v, {
            listings,
            inventoryItemOf: (sku) => byVariant.get(sku.skuId)!.item,
            quantityOf: (sku) =>
              locationIds.reduce(
                (n, loc) => n + (levels.get(`${byVariant.get(sku.skuId)!.item}|${loc}`) ?? 0),
                0,
              ),
          })
        } catch (err) {
          if (err instanceof ShopifyCatalogueError) throw new GqlError(err.message, err.code)
          throw err
        }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // REST: Shopify Payments (A.9)
  // ---------------------------------------------------------------------------------------------

  const pageOf = <T>(all: T[], url: URL, path: string): { items: T[]; link: string | null } => {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 50), 250)
    const offset = Number(
      Buffer.from(url.searchParams.get('page_info') ?? '', 'base64url').toString('utf8') || 0,
    )
    const more = offset + limit < all.length
    const next = new URL(url.toString())
    next.searchParams.set('page_info', Buffer.from(String(offset + limit)).toString('base64url'))
    return {
      items: all.slice(offset, offset + limit),
      link: more ? `<${path}${next.search}>; rel="next"` : null,
    }
  }

  function rest(url: URL, res: ServerResponse): void {
    const base = `/admin/api/${version}/shopify_payments`
    if (url.pathname === `${base}/payouts.json`) {
      const status = url.searchParams.get('status')
      const min = url.searchParams.get('date_min') ?? '0000-00-00'
      const max = url.searchParams.get('date_max') ?? '9999-99-99'
      const all = payouts.filter((p) => (!status || status === 'paid') && p.date >= min && p.date <= max)
      const { items, link } = pageOf(all, url, url.pathname)
      const body = {
        payouts: items.map((p) => ({
          id: Number(p.id),
          status: 'paid',
          date: p.date,
          currency: 'USD',
          amount: amount(p.amount),
          summary: {
            charges_gross_amount: amount(p.charges[0]),
            charges_fee_amount: amount(p.charges[1]),
            refunds_gross_amount: amount(p.refunds[0]),
            refunds_fee_amount: amount(p.refunds[1]),
            adjustments_gross_amount: '0.00',
            adjustments_fee_amount: '0.00',
            reserved_funds_gross_amount: '0.00',
            reserved_funds_fee_amount: '0.00',
            retried_payouts_gross_amount: '0.00',
            retried_payouts_fee_amount: '0.00',
          },
        })),
      }
      return void res
        .writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...(link ? { link } : {}) })
        .end(JSON.stringify(body))
    }
    if (url.pathname === `${base}/balance/transactions.json`) {
      const payoutId = url.searchParams.get('payout_id')
      const { items, link } = pageOf(
        transactions.filter((t) => !payoutId || t.payoutId === payoutId),
        url,
        url.pathname,
      )
      const body = {
        transactions: items.map((t) => ({
          id: Number(t.id),
          type: t.type,
          test: false,
          payout_id: t.payoutId ? Number(t.payoutId) : null,
          payout_status: t.payoutId ? 'paid' : 'pending',
          currency: 'USD',
          amount: amount(t.amount),
          fee: amount(t.fee),
          net: amount(t.amount.minus(t.fee)),
          source_id: Number(t.id) + 1,
          source_type: t.type === 'refund' ? 'Payments::Refund' : t.type === 'payout' ? 'payout' : 'charge',
          source_order_id: t.orderId ? Number(t.orderId) : null,
          source_order_transaction_id: null,
          processed_at: isoNy(t.processedAt),
        })),
      }
      return void res
        .writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...(link ? { link } : {}) })
        .end(JSON.stringify(body))
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: 'Not Found' }))
  }

  // ---------------------------------------------------------------------------------------------

  const json = (res: ServerResponse, status: number, body: unknown) =>
    void res
      .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
      .end(JSON.stringify(body))
  const cost = (requested: number, available: number) => ({
    cost: {
      requestedQueryCost: requested,
      actualQueryCost: available > requested ? requested : null,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: available, restoreRate: 100 },
    },
  })
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = ''
      req.on('data', (d: Buffer) => (s += d.toString('utf8'))).on('end', () => resolve(s))
    })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox')
    if (!url.pathname.startsWith(`/admin/api/${version}/`)) return json(res, 404, { errors: 'Not Found' })
    if (req.headers['x-shopify-access-token'] !== opts.accessToken)
      return json(res, 401, {
        errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
      })
    const fault = faults.shift()
    if (fault === 'throttled')
      return json(res, 200, {
        errors: [
          {
            message: 'Throttled',
            extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
        extensions: cost(102, 2),
      })
    if (fault === 'internal')
      return json(res, 200, {
        errors: [
          {
            message: 'Internal error. Looks like something went wrong on our end.',
            extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: randomUUID() },
          },
        ],
      })
    if (fault === 'slow') await new Promise((r) => setTimeout(r, opts.slowMs ?? 2000))
    if (fault === 'malformed')
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"data":{"orders":{"pageInfo":')
    if (req.method === 'GET') return rest(url, res)
    if (req.method !== 'POST' || url.pathname !== `/admin/api/${version}/graphql.json`)
      return json(res, 404, { errors: 'Not Found' })
    let body: { query?: unknown; variables?: unknown }
    try {
      body = JSON.parse(await readBody(req)) as typeof body
    } catch {
      return json(res, 400, { errors: { query: 'Required parameter missing or invalid' } })
    }
    const query = typeof body.query === 'string' ? body.query : ''
    const op = parseOperation(query)
    if (!op)
      return json(res, 200, {
        errors: [{ message: 'Parse error: expected an operation', extensions: { code: 'BAD_REQUEST' } }],
      })
    try {
      const data = resolve(op.name, (body.variables ?? {}) as Obj, query)
      return json(res, 200, {
        data: project(data, op.selection),
        extensions: cost(10 + (createHash('md5').update(query).digest()[0]! % 40), 1990),
      })
    } catch (err) {
      if (!(err instanceof GqlError)) throw err
      return json(res, 200, { errors: [{ message: err.message, extensions: { code: err.code } }] })
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => json(res, 500, { errors: String(err) }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    shopDomain,
    locationIds,
    orders,
    sold,
    levels,
    pushed,
    idempotencyKeys,
    fulfillments,
    webhooks,
    listings,
    variantIdOf: (code) => ids.get(code)!.variant,
    productIdOf: (code) => ids.get(code)!.product,
    inventoryItemIdOf: (code) => ids.get(code)!.item,
    available: (code, loc) => levels.get(`${ids.get(code)?.item}|${tail(loc)}`),
    generate(count, at = systemClock.now()) {
      return gen.batch(count).map((g) => {
        const o = toOrder(g, at)
        orders.set(o.id, o)
        deliver('orders/create', restOrder(o))
        if (o.financial === 'PAID' && rnd() < (opts.refundRate ?? 0.05)) cancelOrder(o, at)
        return o
      })
    },
    cancel(id, at = systemClock.now()) {
      const o = orders.get(id)
      if (o) cancelOrder(o, at)
    },
    refund(id, lineId, at = systemClock.now()) {
      const o = orders.get(id)
      const line = o?.lines.find((l) => (lineId ? l.id === lineId : true))
      if (!o || !line || o.financial === 'PENDING' || o.financial === 'VOIDED') return
      const unit = truncate(line.price.minus(line.discount.div(line.quantity)))
      const refundMoney = unit.plus(truncate(line.tax.div(line.quantity)))
      addRefund(
        o,
        [{ lineId: line.id, quantity: 1, subtotal: unit, restockType: 'no_restock' }],
        refundMoney,
        'Damaged in transit',
        at,
      )
    },
    payout(date = systemClock.now().toISOString().slice(0, 10)) {
      const open = transactions.filter((t) => t.payoutId === null && t.type !== 'payout')
      if (open.length === 0) return null
      const id = nextId(8_800_000_000_000)
      for (const t of open) t.payoutId = id
      const net = sum(open.map((t) => t.amount.minus(t.fee)))
      const of = (type: Transaction['type']): [Decimal, Decimal] => [
        sum(open.filter((t) => t.type === type).map((t) => t.amount)),
        sum(open.filter((t) => t.type === type).map((t) => t.fee)),
      ]
      payouts.push({ id, date, amount: net, charges: of('charge'), refunds: of('refund') })
      transactions.push({
        id: nextId(9_200_000_000_000),
        type: 'payout',
        amount: net.neg(),
        fee: ZERO,
        orderId: null,
        processedAt: new Date(`${date}T12:00:00Z`),
        payoutId: id,
      })
      return { id, amount: amount(net) }
    },
    injectFault(fault, count = 1) {
      for (let i = 0; i < count; i++) faults.push(fault)
    },
    setWebhookUrl(u) {
      webhookUrl = u
    },
    settled: async () => {
      await Promise.all([...inFlight])
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
