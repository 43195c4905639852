/**
 * Pinduoduo catalogue (catalogue-and-purchasing.md §A.3): pdd.goods.list.get pages the goods on
 * sale, then the goods off sale (`is_onsale` is an exclusive filter, so two walks; page from 1,
 * page_size ≤ 100), each with its SKUs and seller codes; the list has no prices, so each goods'
 * pdd.goods.detail.get adds them (fen) with its status. There is no modified-time filter: the whole
 * catalogue is read every time (the daily pull).
 */
import { codeOf, count, isObj, minor, skuDraft, textOf, type Obj } from '../catalogue-kit.js'
import { ConnectorError } from '../errors.js'
import { idString } from '../json.js'
import type { ListingDraft, ListingSkuDraft, ListingStatus, RawListing, ShopContext } from '../types.js'
import { mapFailed, mapped, type MapResult } from '../types.js'
import { pddClient } from './client.js'

export const PAGE_SIZE = 100

export async function* pullPddCatalogue(shop: ShopContext): AsyncIterable<RawListing[]> {
  const client = pddClient(shop)
  const seen = new Set<string>()
  for (const onsale of [1, 0]) {
    for (let page = 1, pages = 1; page <= pages; page++) {
      const body = await client.call('pdd.goods.list.get', 'goods_list_get_response', {
        is_onsale: onsale,
        page,
        page_size: PAGE_SIZE,
      })
      if (!Array.isArray(body.goods_list) && body.goods_list !== undefined)
        throw new ConnectorError('permanent', 'pdd.goods.list.get answered goods_list that is not a list', {
          channel: 'pdd',
          body: JSON.stringify(body).slice(0, 4096),
        })
      const goods = (body.goods_list ?? []).filter(isObj)
      pages = Math.ceil((count(body.total_count) ?? 0) / PAGE_SIZE)
      const out: RawListing[] = []
      for (const g of goods) {
        const id = idString(g.goods_id)
        if (!id || seen.has(id)) continue
        seen.add(id)
        const detail = await client.call('pdd.goods.detail.get', 'goods_detail_get_response', {
          goods_id: id,
        })
        out.push({ platformItemId: id, platformUpdatedAt: null, payload: { goods: g, detail } })
      }
      if (out.length > 0) yield out
    }
  }
}

/** detail status: 1 on shelf, 2 off shelf, 3 sold out (still on shelf), 4 deleted. */
function goodsStatus(goods: Obj, detail: Obj | null): ListingStatus {
  const s = detail ? count(detail.status) : null
  if (s === 4) return 'deleted'
  if (s === 1 || s === 3) return 'on_sale'
  if (s === 2) return 'off_sale'
  return count(goods.is_onsale) === 1 ? 'on_sale' : 'off_sale'
}

function specText(list: Obj | undefined, detail: Obj | undefined): string | null {
  const parts = (v: unknown, name: string, value: string) =>
    Array.isArray(v)
      ? v
          .filter(isObj)
          .map((x) => [textOf(x[name]), textOf(x[value])].filter(Boolean).join(':'))
          .filter(Boolean)
      : []
  const fromList = parts(list?.spec_details, 'parent_name', 'spec_name')
  if (fromList.length > 0) return fromList.join(';')
  const fromDetail = parts(detail?.spec, 'parent_name', 'spec_name')
  if (fromDetail.length > 0) return fromDetail.join(';')
  return textOf(list?.spec)
}

export function mapPddListing(raw: unknown): MapResult<ListingDraft> {
  if (!isObj(raw) || !isObj(raw.goods))
    return mapFailed('malformed_payload', 'listing must be { goods, detail }')
  const goods = raw.goods
  const detail = isObj(raw.detail) ? raw.detail : null
  const goodsId = idString(goods.goods_id) ?? (detail ? idString(detail.goods_id) : null)
  if (!goodsId) return mapFailed('malformed_payload', 'goods_id is required')
  const listSkus: unknown[] = Array.isArray(goods.sku_list) ? goods.sku_list : []
  const detailSkus = detail && Array.isArray(detail.sku_list) ? detail.sku_list.filter(isObj) : []
  const status = goodsStatus(goods, detail)
  // The SKUs the list names, then any only the detail has; the detail's fields fill what the list lacks.
  const ids: string[] = []
  for (const [i, s] of [...listSkus, ...detailSkus].entries()) {
    if (!isObj(s)) return mapFailed('malformed_payload', `sku_list[${i}] must be an object`)
    const id = idString(s.sku_id)
    if (!id) return mapFailed('malformed_payload', `sku_list[${i}].sku_id is required`)
    if (!ids.includes(id)) ids.push(id)
  }
  const byId = (list: unknown[], id: string) => list.filter(isObj).find((s) => idString(s.sku_id) === id)
  const drafts: ListingSkuDraft[] = ids.map((id) => {
    const l = byId(listSkus, id)
    const d = byId(detailSkus, id)
    // outer_id (list) and out_sku_sn (detail) are the same SKU merchant code (§A.3.2).
    const onsale = count(l?.is_sku_onsale ?? d?.is_onsale)
    return skuDraft({
      platformSkuKey: id,
      platformSkuId: id,
      code: codeOf(l?.outer_id) ?? codeOf(d?.out_sku_sn),
      specText: specText(l, d),
      price: minor(d?.price),
      quantity: count(l?.sku_quantity ?? d?.quantity),
      heldQuantity: count(l?.reserve_quantity ?? d?.reserve_quantity),
      status: status !== 'on_sale' ? status : onsale === 0 ? 'off_sale' : 'on_sale',
      platformStatus: textOf(detail?.status) ?? textOf(goods.is_onsale),
    })
  })
  const firstCode = listSkus
    .filter(isObj)
    .map((s) => codeOf(s.outer_goods_id))
    .find(Boolean)
  return mapped({
    platformItemId: goodsId,
    title: textOf(goods.goods_name) ?? textOf(detail?.goods_name) ?? '',
    itemCode: codeOf(detail?.outer_goods_id) ?? firstCode ?? null,
    status,
    platformStatus: textOf(detail?.status) ?? textOf(goods.is_onsale),
    currency: 'CNY',
    platformUpdatedAt: null,
    skus: drafts,
  })
}
