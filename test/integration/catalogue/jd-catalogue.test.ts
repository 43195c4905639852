/**
 * A JD shop linked through the API against the sandbox JOS gateway (signed form posts, ids beyond
 * 2^53): the pull pages searchWare4Valid and searchSkuList (20 wares a call, two pages of SKUs),
 * maps every SKU by its outerId and pushes the hub's stock with updateSkuStock.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startJdSandbox, type JdSandbox } from '../../../src/sandbox/jd-server.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { catalogueOf, linkShop, listings, pullAndPush, seedCatalogue, stockOf } from './harness.js'

const cred = { appKey: 'jd-key', appSecret: 'jd-secret', accessToken: 'jd-token' }
const catalogue = catalogueOf(16)
let env: TestEnv
let m: TestMerchant
let jd: JdSandbox

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  jd = await startJdSandbox({ seed: 41, catalogue, ...cred })
  await seedCatalogue(env, m, catalogue)
})
afterAll(async () => {
  await jd.close()
  await env.close()
})

it('pulls the catalogue of a linked shop, maps it by outerId and pushes its stock', async () => {
  jd.listings[3]!.onSale = false // a delisted ware is pulled too
  const { shopId, pullJobId } = await linkShop(env, m, {
    channel: 'jd',
    name: 'jd',
    settings: { baseUrl: jd.url },
    credentials: cred,
  })
  const { pull, push } = await pullAndPush(env, pullJobId)
  expect(pull).toMatchObject({ listings: 16, skus: 64, unreadable: 0, linked: 64 })
  const calls = jd.calls.map((c) => c.method)
  expect(calls.filter((c) => c === 'jingdong.ware.read.searchWare4Valid')).toHaveLength(1)
  expect(calls.filter((c) => c === 'jingdong.sku.read.searchSkuList')).toHaveLength(2) // 64 SKUs, 50 a page

  const rows = await listings(env, m, shopId)
  expect(rows).toHaveLength(64)
  for (const c of catalogue)
    expect(rows.find((r) => r.code === c.skuCode)).toMatchObject({
      platformSkuKey: jd.skuIdOf(c.skuCode),
      platformItemId: jd.wareIdOf(c.skuCode),
      state: 'mapped',
      matchMethod: 'exact',
      price: c.price,
      platformQuantity: 50,
    })
  expect(push).toMatchObject({ sent: 64, failed: 0 })
  for (const c of catalogue) expect(jd.stock.get(jd.skuIdOf(c.skuCode))).toBe(stockOf(c.skuCode))
})
