/**
 * Shopify catalogue (catalogue-and-purchasing.md §A.5): products paged by cursor (first ≤ 250,
 * sortKey ID), then the variants of 50 products at a time through
 * productVariants(query: "product_ids:…"), also paged by cursor, so that each product is handed on
 * with all of its variants. The code is `variant.sku`; stock is set on the variant's inventory item,
 * and a variant whose item is not tracked is marked so (a push does nothing useful there). Prices
 * are in the shop's currency, read once from `shop`.
 */
import { codeOf, count, isObj, major, skuDraft, textOf, type Obj } from '../catalogue-kit.js'
import { ConnectorError } from '../errors.js'
import type { ListingDraft, ListingSkuDraft, ListingStatus, RawListing, ShopContext } from '../types.js'
import { mapFailed, mapped, type MapResult } from '../types.js'
import { SHOP_QUERY, shopifyClient } from './graphql.js'
import { gidTail } from './map.js'

export const PRODUCTS_PAGE = 250
export const VARIANTS_PAGE = 250
export const PRODUCTS_PER_VARIANT_QUERY = 50

export const CATALOGUE_PRODUCTS_QUERY = `query CatalogueProducts($first: Int!, $after: String) {
  products(first: $first, after: $after, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes { id legacyResourceId title handle status vendor productType createdAt updatedAt }
  }
}`

export const CATALOGUE_VARIANTS_QUERY = `query CatalogueVariants($first: Int!, $after: String, $query: String!) {
  productVariants(first: $first, after: $after, query: $query, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id legacyResourceId title sku barcode price compareAtPrice inventoryQuantity inventoryPolicy updatedAt
      selectedOptions { name value }
      product { id }
      inventoryItem { id tracked }
    }
  }
}`

function connection(data: Obj, key: string): { nodes: Obj[]; next: string | null } {
  const c = data[key]
  if (!isObj(c) || !Array.isArray(c.nodes))
    throw new ConnectorError('permanent', `shopify answered ${key} without nodes`, {
      channel: 'shopify',
      body: JSON.stringify(data).slice(0, 4096),
    })
  const info = isObj(c.pageInfo) ? c.pageInfo : {}
  return {
    nodes: c.nodes.filter(isObj),
    next: info.hasNextPage === true && typeof info.endCursor === 'string' ? info.endCursor : null,
  }
}

export async function* pullShopifyCatalogue(shop: ShopContext): AsyncIterable<RawListing[]> {
  const client = shopifyClient(shop)
  const shopData = await client.graphql<Obj>(SHOP_QUERY)
  const currency = isObj(shopData.shop) ? textOf(shopData.shop.currencyCode) : null
  let after: string | null = null
  do {
    const page = connection(
      await client.graphql<Obj>(CATALOGUE_PRODUCTS_QUERY, { first: PRODUCTS_PAGE, after }),
      'products',
    )
    after = page.next
    for (let i = 0; i < page.nodes.length; i += PRODUCTS_PER_VARIANT_QUERY) {
      const products = page.nodes.slice(i, i + PRODUCTS_PER_VARIANT_QUERY)
      const ids = products.map((p) => gidTail(p.id)).filter((id): id is string => id !== null)
      const variants = new Map<string, Obj[]>(ids.map((id) => [id, []]))
      let vAfter: string | null = null
      do {
        const v = connection(
          await client.graphql<Obj>(CATALOGUE_VARIANTS_QUERY, {
            first: VARIANTS_PAGE,
            after: vAfter,
            query: `product_ids:${ids.join(',')}`,
          }),
          'productVariants',
        )
        for (const node of v.nodes) {
          const owner = isObj(node.product) ? gidTail(node.product.id) : null
          if (owner && variants.has(owner)) variants.get(owner)!.push(node)
        }
        vAfter = v.next
      } while (vAfter)
      yield products
        .filter((p) => gidTail(p.id) !== null)
        .map((product) => {
          const id = gidTail(product.id)!
          const updated = new Date(textOf(product.updatedAt) ?? '')
          return {
            platformItemId: id,
            platformUpdatedAt: Number.isNaN(updated.getTime()) ? null : updated,
            payload: { product, variants: variants.get(id) ?? [], shop: { currencyCode: currency } },
          }
        })
    }
  } while (after)
}

/** ACTIVE (and UNLISTED: active, reachable by link) sell; DRAFT and ARCHIVED do not. */
const productStatus = (v: unknown): ListingStatus =>
  v === 'ACTIVE' || v === 'UNLISTED' ? 'on_sale' : 'off_sale'

const time = (v: unknown): Date | null => {
  const d = new Date(textOf(v) ?? '')
  return Number.isNaN(d.getTime()) ? null : d
}

function optionsText(v: unknown): string | null {
  const opts = Array.isArray(v) ? v.filter(isObj) : []
  // A product without options has the single option "Title: Default Title": no spec to show.
  const parts = opts
    .filter((o) => !(o.name === 'Title' && o.value === 'Default Title'))
    .map((o) => `${textOf(o.name) ?? ''}:${textOf(o.value) ?? ''}`)
  return parts.length > 0 ? parts.join(';') : null
}

export function mapShopifyListing(raw: unknown): MapResult<ListingDraft> {
  if (!isObj(raw) || !isObj(raw.product))
    return mapFailed('malformed_payload', 'listing must be { product, variants }')
  const p = raw.product
  const productId = gidTail(p.legacyResourceId ?? p.id)
  if (!productId) return mapFailed('malformed_payload', 'product.id is required')
  if (!Array.isArray(raw.variants)) return mapFailed('malformed_payload', 'variants must be an array')
  const status = productStatus(p.status)
  const currency = isObj(raw.shop) ? textOf(raw.shop.currencyCode) : null
  const drafts: ListingSkuDraft[] = []
  for (const [i, v] of raw.variants.entries()) {
    if (!isObj(v)) return mapFailed('malformed_payload', `variants[${i}] must be an object`)
    const variantId = gidTail(v.legacyResourceId ?? v.id)
    if (!variantId) return mapFailed('malformed_payload', `variants[${i}].id is required`)
    const item = isObj(v.inventoryItem) ? v.inventoryItem : null
    drafts.push(
      skuDraft({
        platformSkuKey: variantId,
        platformSkuId: variantId,
        inventoryItemId: item ? gidTail(item.id) : null,
        // Case-sensitive and possibly empty (§A.5.3).
        code: codeOf(v.sku),
        barcode: textOf(v.barcode),
        specText: optionsText(v.selectedOptions) ?? textOf(v.title),
        price: major(v.price),
        quantity: count(v.inventoryQuantity),
        status,
        platformStatus: textOf(p.status),
        stockMode: item && item.tracked === false ? 'untracked' : 'normal',
        platformUpdatedAt: time(v.updatedAt),
      }),
    )
  }
  return mapped({
    platformItemId: productId,
    title: textOf(p.title) ?? '',
    itemCode: null,
    status,
    platformStatus: textOf(p.status),
    currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : null,
    platformUpdatedAt: time(p.updatedAt),
    skus: drafts,
  })
}
