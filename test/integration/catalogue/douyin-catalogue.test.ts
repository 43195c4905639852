/**
 * A Douyin shop linked through the API against the sandbox open API (signed param_json, 19-digit
 * ids): the pull walks product.listV2 online and offline, reads each product's sku.list, maps every
 * SKU by its code and pushes the hub's stock with sku.syncStock.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startDouyinSandbox, type DouyinSandbox } from '../../../src/sandbox/douyin-server.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { catalogueOf, linkShop, listings, pullAndPush, seedCatalogue, stockOf } from './harness.js'

const cred = { appKey: 'dy-key', appSecret: 'dy-secret', accessToken: 'dy-token' }
const catalogue = catalogueOf(6)
let env: TestEnv
let m: TestMerchant
let dy: DouyinSandbox

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  dy = await startDouyinSandbox({ seed: 61, catalogue, ...cred })
  await seedCatalogue(env, m, catalogue)
})
afterAll(async () => {
  await dy.close()
  await env.close()
})

it('pulls the catalogue of a linked shop, maps it by SKU code and pushes its stock', async () => {
  dy.listings[2]!.onSale = false
  const { shopId, pullJobId } = await linkShop(env, m, {
    channel: 'douyin',
    name: 'dy',
    settings: { baseUrl: dy.url },
    credentials: cred,
  })
  const { pull, push } = await pullAndPush(env, pullJobId)
  expect(pull).toMatchObject({ listings: 6, skus: 24, unreadable: 0, linked: 24 })
  const lists = dy.calls.filter((c) => c.method === 'product.listV2')
  expect(lists.map((c) => [c.params.status, c.params.page])).toEqual([
    [0, 1],
    [1, 1],
  ])
  expect(dy.calls.filter((c) => c.method === 'sku.list')).toHaveLength(6)

  const rows = await listings(env, m, shopId)
  expect(rows).toHaveLength(24)
  for (const c of catalogue)
    expect(rows.find((r) => r.code === c.skuCode)).toMatchObject({
      platformSkuKey: dy.skuIdOf(c.skuCode),
      platformItemId: dy.productIdOf(c.skuCode),
      state: 'mapped',
      matchMethod: 'exact',
      price: c.price, // fen on the wire
      platformQuantity: 50,
    })
  expect(push).toMatchObject({ sent: 24, failed: 0 })
  for (const c of catalogue) expect(dy.stock.get(dy.skuIdOf(c.skuCode))).toBe(stockOf(c.skuCode))
})
