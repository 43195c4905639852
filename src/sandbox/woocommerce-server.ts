/**
 * A sandbox WooCommerce site speaking REST v3 as the reference documents it (B.1–B.3): orders by
 * modified window with X-WP-TotalPages paging, batch stock updates, order notes and status changes —
 * remembered for the demo and the tests. It authenticates as WC_REST_Authentication does: over https
 * (`tls` given) HTTP Basic or the consumer_key/consumer_secret query parameters; over either scheme
 * OAuth 1.0a one-legged (HMAC-SHA1/SHA256, parameters in the query, a form body or an
 * `Authorization: OAuth` header) with a ±15 minute timestamp window and nonces used once.
 */
import { timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { oauthBaseString, oauthSignature, type OAuthAlgorithm } from '../../connectors/woocommerce/oauth.js'
import { systemClock, type Clock } from '../lib/clock.js'
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

/** WooCommerce's REST error body. */
interface WooError {
  status: number
  code: string
  message: string
  basic?: boolean
}

const NONCE_WINDOW_S = 15 * 60
const same = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))
const authError = (message: string, code = 'woocommerce_rest_authentication_error'): WooError => ({
  status: 401,
  code,
  message,
})

/** An `Authorization: OAuth k="v", …` header's oauth_* parameters (WC_REST_Authentication::parse_header). */
function oauthHeader(header: string | undefined): [string, string][] {
  if (!header?.trim().startsWith('OAuth ')) return []
  return [...header.matchAll(/(oauth_[a-z_-]*)=(?:"([^"]*)"|([^,]*))/g)].map((m) => [
    m[1]!,
    decodeURIComponent((m[2] ?? m[3] ?? '').replace(/\+/g, ' ')),
  ])
}

const wooTime = (d: Date) => d.toISOString().slice(0, 19) // GMT without offset, as WooCommerce sends it

export async function startWooSandbox(opts: {
  seed: number
  catalogue: readonly CatalogueItem[]
  consumerKey: string
  consumerSecret: string
  currency?: string
  /** Serve https with this key and certificate (is_ssl(): Basic and query-string keys are taken). */
  tls?: { key: string | Buffer; cert: string | Buffer }
  /** The site's clock, for the OAuth timestamp window (default: the system clock). */
  clock?: Clock
}): Promise<WooSandbox> {
  const gen = createOrderGenerator({
    seed: opts.seed,
    catalogue: opts.catalogue,
    start: systemClock.now(),
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
  const clock = opts.clock ?? systemClock
  const ssl = opts.tls !== undefined
  let siteUrl = '' // the home URL, known once listening: signatures cover it
  const nonces = new Map<string, number>() // nonce → its timestamp, for 15 minutes
  let nextId = 5000

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
  // Decoded once whole: a character split across two chunks stays one character.
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = []
      req
        .on('data', (d: Buffer) => chunks.push(d))
        .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
        .on('error', reject)
    })

  /** perform_basic_authentication (https only): the query's keys first, then the Basic header. */
  function basic(req: IncomingMessage, query: URLSearchParams): WooError | 'ok' | null {
    let key = query.get('consumer_key') ?? ''
    let secret = query.get('consumer_secret') ?? ''
    if (!key || !secret) {
      const m = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')
      const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : ''
      const colon = decoded.indexOf(':')
      ;[key, secret] = colon > 0 ? [decoded.slice(0, colon), decoded.slice(colon + 1)] : ['', '']
    }
    if (!key || !secret || key !== opts.consumerKey) return null
    return same(secret, opts.consumerSecret)
      ? 'ok'
      : { ...authError('Consumer secret is invalid.'), basic: true }
  }

  /** perform_oauth_authentication: parameters from the query, a form body and the Authorization header. */
  function oauth(req: IncomingMessage, url: URL, raw: string): WooError | 'ok' | null {
    const form = /application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')
    // PHP's $_GET and $_POST: a repeated name keeps its last value; the header's oauth_* come last.
    const params = new Map<string, string>([
      ...url.searchParams,
      ...(form ? new URLSearchParams(raw) : []),
      ...oauthHeader(req.headers.authorization),
    ])
    const required = [
      'oauth_consumer_key',
      'oauth_timestamp',
      'oauth_nonce',
      'oauth_signature',
      'oauth_signature_method',
    ]
    const missing = required.filter((k) => !params.get(k))
    if (missing.length === required.length) return null // not trying OAuth at all
    if (missing.length > 0)
      return authError(
        `Missing OAuth parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        'woocommerce_rest_authentication_missing_parameter',
      )
    if (params.get('oauth_consumer_key') !== opts.consumerKey) return authError('Consumer key is invalid.')
    const given = params.get('oauth_signature')!.replace(/ /g, '+')
    const method = params.get('oauth_signature_method')!
    if (method !== 'HMAC-SHA1' && method !== 'HMAC-SHA256')
      return authError('Invalid signature - signature method is invalid.')
    const base = oauthBaseString(req.method ?? 'GET', `${siteUrl}${url.pathname}`, [...params])
    if (!same(oauthSignature(base, opts.consumerSecret, method as OAuthAlgorithm), given))
      return authError('Invalid signature - provided signature does not match.')
    const timestamp = Number(params.get('oauth_timestamp'))
    const now = Math.floor(clock.now().getTime() / 1000)
    if (!(Math.abs(timestamp - now) <= NONCE_WINDOW_S)) return authError('Invalid timestamp.')
    const nonce = params.get('oauth_nonce')!
    for (const [n, at] of nonces) if (at < now - NONCE_WINDOW_S) nonces.delete(n)
    if (nonces.has(nonce)) return authError('Invalid nonce - nonce has already been used.')
    nonces.set(nonce, timestamp)
    return 'ok'
  }

  /** WC_REST_Authentication::authenticate: Basic when is_ssl(), then OAuth 1.0a. */
  function authenticate(req: IncomingMessage, url: URL, raw: string): WooError | null {
    const viaBasic = ssl ? basic(req, url.searchParams) : null
    if (viaBasic === 'ok') return null
    const viaOAuth = oauth(req, url, raw)
    // An OAuth error replaces a Basic one; a Basic error stands even when OAuth then succeeds.
    if (viaOAuth && viaOAuth !== 'ok') return viaOAuth
    if (viaBasic) return viaBasic
    if (viaOAuth === 'ok') return null
    // Nobody authenticated: the route's permission check answers.
    return { status: 401, code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.' }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', siteUrl)
    const raw = await readBody(req)
    const refused = authenticate(req, url, raw)
    if (refused)
      return json(
        res,
        refused.status,
        { code: refused.code, message: refused.message, data: { status: refused.status } },
        refused.basic
          ? {
              'www-authenticate':
                'Basic realm="WooCommerce API. Use a consumer key in the username field and a consumer secret in the password field."',
            }
          : {},
      )
    const body = () => (raw ? (JSON.parse(raw) as Record<string, unknown>) : {})
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
      const b = body()
      if (typeof b.status === 'string') o.status = b.status
      o.date_modified_gmt = wooTime(systemClock.now())
      if (b.status === 'completed') o.date_completed_gmt = o.date_modified_gmt
      return json(res, 200, o)
    }
    const note = /^\/orders\/(\d+)\/notes$/.exec(path)
    if (note && req.method === 'POST') {
      const b = body()
      notes.push({ orderId: note[1]!, note: String(b.note) })
      return json(res, 201, { id: notes.length, note: b.note })
    }
    const batch = /^\/products(?:\/(\d+)\/variations)?\/batch$/.exec(path)
    if (batch && req.method === 'POST') {
      const b = body()
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

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) =>
      json(res, 500, { code: 'internal', message: String(err), data: { status: 500 } }),
    )
  }
  const server = opts.tls ? createTlsServer(opts.tls, listener) : createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  siteUrl = `${ssl ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: siteUrl,
    orders,
    sold,
    stock,
    notes,
    productIdOf: (code) => productIds.get(code)!,
    listings,
    generate(n, at = systemClock.now()) {
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
