/**
 * Taobao's pushed messages (TMC over HTTP) through the sync framework, against the sandbox TOP
 * gateway and the real database: each message names a trade, the trade is fetched in full and lands
 * in the pool, and only then are the messages confirmed; unconfirmed messages come back.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { taobao } from '../../../connectors/taobao/index.js'
import type { ShopContext } from '../../../connectors/types.js'
import { systemClock } from '../../../src/lib/clock.js'
import { createLogger } from '../../../src/lib/logger.js'
import { startTopSandbox, type TopSandbox } from '../../../src/sandbox/top-server.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { pullStream } from '../../../src/sync/pull.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

const catalogue = [
  { skuCode: 'CUP-1', title: '保温杯 500ml 黑色', price: '89.00' },
  { skuCode: 'TEA-1', title: '西湖龙井 250g', price: '128.00' },
]
const cred = { appKey: '12345678', appSecret: 'tmc-secret', session: 'tmc-session' }
let env: TestEnv
let m: TestMerchant
let top: TopSandbox
let shop: Shop

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  top = await startTopSandbox({ seed: 21, catalogue, ...cred, refundRate: 0 })
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'taobao',
    name: '天猫',
    settings: { baseUrl: top.url, ratePerSecond: 1000, tmc: true },
    credentials: cred,
  })
})
afterAll(async () => {
  await top.close()
  await env.close()
})

const pool = async () =>
  env.ctx.db.selectFrom('orders').select(['external_id', 'status']).where('shop_id', '=', shop.id).execute()

it('fetches the trades the messages name, stores them once, and confirms the messages after', async () => {
  const generated = top.generate(6)
  expect(top.tmc).toHaveLength(6)
  const r = await pullStream(env.ctx, m.id, shop.id, 'messages')
  expect(r.stored).toBe(6)
  expect((await pool()).map((o) => o.external_id).sort()).toEqual(generated.map((t) => String(t.tid)).sort())
  expect(top.tmc).toHaveLength(0) // confirmed
  expect((await pullStream(env.ctx, m.id, shop.id, 'messages')).pages).toBe(0)
})

it('a change on the platform arrives as a message and updates the order', async () => {
  const paid = [...top.trades.values()].find((t) => t.status === 'WAIT_SELLER_SEND_GOODS')!
  top.cancel(String(paid.tid)) // refunded in full before shipment
  expect(top.tmc.map((x) => x.tid)).toContain(String(paid.tid))
  await pullStream(env.ctx, m.id, shop.id, 'messages')
  expect((await pool()).find((o) => o.external_id === String(paid.tid))?.status).toBe('cancelled')
  expect(top.tmc).toHaveLength(0)
})

it('delivers unconfirmed messages again, and takes none from a shop that has not enabled TMC', async () => {
  top.generate(2)
  const sc: ShopContext = {
    id: 's',
    merchantId: m.id,
    channel: 'taobao',
    settings: { baseUrl: top.url, ratePerSecond: 1000, tmc: true },
    credentials: cred,
    clock: systemClock,
    log: createLogger('silent'),
    saveCredentials: async () => undefined,
  }
  const first = await taobao.pullMessages!(sc)
  const again = await taobao.pullMessages!(sc) // nothing confirmed in between
  expect(again.ids).toEqual(first.ids)
  expect(first.orderIds).toHaveLength(2)
  const consumed = top.calls.get('taobao.tmc.messages.consume') ?? 0
  expect(await taobao.pullMessages!({ ...sc, settings: { baseUrl: top.url } })).toEqual({
    ids: [],
    orderIds: [],
  })
  expect(top.calls.get('taobao.tmc.messages.consume') ?? 0).toBe(consumed)
})
