/**
 * Douyin shop (抖店开放平台) connector, channel 'douyin' (cn-marketplaces.md §4).
 * Settings: { baseUrl? (default https://openapi-fxg.jinritemai.com), carrierCodes?, timeoutMs?, signMethod? }.
 * Credentials: { appKey, appSecret, accessToken, refreshToken?, expiresAt?, shopId? }.
 */
import { ConnectorError } from '../errors.js'
import { idString } from '../json.js'
import { fromEpochSeconds, fromShanghai, splitWindow, toEpochSeconds, toShanghai } from '../cn/time.js'
import {
  type Connector,
  type PushOutcome,
  type RawOrder,
  type RawPage,
  type RawRefund,
  type SettlementLineDraft,
  type ShopContext,
  type TimeWindow,
} from '../types.js'
import { companyCodeFor } from './carriers.js'
import { createDouyinClient, credentialsOf, type DouyinClient } from './client.js'
import { mapDouyinOrder, mapDouyinRefund } from './map.js'
import { parseDouyinSettlementFile, settleRowLines } from './settlement.js'
import { parseDouyinWebhook, verifyDouyinWebhook } from './webhook.js'
import type { ParamValue } from './sign.js'
import { DouyinSettings } from './settings.js'
import { mapDouyinListing, pullDouyinCatalogue } from './catalogue.js'

const DAY_MS = 86_400_000
/** order.searchList / afterSale.List: page from 0, size ≤ 100, page × size ≤ 50 000 (isv.parameter-invalid:20013). */
export const PAGE_SIZE = 100
export const MAX_DEPTH = 50_000
/** Only the last 90 days of update_time can be searched (isv.parameter-invalid:20022). */
export const LOOKBACK_MS = 90 * DAY_MS
/** Pieces we cut a window into before paging; a piece deeper than MAX_DEPTH is halved again. */
export const PIECE_MS = DAY_MS
/** order.getSettleBillDetailV3: windows of at most 7 days are recommended. */
export const SETTLE_PIECE_MS = 7 * DAY_MS
const SETTLE_OK = '100000'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const permanent = (message: string, body?: unknown): ConnectorError =>
  new ConnectorError('permanent', message, {
    channel: 'douyin',
    ...(body === undefined ? {} : { body: JSON.stringify(body)?.slice(0, 4096) }),
  })

/** A decimal id as the int64 JSON number the platform expects (exact, via bigint). */
function int64(id: string, what: string): bigint {
  if (!/^\d{1,19}$/.test(id)) throw permanent(`${what} "${id}" is not a Douyin int64 id`)
  return BigInt(id)
}

function toRawOrder(o: unknown): RawOrder {
  const obj = isObj(o) ? o : {}
  return {
    externalId: idString(obj.order_id) ?? 'unidentified',
    platformUpdatedAt: fromEpochSeconds(obj.update_time) ?? new Date(0),
    payload: o,
  }
}

function toRawRefund(item: unknown): RawRefund {
  const obj = isObj(item) ? item : {}
  const info = isObj(obj.aftersale_info) ? obj.aftersale_info : {}
  const order = isObj(obj.order_info) ? obj.order_info : {}
  return {
    externalRefundId: idString(info.aftersale_id) ?? 'unidentified',
    orderExternalId: idString(order.shop_order_id) ?? idString(info.related_id) ?? 'unidentified',
    platformUpdatedAt: fromEpochSeconds(info.update_time) ?? new Date(0),
    payload: item,
  }
}

interface Page<T> {
  total: number
  items: T[]
}

function pageOf(data: unknown, listKey: string, what: string): Page<unknown> {
  if (!isObj(data) || !Array.isArray(data[listKey]))
    throw permanent(`douyin ${what} answered without data.${listKey}`, data)
  const total = data.total
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0)
    throw permanent(`douyin ${what} answered without a usable data.total`, data)
  return { total, items: data[listKey] as unknown[] }
}

/**
 * Page one piece of a window so that no page-depth limit truncates it. Page 0 tells the total; a
 * piece deeper than MAX_DEPTH is halved (whole seconds) and each half paged on its own. Pages are
 * then read from the last to the first: an entry that leaves the piece while we page (updated
 * again, so it moves past the piece's end) only shifts entries we have already read. The cursor
 * may only reach piece.to after page 0, the last one read.
 */
async function* walkPiece<T extends { platformUpdatedAt: Date }>(
  piece: TimeWindow,
  fetchPage: (piece: TimeWindow, page: number) => Promise<Page<unknown>>,
  toRaw: (item: unknown) => T,
  keyOf: (item: T) => string,
): AsyncGenerator<RawPage<T>> {
  const first = await fetchPage(piece, 0)
  if (first.total > MAX_DEPTH) {
    const half = Math.floor((piece.to.getTime() - piece.from.getTime()) / 2000) * 1000
    if (half < 1000)
      throw permanent(
        `more than ${MAX_DEPTH} Douyin records changed within one second at ${piece.from.toISOString()}; they cannot be paged`,
      )
    const mid = new Date(piece.from.getTime() + half)
    yield* walkPiece({ from: piece.from, to: mid }, fetchPage, toRaw, keyOf)
    yield* walkPiece({ from: mid, to: piece.to }, fetchPage, toRaw, keyOf)
    return
  }
  const inPiece = (r: T) =>
    r.platformUpdatedAt.getTime() === 0 ||
    (r.platformUpdatedAt >= piece.from && r.platformUpdatedAt < piece.to)
  const pages = Math.ceil(first.total / PAGE_SIZE)
  if (pages <= 1) {
    yield { items: first.items.map(toRaw).filter(inPiece), coveredUntil: piece.to }
    return
  }
  const seen = new Set<string>()
  for (let page = pages - 1; page >= 0; page--) {
    const { items } = await fetchPage(piece, page)
    const fresh = items.map(toRaw).filter((r) => inPiece(r) && !seen.has(keyOf(r)))
    fresh.forEach((r) => seen.add(keyOf(r)))
    yield { items: fresh, coveredUntil: page === 0 ? piece.to : piece.from }
  }
}

/** Pieces of a window that the platform can still answer; the window's end is clamped to now. */
function searchablePieces(shop: ShopContext, window: TimeWindow, what: string): TimeWindow[] {
  const now = shop.clock.now()
  if (window.from.getTime() < now.getTime() - LOOKBACK_MS) {
    throw permanent(`douyin ${what} only reach 90 days back; ${window.from.toISOString()} is older`)
  }
  // Entries changed after we start paging must not fall inside a piece we report as covered.
  const to = window.to.getTime() > now.getTime() ? now : window.to
  return to > window.from ? splitWindow({ from: window.from, to }, PIECE_MS) : []
}

/**
 * update_time_end is sent as the piece's end second itself so that an inclusive or an exclusive
 * bound both cover [from, to); entries at exactly `to` are then filtered out here.
 */
const searchOrders = (client: DouyinClient) => async (piece: TimeWindow, page: number) =>
  pageOf(
    await client.call('order.searchList', {
      update_time_start: toEpochSeconds(piece.from),
      update_time_end: Math.ceil(piece.to.getTime() / 1000),
      order_by: 'update_time',
      order_asc: true,
      page,
      size: PAGE_SIZE,
    }),
    'shop_order_list',
    'order.searchList',
  )

const searchAfterSales = (client: DouyinClient) => async (piece: TimeWindow, page: number) =>
  pageOf(
    await client.call('afterSale.List', {
      update_start_time: toEpochSeconds(piece.from),
      update_end_time: Math.ceil(piece.to.getTime() / 1000),
      order_by: ['update_time asc'],
      page,
      size: PAGE_SIZE,
    }),
    'items',
    'afterSale.List',
  )

async function* settlementPages(
  client: DouyinClient,
  piece: TimeWindow,
): AsyncGenerator<SettlementLineDraft[]> {
  let cursor: { start_index: string; start_time: string } | null = null
  for (;;) {
    const params: Record<string, ParamValue | undefined> = {
      start_time: cursor?.start_time ?? toShanghai(piece.from),
      end_time: toShanghai(piece.to),
      time_type: '0', // settle time
      size: PAGE_SIZE,
      start_index: cursor?.start_index,
    }
    const data = await client.call('order.getSettleBillDetailV3', params)
    if (!isObj(data)) throw permanent('douyin order.getSettleBillDetailV3 answered without data', data)
    const innerCode = typeof data.code === 'string' || typeof data.code === 'number' ? String(data.code) : '?'
    if (innerCode !== SETTLE_OK)
      throw permanent(
        `douyin settlement query failed: ${innerCode} ${typeof data.code_msg === 'string' ? data.code_msg : ''}`.trim(),
        data,
      )
    const rows = Array.isArray(data.data) ? data.data : []
    const lines: SettlementLineDraft[] = []
    for (const row of rows) {
      const at = isObj(row) ? fromShanghai(row.settle_time) : null
      if (at && at >= piece.to) continue // end_time is inclusive: that second belongs to the next window
      try {
        lines.push(...settleRowLines(row))
      } catch (err) {
        throw permanent(`douyin settle row unreadable: ${(err as Error).message}`, row)
      }
    }
    yield lines
    const nextIndex = idString(data.next_start_index)
    const nextTime = typeof data.next_start_time === 'string' ? data.next_start_time : null
    if (String(data.is_end) === '1' || rows.length === 0) return
    if (!nextIndex || !nextTime)
      throw permanent(
        'douyin settlement page is not the last one but names no next_start_index/next_start_time',
        data,
      )
    cursor = { start_index: nextIndex, start_time: nextTime }
  }
}

/** token.create / token.refresh (§4.8) → the shop's credentials; the refresh token rotates every time. */
async function douyinToken(
  shop: ShopContext,
  method: 'token.create' | 'token.refresh',
  params: Record<string, string>,
): Promise<Record<string, unknown>> {
  const data = await createDouyinClient(shop).call(method, params, { withoutToken: true })
  if (
    !isObj(data) ||
    typeof data.access_token !== 'string' ||
    typeof data.refresh_token !== 'string' ||
    typeof data.expires_in !== 'number'
  ) {
    throw permanent(`douyin ${method} answered without access_token, refresh_token and expires_in`)
  }
  return {
    ...shop.credentials,
    accessToken: data.access_token,
    refreshToken: data.refresh_token,
    expiresAt: new Date(shop.clock.now().getTime() + data.expires_in * 1000).toISOString(),
    ...(idString(data.shop_id) ? { shopId: idString(data.shop_id) } : {}),
  }
}

export const douyin: Connector = {
  channel: 'douyin',
  shipmentScope: 'order',
  settingsSchema: DouyinSettings,

  async verifyCredentials(shop) {
    const now = shop.clock.now()
    await createDouyinClient(shop).call('order.searchList', {
      update_time_start: toEpochSeconds(now) - 3600,
      update_time_end: toEpochSeconds(now),
      page: 0,
      size: 1,
    })
  },

  async refreshToken(shop) {
    const creds = credentialsOf(shop)
    if (!creds.refreshToken) throw permanent('douyin shop has no refreshToken: re-authorise the shop')
    return douyinToken(shop, 'token.refresh', {
      grant_type: 'refresh_token',
      refresh_token: creds.refreshToken,
    })
  },

  oauth: {
    appFields: ['appKey', 'appSecret'],
    tokenField: 'accessToken',
    /**
     * Tool apps are authorised from the app's page in 抖店服务市场; that page's URL (which carries the
     * app's service id) goes in settings.authorizeUrl, and the state rides along as a parameter.
     */
    authorizeUrl(shop, state) {
      const page = typeof shop.settings.authorizeUrl === 'string' ? shop.settings.authorizeUrl : ''
      if (page === '')
        throw permanent("douyin: set settings.authorizeUrl to the app's authorisation link from 抖店服务市场")
      return `${page}${page.includes('?') ? '&' : '?'}${new URLSearchParams({ state }).toString()}`
    },
    /** §4.8: token.create with grant_type authorization_code and the callback's code. */
    async exchangeCode(shop, query) {
      if (!query.code) throw permanent('douyin: the OAuth callback carries no code')
      return douyinToken(shop, 'token.create', { grant_type: 'authorization_code', code: query.code })
    },
  },

  async *pullOrders(shop, window) {
    const client = createDouyinClient(shop)
    for (const piece of searchablePieces(shop, window, 'orders')) {
      yield* walkPiece(piece, searchOrders(client), toRawOrder, (o) => o.externalId)
    }
  },

  async fetchOrder(shop, externalId) {
    const data = await createDouyinClient(shop).call('order.orderDetail', { shop_order_id: externalId })
    if (!isObj(data) || !isObj(data.shop_order_detail))
      throw permanent('douyin order.orderDetail answered without data.shop_order_detail', data)
    return toRawOrder(data.shop_order_detail)
  },

  async *pullRefunds(shop, window) {
    const client = createDouyinClient(shop)
    for (const piece of searchablePieces(shop, window, 'after-sales')) {
      yield* walkPiece(piece, searchAfterSales(client), toRawRefund, (r) => r.externalRefundId)
    }
  },

  mapOrder: mapDouyinOrder,
  mapRefund: mapDouyinRefund,

  /** sku.syncStock with incremental=false: the absolute quantity (0 allowed), one call per SKU. */
  async pushStock(shop, items) {
    const client = createDouyinClient(shop)
    const outcomes: PushOutcome[] = []
    // After a rate limit or an expired token every further call would fail the same way: stop, and
    // report the rest unsent with that kind so the job layer waits or refreshes.
    let stop: { kind: PushOutcome['kind']; error: string } | null = null
    for (const level of items) {
      if (stop) {
        outcomes.push({
          platformSkuId: level.platformSkuId,
          ok: false,
          quantity: level.quantity,
          error: `not sent: ${stop.error}`,
          kind: stop.kind,
        })
        continue
      }
      try {
        await client.call('sku.syncStock', {
          sku_id: int64(level.platformSkuId, 'sku_id'),
          product_id: level.platformItemId ? int64(level.platformItemId, 'product_id') : undefined,
          stock_num: level.quantity,
          incremental: false,
        })
        outcomes.push({ platformSkuId: level.platformSkuId, ok: true, quantity: level.quantity })
      } catch (err) {
        const kind = err instanceof ConnectorError ? err.kind : 'transient'
        outcomes.push({
          platformSkuId: level.platformSkuId,
          ok: false,
          quantity: level.quantity,
          error: (err as Error).message,
          kind,
        })
        if (kind === 'rate_limited' || kind === 'auth_expired') stop = { kind, error: (err as Error).message }
      }
    }
    return outcomes
  },

  /** order.logisticsAdd: the whole shop order ships in one parcel with the carrier's company_code. */
  async pushShipment(shop, s) {
    if (s.lineExternalIds.length > 0) {
      throw permanent(
        'douyin order.logisticsAdd ships the whole order; a per-line parcel needs order.logisticsAddMultiPack, which this connector does not send yet',
      )
    }
    const companyCode = s.companyCode || companyCodeFor(s.carrier, shop.settings)
    await createDouyinClient(shop).call('order.logisticsAdd', {
      order_id: s.orderExternalId,
      company_code: companyCode,
      logistics_code: s.trackingNumber,
    })
  },

  verifyWebhook(req, shop) {
    const c = credentialsOf(shop)
    return verifyDouyinWebhook(req, c.appKey, c.appSecret)
  },

  parseWebhook: parseDouyinWebhook,

  async *pullSettlements(shop, window) {
    const client = createDouyinClient(shop)
    for (const piece of splitWindow(window, SETTLE_PIECE_MS)) yield* settlementPages(client, piece)
  },

  parseSettlementFile: parseDouyinSettlementFile,
  pullCatalogue: pullDouyinCatalogue,
  mapListing: mapDouyinListing,
} satisfies Connector<DouyinSettings>
