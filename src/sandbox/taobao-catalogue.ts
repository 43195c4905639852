/**
 * The TOP gateway's item APIs over the sandbox listings (catalogue-and-purchasing.md §A.1):
 * taobao.items.onsale.get and taobao.items.inventory.get (the fields whitelist — other fields are
 * not returned —, page_size ≤ 200, page_no × page_size ≤ 20 000, inventory page_no ≤ 101,
 * inclusive modified bounds, order_by) and taobao.items.seller.list.get (≤ 20 ids, the SKUs under
 * `skus` when `sku` is asked for, unknown ids silently absent). properties_name escapes ':' and
 * ';' in names as #cln# / #scln#, as TOP does.
 */
import { fromShanghai, toShanghai } from '../../connectors/cn/time.js'
import { money, toAmount } from '../money/index.js'
import type { SandboxListing, SandboxSku } from './catalogue.js'

type Obj = Record<string, unknown>

/** A TOP error for the gateway to answer (code, msg, sub_code, sub_msg). */
export class TopCatalogueError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly subCode?: string,
    readonly subMsg?: string,
  ) {
    super(msg)
  }
}

export const TOP_CATALOGUE_METHODS = new Set([
  'taobao.items.onsale.get',
  'taobao.items.inventory.get',
  'taobao.items.seller.list.get',
])

/** §A.1.1: the only fields the two list calls return. */
const LIST_FIELDS = new Set(
  'approve_status,num_iid,title,nick,type,cid,pic_url,num,props,valid_thru,list_time,price,has_discount,has_invoice,has_warranty,has_showcase,modified,delist_time,postage_id,seller_cids,outer_id,sold_quantity'.split(
    ',',
  ),
)
const BANNERS = new Set([
  'regular_shelved',
  'never_on_shelf',
  'off_shelf',
  'for_shelved',
  'sold_out',
  'violation_off_shelf',
])

const escapeName = (s: string) => s.replace(/:/g, '#cln#').replace(/;/g, '#scln#')
const invalid = (subMsg: string) =>
  new TopCatalogueError(15, 'Remote service error', 'isv.invalid-parameter', subMsg)

export interface TopCatalogueState {
  listings: readonly SandboxListing[]
  quantityOf(sku: SandboxSku): number
}

function itemOf(l: SandboxListing, st: TopCatalogueState): Obj {
  const live = l.skus.filter((s) => !s.deleted)
  const prices = live.map((s) => money(s.price))
  return {
    num_iid: l.itemId,
    title: l.title,
    nick: 'sandbox旗舰店',
    type: 'fixed',
    outer_id: l.itemCode,
    approve_status: l.onSale ? 'onsale' : 'instock',
    num: live.reduce((n, s) => n + st.quantityOf(s), 0),
    price: prices.length ? toAmount(prices.reduce((a, b) => (b.lt(a) ? b : a))) : '0.00',
    modified: toShanghai(l.modified),
    with_hold_quantity: 0,
    sub_stock: 2,
    is_combine: false,
    skus: l.skus.map((s, i) => ({
      sku_id: s.skuId,
      num_iid: l.itemId,
      outer_id: s.code,
      properties: `1627207:${28_000 + i}`,
      properties_name: `1627207:${28_000 + i}:${escapeName('规格')}:${escapeName(s.spec)}`,
      quantity: st.quantityOf(s),
      price: s.price,
      ...(s.barcode ? { barcode: s.barcode } : {}),
      status: s.deleted ? 'delete' : 'normal',
      modified: toShanghai(s.modified),
    })),
  }
}

function pick(o: Obj, fields: ReadonlySet<string>): Obj {
  return Object.fromEntries(
    Object.entries(o).filter(([k]) => fields.has(k) || (k === 'skus' && fields.has('sku'))),
  )
}

function listCall(method: string, p: Record<string, string>, st: TopCatalogueState): Obj {
  if (!p.fields) throw new TopCatalogueError(40, 'Missing required arguments:fields')
  const pageNo = Number(p.page_no ?? 1)
  const pageSize = Number(p.page_size ?? 40)
  if (!Number.isInteger(pageNo) || pageNo < 1) throw new TopCatalogueError(41, 'Invalid arguments:page_no')
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200)
    throw invalid('page_size的取值范围为1-200')
  if (pageNo * pageSize > 20_000) throw invalid('page_no*page_size不能超过20000，请按修改时间分段查询')
  const inventory = method === 'taobao.items.inventory.get'
  if (inventory && pageNo > 101) throw invalid('page_no不能超过101')
  const banner = p.banner ?? 'for_shelved'
  if (inventory && !banner.split(',').every((b) => BANNERS.has(b))) throw invalid(`banner ${banner}不合法`)
  const from = p.start_modified ? fromShanghai(p.start_modified) : null
  const to = p.end_modified ? fromShanghai(p.end_modified) : null
  if ((p.start_modified && !from) || (p.end_modified && !to))
    throw new TopCatalogueError(41, 'Invalid arguments:start_modified/end_modified')
  const soldOut = (l: SandboxListing) => l.skus.filter((s) => !s.deleted).every((s) => st.quantityOf(s) === 0)
  const wanted = st.listings.filter((l) => {
    if (l.deleted) return false
    if (from && l.modified < from) return false
    if (to && l.modified > to) return false
    if (!inventory) return l.onSale
    if (l.onSale) return false
    return banner === 'sold_out' ? soldOut(l) : !soldOut(l)
  })
  const [field, dir] = (p.order_by ?? 'list_time:desc').split(':')
  const sorted = [...wanted].sort((a, b) => {
    const d =
      field === 'modified' ? a.modified.getTime() - b.modified.getTime() : a.itemId.localeCompare(b.itemId)
    return (dir === 'asc' ? d : -d) || a.itemId.localeCompare(b.itemId)
  })
  const fields = new Set(p.fields.split(',').filter((f) => LIST_FIELDS.has(f.trim())))
  const page = sorted
    .slice((pageNo - 1) * pageSize, pageNo * pageSize)
    .map((l) => pick(itemOf(l, st), fields))
  return { ...(page.length > 0 ? { items: page } : {}), total_results: sorted.length }
}

/** The answer to one catalogue method; throws TopCatalogueError for TOP's error_response. */
export function topCatalogueCall(method: string, p: Record<string, string>, st: TopCatalogueState): Obj {
  if (method !== 'taobao.items.seller.list.get') return listCall(method, p, st)
  if (!p.fields || !p.num_iids)
    throw new TopCatalogueError(40, `Missing required arguments:${p.fields ? 'num_iids' : 'fields'}`)
  const ids = p.num_iids.split(',').filter(Boolean)
  if (ids.length > 20) throw invalid('num_iids最多20个')
  const fields = new Set(p.fields.split(',').map((f) => f.trim()))
  const items = ids
    .map((id) => st.listings.find((l) => l.itemId === id && !l.deleted))
    .filter((l): l is SandboxListing => l !== undefined)
    .map((l) => pick(itemOf(l, st), fields))
  return items.length > 0 ? { items } : {}
}
