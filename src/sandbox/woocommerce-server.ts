/**
 * A sandbox WooCommerce site speaking REST v3 as the reference documents it (B.1–B.3): Basic auth,
 * orders by modified window with X-WP-TotalPages paging, batch stock updates, order notes and
 * status changes — remembered for the demo and the tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createOrderGenerator, type CatalogueItem, type GeneratedOrder } from './generator.js'
import { buildListings, type SandboxListing } from './catalogue.js'
import { wooCatalogueGet } from './woocommerce-catalogue.js'

export interface WooSandbox {
  url: string
  orders: Map<string, Record<string, unknown>>
  sold: GeneratedOrder[]
  /** product id (or "product:variation") → last pushed quantity */
  stock: Map<string, number>
  notes: { orderId: string; note: string }[]
  productIdOf(skuCode: string): string
  /** The products the site lists (catalogue pull); edit them to show the merchant conflicts. */
  listings: SandboxListing[]
  generate(n: number, at?: Date): Record<string, unknown>[]
  close(): Promise<void>
}

const wooTime = (d: Date) => d.toISOString().slice(0, 19) // GMT without offset, as WooCommerce sends it

export async function startWooSandbox(opts: {
  seed: number
  catalogue: readonly CatalogueItem[]
  consumerKey: string
  consumerSecret: string
  currency?: string
}): Promise<WooSandbox> {
  const gen = createOrderGenerator({
    seed: opts.seed,
    catalogue: opts.catalogue,
    start: new Date(),
    platformDiscountRate: 0,
    intervalMs: 1,
  })
  const productIds = new Map(opts.catalogue.map((c, i) => [c.skuCode, String(1000 + i)]))
  // Every SKU is a simple product here, as the generated orders sell them.
  const listings = buildListings(
    opts.catalogue,
    { itemIdOf: (c) => productIds.get(c)!, skuIdOf: (c) => productIds.get(c)! },
    new Date(),
  )
  const orders = new Map<string, Record<string, unknown>>()
  const sold: GeneratedOrder[] = []
  const stock = new Map<string, number>()
  const notes: { orderId: string; note: string }[] = []
  const auth = `Basic ${Buffer.from(`${opts.consumerKey}:${opts.consumerSecret}`).toString('base64')}`
  let nextId = 5000

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
  const body = (req: IncomingMessage) =>
    new Promise<Record<string, unknown>>((resolve) => {
      let s = ''
      req
        .on('data', (d: Buffer) => (s += d.toString('utf8')))
        .on('end', () => resolve(s ? (JSON.parse(s) as Record<string, unknown>) : {}))
    })

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.headers.authorization !== auth)
      return json(res, 401, {
        code: 'woocommerce_rest_cannot_view',
        message: 'Sorry, you cannot list resources.',
        data: { status: 401 },
      })
    const url = new URL(req.url ?? '/', 'http://sandbox')
    const path = url.pathname.replace(/^\/wp-json\/wc\/v3/, '')
    if (req.method === 'GET' && path === '/orders') {
      const after = url.searchParams.get('modified_after')
      const before = url.searchParams.get('modified_before')
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 10), 100)
      const page = Number(url.searchParams.get('page') ?? 1)
      const all = [...orders.values()]
        .filter(
          (o) =>
            (!after || String(o.date_modified_gmt) > after) &&
            (!before || String(o.date_modified_gmt) < before),
        )
        .sort(
          (a, b) =>
            String(a.date_created_gmt).localeCompare(String(b.date_created_gmt)) ||
            Number(a.id) - Number(b.id),
        )
      const pages = Math.max(1, Math.ceil(all.length / perPage))
      return json(res, 200, all.slice((page - 1) * perPage, page * perPage), {
        'x-wp-total': String(all.length),
        'x-wp-totalpages': String(pages),
      })
    }
    const one = /^\/orders\/(\d+)$/.exec(path)
    if (one && req.method === 'GET')
      return orders.has(one[1]!)
        ? json(res, 200, orders.get(one[1]!))
        : json(res, 404, {
            code: 'woocommerce_rest_shop_order_invalid_id',
            message: 'Invalid ID.',
            data: { status: 404 },
          })
    if (one && req.method === 'PUT') {
      const o = orders.get(one[1]!)
      if (!o)
        return json(res, 404, {
          code: 'woocommerce_rest_shop_order_invalid_id',
          message: 'Invalid ID.',
          data: { status: 404 },
        })
      const b = await body(req)
      if (typeof b.status === 'string') o.status = b.status
      o.date_modified_gmt = wooTime(new Date())
      if (b.status === 'completed') o.date_completed_gmt = o.date_modified_gmt
      return json(res, 200, o)
    }
    const note = /^\/orders\/(\d+)\/notes$/.exec(path)
    if (note && req.method === 'POST') {
      const b = await body(req)
      notes.push({ orderId: note[1]!, note: String(b.note) })
      return json(res, 201, { id: notes.length, note: b.note })
    }
    const batch = /^\/products(?:\/(\d+)\/variations)?\/batch$/.exec(path)
    if (batch && req.method === 'POST') {
      const b = await body(req)
      const update = (Array.isArray(b.update) ? b.update : []) as { id: number; stock_quantity: number }[]
      const known = new Set(productIds.values())
      return json(res, 200, {
        update: update.map((u) => {
          const key = batch[1] ? `${batch[1]}:${u.id}` : String(u.id)
          if (!batch[1] && !known.has(String(u.id)))
            return {
              id: u.id,
              error: {
                code: 'woocommerce_rest_product_invalid_id',
                message: 'Invalid ID.',
                data: { status: 400 },
              },
            }
          stock.set(key, u.stock_quantity)
          return { id: u.id, stock_quantity: u.stock_quantity, manage_stock: true }
        }),
      })
    }
    const catalogue =
      req.method === 'GET'
        ? wooCatalogueGet(path, url.searchParams, {
            listings,
            quantityOf: (key, sku) => stock.get(key) ?? sku.initialStock,
            variationIdOf: (sku) => String(900_000 + Number(sku.skuId)),
          })
        : null
    if (catalogue) return json(res, catalogue.status, catalogue.body, catalogue.headers)
    return json(res, 404, {
      code: 'rest_no_route',
      message: 'No route was found matching the URL and request method.',
      data: { status: 404 },
    })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) =>
      json(res, 500, { code: 'internal', message: String(err), data: { status: 500 } }),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    orders,
    sold,
    stock,
    notes,
    productIdOf: (code) => productIds.get(code)!,
    listings,
    generate(n, at = new Date()) {
      return gen.batch(n).map((g) => {
        sold.push(g)
        const id = String(nextId++)
        const t = wooTime(at)
        const [first, ...rest] = [...g.receiver.name]
        const o: Record<string, unknown> = {
          id: Number(id),
          parent_id: 0,
          number: id,
          status:
            g.status === 'pending_payment'
              ? 'pending'
              : g.status === 'cancelled'
                ? 'cancelled'
                : 'processing',
          currency: opts.currency ?? 'USD',
          date_created_gmt: t,
          date_modified_gmt: t,
          date_paid_gmt: g.status === 'paid' ? t : null,
          date_completed_gmt: null,
          discount_total: g.merchantDiscount,
          shipping_total: g.shipping,
          total_tax: '0.00',
          total: g.paid,
          prices_include_tax: false,
          customer_id: 0,
          customer_note: g.buyerNote ?? '',
          billing: {
            first_name: first,
            last_name: rest.join(''),
            email: `${g.buyer.id}@example.com`,
            phone: g.receiver.phone,
          },
          shipping: {
            first_name: first,
            last_name: rest.join(''),
            address_1: g.receiver.address,
            address_2: '',
            city: g.receiver.city,
            state: g.receiver.province,
            postcode: g.receiver.postcode,
            country: 'CN',
          },
          line_items: g.lines.map((l) => ({
            id: Number(`${id}${l.lineNo}`),
            name: l.title,
            product_id: Number(productIds.get(l.skuCode)),
            variation_id: 0,
            quantity: l.quantity,
            subtotal: l.goods,
            subtotal_tax: '0.00',
            total: l.paid,
            total_tax: '0.00',
            sku: l.skuCode,
            price: Number(l.unitPrice),
          })),
          shipping_lines: [
            {
              id: 1,
              method_title: 'Flat Rate',
              method_id: 'flat_rate',
              total: g.shipping,
              total_tax: '0.00',
            },
          ],
          fee_lines: [],
          coupon_lines: [],
          refunds: [],
        }
        orders.set(id, o)
        return o
      })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
