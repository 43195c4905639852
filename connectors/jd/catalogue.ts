/**
 * JD catalogue (catalogue-and-purchasing.md §A.2): the wares from
 * jingdong.ware.read.searchWare4Valid (on sale, delisted by the seller or by the system; sorted by
 * wareId, pageNo from 1, `pageSize` camelCase), the modified-time window halved while it holds more
 * pages than the search serves; then their SKUs from jingdong.sku.read.searchSkuList, 20 wareIds a
 * call, paged with `page_size` (snake_case there). Page-size maxima are ❓ in the reference: 50 is
 * what it calls safe.
 */
import { toShanghai } from '../cn/time.js'
import { codeOf, count, isObj, major, skuDraft, textOf, type Obj } from '../catalogue-kit.js'
import { ConnectorError } from '../errors.js'
import { idString } from '../json.js'
import type { ListingDraft, ListingSkuDraft, ListingStatus, RawListing, ShopContext } from '../types.js'
import { mapFailed, mapped, type MapResult } from '../types.js'
import { jdApi, type JdApi } from './client.js'
import { jdTime } from './map.js'

export const WARE_SEARCH = 'jingdong.ware.read.searchWare4Valid'
export const SKU_SEARCH = 'jingdong.sku.read.searchSkuList'
export const PAGE_SIZE = 50
/** JD's ware search stops serving after 100 pages (the connector's order notes, ❓ for wares). */
export const MAX_PAGES = 100
export const WARES_PER_SKU_CALL = 20
/** 8 on sale, 2 delisted by the seller, 4 delisted by the system, 1 never on shelf. */
const WARE_STATUSES = '8,2,4,1'
const WARE_FIELDS = 'wareId,title,outerId,itemNum,barCode,wareStatus,stockNum,jdPrice,modified,created'
const SKU_FIELDS =
  'skuId,wareId,outerId,barCode,stockNum,jdPrice,status,saleAttrs,skuName,modified,created,wareTitle'
const EPOCH = new Date('2004-01-01T00:00:00Z')

/** A JD time: epoch milliseconds (number or digits) or `yyyy-MM-dd HH:mm:ss` Beijing time (§A.2.2 ❓). */
export function jdWhen(v: unknown): Date | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return new Date(v)
  if (typeof v === 'string' && /^\d{12,13}$/.test(v.trim())) return new Date(Number(v))
  return jdTime(v)
}

function pageOf(body: Obj, method: string): { data: unknown[]; total: number } {
  // The ware and SKU searches answer `page{data, totalItem}`; some gateways put it under a result object.
  const holder = isObj(body.page) ? body : Object.values(body).find((v) => isObj(v) && isObj(v.page))
  const page = isObj(holder) && isObj(holder.page) ? holder.page : null
  if (!page || (page.data !== undefined && page.data !== null && !Array.isArray(page.data)))
    throw new ConnectorError('permanent', `jd answered ${method} without a page of data`, {
      channel: 'jd',
      body: JSON.stringify(body).slice(0, 4096),
    })
  return { data: Array.isArray(page.data) ? page.data : [], total: count(page.totalItem) ?? 0 }
}

async function* wares(api: JdApi, from: Date, to: Date): AsyncGenerator<Obj[]> {
  const search = (pageNo: number, pageSize: number) =>
    api.call(WARE_SEARCH, {
      wareStatusValue: WARE_STATUSES,
      startModifiedTime: toShanghai(from),
      endModifiedTime: toShanghai(to),
      orderField: 'wareId',
      orderType: 'asc',
      pageNo,
      pageSize,
      field: WARE_FIELDS,
    })
  const first = pageOf(await search(1, PAGE_SIZE), WARE_SEARCH)
  const pages = Math.ceil(first.total / PAGE_SIZE)
  const span = to.getTime() - from.getTime()
  if (pages > MAX_PAGES && span > 2000) {
    const mid = new Date(from.getTime() + Math.floor(span / 2000) * 1000)
    yield* wares(api, from, mid)
    yield* wares(api, new Date(mid.getTime() + 1000), to)
    return
  }
  if (first.data.length > 0) yield first.data.filter(isObj)
  for (let page = 2; page <= Math.min(pages, MAX_PAGES); page++) {
    const { data } = pageOf(await search(page, PAGE_SIZE), WARE_SEARCH)
    if (data.length > 0) yield data.filter(isObj)
  }
}

async function skusOf(api: JdApi, wareIds: readonly string[]): Promise<Obj[]> {
  const out: Obj[] = []
  for (let page = 1, pages = 1; page <= pages; page++) {
    const { data, total } = pageOf(
      await api.call(SKU_SEARCH, {
        wareId: wareIds.join(','),
        skuStatuValue: '1,2',
        pageNo: page,
        page_size: PAGE_SIZE,
        field: SKU_FIELDS,
      }),
      SKU_SEARCH,
    )
    out.push(...data.filter(isObj))
    pages = Math.ceil(total / PAGE_SIZE)
  }
  return out
}

export async function* pullJdCatalogue(shop: ShopContext): AsyncIterable<RawListing[]> {
  const api = jdApi(shop)
  const seen = new Set<string>()
  for await (const page of wares(api, EPOCH, new Date(shop.clock.now().getTime() + 60_000))) {
    const fresh = page.filter((w) => {
      const id = idString(w.wareId)
      return id !== null && !seen.has(id) && seen.add(id)
    })
    for (let i = 0; i < fresh.length; i += WARES_PER_SKU_CALL) {
      const batch = fresh.slice(i, i + WARES_PER_SKU_CALL)
      const skus = await skusOf(
        api,
        batch.map((w) => idString(w.wareId)!),
      )
      yield batch.map((ware) => {
        const id = idString(ware.wareId)!
        return {
          platformItemId: id,
          platformUpdatedAt: jdWhen(ware.modified),
          payload: { ware, skus: skus.filter((s) => idString(s.wareId) === id) },
        }
      })
    }
  }
}

/** Sale attributes as the seller shows them: each attribute's alias (or value ids), joined. */
function specOf(s: Obj): string | null {
  const attrs = Array.isArray(s.saleAttrs) ? s.saleAttrs.filter(isObj) : []
  const parts = attrs
    .sort((a, b) => (count(a.index) ?? 0) - (count(b.index) ?? 0))
    .map((a) => {
      const alias = Array.isArray(a.attrValueAlias) ? a.attrValueAlias.map(textOf).filter(Boolean) : []
      const values = Array.isArray(a.attrValues) ? a.attrValues.map(textOf).filter(Boolean) : []
      return (alias.length > 0 ? alias : values).join('/')
    })
    .filter((p) => p !== '')
  return parts.length > 0 ? parts.join(' ') : textOf(s.skuName)
}

const wareStatus = (v: unknown): ListingStatus => (count(v) === 8 ? 'on_sale' : 'off_sale')
const skuStatus = (v: unknown): ListingStatus =>
  count(v) === 1 ? 'on_sale' : count(v) === 4 ? 'deleted' : 'off_sale'

export function mapJdListing(raw: unknown): MapResult<ListingDraft> {
  if (!isObj(raw) || !isObj(raw.ware)) return mapFailed('malformed_payload', 'listing must be { ware, skus }')
  const ware = raw.ware
  const wareId = idString(ware.wareId)
  if (!wareId) return mapFailed('malformed_payload', 'ware.wareId is required')
  if (!Array.isArray(raw.skus)) return mapFailed('malformed_payload', 'skus must be an array')
  const drafts: ListingSkuDraft[] = []
  for (const [i, s] of raw.skus.entries()) {
    if (!isObj(s)) return mapFailed('malformed_payload', `skus[${i}] must be an object`)
    const skuId = idString(s.skuId)
    if (!skuId) return mapFailed('malformed_payload', `skus[${i}].skuId is required`)
    drafts.push(
      skuDraft({
        platformSkuKey: skuId,
        platformSkuId: skuId,
        code: codeOf(s.outerId),
        barcode: textOf(s.barCode),
        specText: specOf(s),
        price: major(s.jdPrice),
        quantity: count(s.stockNum),
        status: skuStatus(s.status),
        platformStatus: textOf(s.status),
        platformUpdatedAt: jdWhen(s.modified),
      }),
    )
  }
  return mapped({
    platformItemId: wareId,
    title: textOf(ware.title) ?? '',
    itemCode: codeOf(ware.outerId) ?? codeOf(ware.itemNum),
    status: wareStatus(ware.wareStatus),
    platformStatus: textOf(ware.wareStatus),
    currency: 'CNY',
    platformUpdatedAt: jdWhen(ware.modified),
    skus: drafts,
  })
}
