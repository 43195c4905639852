/**
 * Douyin shop product APIs over the sandbox listings (catalogue-and-purchasing.md §A.4):
 * product.listV2 (status 0/1/2, update-time bounds exclusive of both ends, page from 1 — unlike
 * order.searchList —, size 1–100, page × size ≤ 10 000, times in Unix seconds) and sku.list (all
 * SKUs of one product, `data` an array, prices in fen, `out_sku_id` 0 when unset). Ids are bare
 * 19-digit JSON integers.
 */
import { money } from '../money/index.js'
import type { SandboxListing, SandboxSku } from './catalogue.js'
import { Bare, type Wire } from './wire.js'

export const DOUYIN_CATALOGUE_METHODS = new Set(['product.listV2', 'sku.list'])

export interface DouyinCatalogueState {
  listings: readonly SandboxListing[]
  quantityOf(sku: SandboxSku): number
}

export type DouyinCatalogueAnswer = { ok: Wire } | { invalid: [sub: string, msg: string] }

const sec = (d: Date) => Math.floor(d.getTime() / 1000)
const fen = (yuan: string) => new Bare(money(yuan).mul(100).toFixed(0))
const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isInteger(v)
    ? v
    : typeof v === 'string' && /^-?\d+$/.test(v)
      ? Number(v)
      : null
const status = (l: SandboxListing) => (l.deleted ? 2 : l.onSale ? 0 : 1)

function product(l: SandboxListing): Wire {
  return {
    product_id: new Bare(l.itemId),
    outer_product_id: l.itemCode,
    out_product_id: 0,
    name: l.title,
    status: status(l),
    check_status: 3,
    product_type: 0,
    create_time: sec(l.modified) - 86_400,
    update_time: sec(l.modified),
    is_package_product: false,
  }
}

function sku(l: SandboxListing, s: SandboxSku, i: number, st: DouyinCatalogueState): Wire {
  return {
    id: new Bare(s.skuId),
    product_id: new Bare(l.itemId),
    code: s.code,
    out_sku_id: 0,
    price: fen(s.price),
    stock_num: st.quantityOf(s),
    prehold_stock_num: 0,
    prom_stock_num: 0,
    sku_type: 0,
    sell_properties: [
      { value_spec_detail_id: new Bare(`${l.itemId.slice(0, 10)}${1000 + i}`), value_name: s.spec },
    ],
    spec_detail_name1: s.spec,
    update_time: sec(s.modified),
  }
}

export function douyinCatalogueCall(
  method: string,
  p: Record<string, unknown>,
  st: DouyinCatalogueState,
): DouyinCatalogueAnswer {
  if (method === 'sku.list') {
    const id =
      typeof p.product_id === 'string' || typeof p.product_id === 'number' ? String(p.product_id) : ''
    const l = st.listings.find((x) => x.itemId === id)
    if (!l) return { invalid: ['20001', 'product_id 不存在'] }
    return { ok: l.skus.filter((s) => !s.deleted).map((s, i) => sku(l, s, i, st)) }
  }
  const page = num(p.page) ?? 1
  const size = num(p.size) ?? 10
  if (page < 1) return { invalid: ['20010', 'page 从1开始'] }
  if (size < 1 || size > 100) return { invalid: ['20008', 'size 取值 1-100'] }
  if (page * size > 10_000) return { invalid: ['20013', 'page*size 不能超过 10000'] }
  const want = num(p.status)
  const from = num(p.update_start_time)
  const to = num(p.update_end_time)
  const all = st.listings
    .filter((l) => want === null || status(l) === want)
    // Both bounds are exclusive (§A.4.1).
    .filter((l) => (from === null || sec(l.modified) > from) && (to === null || sec(l.modified) < to))
  return {
    ok: { total: all.length, page, size, data: all.slice((page - 1) * size, page * size).map(product) },
  }
}
