/**
 * Pinduoduo goods APIs over the sandbox listings (catalogue-and-purchasing.md §A.3):
 * pdd.goods.list.get (page from 1, page_size ≤ 100, the exclusive filters is_onsale > outer_id >
 * goods_name, SKUs with their outer_id, no prices) and pdd.goods.detail.get (status 1–4, prices
 * in fen, the SKU code as out_sku_sn). Ids are bare JSON integers.
 */
import { money } from '../money/index.js'
import type { SandboxListing, SandboxSku } from './catalogue.js'
import { Bare, wire, type Wire } from './wire.js'

export const PDD_CATALOGUE_TYPES = new Set(['pdd.goods.list.get', 'pdd.goods.detail.get'])

export interface PddCatalogueState {
  listings: readonly SandboxListing[]
  quantityOf(sku: SandboxSku): number
  /** The gateway's error body (error_response) for a business refusal. */
  error(code: number, msg: string, subMsg: string): string
}

const fen = (yuan: string) => new Bare(money(yuan).mul(100).toFixed(0))
const created = (l: SandboxListing) => Math.floor(l.modified.getTime() / 1000) - 86_400

function listGoods(l: SandboxListing, st: PddCatalogueState): Wire {
  const live = l.skus.filter((s) => !s.deleted)
  return {
    goods_id: new Bare(l.itemId),
    goods_name: l.title,
    image_url: `https://img.pddpic.com/sandbox/${l.itemId}.jpg`,
    thumb_url: `https://img.pddpic.com/sandbox/${l.itemId}_t.jpg`,
    goods_quantity: live.reduce((n, s) => n + st.quantityOf(s), 0),
    goods_reserve_quantity: 0,
    is_onsale: l.onSale ? 1 : 0,
    is_more_sku: live.length > 1 ? 1 : 0,
    created_at: created(l),
    sku_list: live.map((s, i) => ({
      sku_id: new Bare(s.skuId),
      outer_id: s.code,
      outer_goods_id: l.itemCode,
      sku_quantity: st.quantityOf(s),
      reserve_quantity: 0,
      is_sku_onsale: l.onSale ? 1 : 0,
      spec: s.spec,
      spec_details: [{ parent_id: 1215, parent_name: '规格', spec_id: 1000 + i, spec_name: s.spec }],
    })),
  }
}

function detail(l: SandboxListing, st: PddCatalogueState): Wire {
  const live = l.skus.filter((s) => !s.deleted)
  return {
    goods_id: new Bare(l.itemId),
    goods_name: l.title,
    outer_goods_id: l.itemCode,
    status: l.onSale ? (live.every((s) => st.quantityOf(s) === 0) ? 3 : 1) : 2,
    market_price: live.length ? fen(live[0]!.price) : 0,
    sku_list: live.map((s) => ({
      sku_id: new Bare(s.skuId),
      out_sku_sn: s.code,
      price: fen(s.price),
      multi_price: new Bare(money(s.price).mul(95).toFixed(0)),
      quantity: st.quantityOf(s),
      reserve_quantity: 0,
      is_onsale: l.onSale ? 1 : 0,
      spec: [{ parent_name: '规格', spec_name: s.spec }],
    })),
  }
}

/** The answer text of one goods API. */
export function pddCatalogueCall(type: string, p: Record<string, string>, st: PddCatalogueState): string {
  if (type === 'pdd.goods.detail.get') {
    const l = st.listings.find((x) => x.itemId === p.goods_id && !x.deleted)
    if (!l) return st.error(21001, '请求参数错误', '商品不存在')
    return wire({ goods_detail_get_response: detail(l, st) })
  }
  const page = Number(p.page ?? '1')
  const size = Number(p.page_size ?? '100')
  if (!Number.isInteger(page) || page < 1) return st.error(10000, '参数错误', 'page 从 1 开始')
  if (!Number.isInteger(size) || size < 1 || size > 100)
    return st.error(10000, '参数错误', 'page_size 取值 1-100')
  // The filters are exclusive: is_onsale wins over outer_id, which wins over goods_name.
  const all = st.listings.filter((l) => {
    if (l.deleted) return false
    if (p.is_onsale !== undefined) return l.onSale === (p.is_onsale === '1')
    if (p.outer_id !== undefined) return l.skus.some((s) => s.code === p.outer_id)
    if (p.goods_name !== undefined) return l.title.includes(p.goods_name)
    return true
  })
  return wire({
    goods_list_get_response: {
      total_count: all.length,
      goods_list: all.slice((page - 1) * size, page * size).map((l) => listGoods(l, st)),
    },
  })
}
