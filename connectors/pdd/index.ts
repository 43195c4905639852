/**
 * Pinduoduo (拼多多开放平台), channel 'pdd' — shared/reference/cn-marketplaces.md §3.
 * Settings: { baseUrl? (default the production gateway; there is no PDD sandbox), carrierCodes?
 * (logistics_id per CarrierCode or carrier name), timeoutMs? }.
 * Credentials: { clientId, clientSecret, accessToken, refreshToken?, expiresAt? }.
 *
 * Not implemented on purpose: verifyWebhook/parseWebhook. PDD pushes through PMC, a WebSocket the
 * hub would have to hold open (§3.6), not an HTTP webhook; orders arrive by the incremental pull.
 */
import { sum } from '../../src/money/index.js'
import { ConnectorError } from '../errors.js'
import { createPlatformClient } from '../http.js'
import { idString } from '../json.js'
import { fromShanghai, splitWindow, toEpochSeconds, toShanghai } from '../cn/time.js'
import type {
  Connector,
  PushOutcome,
  RawOrder,
  RawPage,
  RawRefund,
  SettlementLineDraft,
  ShopContext,
  StockLevel,
  TimeWindow,
} from '../types.js'
import { logisticsIdFor } from './carriers.js'
import { credentialsOf, pddClient, timeoutOf, type PddClient, type PddParam } from './client.js'
import { mapPddOrder, mapPddRefund } from './map.js'
import { parsePddBill } from './settlement.js'
import { PddSettings } from './settings.js'
import { mapPddListing, pullPddCatalogue } from './catalogue.js'

/** Both increment APIs accept end − start ≤ 30 minutes (§3.4, §3.5). */
export const WINDOW_MS = 30 * 60_000
/** page_size maximum (§3.4). */
export const PAGE_SIZE = 100

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

function toRawOrder(o: unknown): RawOrder {
  const obj = isObj(o) ? o : {}
  return {
    externalId: idString(obj.order_sn) ?? 'unidentified',
    platformUpdatedAt: fromShanghai(obj.updated_at) ?? new Date(0),
    payload: o,
  }
}

function toRawRefund(r: unknown): RawRefund {
  const obj = isObj(r) ? r : {}
  return {
    externalRefundId: idString(obj.id) ?? 'unidentified',
    orderExternalId: idString(obj.order_sn) ?? 'unidentified',
    platformUpdatedAt: fromShanghai(obj.updated_time) ?? new Date(0),
    payload: r,
  }
}

interface IncrementSpec<T> {
  type: string
  responseKey: string
  listKey: string
  params: Readonly<Record<string, PddParam>>
  toRaw: (item: unknown) => T
  updatedAt: (t: T) => Date
  key: (t: T) => string
}

/**
 * One increment API over [from, to): the window is cut into 30-minute pieces, and each piece is
 * read last page first (§3.4: an order updated while we page leaves the window and every later
 * order moves one slot forward; walking backwards means a moved order lands on a page still to be
 * read). Page 1 is therefore read twice when there are several pages: once for total_count, once
 * at the end. The API bounds are inclusive seconds, so items are kept only when in [from, to), and
 * an order seen twice inside one piece is yielded once. Pages are not in update order, so the
 * cursor stays at piece.from until the piece's last page.
 */
async function* pullIncrement<T>(
  pdd: PddClient,
  window: TimeWindow,
  spec: IncrementSpec<T>,
): AsyncIterable<RawPage<T>> {
  for (const piece of splitWindow(window, WINDOW_MS)) {
    const fetchPage = async (page: number) => {
      const body = await pdd.call(spec.type, spec.responseKey, {
        ...spec.params,
        start_updated_at: toEpochSeconds(piece.from),
        end_updated_at: toEpochSeconds(piece.to),
        page,
        page_size: PAGE_SIZE,
      })
      const list = body[spec.listKey]
      const total = body.total_count
      if (!Array.isArray(list) || typeof total !== 'number' || !Number.isSafeInteger(total)) {
        throw new ConnectorError(
          'permanent',
          `pdd ${spec.type} answered without ${spec.listKey}[] and total_count`,
          { channel: 'pdd', body: JSON.stringify(body).slice(0, 4096) },
        )
      }
      return { list, total }
    }
    const first = await fetchPage(1)
    const pages = Math.max(1, Math.ceil(first.total / PAGE_SIZE))
    const seen = new Set<string>()
    for (let page = pages; page >= 1; page--) {
      const { list } = pages === 1 ? first : await fetchPage(page)
      const items = list.map(spec.toRaw).filter((t) => {
        const at = spec.updatedAt(t)
        const key = spec.key(t)
        if (at < piece.from || at >= piece.to || seen.has(key)) return false
        seen.add(key)
        return true
      })
      yield { items, coveredUntil: page === 1 ? piece.to : piece.from }
    }
  }
}

const ORDER_SPEC: IncrementSpec<RawOrder> = {
  type: 'pdd.order.number.list.increment.get',
  responseKey: 'order_sn_increment_get_response',
  listKey: 'order_sn_list',
  // 5 = every order_status / refund_status; 0 = lottery and non-lottery orders alike; no trade_type = all.
  params: { order_status: 5, refund_status: 5, is_lucky_flag: 0 },
  toRaw: toRawOrder,
  updatedAt: (o) => o.platformUpdatedAt,
  key: (o) => o.externalId,
}

const REFUND_SPEC: IncrementSpec<RawRefund> = {
  type: 'pdd.refund.list.increment.get',
  responseKey: 'refund_increment_get_response',
  listKey: 'refund_list',
  // 1 = 全部 for both filters (the doc's query values; records themselves never carry 1).
  params: { after_sales_status: 1, after_sales_type: 1 },
  toRaw: toRawRefund,
  updatedAt: (r) => r.platformUpdatedAt,
  key: (r) => r.externalRefundId,
}

const isSuccess = (body: Obj): boolean => body.is_success === true || body.is_success === 1

/** Shanghai calendar days that start inside [from, to), plus the day `from` falls in: bill_date values. */
/**
 * The Shanghai days whose daily bill the window can ask for: those it touches that have ended by
 * window.to. A day still running has no bill yet; it is asked for by the first pull after it ends
 * (the cursor holds while a bill is not ready, so a late bill is asked for again).
 */
export function billDates(window: TimeWindow): string[] {
  const out: string[] = []
  let day = fromShanghai(`${toShanghai(window.from).slice(0, 10)} 00:00:00`)!
  while (day < window.to && day.getTime() + 24 * 3600_000 <= window.to.getTime()) {
    out.push(toShanghai(day).slice(0, 10))
    day = new Date(day.getTime() + 24 * 3600_000) // China has no DST
  }
  return out
}

/**
 * The bill file behind the pre-signed link pdd.finance.balance.daily.bill.url.get hands out, as
 * bytes (it may be GBK). An expired link answers 403: asking the API again gives a fresh one, so
 * that is transient. The link's query string (its signature) is kept out of messages.
 */
async function downloadBill(shop: ShopContext, url: string): Promise<Buffer> {
  const client = createPlatformClient({
    channel: 'pdd',
    limiterKey: `${shop.id}:bill`,
    baseUrl: '',
    ratePerSecond: 2,
    timeoutMs: timeoutOf(shop.settings),
    // Retrying an expired link in the same call gets the same 403: the job asks for a new link.
    retries: 0,
    classify: (r) =>
      r.status === 403
        ? new ConnectorError('transient', `pdd bill link ${url.split('?')[0]} expired (HTTP 403)`, {
            channel: 'pdd',
            httpStatus: 403,
          })
        : null,
    secrets: [url.split('?')[1] ?? ''],
  })
  return (await client.request({ method: 'GET', url })).bytes
}

/** A token API call (§3.7: create with a code, refresh with a refresh token) → the shop's credentials. */
async function pddToken(
  shop: ShopContext,
  type: string,
  wrapper: string,
  params: Record<string, string>,
): Promise<Record<string, unknown>> {
  const creds = credentialsOf(shop)
  const body = await pddClient(shop).call(type, wrapper, params, { withToken: false })
  const accessToken = typeof body.access_token === 'string' ? body.access_token : ''
  if (accessToken === '')
    throw new ConnectorError('permanent', `pdd ${type} answered without an access_token`, { channel: 'pdd' })
  const now = shop.clock.now().getTime()
  // expires_at is epoch seconds; expires_in (seconds from now) is the fallback.
  const at = (abs: unknown, rel: unknown): string | null =>
    typeof abs === 'number' && abs > 0
      ? new Date(abs * 1000).toISOString()
      : typeof rel === 'number' && rel > 0
        ? new Date(now + rel * 1000).toISOString()
        : null
  const refreshTokenExpiresAt = at(body.refresh_token_expires_at, body.refresh_token_expires_in)
  return {
    ...shop.credentials,
    accessToken,
    refreshToken:
      typeof body.refresh_token === 'string' && body.refresh_token !== ''
        ? body.refresh_token
        : creds.refreshToken,
    expiresAt: at(body.expires_at, body.expires_in),
    ...(refreshTokenExpiresAt ? { refreshTokenExpiresAt } : {}),
  }
}

export const pdd: Connector = {
  channel: 'pdd',
  shipmentScope: 'order',

  settingsSchema: PddSettings,

  /** The cheapest authenticated call: one order-list page of a one-minute window. */
  async verifyCredentials(shop) {
    const to = new Date(Math.floor(shop.clock.now().getTime() / 1000) * 1000)
    await pddClient(shop).call(ORDER_SPEC.type, ORDER_SPEC.responseKey, {
      ...ORDER_SPEC.params,
      start_updated_at: toEpochSeconds(to) - 60,
      end_updated_at: toEpochSeconds(to),
      page: 1,
      page_size: 1,
    })
  },

  /** pdd.pop.auth.token.refresh (§3.7): signed with client_id/secret, no access_token. */
  async refreshToken(shop) {
    const creds = credentialsOf(shop)
    if (!creds.refreshToken)
      throw new ConnectorError('permanent', 'pdd shop has no refreshToken: authorise the app again', {
        channel: 'pdd',
      })
    return pddToken(shop, 'pdd.pop.auth.token.refresh', 'pop_auth_token_refresh_response', {
      refresh_token: creds.refreshToken,
    })
  },

  oauth: {
    appFields: ['clientId', 'clientSecret'],
    tokenField: 'accessToken',
    /** §3.7: the merchant authorises on PDD's service market page (settings.authorizeUrl for the merchant-backend page). */
    authorizeUrl(shop, state, redirectUri) {
      const page =
        typeof shop.settings.authorizeUrl === 'string' && shop.settings.authorizeUrl !== ''
          ? shop.settings.authorizeUrl
          : 'https://fuwu.pinduoduo.com/service-market/auth'
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: credentialsOf(shop).clientId,
        redirect_uri: redirectUri,
        state,
      })
      return `${page}?${q.toString()}`
    },
    /** pdd.pop.auth.token.create with the callback's code (the callback is not signed; the state is). */
    async exchangeCode(shop, query) {
      if (!query.code)
        throw new ConnectorError('permanent', 'pdd: the OAuth callback carries no code', { channel: 'pdd' })
      return pddToken(shop, 'pdd.pop.auth.token.create', 'pop_auth_token_create_response', {
        code: query.code,
      })
    },
  },

  pullOrders(shop: ShopContext, window: TimeWindow): AsyncIterable<RawPage> {
    return pullIncrement(pddClient(shop), window, ORDER_SPEC)
  },

  async fetchOrder(shop, externalId) {
    const body = await pddClient(shop).call('pdd.order.information.get', 'order_info_get_response', {
      order_sn: externalId,
    })
    if (!isObj(body.order_info))
      throw new ConnectorError(
        'permanent',
        `pdd order ${externalId}: order_info_get_response has no order_info`,
        { channel: 'pdd', body: JSON.stringify(body).slice(0, 4096) },
      )
    return toRawOrder(body.order_info)
  },

  pullRefunds(shop, window) {
    return pullIncrement(pddClient(shop), window, REFUND_SPEC)
  },

  mapOrder: mapPddOrder,
  mapRefund: mapPddRefund,

  /**
   * pdd.goods.quantity.update, update_type 1 (full: the absolute quantity) per SKU. A rate limit or
   * an expired token stops the run: the remaining SKUs are reported with the same kind, unsent.
   */
  async pushStock(shop, items: readonly StockLevel[]) {
    const client = pddClient(shop)
    const outcomes: PushOutcome[] = []
    let stop: ConnectorError | null = null
    for (const level of items) {
      const base = { platformSkuId: level.platformSkuId, quantity: level.quantity }
      if (stop) {
        outcomes.push({ ...base, ok: false, error: `not sent: ${stop.message}`, kind: stop.kind })
        continue
      }
      if (!level.platformItemId) {
        outcomes.push({
          ...base,
          ok: false,
          error: 'pdd needs the goods_id (platformItemId) with the sku_id',
          kind: 'permanent',
        })
        continue
      }
      if (!Number.isSafeInteger(level.quantity) || level.quantity < 0) {
        outcomes.push({
          ...base,
          ok: false,
          error: 'a full stock update takes a whole quantity ≥ 0',
          kind: 'permanent',
        })
        continue
      }
      try {
        const body = await client.call('pdd.goods.quantity.update', 'goods_quantity_update_response', {
          goods_id: level.platformItemId,
          sku_id: level.platformSkuId,
          quantity: level.quantity,
          update_type: 1,
        })
        outcomes.push(
          isSuccess(body)
            ? { ...base, ok: true }
            : { ...base, ok: false, error: 'pdd answered is_success=false', kind: 'permanent' },
        )
      } catch (err) {
        const e =
          err instanceof ConnectorError
            ? err
            : new ConnectorError('transient', (err as Error).message, { channel: 'pdd' })
        outcomes.push({ ...base, ok: false, error: e.message, kind: e.kind })
        if (e.kind === 'rate_limited' || e.kind === 'auth_expired') stop = e
      }
    }
    return outcomes
  },

  /**
   * pdd.logistics.online.send for the whole order (PDD ships an order as one; extra parcels use a
   * different API that the hub does not call yet). redelivery_type is left to its default (first send).
   */
  async pushShipment(shop, s) {
    const logisticsId = logisticsIdFor(s, shop.settings)
    const body = await pddClient(shop).call('pdd.logistics.online.send', 'logistics_online_send_response', {
      order_sn: s.orderExternalId,
      logistics_id: logisticsId,
      tracking_number: s.trackingNumber,
    })
    if (!isSuccess(body))
      throw new ConnectorError(
        'permanent',
        `pdd refused the shipment of ${s.orderExternalId} (is_success=false)`,
        { channel: 'pdd', body: JSON.stringify(body).slice(0, 4096) },
      )
  },

  /**
   * One 货款 day bill per Shanghai calendar day of the window: pdd.finance.balance.daily.bill.url.get
   * → download_url → the file → parseSettlementFile. Every readable line is yielded; rows that could
   * not be read and a stated total that the lines do not add up to are surfaced afterwards as one
   * permanent error (the interface has no channel for rejected rows, so they are never dropped silently).
   */
  async *pullSettlements(shop, window) {
    const client = pddClient(shop)
    const problems: string[] = []
    for (const billDate of billDates(window)) {
      const body = await client.call(
        'pdd.finance.balance.daily.bill.url.get',
        'finance_balance_daily_bill_url_get_response',
        { bill_date: billDate },
      )
      const url = typeof body.download_url === 'string' ? body.download_url : ''
      // No link yet: the day's bill is produced after the day ends. Try again later.
      if (url === '')
        throw new ConnectorError('transient', `pdd has no 货款 bill for ${billDate} yet`, { channel: 'pdd' })
      const bytes = await downloadBill(shop, url)
      if (bytes.subarray(0, 4).equals(Buffer.from('PK\u0003\u0004', 'latin1'))) {
        throw new ConnectorError(
          'permanent',
          `pdd bill for ${billDate} is a zip archive, which this connector does not unpack yet`,
          { channel: 'pdd' },
        )
      }
      const parsed = parsePddBill(bytes)
      for (const r of parsed.rejected) problems.push(`${billDate} row ${r.row}: ${r.reason} — ${r.raw}`)
      const total = sum(parsed.lines.map((l) => l.amount))
      if (parsed.statedTotal && !parsed.statedTotal.eq(total))
        problems.push(
          `${billDate}: the file states a total of ${parsed.statedTotal.toFixed(2)} but its lines add up to ${total.toFixed(2)}`,
        )
      const lines: SettlementLineDraft[] = parsed.lines
      if (lines.length > 0) yield lines
    }
    if (problems.length > 0)
      throw new ConnectorError('permanent', `pdd bill rows could not be booked:\n${problems.join('\n')}`, {
        channel: 'pdd',
      })
  },

  parseSettlementFile: parsePddBill,
  pullCatalogue: pullPddCatalogue,
  mapListing: mapPddListing,
} satisfies Connector<PddSettings>
