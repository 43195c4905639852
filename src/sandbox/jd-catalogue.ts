/**
 * The JOS ware and SKU searches over the sandbox listings (catalogue-and-purchasing.md §A.2):
 * jingdong.ware.read.searchWare4Valid (wareStatusValue, modified window, orderField, `pageNo` and
 * camelCase `pageSize` ≤ 50, no page past the 100th, `field` projection) and
 * jingdong.sku.read.searchSkuList (≤ 20 wareIds, skuStatuValue defaulting to on sale + delisted,
 * snake_case `page_size` — a camelCase one is ignored, as an unknown parameter is). Ids are bare
 * JSON integers, prices yuan strings, times Beijing wall time.
 */
import { fromShanghai, toShanghai } from '../../connectors/cn/time.js'
import type { SandboxListing, SandboxSku } from './catalogue.js'
import { Bare, type Wire } from './wire.js'

export const JD_CATALOGUE_METHODS = new Set([
  'jingdong.ware.read.searchWare4Valid',
  'jingdong.sku.read.searchSkuList',
])

export interface JdCatalogueState {
  listings: readonly SandboxListing[]
  quantityOf(sku: SandboxSku): number
}

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')
const fail = (code: string, zh: string) => ({ code, zh_desc: zh, en_desc: 'invalid parameter' })

function project(o: Record<string, Wire>, field: string): Record<string, Wire> {
  if (field === '') return o
  const want = new Set(field.split(',').map((f) => f.trim()))
  return Object.fromEntries(Object.entries(o).filter(([k]) => want.has(k)))
}

function ware(l: SandboxListing, st: JdCatalogueState): Record<string, Wire> {
  const live = l.skus.filter((s) => !s.deleted)
  return {
    wareId: new Bare(l.itemId),
    title: l.title,
    outerId: l.itemCode,
    itemNum: l.itemCode,
    wareStatus: l.onSale ? 8 : 2,
    stockNum: live.reduce((n, s) => n + st.quantityOf(s), 0),
    jdPrice: live[0]?.price ?? '0.00',
    modified: toShanghai(l.modified),
    created: toShanghai(l.modified),
  }
}

function sku(l: SandboxListing, s: SandboxSku, st: JdCatalogueState): Record<string, Wire> {
  return {
    skuId: new Bare(s.skuId),
    wareId: new Bare(l.itemId),
    outerId: s.code,
    barCode: s.barcode ?? '',
    stockNum: st.quantityOf(s),
    jdPrice: s.price,
    status: s.deleted ? 4 : l.onSale ? 1 : 2,
    skuName: `${l.title} ${s.spec}`,
    wareTitle: l.title,
    saleAttrs: [{ attrId: '1000046', attrValues: [s.skuId.slice(-4)], attrValueAlias: [s.spec], index: 1 }],
    modified: toShanghai(s.modified),
    created: toShanghai(s.modified),
  }
}

/** The business body of one search (wrapped by the gateway in `<method>_responce` with code "0"). */
export function jdCatalogueCall(
  method: string,
  p: Record<string, unknown>,
  st: JdCatalogueState,
): Record<string, Wire> {
  const pageNo = Number(str(p.pageNo) || '1')
  if (!Number.isInteger(pageNo) || pageNo < 1) return fail('1001', 'pageNo从1开始')
  if (method === 'jingdong.ware.read.searchWare4Valid') {
    const pageSize = Number(str(p.pageSize) || '20')
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50)
      return fail('1001', 'pageSize取值范围1-50')
    if (pageNo > 100) return fail('1002', '最多查询100页，请缩小查询条件')
    const statuses = new Set(str(p.wareStatusValue).split(',').filter(Boolean).map(Number))
    const from = p.startModifiedTime ? fromShanghai(p.startModifiedTime) : null
    const to = p.endModifiedTime ? fromShanghai(p.endModifiedTime) : null
    const all = st.listings
      .filter((l) => !l.deleted && (statuses.size === 0 || statuses.has(l.onSale ? 8 : 2)))
      .filter((l) => (!from || l.modified >= from) && (!to || l.modified <= to))
      .sort((a, b) => (BigInt(a.itemId) < BigInt(b.itemId) ? -1 : 1) * (p.orderType === 'desc' ? -1 : 1))
    const data = all
      .slice((pageNo - 1) * pageSize, pageNo * pageSize)
      .map((l) => project(ware(l, st), str(p.field)))
    return { page: { data, pageNo, pageSize, totalItem: all.length } }
  }
  // snake_case page_size here (§A.2.1); JD's default page is 20.
  const pageSize = Number(str(p.page_size) || '20')
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50)
    return fail('1001', 'page_size取值范围1-50')
  const wareIds = str(p.wareId).split(',').filter(Boolean)
  if (wareIds.length > 20) return fail('1003', 'wareId最多20个')
  const statuses = new Set((str(p.skuStatuValue) || '1,2').split(',').map(Number))
  const rows = st.listings
    .filter((l) => wareIds.length === 0 || wareIds.includes(l.itemId))
    .flatMap((l) => l.skus.map((s) => ({ l, s })))
    .filter(({ l, s }) => !l.deleted && statuses.has(s.deleted ? 4 : l.onSale ? 1 : 2))
  const data = rows
    .slice((pageNo - 1) * pageSize, pageNo * pageSize)
    .map(({ l, s }) => project(sku(l, s, st), str(p.field)))
  return { page: { data, pageNo, pageSize, totalItem: rows.length } }
}
