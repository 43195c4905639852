/**
 * WooCommerce over plain http: OAuth 1.0a one-legged as its REST docs ("Authentication over HTTP")
 * and WC_REST_Authentication::check_oauth_signature compute it; over https: HTTP Basic.
 */
import { createHmac } from 'node:crypto'
import nock from 'nock'
import { afterEach, describe, expect, it } from 'vitest'
import { woocommerce } from '../../../../connectors/woocommerce/index.js'
import {
  oauthBaseString,
  oauthSignature,
  rfc3986,
  signedQuery,
} from '../../../../connectors/woocommerce/oauth.js'
import type { ShopContext } from '../../../../connectors/types.js'
import { fixedClock } from '../../../../src/lib/clock.js'
import { createLogger } from '../../../../src/lib/logger.js'

const shop = (baseUrl: string): ShopContext => ({
  id: `shop-woo-${baseUrl}`,
  merchantId: 'm',
  channel: 'woocommerce',
  settings: { baseUrl, timeoutMs: 1000 },
  credentials: { consumerKey: 'ck_key', consumerSecret: 'cs_secret', webhookSecret: 'w' },
  clock: fixedClock('2026-11-20T12:00:00Z'),
  log: createLogger('silent'),
  saveCredentials: async () => undefined,
})

afterEach(() => nock.cleanAll())

describe('the signature base string', () => {
  it("matches WooCommerce's documented example", () => {
    expect(
      oauthBaseString('get', 'http://www.example.com/wp-json/wc/v3/orders', [
        ['oauth_signature_method', 'HMAC-SHA1'],
        ['oauth_consumer_key', 'abc123'],
      ]),
    ).toBe(
      'GET&http%3A%2F%2Fwww.example.com%2Fwp-json%2Fwc%2Fv3%2Forders&oauth_consumer_key%3Dabc123%26oauth_signature_method%3DHMAC-SHA1',
    )
  })

  it('encodes names and values by RFC 3986 and then the whole parameter string again, sorted by name', () => {
    const base = oauthBaseString('GET', 'HTTP://Shop.Example:80/wp-json/wc/v3/orders', [
      ['status', 'any'],
      ['search', "a b*c~!'"],
      ['modified_after', '2026-11-20T11:54:59'],
      ['per_page', '100'],
      ['oauth_timestamp', '1763640000'],
      ['oauth_signature_method', 'HMAC-SHA256'],
      ['oauth_nonce', 'n1'],
      ['oauth_consumer_key', 'ck_key'],
      ['oauth_signature', 'left out'],
    ])
    const expected =
      'GET&http%3A%2F%2Fshop.example%2Fwp-json%2Fwc%2Fv3%2Forders&modified_after%3D2026-11-20T11%253A54%253A59%26oauth_consumer_key%3Dck_key%26oauth_nonce%3Dn1%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1763640000%26per_page%3D100%26search%3Da%2520b%252Ac~%2521%2527%26status%3Dany'
    expect(base).toBe(expected)
    // The key is the consumer secret followed by '&' (no token secret).
    expect(oauthSignature(expected, 'cs_secret')).toBe(
      createHmac('sha256', 'cs_secret&').update(expected).digest('base64'),
    )
    expect(oauthSignature(expected, 'cs_secret', 'HMAC-SHA1')).toBe(
      createHmac('sha1', 'cs_secret&').update(expected).digest('base64'),
    )
    expect(rfc3986("a+b /*~!'()")).toBe('a%2Bb%20%2F%2A~%21%27%28%29')
  })

  it('puts the oauth parameters and the signature in the query string', () => {
    const q = new URLSearchParams(
      signedQuery({
        method: 'GET',
        url: 'http://woo.example/wp-json/wc/v3/orders',
        params: [['per_page', '1']],
        consumerKey: 'ck_key',
        consumerSecret: 'cs_secret',
        timestamp: 1763640000,
        nonce: 'abc',
      }),
    )
    const base =
      'GET&http%3A%2F%2Fwoo.example%2Fwp-json%2Fwc%2Fv3%2Forders&oauth_consumer_key%3Dck_key%26oauth_nonce%3Dabc%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1763640000%26per_page%3D1'
    expect(Object.fromEntries(q)).toEqual({
      per_page: '1',
      oauth_consumer_key: 'ck_key',
      oauth_nonce: 'abc',
      oauth_signature_method: 'HMAC-SHA256',
      oauth_timestamp: '1763640000',
      oauth_signature: createHmac('sha256', 'cs_secret&').update(base).digest('base64'),
    })
  })
})

describe('the scheme of baseUrl chooses the authentication', () => {
  it('signs every request over http with OAuth 1.0a, a new nonce per attempt, and sends no Basic header', async () => {
    const seen: Record<string, string>[] = []
    const scope = nock('http://woo.example', { badheaders: ['authorization'] })
      .get('/wp-json/wc/v3/orders')
      .query((q) => {
        seen.push(q as Record<string, string>)
        return true
      })
      .reply(503, { code: 'busy', message: 'try later', data: { status: 503 } })
      .get('/wp-json/wc/v3/orders')
      .query((q) => {
        seen.push(q as Record<string, string>)
        return true
      })
      .reply(200, [])
    await woocommerce.verifyCredentials(shop('http://woo.example/'))
    expect(scope.isDone()).toBe(true)
    expect(seen).toHaveLength(2)
    for (const q of seen) {
      expect(q).toMatchObject({
        per_page: '1',
        oauth_consumer_key: 'ck_key',
        oauth_signature_method: 'HMAC-SHA256',
        oauth_timestamp: '1795176000', // the shop's clock: 2026-11-20T12:00:00Z
      })
      expect(q.oauth_nonce).toMatch(/^[0-9a-f]{32}$/)
      const { oauth_signature, ...signed } = q
      const base = oauthBaseString('GET', 'http://woo.example/wp-json/wc/v3/orders', Object.entries(signed))
      expect(oauth_signature).toBe(createHmac('sha256', 'cs_secret&').update(base).digest('base64'))
    }
    expect(seen[0]!.oauth_nonce).not.toBe(seen[1]!.oauth_nonce)
  })

  it('uses HTTP Basic over https, without oauth parameters', async () => {
    const scope = nock('https://woo.example')
      .matchHeader('authorization', `Basic ${Buffer.from('ck_key:cs_secret').toString('base64')}`)
      .get('/wp-json/wc/v3/orders')
      .query({ per_page: '1' })
      .reply(200, [])
    await woocommerce.verifyCredentials(shop('https://woo.example'))
    expect(scope.isDone()).toBe(true)
  })
})
