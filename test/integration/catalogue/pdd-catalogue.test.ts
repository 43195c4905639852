/**
 * A Pinduoduo shop linked through the API against the sandbox gateway (MD5-signed forms): the pull
 * walks pdd.goods.list.get on sale and off sale, reads prices from pdd.goods.detail.get, maps every
 * SKU by its outer_id and pushes the hub's stock with pdd.goods.quantity.update.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startPddSandbox, type PddSandbox } from '../../../src/sandbox/pdd-server.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { catalogueOf, linkShop, listings, pullAndPush, seedCatalogue, stockOf } from './harness.js'

const cred = { clientId: 'pdd-client', clientSecret: 'pdd-secret', accessToken: 'pdd-token' }
const catalogue = catalogueOf(6)
let env: TestEnv
let m: TestMerchant
let pdd: PddSandbox

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  pdd = await startPddSandbox({ seed: 51, catalogue, ...cred })
  await seedCatalogue(env, m, catalogue)
})
afterAll(async () => {
  await pdd.close()
  await env.close()
})

it('pulls the catalogue of a linked shop, maps it by outer_id and pushes its stock', async () => {
  pdd.listings[1]!.onSale = false
  pdd.listings[4]!.onSale = false
  const { shopId, pullJobId } = await linkShop(env, m, {
    channel: 'pdd',
    name: 'pdd',
    settings: { baseUrl: pdd.url },
    credentials: cred,
  })
  const { pull, push } = await pullAndPush(env, pullJobId)
  expect(pull).toMatchObject({ listings: 6, skus: 24, unreadable: 0, linked: 24 })
  const lists = pdd.calls.filter((c) => c.type === 'pdd.goods.list.get')
  expect(lists.map((c) => c.params.is_onsale)).toEqual(['1', '0'])
  expect(pdd.calls.filter((c) => c.type === 'pdd.goods.detail.get')).toHaveLength(6)

  const rows = await listings(env, m, shopId)
  expect(rows).toHaveLength(24)
  for (const c of catalogue)
    expect(rows.find((r) => r.code === c.skuCode)).toMatchObject({
      platformSkuKey: pdd.skuIdOf(c.skuCode),
      platformItemId: pdd.goodsIdOf(c.skuCode),
      state: 'mapped',
      matchMethod: 'exact',
      price: c.price, // fen on the wire, yuan here
      platformQuantity: 50,
    })
  expect(push).toMatchObject({ sent: 24, failed: 0 })
  for (const c of catalogue) expect(pdd.stock.get(pdd.skuIdOf(c.skuCode))).toBe(stockOf(c.skuCode))
})
