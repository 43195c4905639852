/** The Shopify listing mapper (catalogue-and-purchasing.md §A.5) and the pull's cursor paging (nock). */
import nock from 'nock'
import { afterEach, describe, expect, it } from 'vitest'
import { mapShopifyListing, pullShopifyCatalogue } from '../../../../connectors/shopify/catalogue.js'
import type { ShopContext } from '../../../../connectors/types.js'
import { fixedClock } from '../../../../src/lib/clock.js'
import { createLogger } from '../../../../src/lib/logger.js'
import { drain } from '../../../helpers/connectors.js'

const ORIGIN = 'https://acme.myshopify.com'
const GQL = '/admin/api/2026-07/graphql.json'
const shop: ShopContext = {
  id: 'shop-catalogue',
  merchantId: 'm',
  channel: 'shopify',
  settings: { shopDomain: 'acme.myshopify.com', timeoutMs: 300, ratePerSecond: 1000 },
  credentials: { accessToken: 'shpat_secret_token' },
  clock: fixedClock('2026-11-20T12:00:00Z'),
  log: createLogger('silent'),
  saveCredentials: async () => undefined,
}

// Fields as the reference's productVariants example selects them (§A.5.1).
const variant = (id: number, product: number, over: Record<string, unknown> = {}) => ({
  id: `gid://shopify/ProductVariant/${id}`,
  legacyResourceId: String(id),
  title: 'Black / M',
  sku: `TS-${id}`,
  barcode: '6901234567892',
  price: '59.00',
  inventoryQuantity: 40,
  inventoryPolicy: 'DENY',
  updatedAt: '2025-03-01T02:20:30Z',
  selectedOptions: [
    { name: 'Color', value: 'Black' },
    { name: 'Size', value: 'M' },
  ],
  product: { id: `gid://shopify/Product/${product}` },
  inventoryItem: { id: `gid://shopify/InventoryItem/${id + 1000}`, tracked: true },
  ...over,
})
const product = (id: number, status = 'ACTIVE') => ({
  id: `gid://shopify/Product/${id}`,
  legacyResourceId: String(id),
  title: `T-shirt ${id}`,
  status,
  updatedAt: '2025-03-01T02:20:30Z',
})

describe('mapShopifyListing', () => {
  it('reads variants: id as key, SKU code, options, shop-currency price, inventory item, untracked items', () => {
    const r = mapShopifyListing({
      product: product(8001, 'DRAFT'),
      variants: [
        variant(44001, 8001),
        variant(44002, 8001, {
          sku: '',
          selectedOptions: [{ name: 'Title', value: 'Default Title' }],
          inventoryItem: { id: 'gid://shopify/InventoryItem/45002', tracked: false },
        }),
      ],
      shop: { currencyCode: 'EUR' },
    })
    if (!r.ok) throw new Error(r.detail)
    expect(r.value).toMatchObject({
      platformItemId: '8001',
      title: 'T-shirt 8001',
      status: 'off_sale',
      currency: 'EUR',
    })
    expect(r.value.skus[0]).toMatchObject({
      platformSkuKey: '44001',
      inventoryItemId: '45001',
      code: 'TS-44001',
      specText: 'Color:Black;Size:M',
      quantity: 40,
      stockMode: 'normal',
    })
    expect(r.value.skus[0]!.price!.toFixed(2)).toBe('59.00')
    expect(r.value.skus[1]).toMatchObject({ code: null, specText: 'Black / M', stockMode: 'untracked' })
  })

  it('refuses a listing without a product id or a variant without id', () => {
    expect(mapShopifyListing({ product: {}, variants: [] })).toMatchObject({ ok: false })
    expect(mapShopifyListing({ product: product(1), variants: [{ sku: 'A' }] })).toMatchObject({
      ok: false,
      detail: 'variants[0].id is required',
    })
  })
})

describe('pullShopifyCatalogue', () => {
  afterEach(() => nock.cleanAll())

  it('follows both cursors and hands each product on with all of its variants', async () => {
    const bodies: { query: string; variables: Record<string, unknown> }[] = []
    nock(ORIGIN)
      .post(GQL)
      .times(10)
      .reply((_uri, body) => {
        const b = body as { query: string; variables: Record<string, unknown> }
        bodies.push(b)
        if (b.query.includes('query Shop')) return [200, { data: { shop: { currencyCode: 'USD' } } }]
        if (b.query.includes('CatalogueProducts'))
          return [
            200,
            b.variables.after
              ? {
                  data: {
                    products: { pageInfo: { hasNextPage: false, endCursor: 'p2' }, nodes: [product(3)] },
                  },
                }
              : {
                  data: {
                    products: {
                      pageInfo: { hasNextPage: true, endCursor: 'p1' },
                      nodes: [product(1), product(2)],
                    },
                  },
                },
          ]
        // Variants of products 1 and 2 come over two pages, interleaved by id.
        if (b.variables.query === 'product_ids:3')
          return [
            200,
            {
              data: {
                productVariants: {
                  pageInfo: { hasNextPage: false, endCursor: null },
                  nodes: [variant(30, 3)],
                },
              },
            },
          ]
        return [
          200,
          b.variables.after
            ? {
                data: {
                  productVariants: {
                    pageInfo: { hasNextPage: false, endCursor: 'v2' },
                    nodes: [variant(12, 1)],
                  },
                },
              }
            : {
                data: {
                  productVariants: {
                    pageInfo: { hasNextPage: true, endCursor: 'v1' },
                    nodes: [variant(10, 1), variant(11, 2)],
                  },
                },
              },
        ]
      })
    const pages = await drain(pullShopifyCatalogue(shop))
    expect(pages.map((p) => p.map((l) => l.platformItemId))).toEqual([['1', '2'], ['3']])
    const variantsOf = (l: { payload: unknown }) =>
      (l.payload as { variants: { legacyResourceId: string }[] }).variants.map((v) => v.legacyResourceId)
    expect(pages.flat().map(variantsOf)).toEqual([['10', '12'], ['11'], ['30']])
    expect(
      bodies
        .filter((b) => b.query.includes('CatalogueVariants'))
        .map((b) => [b.variables.query, b.variables.after]),
    ).toEqual([
      ['product_ids:1,2', null],
      ['product_ids:1,2', 'v1'],
      ['product_ids:3', null],
    ])
  })
})
