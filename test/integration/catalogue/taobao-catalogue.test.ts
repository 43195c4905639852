/**
 * A Taobao shop linked through the API against the sandbox TOP gateway (real HTTP, signed calls):
 * the link queues the catalogue pull, the pull walks items.onsale.get / items.inventory.get and
 * items.seller.list.get, every SKU maps by its seller code, and the stock push it queues sets the
 * hub's quantities on the platform.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTopSandbox, type TopSandbox } from '../../../src/sandbox/top-server.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { CATALOGUE, linkShop, listings, pullAndPush, seedCatalogue, stockOf } from './harness.js'

const cred = { appKey: '12345678', appSecret: 'sandbox-secret', session: 'sandbox-session' }
let env: TestEnv
let m: TestMerchant
let top: TopSandbox

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  top = await startTopSandbox({ seed: 21, catalogue: CATALOGUE, ...cred })
  await seedCatalogue(env, m)
})
afterAll(async () => {
  await top.close()
  await env.close()
})

it('pulls the catalogue of a linked shop, maps it by seller code and pushes its stock', async () => {
  // One item delisted (in the warehouse, still sold out or not): the inventory list finds it too.
  top.listings.find((l) => l.itemCode === 'SCARF')!.onSale = false
  const { shopId, pullJobId } = await linkShop(env, m, {
    channel: 'taobao',
    name: 'tb',
    settings: { baseUrl: top.url, ratePerSecond: 1000 },
    credentials: cred,
  })
  const { pull, push } = await pullAndPush(env, pullJobId)
  expect(pull).toMatchObject({ listings: 4, skus: CATALOGUE.length, unreadable: 0, linked: CATALOGUE.length })
  expect(top.calls.get('taobao.items.onsale.get')).toBeGreaterThanOrEqual(2)
  expect(top.calls.get('taobao.items.inventory.get')).toBeGreaterThanOrEqual(2)
  expect(top.calls.get('taobao.items.seller.list.get')).toBe(2) // on-sale ids, then the delisted one

  const rows = await listings(env, m, shopId)
  expect(rows).toHaveLength(CATALOGUE.length)
  for (const c of CATALOGUE) {
    const row = rows.find((r) => r.code === c.skuCode)!
    expect(row).toMatchObject({
      platformSkuKey: top.skuIdOf(c.skuCode),
      platformItemId: top.itemIdOf(c.skuCode),
      state: 'mapped',
      issue: null,
      matchMethod: 'exact',
      price: c.price,
      platformQuantity: 50,
      mapping: { skuCode: c.skuCode, source: 'auto' },
    })
  }
  // The stock push the pull queued sets every mapped SKU to the hub's quantity.
  expect(push).toMatchObject({ sent: CATALOGUE.length, failed: 0 })
  for (const c of CATALOGUE) expect(top.stock.get(top.skuIdOf(c.skuCode))?.quantity).toBe(stockOf(c.skuCode))
})
