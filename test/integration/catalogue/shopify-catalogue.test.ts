/**
 * A Shopify store linked through the API against the sandbox Admin GraphQL endpoint: the pull pages
 * products and their variants by cursor, maps every variant by its SKU, keeps the inventory item
 * stock is set on, and the push sets the hub's quantities at the store's location.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startShopifySandbox, type ShopifySandbox } from '../../../src/sandbox/shopify-server.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { catalogueOf, linkShop, listings, pullAndPush, seedCatalogue, stockOf } from './harness.js'

const catalogue = catalogueOf(70) // 280 variants: two variant queries (50 products each)
let env: TestEnv
let m: TestMerchant
let store: ShopifySandbox

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  store = await startShopifySandbox({ seed: 71, catalogue, accessToken: 'shpat_x', webhookSecret: 'whs' })
  await seedCatalogue(env, m, catalogue)
})
afterAll(async () => {
  await store.close()
  await env.close()
})

it('pulls the catalogue of a linked store, maps it by variant SKU and pushes its stock', async () => {
  store.listings[5]!.onSale = false // a draft product is pulled too
  const location = store.locationIds[0]!
  const { shopId, pullJobId } = await linkShop(env, m, {
    channel: 'shopify',
    name: 'shopify',
    settings: {
      shopDomain: store.shopDomain,
      baseUrl: store.url,
      defaultLocationId: location,
      ratePerSecond: 1000,
    },
    credentials: { accessToken: 'shpat_x', webhookSecret: 'whs' },
  })
  const { pull, push } = await pullAndPush(env, pullJobId)
  expect(pull).toMatchObject({ listings: 70, skus: 280, unreadable: 0, linked: 280 })

  const rows = await listings(env, m, shopId, '', 200)
  expect(rows).toHaveLength(280)
  for (const c of catalogue)
    expect(rows.find((r) => r.code === c.skuCode)).toMatchObject({
      platformSkuKey: store.variantIdOf(c.skuCode),
      platformItemId: store.productIdOf(c.skuCode),
      state: 'mapped',
      matchMethod: 'exact',
      price: c.price,
      platformQuantity: 0,
    })
  const one = await env.ctx.db
    .selectFrom('channel_listing_skus')
    .select(['inventory_item_id', 'currency', 'stock_mode'])
    .where('platform_sku_key', '=', store.variantIdOf('P01-1'))
    .executeTakeFirstOrThrow()
  expect(one).toEqual({
    inventory_item_id: store.inventoryItemIdOf('P01-1'),
    currency: 'USD',
    stock_mode: 'normal',
  })
  expect(push).toMatchObject({ sent: 280, failed: 0 })
  for (const c of catalogue) expect(store.available(c.skuCode, location)).toBe(stockOf(c.skuCode))
})
