/**
 * WooCommerce catalogue (catalogue-and-purchasing.md §A.6): GET /products (every status, 100 a
 * page, orderby id asc, X-WP-TotalPages), then each variable product's GET
 * /products/{id}/variations (100 a page). A simple product is one SKU keyed by its id; a variation
 * is keyed `product:variation`, as the order mapper keys lines. SKUs are unique per store, so a
 * WooCommerce shop never has one code on two listings (§A.6.2).
 */
import { codeOf, count, isObj, major, skuDraft, textOf, type Obj } from '../catalogue-kit.js'
import { ConnectorError } from '../errors.js'
import type { PlatformClient } from '../http.js'
import { idString } from '../json.js'
import type { ListingDraft, ListingSkuDraft, ListingStatus, RawListing, ShopContext } from '../types.js'
import { mapFailed, mapped, type MapResult } from '../types.js'
import { wooClient } from './client.js'
import { gmt, skuKey } from './map.js'

const API = '/wp-json/wc/v3'
export const PER_PAGE = 100

const client = (shop: ShopContext): PlatformClient => wooClient(shop)

/** Every page of a list endpoint, following X-WP-TotalPages. */
async function* pages(
  http: PlatformClient,
  url: string,
  params: Record<string, unknown>,
): AsyncGenerator<Obj[]> {
  for (let page = 1, total = 1; page <= total; page++) {
    const res = await http.request({ method: 'GET', url, params: { ...params, per_page: PER_PAGE, page } })
    if (!Array.isArray(res.json))
      throw new ConnectorError('permanent', `WooCommerce answered ${url} without a JSON array`, {
        channel: 'woocommerce',
        body: res.text.slice(0, 4096),
      })
    total = Math.max(1, Number.parseInt(res.headers['x-wp-totalpages'] ?? '1', 10) || 1)
    yield res.json.filter(isObj)
  }
}

export async function* pullWooCatalogue(shop: ShopContext): AsyncIterable<RawListing[]> {
  const http = client(shop)
  for await (const products of pages(http, `${API}/products`, {
    status: 'any',
    orderby: 'id',
    order: 'asc',
  })) {
    const out: RawListing[] = []
    for (const product of products) {
      const id = idString(product.id)
      if (!id) continue
      const variations: Obj[] = []
      if (product.type === 'variable')
        for await (const v of pages(http, `${API}/products/${encodeURIComponent(id)}/variations`, {}))
          variations.push(...v)
      out.push({
        platformItemId: id,
        platformUpdatedAt: gmt(product.date_modified_gmt),
        payload: { product, variations },
      })
    }
    if (out.length > 0) yield out
  }
}

/** publish sells; draft, pending and private do not; trash is gone. */
const productStatus = (v: unknown): ListingStatus =>
  v === 'publish' ? 'on_sale' : v === 'trash' ? 'deleted' : 'off_sale'

function sku(
  productId: string,
  o: Obj,
  variationId: string | null,
  parent: Obj | null,
  status: ListingStatus,
): ListingSkuDraft {
  // A variation managed at the parent level follows the parent's quantity (§A.6.2 ⚠; v2 said "parent").
  const managed = o.manage_stock === true || (o.manage_stock === 'parent' && parent?.manage_stock === true)
  const fromParent = o.manage_stock === 'parent' && parent !== null
  const attributes = Array.isArray(o.attributes) ? o.attributes.filter(isObj) : []
  const spec = attributes.map((a) => `${textOf(a.name) ?? ''}:${textOf(a.option) ?? ''}`).join(';')
  return skuDraft({
    platformSkuKey: skuKey(productId, variationId)!,
    platformSkuId: skuKey(productId, variationId),
    code: codeOf(o.sku),
    barcode: textOf(o.global_unique_id),
    specText: spec === '' ? null : spec,
    price: major(o.price) ?? major(o.regular_price),
    quantity: count(fromParent ? parent.stock_quantity : o.stock_quantity),
    status: variationId && o.status !== undefined && o.status !== 'publish' ? 'off_sale' : status,
    platformStatus: textOf(o.stock_status),
    stockMode: managed ? 'normal' : 'untracked',
    platformUpdatedAt: gmt(o.date_modified_gmt),
  })
}

export function mapWooListing(raw: unknown): MapResult<ListingDraft> {
  if (!isObj(raw) || !isObj(raw.product))
    return mapFailed('malformed_payload', 'listing must be { product, variations }')
  const p = raw.product
  const productId = idString(p.id)
  if (!productId) return mapFailed('malformed_payload', 'product.id is required')
  const variations: unknown[] = Array.isArray(raw.variations) ? raw.variations : []
  const status = productStatus(p.status)
  const skus: ListingSkuDraft[] = []
  if (p.type === 'variable') {
    for (const [i, v] of variations.entries()) {
      if (!isObj(v)) return mapFailed('malformed_payload', `variations[${i}] must be an object`)
      const variationId = idString(v.id)
      if (!variationId) return mapFailed('malformed_payload', `variations[${i}].id is required`)
      skus.push(sku(productId, v, variationId, p, status))
    }
  } else if (p.type !== 'grouped' && p.type !== 'external') {
    // Grouped and external products sell nothing of their own (no stock to push).
    skus.push(sku(productId, p, null, null, status))
  }
  return mapped({
    platformItemId: productId,
    title: textOf(p.name) ?? '',
    itemCode: p.type === 'variable' ? codeOf(p.sku) : null,
    status,
    platformStatus: textOf(p.status),
    currency: null,
    platformUpdatedAt: gmt(p.date_modified_gmt),
    skus,
  })
}
