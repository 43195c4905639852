/**
 * A WooCommerce site linked through the API against the sandbox REST v3 site: the pull pages
 * GET /products by X-WP-TotalPages, maps every product by its SKU (keyed as order lines key them)
 * and pushes the hub's stock through the batch endpoint.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startWooSandbox, type WooSandbox } from '../../../src/sandbox/woocommerce-server.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { catalogueOf, linkShop, listings, pullAndPush, seedCatalogue, stockOf } from './harness.js'

const catalogue = catalogueOf(28) // 112 simple products: two pages of 100
let env: TestEnv
let m: TestMerchant
let woo: WooSandbox

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  woo = await startWooSandbox({ seed: 81, catalogue, consumerKey: 'ck_x', consumerSecret: 'cs_x' })
  await seedCatalogue(env, m, catalogue)
})
afterAll(async () => {
  await woo.close()
  await env.close()
})

it('pulls the catalogue of a linked site, maps it by SKU and pushes its stock', async () => {
  woo.listings[7]!.onSale = false // a draft product is pulled too
  const { shopId, pullJobId } = await linkShop(env, m, {
    channel: 'woocommerce',
    name: 'woo',
    settings: { baseUrl: woo.url },
    credentials: { consumerKey: 'ck_x', consumerSecret: 'cs_x', webhookSecret: 'wh' },
  })
  const { pull, push } = await pullAndPush(env, pullJobId)
  expect(pull).toMatchObject({ listings: 112, skus: 112, unreadable: 0, linked: 112 })

  const rows = await listings(env, m, shopId, '', 200)
  expect(rows).toHaveLength(112)
  for (const c of catalogue)
    expect(rows.find((r) => r.code === c.skuCode)).toMatchObject({
      platformSkuKey: woo.productIdOf(c.skuCode),
      platformItemId: woo.productIdOf(c.skuCode),
      state: 'mapped',
      matchMethod: 'exact',
      price: c.price,
      platformQuantity: 50,
    })
  expect(rows.find((r) => r.platformItemId === woo.listings[7]!.itemId)).toMatchObject({ state: 'mapped' })
  expect(push).toMatchObject({ sent: 112, failed: 0 })
  for (const c of catalogue) expect(woo.stock.get(woo.productIdOf(c.skuCode))).toBe(stockOf(c.skuCode))
})
