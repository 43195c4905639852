/** The WooCommerce listing mapper (catalogue-and-purchasing.md §A.6) and the pull's paging (nock). */
import nock from 'nock'
import { afterEach, describe, expect, it } from 'vitest'
import { mapWooListing, pullWooCatalogue } from '../../../../connectors/woocommerce/catalogue.js'
import type { ShopContext } from '../../../../connectors/types.js'
import { fixedClock } from '../../../../src/lib/clock.js'
import { createLogger } from '../../../../src/lib/logger.js'
import { drain } from '../../../helpers/connectors.js'

const BASE = 'https://woo.example'
const shop: ShopContext = {
  id: 'woo-catalogue',
  merchantId: 'm',
  channel: 'woocommerce',
  settings: { baseUrl: BASE, timeoutMs: 500 },
  credentials: { consumerKey: 'ck', consumerSecret: 'cs' },
  clock: fixedClock('2026-11-20T12:00:00Z'),
  log: createLogger('silent'),
  saveCredentials: async () => undefined,
}

const variable = {
  id: 799,
  name: 'Ship Your Idea',
  type: 'variable',
  status: 'publish',
  sku: 'SHIP',
  manage_stock: false,
  stock_quantity: null,
  date_modified_gmt: '2025-03-01T10:20:30',
  variations: [733, 732],
}
const variations = [
  {
    id: 733,
    sku: 'SHIP-BLK',
    price: '9.00',
    regular_price: '9.00',
    status: 'publish',
    manage_stock: true,
    stock_quantity: 12,
    stock_status: 'instock',
    global_unique_id: '6901234567892',
    attributes: [{ id: 6, name: 'Color', option: 'Black' }],
    date_modified_gmt: '2025-03-01T10:20:31',
  },
  {
    id: 732,
    sku: 'SHIP-GRN',
    price: '9.00',
    status: 'private',
    manage_stock: false,
    stock_quantity: null,
    stock_status: 'instock',
    attributes: [{ id: 6, name: 'Color', option: 'Green' }],
  },
]

describe('mapWooListing', () => {
  it('keys variations product:variation, reads SKU, GTIN, attributes, price, stock, unmanaged stock', () => {
    const r = mapWooListing({ product: variable, variations })
    if (!r.ok) throw new Error(r.detail)
    expect(r.value).toMatchObject({
      platformItemId: '799',
      title: 'Ship Your Idea',
      itemCode: 'SHIP',
      status: 'on_sale',
      platformUpdatedAt: new Date('2025-03-01T10:20:30Z'),
    })
    expect(
      r.value.skus.map((s) => [s.platformSkuKey, s.code, s.specText, s.quantity, s.stockMode, s.status]),
    ).toEqual([
      ['799:733', 'SHIP-BLK', 'Color:Black', 12, 'normal', 'on_sale'],
      ['799:732', 'SHIP-GRN', 'Color:Green', null, 'untracked', 'off_sale'],
    ])
    expect(r.value.skus[0]).toMatchObject({ barcode: '6901234567892' })
    expect(r.value.skus[0]!.price!.toFixed(2)).toBe('9.00')
  })

  it('reads a simple product as one SKU keyed by its id; a draft is off sale', () => {
    const r = mapWooListing({
      product: {
        id: 1001,
        type: 'simple',
        status: 'draft',
        sku: 'CUP',
        price: '89.00',
        manage_stock: true,
        stock_quantity: 3,
      },
      variations: [],
    })
    if (!r.ok) throw new Error(r.detail)
    expect(r.value.skus).toEqual([
      expect.objectContaining({
        platformSkuKey: '1001',
        code: 'CUP',
        quantity: 3,
        status: 'off_sale',
        stockMode: 'normal',
      }),
    ])
    expect(mapWooListing({ product: {}, variations: [] })).toMatchObject({ ok: false })
  })
})

describe('pullWooCatalogue', () => {
  afterEach(() => nock.cleanAll())

  it('pages products by X-WP-TotalPages and reads the variations of a variable product', async () => {
    const simple = (id: number) => ({ id, type: 'simple', status: 'publish', sku: `S${id}` })
    nock(BASE)
      .get('/wp-json/wc/v3/products')
      .query((q) => q.page === '1' && q.per_page === '100' && q.status === 'any' && q.orderby === 'id')
      .reply(200, [simple(1), variable], { 'x-wp-totalpages': '2' })
      .get('/wp-json/wc/v3/products')
      .query((q) => q.page === '2')
      .reply(200, [simple(3)], { 'x-wp-totalpages': '2' })
      .get('/wp-json/wc/v3/products/799/variations')
      .query((q) => q.page === '1' && q.per_page === '100')
      .reply(200, variations, { 'x-wp-totalpages': '1' })
    const pages = await drain(pullWooCatalogue(shop))
    expect(pages.map((p) => p.map((l) => l.platformItemId))).toEqual([['1', '799'], ['3']])
    expect((pages[0]![1]!.payload as { variations: unknown[] }).variations).toHaveLength(2)
    expect(nock.isDone()).toBe(true)
  })
})
