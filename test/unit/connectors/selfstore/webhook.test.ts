/**
 * The self-run store's webhook signature (CONTRACT.md: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">`): verified against a computed vector, refused when stale, forged or cut short,
 * and compared in constant time like every other channel's.
 */
import * as crypto from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { selfstore, signWebhook } from '../../../../connectors/selfstore/index.js'
import type { ShopContext } from '../../../../connectors/types.js'
import { fixedClock } from '../../../../src/lib/clock.js'
import { createLogger } from '../../../../src/lib/logger.js'

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof crypto>()
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) }
})

const shop: ShopContext = {
  id: 'shop-self',
  merchantId: 'm',
  channel: 'selfstore',
  settings: { baseUrl: 'https://store.example/entrepot' },
  credentials: { apiKey: 'k', webhookSecret: 'whsec_1' },
  clock: fixedClock('2026-11-20T12:00:00Z'),
  log: createLogger('silent'),
  saveCredentials: async () => undefined,
}
const T = 1795176000 // 2026-11-20T12:00:00Z
const body = Buffer.from('{"event":"order.updated","order_id":"A-1"}')
const req = (header: string) => ({ headers: { 'x-entrepot-signature': header }, rawBody: body, query: {} })

afterEach(() => vi.mocked(crypto.timingSafeEqual).mockClear())

describe('self-run store webhooks', () => {
  it('signs "<t>.<raw body>" with HMAC-SHA256 in hex', () => {
    expect(signWebhook('whsec_1', T, body)).toBe(
      crypto.createHmac('sha256', 'whsec_1').update(`${T}.${body.toString()}`).digest('hex'),
    )
  })

  it('accepts a fresh, correct signature and compares it in constant time', () => {
    const v1 = signWebhook('whsec_1', T, body)
    expect(selfstore.verifyWebhook!(req(`t=${T},v1=${v1}`), shop)).toBe(true)
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(1)
    const [a, b] = vi.mocked(crypto.timingSafeEqual).mock.calls[0]!
    expect(Buffer.from(a as Uint8Array).toString('hex')).toBe(v1)
    expect(Buffer.from(b as Uint8Array).toString('hex')).toBe(v1)
  })

  it('refuses a forged, truncated, stale or missing signature', () => {
    const v1 = signWebhook('whsec_1', T, body)
    const forged = signWebhook('other', T, body)
    expect(selfstore.verifyWebhook!(req(`t=${T},v1=${forged}`), shop)).toBe(false)
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(1) // the forged one was compared in constant time too
    expect(selfstore.verifyWebhook!(req(`t=${T},v1=${v1.slice(0, 32)}`), shop)).toBe(false)
    expect(
      selfstore.verifyWebhook!(req(`t=${T - 301},v1=${signWebhook('whsec_1', T - 301, body)}`), shop),
    ).toBe(false)
    expect(selfstore.verifyWebhook!(req(''), shop)).toBe(false)
  })
})
