/**
 * A sandbox self-run store speaking connectors/selfstore/CONTRACT.md over real HTTP: it generates
 * orders, answers the changed-orders query with cursor paging, accepts stock and shipments and
 * remembers them, sends signed webhooks, and injects faults on request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { signWebhook } from '../../connectors/selfstore/index.js'
import { systemClock } from '../lib/clock.js'
import { createOrderGenerator, type CatalogueItem, type GeneratedOrder } from './generator.js'
import { buildListings, type SandboxListing } from './catalogue.js'
import { selfstoreProducts } from './selfstore-catalogue.js'

export type Fault = '429' | '5xx' | 'slow' | 'malformed'

export interface SelfstoreSandboxOptions {
  seed: number
  catalogue: readonly CatalogueItem[]
  apiKey: string
  webhookSecret: string
  currency?: string
  /** Where to POST signed webhooks for new orders (Entrepot's /webhooks/selfstore/<shop id>). */
  webhookUrl?: string | null
}

export interface StoreOrder {
  id: string
  updated_at: string
  [k: string]: unknown
}

export interface SelfstoreSandbox {
  url: string
  orders: Map<string, StoreOrder>
  sold: GeneratedOrder[]
  stock: Map<string, { quantity: number; at: Date }>
  shipments: { orderId: string; body: unknown }[]
  /** The products the store lists (GET /products); edit them to show the merchant conflicts. */
  listings: SandboxListing[]
  generate(n: number, at?: Date): StoreOrder[]
  cancel(id: string, at?: Date): void
  refund(id: string, lineId: string, amount: string, at?: Date): void
  injectFault(fault: Fault, count?: number): void
  setWebhookUrl(url: string | null): void
  close(): Promise<void>
}

function toStoreOrder(g: GeneratedOrder, prefix: string, currency: string): StoreOrder {
  const at = g.createdAt.toISOString()
  return {
    id: `${prefix}${String(g.seq).padStart(6, '0')}`,
    status: g.status === 'pending_payment' ? 'pending' : g.status,
    currency,
    created_at: at,
    paid_at: g.status === 'paid' ? at : null,
    shipped_at: null,
    updated_at: at,
    customer: { id: g.buyer.id, name: g.receiver.name, email: null },
    shipping_address: { ...g.receiver, country: 'CN' },
    note: g.buyerNote,
    lines: g.lines.map((l) => ({
      id: `L${l.lineNo}`,
      sku: l.skuCode,
      title: l.title,
      quantity: l.quantity,
      unit_price: l.unitPrice,
      discount: l.merchantDiscount,
    })),
    order_discount: '0.00',
    shipping_fee: g.shipping,
    tax: '0.00',
    // Platform-funded discounts do not exist in a self-run store; every discount is on its line.
    total: g.paid,
    refunds: [],
  }
}

export async function startSelfstoreSandbox(opts: SelfstoreSandboxOptions): Promise<SelfstoreSandbox> {
  const currency = opts.currency ?? 'CNY'
  const gen = createOrderGenerator({
    seed: opts.seed,
    catalogue: opts.catalogue,
    start: systemClock.now(),
    platformDiscountRate: 0,
    intervalMs: 1,
  })
  const orders = new Map<string, StoreOrder>()
  const sold: GeneratedOrder[] = []
  const stock = new Map<string, { quantity: number; at: Date }>()
  const shipments: { orderId: string; body: unknown }[] = []
  const faults: Fault[] = []
  // A product per code prefix (CUP-1, CUP-2 → P-CUP); a variant's key is its merchant code.
  const listings = buildListings(
    opts.catalogue,
    { itemIdOf: (c) => `P-${c.split('-')[0]!}`, skuIdOf: (c) => c },
    new Date(),
  )
  let webhookUrl = opts.webhookUrl ?? null
  let closed = false

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
  }
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = ''
      req.on('data', (d: Buffer) => (s += d.toString('utf8'))).on('end', () => resolve(s))
    })

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.headers.authorization !== `Bearer ${opts.apiKey}`)
      return json(res, 401, { error: 'invalid api key' })
    const fault = faults.shift()
    if (fault === '429') return json(res, 429, { error: 'rate limited' }, { 'retry-after': '1' })
    if (fault === '5xx') return json(res, 503, { error: 'temporarily unavailable' })
    if (fault === 'slow') await new Promise((r) => setTimeout(r, 3000))
    if (fault === 'malformed')
      return res.writeHead(200, { 'content-type': 'application/json' }).end('{"orders": [')
    const url = new URL(req.url ?? '/', 'http://sandbox')
    const path = url.pathname
    if (req.method === 'GET' && path === '/orders') {
      const since = new Date(url.searchParams.get('changed_since') ?? 0)
      const before = new Date(url.searchParams.get('changed_before') ?? systemClock.now().getTime())
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), 500)
      const offset = Number(url.searchParams.get('cursor') ?? 0)
      const all = [...orders.values()]
        .filter((o) => new Date(o.updated_at) >= since && new Date(o.updated_at) < before)
        .sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id.localeCompare(b.id))
      const page = all.slice(offset, offset + limit)
      return json(res, 200, {
        orders: page,
        next_cursor: offset + limit < all.length ? String(offset + limit) : null,
      })
    }
    if (req.method === 'GET' && path === '/products') {
      const r = selfstoreProducts(url.searchParams, {
        listings,
        currency,
        quantityOf: (sku) => stock.get(sku.code)?.quantity ?? sku.initialStock,
      })
      return json(res, r.status, r.body)
    }
    const one = /^\/orders\/([^/]+)$/.exec(path)
    if (req.method === 'GET' && one) {
      const o = orders.get(decodeURIComponent(one[1]!))
      return o ? json(res, 200, o) : json(res, 404, { error: 'no such order' })
    }
    if (req.method === 'PUT' && path === '/stock') {
      const body = JSON.parse(await readBody(req)) as { items: { sku: string; quantity: number }[] }
      const known = new Set(opts.catalogue.map((c) => c.skuCode))
      const results = body.items.map((i) => {
        if (!known.has(i.sku)) return { sku: i.sku, ok: false, error: 'unknown sku' }
        stock.set(i.sku, { quantity: i.quantity, at: systemClock.now() })
        return { sku: i.sku, ok: true }
      })
      return json(res, 200, { results })
    }
    const ship = /^\/orders\/([^/]+)\/shipments$/.exec(path)
    if (req.method === 'POST' && ship) {
      const id = decodeURIComponent(ship[1]!)
      const o = orders.get(id)
      if (!o) return json(res, 404, { error: 'no such order' })
      const body = JSON.parse(await readBody(req)) as { shipped_at: string }
      shipments.push({ orderId: id, body })
      o.status = 'shipped'
      o.shipped_at = body.shipped_at
      o.updated_at = systemClock.now().toISOString()
      return json(res, 201, { ok: true })
    }
    return json(res, 404, { error: `no route ${req.method} ${path}` })
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => json(res, 500, { error: String(err) }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  /**
   * Delivered as the contract says, and sent again (same delivery id, fresh signature) while it gets
   * no 2xx: after 1, 2, 4 … 64 s, as a store's webhook queue does. Under load a request can meet a
   * connection the API just closed; the order must still arrive.
   */
  async function sendWebhook(o: StoreOrder) {
    if (!webhookUrl) return
    const body = JSON.stringify({ event: 'order.updated', order: o })
    const delivery = `${o.id}.${o.updated_at}`
    for (let attempt = 0; attempt < 8; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)).unref())
      if (closed || !webhookUrl) return
      const t = Math.floor(systemClock.now().getTime() / 1000)
      const ok = await fetch(webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-entrepot-delivery': delivery,
          'x-entrepot-signature': `t=${t},v1=${signWebhook(opts.webhookSecret, t, body)}`,
        },
        body,
      }).then(
        async (res) => (await res.arrayBuffer(), res.ok),
        () => false,
      )
      if (ok) return
    }
  }

  const touch = (o: StoreOrder, at: Date) => {
    o.updated_at = new Date(Math.max(at.getTime(), new Date(o.updated_at).getTime() + 1)).toISOString()
    void sendWebhook(o)
  }

  return {
    url,
    orders,
    sold,
    stock,
    shipments,
    listings,
    generate(n, at = systemClock.now()) {
      return gen.batch(n).map((g) => {
        sold.push(g)
        const o = toStoreOrder(g, 'SO', currency)
        o.created_at = o.updated_at = at.toISOString()
        if (o.paid_at) o.paid_at = o.created_at
        orders.set(o.id, o)
        void sendWebhook(o)
        return o
      })
    },
    cancel(id, at = systemClock.now()) {
      const o = orders.get(id)
      if (!o || o.status === 'shipped') return
      o.status = 'cancelled'
      touch(o, at)
    },
    refund(id, lineId, amount, at = systemClock.now()) {
      const o = orders.get(id)
      if (!o) return
      ;(o.refunds as unknown[]).push({
        id: `R-${id}-${lineId}`,
        status: 'refunded',
        amount,
        lines: [{ line_id: lineId, quantity: 1, amount }],
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
      })
      touch(o, at)
    },
    injectFault(fault, count = 1) {
      for (let i = 0; i < count; i++) faults.push(fault)
    },
    setWebhookUrl(u) {
      webhookUrl = u
    },
    close: () => {
      closed = true
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
