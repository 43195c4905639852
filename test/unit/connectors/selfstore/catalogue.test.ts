/** The self-run store's catalogue (CONTRACT.md "list products"): the mapper and the cursor paging (nock). */
import nock from 'nock'
import { afterEach, describe, expect, it } from 'vitest'
import { mapSelfstoreListing, pullSelfstoreCatalogue } from '../../../../connectors/selfstore/catalogue.js'
import type { ShopContext } from '../../../../connectors/types.js'
import { fixedClock } from '../../../../src/lib/clock.js'
import { createLogger } from '../../../../src/lib/logger.js'
import { connectorFailure, drain } from '../../../helpers/connectors.js'

const BASE = 'https://store.example/api'
const shop: ShopContext = {
  id: 'store-catalogue',
  merchantId: 'm',
  channel: 'selfstore',
  settings: { baseUrl: BASE, timeoutMs: 500 },
  credentials: { apiKey: 'key-1' },
  clock: fixedClock('2026-11-20T12:00:00Z'),
  log: createLogger('silent'),
  saveCredentials: async () => undefined,
}
// The contract's example product.
const product = {
  id: 'P-100',
  title: '保温杯 500ml',
  status: 'active',
  currency: 'CNY',
  updated_at: '2026-11-01T09:00:00+08:00',
  variants: [
    { sku: 'CUP-500', title: '黑色', barcode: '6901234567892', price: '89.00', stock: 42, active: true },
    { sku: 'CUP-501', title: '白色', price: '89.00', stock: null, active: false },
  ],
}

describe('mapSelfstoreListing', () => {
  it('reads the contract example: variants keyed by their merchant code, price, stock, status', () => {
    const r = mapSelfstoreListing(product)
    if (!r.ok) throw new Error(r.detail)
    expect(r.value).toMatchObject({
      platformItemId: 'P-100',
      status: 'on_sale',
      currency: 'CNY',
      platformUpdatedAt: new Date('2026-11-01T01:00:00Z'),
    })
    expect(
      r.value.skus.map((s) => [s.platformSkuKey, s.code, s.specText, s.quantity, s.status, s.stockMode]),
    ).toEqual([
      ['CUP-500', 'CUP-500', '黑色', 42, 'on_sale', 'normal'],
      ['CUP-501', 'CUP-501', '白色', null, 'off_sale', 'untracked'],
    ])
    expect(r.value.skus[0]!.price!.toFixed(2)).toBe('89.00')
  })

  it('refuses a variant without sku: it is the key', () => {
    expect(mapSelfstoreListing({ ...product, variants: [{ title: 'x' }] })).toMatchObject({
      ok: false,
      detail: "variants[0].sku is required (it is the variant's key)",
    })
  })
})

describe('pullSelfstoreCatalogue', () => {
  afterEach(() => nock.cleanAll())

  it('follows next_cursor with the bearer key', async () => {
    nock('https://store.example', { reqheaders: { authorization: 'Bearer key-1' } })
      .get('/api/products')
      .query({ limit: '200' })
      .reply(200, { products: [product], next_cursor: 'c2' })
      .get('/api/products')
      .query({ limit: '200', cursor: 'c2' })
      .reply(200, { products: [{ ...product, id: 'P-101' }], next_cursor: null })
    const pages = await drain(pullSelfstoreCatalogue(shop))
    expect(pages.map((p) => p.map((l) => l.platformItemId))).toEqual([['P-100'], ['P-101']])
  })

  it('says so when the store has no catalogue endpoint', async () => {
    nock('https://store.example').get('/api/products').query(true).reply(404, { error: 'no route' })
    const err = await connectorFailure(drain(pullSelfstoreCatalogue(shop)))
    expect(err.kind).toBe('permanent')
    expect(err.message).toMatch(/does not implement GET \/products/)
  })
})
