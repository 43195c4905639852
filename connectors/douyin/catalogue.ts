/**
 * Douyin shop catalogue (catalogue-and-purchasing.md §A.4): product.listV2 by status (0 online,
 * then 1 offline; page from 1, size ≤ 100, page × size ≤ 10 000 — a deeper status is walked in
 * update-time windows, halved until each fits, their exclusive bounds overlapping by a second),
 * then each product's SKUs from sku.list (its `data` is an array). Prices are fen; list times Unix
 * seconds, detail times strings.
 */
import { fromEpochSeconds, fromShanghai, toEpochSeconds } from '../cn/time.js'
import { codeOf, count, isObj, minor, skuDraft, textOf, type Obj } from '../catalogue-kit.js'
import { ConnectorError } from '../errors.js'
import { idString } from '../json.js'
import type {
  ListingDraft,
  ListingSkuDraft,
  ListingStatus,
  RawListing,
  ShopContext,
  StockMode,
} from '../types.js'
import { mapFailed, mapped, type MapResult } from '../types.js'
import { createDouyinClient, type DouyinClient } from './client.js'

export const PAGE_SIZE = 100
/** page × size may not exceed 10 000 (§A.4.1). */
export const DEPTH_MAX = 10_000
const EPOCH_S = toEpochSeconds(new Date('2016-01-01T00:00:00Z'))

function listPage(data: unknown): { products: Obj[]; total: number } {
  if (!isObj(data) || (data.data !== undefined && data.data !== null && !Array.isArray(data.data)))
    throw new ConnectorError('permanent', 'douyin product.listV2 answered without a data list', {
      channel: 'douyin',
      body: JSON.stringify(data).slice(0, 4096),
    })
  return { products: Array.isArray(data.data) ? data.data.filter(isObj) : [], total: count(data.total) ?? 0 }
}

/** Products of one status updated strictly inside (from, to), in Unix seconds. */
async function* products(
  client: DouyinClient,
  status: number,
  from: number,
  to: number,
): AsyncGenerator<Obj[]> {
  const call = (page: number, size: number) =>
    client.call('product.listV2', { status, page, size, update_start_time: from, update_end_time: to })
  const first = listPage(await call(1, PAGE_SIZE))
  if (first.total > DEPTH_MAX && to - from > 2) {
    const mid = from + Math.floor((to - from) / 2)
    // (from, mid + 1) holds from+1…mid and (mid, to) holds mid+1…to−1: together the whole window.
    yield* products(client, status, from, mid + 1)
    yield* products(client, status, mid, to)
    return
  }
  if (first.products.length > 0) yield first.products
  const pages = Math.min(Math.ceil(first.total / PAGE_SIZE), DEPTH_MAX / PAGE_SIZE)
  for (let page = 2; page <= pages; page++) {
    const { products: list } = listPage(await call(page, PAGE_SIZE))
    if (list.length > 0) yield list
  }
}

export async function* pullDouyinCatalogue(shop: ShopContext): AsyncIterable<RawListing[]> {
  const client = createDouyinClient(shop)
  const seen = new Set<string>()
  const to = toEpochSeconds(shop.clock.now()) + 60
  for (const status of [0, 1]) {
    for await (const page of products(client, status, EPOCH_S, to)) {
      const out: RawListing[] = []
      for (const product of page) {
        const id = idString(product.product_id)
        if (!id || seen.has(id)) continue
        seen.add(id)
        if (!/^\d{1,19}$/.test(id))
          throw new ConnectorError('permanent', `douyin product_id "${id}" is not an int64`, {
            channel: 'douyin',
          })
        const skus = await client.call('sku.list', { product_id: BigInt(id) })
        out.push({
          platformItemId: id,
          platformUpdatedAt: fromEpochSeconds(product.update_time) ?? fromShanghai(product.update_time),
          payload: { product, skus },
        })
      }
      if (out.length > 0) yield out
    }
  }
}

const productStatus = (v: unknown): ListingStatus =>
  count(v) === 0 ? 'on_sale' : count(v) === 2 ? 'deleted' : 'off_sale'
const stockMode = (v: unknown): StockMode =>
  count(v) === 1 ? 'regional' : count(v) === 10 ? 'step' : 'normal'
/** A time as product.listV2 (Unix seconds) or product.detail (a Beijing wall-time string) writes it. */
const when = (v: unknown): Date | null => fromEpochSeconds(v) ?? fromShanghai(v)

function specOf(s: Obj): string | null {
  const props = Array.isArray(s.sell_properties) ? s.sell_properties.filter(isObj) : []
  const names = props.map((p) => textOf(p.value_name)).filter((n): n is string => n !== null)
  if (names.length > 0) return names.join(' ')
  const legacy = [s.spec_detail_name1, s.spec_detail_name2, s.spec_detail_name3].map(textOf).filter(Boolean)
  return legacy.length > 0 ? legacy.join(' ') : null
}

/** Regional stock: the sum over warehouses; otherwise the spot stock. */
function quantityOf(s: Obj): number | null {
  if (count(s.sku_type) === 1 && isObj(s.stock_map))
    return Object.values(s.stock_map).reduce<number>((n, q) => n + (count(q) ?? 0), 0)
  return count(s.stock_num)
}

export function mapDouyinListing(raw: unknown): MapResult<ListingDraft> {
  if (!isObj(raw) || !isObj(raw.product))
    return mapFailed('malformed_payload', 'listing must be { product, skus }')
  const p = raw.product
  const productId = idString(p.product_id)
  if (!productId) return mapFailed('malformed_payload', 'product.product_id is required')
  if (!Array.isArray(raw.skus)) return mapFailed('malformed_payload', 'skus must be the sku.list data array')
  const status = productStatus(p.status)
  const drafts: ListingSkuDraft[] = []
  for (const [i, s] of raw.skus.entries()) {
    if (!isObj(s)) return mapFailed('malformed_payload', `skus[${i}] must be an object`)
    const skuId = idString(s.id) ?? idString(s.sku_id)
    if (!skuId) return mapFailed('malformed_payload', `skus[${i}].id is required`)
    // out_sku_id is the legacy int64 code: 0 means "not set" (§A.4.2).
    const legacy = idString(s.out_sku_id)
    drafts.push(
      skuDraft({
        platformSkuKey: skuId,
        platformSkuId: skuId,
        code: codeOf(s.code) ?? codeOf(s.outer_sku_id) ?? (legacy && legacy !== '0' ? legacy : null),
        barcode: isObj(s.customs_report_info) ? textOf(s.customs_report_info.bar_code) : null,
        specText: specOf(s),
        price: minor(s.price),
        quantity: quantityOf(s),
        heldQuantity: count(s.prehold_stock_num),
        status,
        platformStatus: textOf(p.status),
        stockMode: stockMode(s.sku_type),
        platformUpdatedAt: when(s.update_time) ?? when(p.update_time),
      }),
    )
  }
  return mapped({
    platformItemId: productId,
    title: textOf(p.name) ?? '',
    itemCode:
      codeOf(p.outer_product_id) ?? (idString(p.out_product_id) !== '0' ? idString(p.out_product_id) : null),
    status,
    platformStatus: textOf(p.status),
    currency: 'CNY',
    platformUpdatedAt: when(p.update_time),
    skus: drafts,
  })
}
