/**
 * The self-run store's catalogue (CONTRACT.md, "list products"): GET /products paged by the store's
 * opaque cursor. Each variant's `sku` is the merchant code and also the key the store's orders and
 * stock use, so a variant maps to the SKU of the same code (or to one that normalises to it).
 */
import { codeOf, count, isObj, major, skuDraft, textOf } from '../catalogue-kit.js'
import { ConnectorError, isConnectorError } from '../errors.js'
import { createPlatformClient } from '../http.js'
import { idString } from '../json.js'
import type { ListingDraft, ListingSkuDraft, ListingStatus, RawListing, ShopContext } from '../types.js'
import { mapFailed, mapped, type MapResult } from '../types.js'

export const PAGE_SIZE = 200
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')

const time = (v: unknown): Date | null => {
  const d = typeof v === 'string' ? new Date(v) : null
  return d && !Number.isNaN(d.getTime()) ? d : null
}

export async function* pullSelfstoreCatalogue(shop: ShopContext): AsyncIterable<RawListing[]> {
  const apiKey = text(shop.credentials.apiKey)
  const http = createPlatformClient({
    channel: 'selfstore',
    limiterKey: shop.id,
    baseUrl: text(shop.settings.baseUrl),
    ratePerSecond: Number(shop.settings.ratePerSecond ?? 10),
    timeoutMs: Number(shop.settings.timeoutMs ?? 20_000),
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
    secrets: [apiKey],
  })
  let cursor: string | null = null
  do {
    let json: unknown
    try {
      json = (
        await http.request({
          method: 'GET',
          url: '/products',
          params: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) },
        })
      ).json
    } catch (err) {
      if (isConnectorError(err) && err.detail.httpStatus === 404)
        throw new ConnectorError(
          'permanent',
          'the store does not implement GET /products (CONTRACT.md, list products): map its SKUs by hand',
          { channel: 'selfstore', httpStatus: 404 },
        )
      throw err
    }
    if (!isObj(json) || !Array.isArray(json.products))
      throw new ConnectorError('permanent', 'self-run store answered GET /products without a products list', {
        channel: 'selfstore',
        body: JSON.stringify(json ?? null).slice(0, 4096),
      })
    const next: unknown = json.next_cursor
    cursor = typeof next === 'string' && next !== '' ? next : null
    const listings = json.products.filter(isObj).map((p) => ({
      platformItemId: idString(p.id) ?? 'unidentified',
      platformUpdatedAt: time(p.updated_at),
      payload: p,
    }))
    if (listings.length > 0) yield listings
  } while (cursor)
}

const productStatus = (v: unknown): ListingStatus =>
  v === 'active' ? 'on_sale' : v === 'deleted' ? 'deleted' : 'off_sale'

export function mapSelfstoreListing(raw: unknown): MapResult<ListingDraft> {
  if (!isObj(raw)) return mapFailed('malformed_payload', 'product must be an object')
  const id = idString(raw.id)
  if (!id) return mapFailed('malformed_payload', 'id is required')
  if (!Array.isArray(raw.variants)) return mapFailed('malformed_payload', 'variants must be an array')
  const status = productStatus(raw.status)
  const skus: ListingSkuDraft[] = []
  for (const [i, v] of raw.variants.entries()) {
    if (!isObj(v)) return mapFailed('malformed_payload', `variants[${i}] must be an object`)
    const code = codeOf(v.sku)
    if (!code)
      return mapFailed('malformed_payload', `variants[${i}].sku is required (it is the variant's key)`)
    skus.push(
      skuDraft({
        platformSkuKey: code,
        platformSkuId: code,
        code,
        barcode: textOf(v.barcode),
        specText: textOf(v.title),
        price: major(v.price),
        quantity: count(v.stock),
        status: status === 'on_sale' && v.active === false ? 'off_sale' : status,
        platformStatus: textOf(raw.status),
        stockMode: v.stock === null ? 'untracked' : 'normal',
        platformUpdatedAt: time(raw.updated_at),
      }),
    )
  }
  const currency = textOf(raw.currency)
  return mapped({
    platformItemId: id,
    title: textOf(raw.title) ?? '',
    itemCode: null,
    status,
    platformStatus: textOf(raw.status),
    currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : null,
    platformUpdatedAt: time(raw.updated_at),
    skus,
  })
}
