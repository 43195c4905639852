/**
 * Taobao / Tmall catalogue (catalogue-and-purchasing.md §A.1): the item ids from
 * taobao.items.onsale.get and taobao.items.inventory.get (banner for_shelved, then sold_out, which
 * can be back on sale after our first push), walked by modified time with order_by=modified:asc
 * and split while a window holds more than the 20 000 rows a list serves; then the items with
 * their SKUs from taobao.items.seller.list.get, 20 ids a call.
 */
import { fromShanghai, toShanghai } from '../cn/time.js'
import { codeOf, count, isObj, major, skuDraft, textOf } from '../catalogue-kit.js'
import { ConnectorError } from '../errors.js'
import { idString } from '../json.js'
import type { ListingDraft, ListingSkuDraft, ListingStatus, RawListing, ShopContext } from '../types.js'
import { mapFailed, mapped, type MapResult } from '../types.js'
import { listOf, topCaller, type TopCall } from './top.js'

export const LIST_PAGE_SIZE = 200
/** page_no × page_size may not exceed 20 000 (the page_size text; the page_no text says 100 000). */
export const LIST_DEPTH_MAX = 20_000
/** items.seller.list.get takes at most 20 num_iids. */
export const DETAIL_BATCH = 20
/** The list calls only accept their whitelisted fields; these two select and order the items. */
const LIST_FIELDS = 'num_iid,modified'
export const ITEM_FIELDS =
  'num_iid,title,outer_id,approve_status,num,price,modified,barcode,with_hold_quantity,sub_stock,is_combine,sku'
/** Before any Taobao item existed: the first window of the walk. */
const EPOCH = new Date('2003-01-01T00:00:00Z')

interface ListSpec {
  method: string
  banner?: string
}
const LISTS: readonly ListSpec[] = [
  { method: 'taobao.items.onsale.get' },
  { method: 'taobao.items.inventory.get', banner: 'for_shelved' },
  { method: 'taobao.items.inventory.get', banner: 'sold_out' },
]

function totalOf(p: Record<string, unknown>, method: string): number {
  const n = count(p.total_results)
  if (n === null)
    throw new ConnectorError('permanent', `taobao ${method} answered without total_results`, {
      channel: 'taobao',
      body: JSON.stringify(p).slice(0, 4096),
    })
  return n
}

/** Item ids of one list modified in [from, to], the window halved while deeper than the list serves. */
async function* listIds(call: TopCall, spec: ListSpec, from: Date, to: Date): AsyncGenerator<string[]> {
  const params = (page: number, size: number, fields: string) => ({
    fields,
    page_no: String(page),
    page_size: String(size),
    order_by: 'modified:asc',
    start_modified: toShanghai(from),
    end_modified: toShanghai(to),
    ...(spec.banner ? { banner: spec.banner } : {}),
  })
  const total = totalOf(await call(spec.method, params(1, 1, 'num_iid')), spec.method)
  const span = to.getTime() - from.getTime()
  if (total > LIST_DEPTH_MAX && span > 2000) {
    const mid = new Date(from.getTime() + Math.floor(span / 2000) * 1000)
    yield* listIds(call, spec, from, mid)
    // The bounds are inclusive on both ends: the second half starts a second later.
    yield* listIds(call, spec, new Date(mid.getTime() + 1000), to)
    return
  }
  const pages = Math.min(Math.ceil(total / LIST_PAGE_SIZE), LIST_DEPTH_MAX / LIST_PAGE_SIZE)
  for (let page = 1; page <= pages; page++) {
    const p = await call(spec.method, params(page, LIST_PAGE_SIZE, LIST_FIELDS))
    const ids = listOf(p.items, 'item')
      .map((i) => (isObj(i) ? idString(i.num_iid) : null))
      .filter((id): id is string => id !== null)
    if (ids.length > 0) yield ids
  }
}

export async function* pullTaobaoCatalogue(shop: ShopContext): AsyncIterable<RawListing[]> {
  const call = topCaller(shop)
  const seen = new Set<string>()
  const to = new Date(shop.clock.now().getTime() + 60_000)
  for (const spec of LISTS) {
    for await (const ids of listIds(call, spec, EPOCH, to)) {
      const fresh = ids.filter((id) => !seen.has(id) && seen.add(id))
      for (let i = 0; i < fresh.length; i += DETAIL_BATCH) {
        const p = await call('taobao.items.seller.list.get', {
          num_iids: fresh.slice(i, i + DETAIL_BATCH).join(','),
          fields: ITEM_FIELDS,
        })
        // Unknown or foreign ids return no row and no error (§A.1.1): an item deleted meanwhile is simply absent.
        yield listOf(p.items, 'item')
          .filter(isObj)
          .map((item) => ({
            platformItemId: idString(item.num_iid) ?? 'unidentified',
            platformUpdatedAt: fromShanghai(item.modified),
            payload: item,
          }))
      }
    }
  }
}

/** `pid:vid:pname:vname;…` → `pname:vname;…`, with TOP's #cln# / #scln# escapes undone in the names. */
export function specOfPropertiesName(v: unknown): string | null {
  const text = textOf(v)
  if (!text) return null
  const unescape = (s: string) => s.replace(/#cln#/g, ':').replace(/#scln#/g, ';')
  const parts = text.split(';').map((p) => {
    const [, , name, value] = p.split(':')
    return name !== undefined && value !== undefined ? `${unescape(name)}:${unescape(value)}` : unescape(p)
  })
  return parts.join(';')
}

const itemStatus = (v: unknown): ListingStatus => (v === 'onsale' ? 'on_sale' : 'off_sale')

export function mapTaobaoListing(raw: unknown): MapResult<ListingDraft> {
  if (!isObj(raw)) return mapFailed('malformed_payload', 'item must be an object')
  const itemId = idString(raw.num_iid)
  if (!itemId) return mapFailed('malformed_payload', 'num_iid is required')
  const status = itemStatus(raw.approve_status)
  const modified = fromShanghai(raw.modified)
  const held = count(raw.with_hold_quantity)
  const skus = listOf(raw.skus, 'sku')
  const drafts: ListingSkuDraft[] = []
  if (skus.length === 0) {
    // A single-SKU item (§A.1.6): its code is the item's outer_id, its stock item.num, pushed by num_iid.
    drafts.push(
      skuDraft({
        platformSkuKey: `item:${itemId}`,
        code: codeOf(raw.outer_id),
        barcode: textOf(raw.barcode),
        price: major(raw.price),
        quantity: count(raw.num),
        heldQuantity: held,
        status,
        platformStatus: textOf(raw.approve_status),
        platformUpdatedAt: modified,
      }),
    )
  }
  for (const [i, s] of skus.entries()) {
    if (!isObj(s)) return mapFailed('malformed_payload', `skus[${i}] must be an object`)
    const skuId = idString(s.sku_id)
    if (!skuId) return mapFailed('malformed_payload', `skus[${i}].sku_id is required`)
    drafts.push(
      skuDraft({
        platformSkuKey: skuId,
        platformSkuId: skuId,
        code: codeOf(s.outer_id),
        barcode: textOf(s.barcode),
        specText: specOfPropertiesName(s.properties_name) ?? textOf(s.properties),
        price: major(s.price),
        quantity: count(s.quantity),
        status: s.status === 'delete' ? 'deleted' : status,
        platformStatus: textOf(s.status) ?? textOf(raw.approve_status),
        platformUpdatedAt: fromShanghai(s.modified) ?? modified,
      }),
    )
  }
  return mapped({
    platformItemId: itemId,
    title: textOf(raw.title) ?? '',
    itemCode: codeOf(raw.outer_id),
    status,
    platformStatus: textOf(raw.approve_status),
    currency: 'CNY',
    platformUpdatedAt: modified,
    skus: drafts,
  })
}
