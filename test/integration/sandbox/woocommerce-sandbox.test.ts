/**
 * The real WooCommerce connector against the sandbox site over real HTTP (no nock), and the site's
 * authentication as WC_REST_Authentication does it: over plain http only OAuth 1.0a (Basic and
 * query-string keys are not even looked at), a bad signature, a replayed nonce, a stale timestamp
 * and missing parameters refused with WooCommerce's error bodies; over https Basic and the
 * consumer_key/consumer_secret query parameters too.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { woocommerce } from '../../../connectors/woocommerce/index.js'
import { signedQuery } from '../../../connectors/woocommerce/oauth.js'
import type { ShopContext } from '../../../connectors/types.js'
import { fixedClock } from '../../../src/lib/clock.js'
import { createLogger } from '../../../src/lib/logger.js'
import { startWooSandbox, type WooSandbox } from '../../../src/sandbox/woocommerce-server.js'
import { drain } from '../../helpers/connectors.js'
import { connectorFailure } from '../../helpers/connectors.js'

const catalogue = [
  { skuCode: 'MUG-1', title: 'Ceramic Mug', price: '12.00' },
  { skuCode: 'TEA-1', title: 'Green Tea 100g', price: '8.50' },
]
const KEY = 'ck_0123456789abcdef'
const SECRET = 'cs_fedcba9876543210'
const clock = fixedClock('2026-11-20T12:00:00Z')
const now = () => Math.floor(clock.now().getTime() / 1000)
let site: WooSandbox
let tlsSite: WooSandbox
let cert: Buffer
let certDir: string

const shop = (baseUrl: string): ShopContext => ({
  id: `woo-${baseUrl}`,
  merchantId: 'm',
  channel: 'woocommerce',
  settings: { baseUrl, timeoutMs: 2000 },
  credentials: { consumerKey: KEY, consumerSecret: SECRET, webhookSecret: 'w' },
  clock,
  log: createLogger('silent'),
  saveCredentials: async () => undefined,
})

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: { code?: string; message?: string; data?: { status: number } } | unknown[]
}

/** One GET, http or https (trusting the test certificate), answered as parsed JSON. */
function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'GET', headers, ca: cert }, (res) => {
      let s = ''
      res.on('data', (d: Buffer) => (s += d.toString('utf8')))
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(s) as Answer['body'] }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

const ORDERS = '/wp-json/wc/v3/orders'
const signed = (base: string, over: { nonce?: string; timestamp?: number; secret?: string } = {}) =>
  `${base}${ORDERS}?${signedQuery({
    method: 'GET',
    url: `${base}${ORDERS}`,
    params: [['per_page', '5']],
    consumerKey: KEY,
    consumerSecret: over.secret ?? SECRET,
    timestamp: over.timestamp ?? now(),
    nonce: over.nonce ?? `n${Math.random().toString(36).slice(2)}`,
  })}`
const authError = (message: string, code = 'woocommerce_rest_authentication_error') => ({
  status: 401,
  body: { code, message, data: { status: 401 } },
})

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'woo-tls-'))
  // A throwaway self-signed certificate for 127.0.0.1, made for this run only.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  )
  cert = readFileSync(join(certDir, 'cert.pem'))
  const opts = { catalogue, consumerKey: KEY, consumerSecret: SECRET, clock }
  site = await startWooSandbox({ seed: 3, ...opts })
  tlsSite = await startWooSandbox({
    seed: 4,
    ...opts,
    tls: { key: readFileSync(join(certDir, 'key.pem')), cert },
  })
  site.generate(12, clock.now())
  tlsSite.generate(2, clock.now())
})
afterAll(async () => {
  await site.close()
  await tlsSite.close()
  rmSync(certDir, { recursive: true, force: true })
})

describe('over plain http', () => {
  it('the connector pulls, pushes stock and writes back through OAuth 1.0a', async () => {
    expect(site.url).toMatch(/^http:\/\//)
    const sc = shop(site.url)
    await woocommerce.verifyCredentials(sc)
    const pages = await drain(
      woocommerce.pullOrders(sc, {
        from: new Date('2026-11-20T11:00:00Z'),
        to: new Date('2026-11-20T13:00:00Z'),
      }),
    )
    expect(pages.flatMap((p) => p.items.map((o) => o.externalId)).sort()).toEqual(
      [...site.orders.keys()].sort(),
    )
    const productId = site.productIdOf('MUG-1')
    expect(await woocommerce.pushStock(sc, [{ platformSkuId: productId, quantity: 7 }])).toEqual([
      { platformSkuId: productId, ok: true, quantity: 7 },
    ])
    expect(site.stock.get(productId)).toBe(7)
    const first = [...site.orders.keys()][0]!
    await woocommerce.pushShipment(sc, {
      orderExternalId: first,
      lineExternalIds: [],
      carrier: 'SF',
      trackingNumber: 'SF100',
      shippedAt: clock.now(),
    })
    expect(site.orders.get(first)!.status).toBe('completed')
  })

  it('ignores Basic and query-string keys, as WooCommerce does without TLS', async () => {
    const basic = `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`
    const refused = {
      status: 401,
      body: {
        code: 'woocommerce_rest_cannot_view',
        message: 'Sorry, you cannot list resources.',
        data: { status: 401 },
      },
    }
    expect(await get(`${site.url}${ORDERS}`, { authorization: basic })).toMatchObject(refused)
    expect(await get(`${site.url}${ORDERS}?consumer_key=${KEY}&consumer_secret=${SECRET}`)).toMatchObject(
      refused,
    )
  })

  it('refuses a bad signature, a replayed nonce, a stale timestamp and missing parameters', async () => {
    expect(await get(signed(site.url, { secret: 'cs_wrong' }))).toMatchObject(
      authError('Invalid signature - provided signature does not match.'),
    )
    const once = signed(site.url, { nonce: 'replayed-nonce' })
    expect((await get(once)).status).toBe(200)
    expect(await get(once)).toMatchObject(authError('Invalid nonce - nonce has already been used.'))
    expect(await get(signed(site.url, { timestamp: now() - 16 * 60 }))).toMatchObject(
      authError('Invalid timestamp.'),
    )
    expect((await get(signed(site.url, { timestamp: now() - 14 * 60 }))).status).toBe(200)
    // A signed URL whose parameters were changed on the way.
    expect(await get(signed(site.url).replace('per_page=5', 'per_page=6'))).toMatchObject(
      authError('Invalid signature - provided signature does not match.'),
    )
    expect(await get(`${site.url}${ORDERS}?oauth_consumer_key=${KEY}&oauth_nonce=x`)).toMatchObject(
      authError(
        'Missing OAuth parameters oauth_timestamp, oauth_signature, oauth_signature_method',
        'woocommerce_rest_authentication_missing_parameter',
      ),
    )
    expect(
      await get(signed(site.url).replace(`oauth_consumer_key=${KEY}`, 'oauth_consumer_key=ck_other')),
    ).toMatchObject(authError('Consumer key is invalid.'))
  })

  it('takes the oauth parameters from an Authorization: OAuth header too', async () => {
    const q = new URLSearchParams(signed(site.url).split('?')[1])
    const oauth = [...q].filter(([k]) => k.startsWith('oauth_'))
    const header = `OAuth ${oauth.map(([k, v]) => `${k}="${encodeURIComponent(v)}"`).join(', ')}`
    const res = await get(`${site.url}${ORDERS}?per_page=5`, { authorization: header })
    expect(res.status).toBe(200)
    expect(Array.isArray(res.body)).toBe(true)
  })
})

describe('bodies', () => {
  it('reads a UTF-8 body whose characters arrive split across two packets', async () => {
    const id = [...site.orders.keys()].at(-1)!
    const path = `/wp-json/wc/v3/orders/${id}/notes`
    const query = signedQuery({
      method: 'POST',
      url: `${site.url}${path}`,
      params: [],
      consumerKey: KEY,
      consumerSecret: SECRET,
      timestamp: now(),
      nonce: 'split-body-nonce',
    })
    const body = Buffer.from(JSON.stringify({ note: '已发货 顺丰速运', customer_note: true }))
    const cut = body.indexOf(Buffer.from('顺')) + 1 // inside the 3 bytes of 顺
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${site.url}${path}?${query}`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (res) => {
          res.resume()
          resolve(res.statusCode!)
        },
      )
      req.on('error', reject)
      req.write(body.subarray(0, cut))
      setTimeout(() => req.end(body.subarray(cut)), 50) // a second packet
    })
    expect(status).toBe(201)
    expect(site.notes.at(-1)).toEqual({ orderId: id, note: '已发货 顺丰速运' })
  })
})

describe('over https', () => {
  it('takes HTTP Basic, the consumer_key/consumer_secret query and OAuth; a wrong secret is named', async () => {
    expect(tlsSite.url).toMatch(/^https:\/\//)
    const basic = (secret: string) => `Basic ${Buffer.from(`${KEY}:${secret}`).toString('base64')}`
    expect((await get(`${tlsSite.url}${ORDERS}`, { authorization: basic(SECRET) })).body).toHaveLength(2)
    expect(
      (await get(`${tlsSite.url}${ORDERS}?consumer_key=${KEY}&consumer_secret=${SECRET}`)).body,
    ).toHaveLength(2)
    expect((await get(signed(tlsSite.url))).body).toHaveLength(2)
    const wrong = await get(`${tlsSite.url}${ORDERS}`, { authorization: basic('cs_wrong') })
    expect(wrong).toMatchObject(authError('Consumer secret is invalid.'))
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic realm="WooCommerce API/)
  })

  it('a signature over the http URL does not pass on the https site', async () => {
    const overHttp = signed(tlsSite.url.replace('https:', 'http:')).replace('http:', 'https:')
    expect(await get(overHttp)).toMatchObject(
      authError('Invalid signature - provided signature does not match.'),
    )
  })
})

it("the connector reports a refused signature as the site's 401, with WooCommerce's reason", async () => {
  const sc = { ...shop(site.url), credentials: { consumerKey: KEY, consumerSecret: 'cs_wrong' } }
  const err = await connectorFailure(woocommerce.verifyCredentials(sc))
  expect(err.kind).toBe('auth_expired')
  expect(err.detail).toMatchObject({ httpStatus: 401 })
  expect(String(err.detail.body)).toContain('Invalid signature - provided signature does not match.')
})
