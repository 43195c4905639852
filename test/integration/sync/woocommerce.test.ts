/**
 * A WooCommerce shop through the sync framework and the API, against the real database, with the
 * site mocked by nock: an order modified exactly at a window boundary is neither lost nor
 * duplicated across the overlap, a timeout is transient and resumes, and webhooks are verified on
 * the raw body (wrong signature: 401, nothing stored), stored once, and a replay is a no-op.
 */
import nock from 'nock'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { signWooWebhook } from '../../../connectors/woocommerce/index.js'
import { isConnectorError } from '../../../connectors/errors.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { pullStream } from '../../../src/sync/pull.js'
import { fixedClock, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { wooMultiLine } from '../../fixtures/woocommerce/orders.js'

const SITE = 'https://woo-sync.example'
const ORDERS = '/wp-json/wc/v3/orders'
const clock = fixedClock('2026-11-20T12:00:00Z')
let env: TestEnv
let m: TestMerchant
let shop: Shop
const order = (id: number, at: string) => ({ ...wooMultiLine, id, date_modified_gmt: at })
const stored = async () =>
  (await env.ctx.db.selectFrom('orders').select('external_id').where('shop_id', '=', shop.id).execute())
    .map((o) => o.external_id)
    .sort()

beforeAll(async () => {
  env = await testEnv({ clock, config: { SYNC_OVERLAP_MS: '300000' } })
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'woocommerce',
    name: 'woo',
    settings: { baseUrl: SITE, timeoutMs: 200 },
    credentials: { consumerKey: 'ck_k', consumerSecret: 'cs_s', webhookSecret: 'wc_hook_secret' },
  })
})
afterAll(() => env.close())
beforeEach(() => nock.cleanAll())

describe('pulling', () => {
  it('takes an order modified exactly at the window boundary once, across the overlap', async () => {
    nock(SITE)
      .get(ORDERS)
      .query(true)
      .reply(200, [order(101, '2026-11-20T11:58:00'), order(102, '2026-11-20T12:00:00')], {
        'X-WP-TotalPages': '1',
      })
    await pullStream(env.ctx, m.id, shop.id, 'orders')
    expect(await stored()).toEqual(['101']) // 102 sits at the window's exclusive end
    // The next window starts 5 minutes before the cursor (12:00): 101 again unchanged, and 102 at exactly 12:00.
    clock.set('2026-11-20T12:10:00Z')
    nock(SITE)
      .get(ORDERS)
      .query((q) => q.modified_after === '2026-11-20T11:54:59' && q.modified_before === '2026-11-20T12:10:00')
      .reply(200, [order(101, '2026-11-20T11:58:00'), order(102, '2026-11-20T12:00:00')], {
        'X-WP-TotalPages': '1',
      })
    const r = await pullStream(env.ctx, m.id, shop.id, 'orders')
    expect(r).toMatchObject({ stored: 1, duplicates: 1 })
    expect(await stored()).toEqual(['101', '102'])
  })

  it('reports a timeout as transient without moving the cursor, and resumes from it', async () => {
    clock.set('2026-11-20T12:20:00Z')
    const before = (
      await env.ctx.db
        .selectFrom('sync_cursors')
        .select('cursor_at')
        .where('shop_id', '=', shop.id)
        .where('stream', '=', 'orders')
        .executeTakeFirstOrThrow()
    ).cursor_at
    nock(SITE).get(ORDERS).query(true).times(4).delay(1000).reply(200, [], { 'X-WP-TotalPages': '1' })
    const err = await pullStream(env.ctx, m.id, shop.id, 'orders').catch((e: unknown) => e)
    expect(isConnectorError(err, 'transient')).toBe(true)
    const after = (
      await env.ctx.db
        .selectFrom('sync_cursors')
        .select('cursor_at')
        .where('shop_id', '=', shop.id)
        .where('stream', '=', 'orders')
        .executeTakeFirstOrThrow()
    ).cursor_at
    expect(after).toEqual(before)
    nock(SITE)
      .get(ORDERS)
      .query((q) => q.modified_after === '2026-11-20T12:04:59')
      .reply(200, [order(103, '2026-11-20T12:15:00')], { 'X-WP-TotalPages': '1' })
    await pullStream(env.ctx, m.id, shop.id, 'orders')
    expect(await stored()).toEqual(['101', '102', '103'])
  })
})

describe('webhooks through the API', () => {
  const body = JSON.stringify(order(201, '2026-11-20T12:30:00'))
  const post = (signature: string, delivery?: string) =>
    env.app.inject({
      method: 'POST',
      url: `/webhooks/woocommerce/${shop.id}`,
      headers: {
        'content-type': 'application/json',
        'x-wc-webhook-topic': 'order.updated',
        'x-wc-webhook-signature': signature,
        ...(delivery ? { 'x-wc-webhook-delivery-id': delivery } : {}),
      },
      payload: body,
    })
  const deliveries = () =>
    env.ctx.db.selectFrom('webhook_deliveries').select('id').where('shop_id', '=', shop.id).execute()

  it('refuses a wrong signature with 401 and stores nothing', async () => {
    expect((await post(signWooWebhook('not-the-secret', body), 'd-1')).statusCode).toBe(401)
    expect(await deliveries()).toHaveLength(0)
  })

  it('stores a signed delivery once: the same delivery id, or the same payload again, is a no-op', async () => {
    const sig = signWooWebhook('wc_hook_secret', body)
    expect((await post(sig, 'd-2')).json()).toEqual({ ok: true, duplicate: false })
    expect((await post(sig, 'd-2')).json()).toEqual({ ok: true, duplicate: true })
    expect(await deliveries()).toHaveLength(1)
    // Without a delivery id the payload's hash is the key.
    expect((await post(sig)).json()).toEqual({ ok: true, duplicate: false })
    expect((await post(sig)).json()).toEqual({ ok: true, duplicate: true })
    expect(await deliveries()).toHaveLength(2)
  })
})
