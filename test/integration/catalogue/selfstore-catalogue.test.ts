/**
 * A self-run store linked through the API against the sandbox store (CONTRACT.md): the pull reads
 * GET /products, maps every variant by its merchant code and pushes the hub's stock with PUT /stock.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startSelfstoreSandbox, type SelfstoreSandbox } from '../../../src/sandbox/selfstore-server.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { CATALOGUE, linkShop, listings, pullAndPush, seedCatalogue, stockOf } from './harness.js'

let env: TestEnv
let m: TestMerchant
let store: SelfstoreSandbox

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  store = await startSelfstoreSandbox({ seed: 91, catalogue: CATALOGUE, apiKey: 'k', webhookSecret: 's' })
  await seedCatalogue(env, m)
})
afterAll(async () => {
  await store.close()
  await env.close()
})

it('pulls the catalogue of a linked store, maps it by merchant code and pushes its stock', async () => {
  store.listings.find((l) => l.itemId === 'P-TEA')!.onSale = false
  const { shopId, pullJobId } = await linkShop(env, m, {
    channel: 'selfstore',
    name: 'web store',
    settings: { baseUrl: store.url },
    credentials: { apiKey: 'k', webhookSecret: 's' },
  })
  const { pull, push } = await pullAndPush(env, pullJobId)
  expect(pull).toMatchObject({ listings: 4, skus: 8, unreadable: 0, linked: 8 })
  const rows = await listings(env, m, shopId)
  expect(rows).toHaveLength(8)
  for (const c of CATALOGUE)
    expect(rows.find((r) => r.code === c.skuCode)).toMatchObject({
      platformSkuKey: c.skuCode,
      platformItemId: `P-${c.skuCode.split('-')[0]!}`,
      state: 'mapped',
      matchMethod: 'exact',
      price: c.price,
      platformQuantity: 50,
    })
  expect(rows.filter((r) => r.platformItemId === 'P-TEA').map((r) => r.code)).toEqual(['TEA-1', 'TEA-2'])
  expect(push).toMatchObject({ sent: 8, failed: 0 })
  for (const c of CATALOGUE) expect(store.stock.get(c.skuCode)?.quantity).toBe(stockOf(c.skuCode))
})
