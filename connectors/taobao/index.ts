/**
 * Taobao / Tmall through the TOP gateway (shared/reference/cn-marketplaces.md §1).
 * Settings: { baseUrl?, signMethod?: 'md5' | 'hmac' | 'hmac-sha256', carrierCodes?, timeoutMs?, ratePerSecond? }.
 * Credentials: { appKey, appSecret, session, refreshToken?, expiresAt? }.
 *
 * Push: TOP delivers messages through TMC, a WebSocket (binary SDK protocol) or the
 * taobao.tmc.messages.consume pull — not an HTTP webhook — so verifyWebhook/parseWebhook are absent;
 * the scheduled incremental pull is the source of truth.
 * Settlements: parseSettlementFile reads the Alipay 账务明细 CSV. taobao.bill.bills.get is not used:
 * its `amount` is an integer of unconfirmed unit (§1.10, §9 "probably fen"), and a guessed unit in
 * the ledger is worse than no API.
 */
import { ConnectorError } from '../errors.js'
import { createPlatformClient } from '../http.js'
import { idString, parseJsonExact } from '../json.js'
import { fromShanghai, splitWindow, toShanghai } from '../cn/time.js'
import type {
  Connector,
  PushOutcome,
  RawOrder,
  RawPage,
  RawRefund,
  ShopContext,
  StockLevel,
  TimeWindow,
} from '../types.js'
import { companyCodeFor } from './carriers.js'
import { mapTaobaoListing, pullTaobaoCatalogue } from './catalogue.js'
import { mapTaobaoRefund, mapTaobaoTrade } from './map.js'
import { parseAlipayStatement } from './settlement.js'
import { TaobaoSettings } from './settings.js'
import { credentialsOf, isObj, listOf, topCaller, type TopCall } from './top.js'

/** §1.4: end_modified − start_modified ≤ 1 day. */
export const WINDOW_CAP_MS = 24 * 3600_000
export const PAGE_SIZE = 100
/**
 * No page-depth limit is documented for trades.sold.increment.get; TOP caps the sibling
 * bill.bills.get at 5 000 records per window, so a piece holding more than that is halved until it
 * fits, never truncated. Below MIN_PIECE_MS we page through whatever is there.
 */
export const MAX_PAGES = 50
const MIN_PIECE_MS = 60_000
/** skus.quantity.update takes at most 20 SKUs per call (§1.7). */
const SKUS_PER_CALL = 20

/**
 * The list call returns "only part of the trade" (§1.4: 返回的数据结果只包含了订单的部分数据): we
 * ask it only for what selects and orders the trades, and take the trade itself from
 * taobao.trade.fullinfo.get — receiver and OAID, promotion_details, the sub-orders' allocation
 * fields (part_mjz_discount, divide_order_fee) and refund states are what the mapper needs.
 */
const LIST_FIELDS = 'tid,status,modified'
export const TRADE_FIELDS = [
  'tid',
  'tid_str',
  'status',
  'type',
  'created',
  'modified',
  'pay_time',
  'consign_time',
  'end_time',
  'total_fee',
  'payment',
  'discount_fee',
  'post_fee',
  'adjust_fee',
  'received_payment',
  'coupon_fee',
  'tmall_coupon_fee',
  'point_fee',
  'platform_subsidy_fee',
  'commission_fee',
  'step_trade_status',
  'step_paid_fee',
  'shipping_type',
  'buyer_nick',
  'buyer_open_uid',
  'ouid',
  'buyer_message',
  'seller_memo',
  'seller_flag',
  'alipay_no',
  'is_part_consign',
  'receiver_name',
  'receiver_state',
  'receiver_city',
  'receiver_district',
  'receiver_town',
  'receiver_address',
  'receiver_zip',
  'receiver_mobile',
  'receiver_phone',
  'receiver_country',
  'oaid',
  'orders',
  'promotion_details',
].join(',')
const REFUND_FIELDS = [
  'refund_id',
  'tid',
  'oid',
  'title',
  'buyer_nick',
  'seller_nick',
  'total_fee',
  'status',
  'created',
  'refund_fee',
  'good_status',
  'company_name',
  'sid',
  'payment',
  'reason',
  'desc',
  'has_good_return',
  'modified',
  'order_status',
  'refund_phase',
  'num',
].join(',')

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')

const DEFAULT_OAUTH_URL = 'https://oauth.taobao.com'
const oauthUrl = (settings: Readonly<Partial<TaobaoSettings>>): string =>
  (settings.oauthUrl ?? DEFAULT_OAUTH_URL).replace(/\/$/, '')

/** The token document (code exchange or refresh, §1.12) → the shop's credentials. */
function tokenCredentials(shop: ShopContext, token: Record<string, unknown>): Record<string, unknown> {
  const now = shop.clock.now().getTime()
  const seconds = (v: unknown) =>
    typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number.parseInt(v, 10) : null
  const expiresIn = seconds(token.expires_in)
  const refreshIn = seconds(token.re_expires_in)
  return {
    ...shop.credentials,
    session: text(token.access_token),
    refreshToken: text(token.refresh_token) || text(shop.credentials.refreshToken) || null,
    expiresAt: expiresIn !== null ? new Date(now + expiresIn * 1000).toISOString() : null,
    ...(refreshIn !== null ? { refreshExpiresAt: new Date(now + refreshIn * 1000).toISOString() } : {}),
  }
}

export interface ListSpec {
  method: string
  listKey: string
  itemKey: string
  fields: string
  /** The one field asked for by the count call. */
  countField: string
}
export const TRADES: ListSpec = {
  method: 'taobao.trades.sold.increment.get',
  listKey: 'trades',
  itemKey: 'trade',
  fields: LIST_FIELDS,
  countField: 'tid',
}
/** refunds.receive.get documents no window cap (§1.9); it is walked like the trades, 1-day pieces, backwards. */
const REFUNDS: ListSpec = {
  method: 'taobao.refunds.receive.get',
  listKey: 'refunds',
  itemKey: 'refund',
  fields: REFUND_FIELDS,
  countField: 'refund_id',
}

const windowParams = (w: TimeWindow) => ({
  start_modified: toShanghai(w.from),
  end_modified: toShanghai(w.to),
})

function totalOf(payload: Record<string, unknown>, method: string): number {
  const n = payload.total_results
  const v =
    typeof n === 'number' ? n : typeof n === 'string' && /^\d+$/.test(n) ? Number.parseInt(n, 10) : NaN
  if (!Number.isSafeInteger(v))
    throw new ConnectorError('permanent', `taobao ${method} answered without total_results`, {
      channel: 'taobao',
      body: JSON.stringify(payload).slice(0, 4096),
    })
  return v
}

const modifiedOf = (o: unknown): Date | null => (isObj(o) ? fromShanghai(o.modified) : null)
const inWindow = (w: TimeWindow) => (o: unknown) => {
  const m = modifiedOf(o)
  return m !== null && m >= w.from && m < w.to
}

/**
 * Every item of a list API modified in [from, to): the window split at the 1-day cap (and halved
 * while a piece is deeper than MAX_PAGES), each piece counted first, then read from its last page
 * back to page 1 (§1.4: results are newest-first; walking backwards means a trade that changes
 * while we page shifts items into pages not read yet, so nothing is skipped — at worst seen twice).
 * The deepest page asks use_has_next: a `true` there means trades entered the piece after the count
 * (a window ending at "now"), and the extra pages are read before walking back.
 * Yields per page with coveredUntil = piece.from until the piece's last page, then piece.to.
 */
export async function* walk(
  call: TopCall,
  spec: ListSpec,
  window: TimeWindow,
  maxPages = MAX_PAGES,
): AsyncGenerator<{ items: unknown[]; coveredUntil: Date }> {
  for (const piece of splitWindow(window, WINDOW_CAP_MS)) yield* walkPiece(call, spec, piece, maxPages)
}

async function* walkPiece(
  call: TopCall,
  spec: ListSpec,
  piece: TimeWindow,
  maxPages: number,
): AsyncGenerator<{ items: unknown[]; coveredUntil: Date }> {
  const counted = await call(spec.method, {
    ...windowParams(piece),
    fields: spec.countField,
    page_no: '1',
    page_size: '1',
  })
  const total = totalOf(counted, spec.method)
  const pages = Math.ceil(total / PAGE_SIZE)
  const span = piece.to.getTime() - piece.from.getTime()
  if (pages > maxPages && span > MIN_PIECE_MS) {
    // Halve on a whole second: TOP's window parameters have no fractions.
    const mid = new Date(piece.from.getTime() + Math.floor(span / 2 / 1000) * 1000)
    yield* walkPiece(call, spec, { from: piece.from, to: mid }, maxPages)
    yield* walkPiece(call, spec, { from: mid, to: piece.to }, maxPages)
    return
  }
  if (pages === 0) {
    yield { items: [], coveredUntil: piece.to }
    return
  }
  const read = async (page: number) => {
    const p = await call(spec.method, {
      ...windowParams(piece),
      fields: spec.fields,
      page_no: String(page),
      page_size: String(PAGE_SIZE),
      use_has_next: 'true',
    })
    return {
      items: listOf(p[spec.listKey], spec.itemKey).filter(inWindow(piece)),
      hasNext: p.has_next === true || p.has_next === 'true',
    }
  }
  // The deepest page first; if the piece grew since the count, the pages beyond it follow.
  let page = pages
  let res = await read(page)
  while (res.hasNext) {
    yield { items: res.items, coveredUntil: piece.from }
    res = await read(++page)
  }
  yield { items: res.items, coveredUntil: pages === 1 ? piece.to : piece.from }
  for (page = pages - 1; page >= 1; page--) {
    const r = await read(page)
    yield { items: r.items, coveredUntil: page === 1 ? piece.to : piece.from }
  }
}

async function fullTrade(call: TopCall, tid: string): Promise<RawOrder> {
  const p = await call('taobao.trade.fullinfo.get', { tid, fields: TRADE_FIELDS })
  const trade = p.trade
  if (!isObj(trade))
    throw new ConnectorError('permanent', `taobao.trade.fullinfo.get answered without a trade for ${tid}`, {
      channel: 'taobao',
      body: JSON.stringify(p).slice(0, 4096),
    })
  // A trade whose id or time cannot be read is still handed on: the mapper reports it as malformed.
  return {
    externalId: idString(trade.tid_str) ?? idString(trade.tid) ?? tid,
    platformUpdatedAt: modifiedOf(trade) ?? new Date(0),
    payload: trade,
  }
}

function toRawRefund(o: unknown): RawRefund {
  const r = isObj(o) ? o : {}
  return {
    externalRefundId: idString(r.refund_id_str) ?? idString(r.refund_id) ?? 'unidentified',
    orderExternalId: idString(r.tid_str) ?? idString(r.tid) ?? 'unidentified',
    platformUpdatedAt: modifiedOf(r) ?? new Date(0),
    payload: o,
  }
}

function failAll(levels: readonly StockLevel[], err: unknown): PushOutcome[] {
  const kind = err instanceof ConnectorError ? err.kind : 'transient'
  const error = err instanceof Error ? err.message : String(err)
  return levels.map((l) => ({ platformSkuId: l.platformSkuId, ok: false, quantity: l.quantity, error, kind }))
}

/** An item without SKUs is pushed with the item id as its platform SKU id (or its `item:<num_iid>` key). */
const isItemLevel = (l: StockLevel): boolean =>
  !l.platformItemId || l.platformSkuId === l.platformItemId || l.platformSkuId === `item:${l.platformItemId}`

/** The tid a TMC trade or refund message names (its content is a JSON document in a string). */
export function tidOfMessage(m: Record<string, unknown>): string | null {
  const topic = text(m.topic)
  if (!topic.startsWith('taobao_trade_') && !topic.startsWith('taobao_refund_')) return null
  let content: unknown = m.content
  if (typeof content === 'string') {
    try {
      content = parseJsonExact(content)
    } catch {
      return null
    }
  }
  return isObj(content) ? idString(content.tid) : null
}

export const taobao: Connector = {
  channel: 'taobao',
  settingsSchema: TaobaoSettings,

  /** One cheap authenticated call: a one-minute, one-row increment query. */
  async verifyCredentials(shop) {
    const to = new Date(shop.clock.now().getTime() - 60_000)
    await topCaller(shop)(TRADES.method, {
      ...windowParams({ from: new Date(to.getTime() - 60_000), to }),
      fields: 'tid',
      page_no: '1',
      page_size: '1',
    })
  },

  /** taobao.top.auth.token.refresh (§1.12): only 服务市场 apps get refresh tokens; others re-authorise. */
  async refreshToken(shop) {
    const cred = credentialsOf(shop)
    if (!cred.refreshToken)
      throw new ConnectorError(
        'auth_expired',
        'taobao: no refresh token for this shop; the merchant must authorise the app again',
        { channel: 'taobao' },
      )
    const p = await topCaller(shop, cred)(
      'taobao.top.auth.token.refresh',
      { refresh_token: cred.refreshToken },
      { withSession: false },
    )
    // token_result is a JSON document inside a string.
    let token: unknown
    try {
      token = typeof p.token_result === 'string' ? parseJsonExact(p.token_result) : p.token_result
    } catch {
      token = undefined
    }
    if (!isObj(token) || text(token.access_token) === '')
      throw new ConnectorError(
        'permanent',
        'taobao.top.auth.token.refresh answered without an access_token',
        { channel: 'taobao' },
      )
    return tokenCredentials(shop, token)
  },

  oauth: {
    appFields: ['appKey', 'appSecret'],
    tokenField: 'session',
    authorizeUrl(shop, state, redirectUri) {
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: text(shop.credentials.appKey),
        redirect_uri: redirectUri,
        state,
        view: 'web',
      })
      return `${oauthUrl(shop.settings)}/authorize?${q.toString()}`
    },
    /** §1.12: the code is exchanged at oauth.taobao.com/token (the callback itself is not signed; the state is). */
    async exchangeCode(shop, query, redirectUri) {
      if (query.error)
        throw new ConnectorError(
          'permanent',
          `taobao: the seller did not authorise the app (${query.error_description ?? query.error})`,
          { channel: 'taobao' },
        )
      if (!query.code)
        throw new ConnectorError('permanent', 'taobao: the OAuth callback carries no code', {
          channel: 'taobao',
        })
      const secret = text(shop.credentials.appSecret)
      const http = createPlatformClient({
        channel: 'taobao',
        limiterKey: `${shop.id}:oauth`,
        baseUrl: oauthUrl(shop.settings),
        ratePerSecond: 2,
        timeoutMs: 20_000,
        retries: 1,
        secrets: [secret, query.code],
      })
      const form = new URLSearchParams({
        grant_type: 'authorization_code',
        code: query.code,
        client_id: text(shop.credentials.appKey),
        client_secret: secret,
        redirect_uri: redirectUri,
        view: 'web',
      })
      const res = await http.request({
        method: 'POST',
        url: '/token',
        data: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      })
      const token = isObj(res.json) ? res.json : {}
      if (text(token.access_token) === '')
        throw new ConnectorError(
          'permanent',
          `taobao refused the code: ${text(token.error_description) || text(token.error) || 'no access_token'}`,
          { channel: 'taobao', httpStatus: res.status },
        )
      return {
        ...tokenCredentials(shop, token),
        sellerNick: text(token.taobao_user_nick) || null,
        sellerId: text(token.taobao_user_id) || null,
      }
    },
  },

  async *pullOrders(shop: ShopContext, window: TimeWindow): AsyncIterable<RawPage> {
    const call = topCaller(shop)
    const seen = new Set<string>() // the backwards walk may show a trade twice
    for await (const page of walk(call, TRADES, window)) {
      const items: RawOrder[] = []
      for (const t of page.items) {
        const tid = isObj(t) ? (idString(t.tid_str) ?? idString(t.tid)) : null
        if (!tid || seen.has(tid)) continue
        seen.add(tid)
        items.push(await fullTrade(call, tid))
      }
      yield { items, coveredUntil: page.coveredUntil }
    }
  },

  fetchOrder: (shop, externalId) => fullTrade(topCaller(shop), externalId),

  /**
   * TMC over HTTP (§1.11): taobao.tmc.messages.consume hands out up to 200 messages of the app's
   * group; trade and refund messages are triggers whose content names the tid. Messages that are
   * not confirmed are delivered again, so a crash between fetch and confirm loses nothing.
   */
  async pullMessages(shop) {
    // Opt-in per shop (settings.tmc): the app's TMC topics must be enabled and the seller permitted.
    if (shop.settings.tmc !== true) return { ids: [], orderIds: [] }
    const p = await topCaller(shop)(
      'taobao.tmc.messages.consume',
      { quantity: '200', group_name: shop.settings.tmcGroup ?? 'default' },
      { withSession: false },
    )
    const messages = listOf(p.messages, 'tmc_message').filter(isObj)
    const ids: string[] = []
    const orderIds = new Set<string>()
    for (const m of messages) {
      const id = idString(m.id)
      if (id) ids.push(id)
      const tid = tidOfMessage(m)
      if (tid) orderIds.add(tid)
    }
    return { ids, orderIds: [...orderIds] }
  },

  async confirmMessages(shop, ids) {
    for (let i = 0; i < ids.length; i += 200) {
      await topCaller(shop)(
        'taobao.tmc.messages.confirm',
        {
          s_message_ids: ids.slice(i, i + 200).join(','),
          group_name: shop.settings.tmcGroup ?? 'default',
        },
        { withSession: false },
      )
    }
  },

  async *pullRefunds(shop: ShopContext, window: TimeWindow): AsyncIterable<RawPage<RawRefund>> {
    const seen = new Set<string>()
    for await (const page of walk(topCaller(shop), REFUNDS, window)) {
      const items = page.items
        .map(toRawRefund)
        .filter((r) => !seen.has(r.externalRefundId) && seen.add(r.externalRefundId))
      yield { items, coveredUntil: page.coveredUntil }
    }
  },

  mapOrder: mapTaobaoTrade,
  mapRefund: mapTaobaoRefund,

  /** Absolute quantities (type=1, full): skus.quantity.update per item in batches of 20; items without SKUs via item.quantity.update. */
  async pushStock(shop, levels) {
    const call = topCaller(shop)
    const outcomes: PushOutcome[] = []
    const byItem = new Map<string, StockLevel[]>()
    for (const l of levels) {
      if (!Number.isSafeInteger(l.quantity) || l.quantity < 0) {
        outcomes.push({
          platformSkuId: l.platformSkuId,
          ok: false,
          quantity: l.quantity,
          error: 'full stock updates take a whole number ≥ 0',
          kind: 'permanent',
        })
      } else if (isItemLevel(l)) {
        try {
          await call('taobao.item.quantity.update', {
            num_iid: l.platformItemId ?? l.platformSkuId,
            quantity: String(l.quantity),
            type: '1',
          })
          outcomes.push({ platformSkuId: l.platformSkuId, ok: true, quantity: l.quantity })
        } catch (err) {
          outcomes.push(...failAll([l], err))
        }
      } else {
        const list = byItem.get(l.platformItemId!) ?? []
        list.push(l)
        byItem.set(l.platformItemId!, list)
      }
    }
    for (const [numIid, list] of byItem) {
      for (let i = 0; i < list.length; i += SKUS_PER_CALL) {
        const batch = list.slice(i, i + SKUS_PER_CALL)
        try {
          await call('taobao.skus.quantity.update', {
            num_iid: numIid,
            skuid_quantities: batch.map((l) => `${l.platformSkuId}:${l.quantity}`).join(';'),
            type: '1',
          })
          outcomes.push(
            ...batch.map((l) => ({ platformSkuId: l.platformSkuId, ok: true, quantity: l.quantity })),
          )
        } catch (err) {
          outcomes.push(...failAll(batch, err))
        }
      }
    }
    return outcomes
  },

  /** taobao.logistics.offline.send (自己联系物流); a parcel with some sub-orders is a split send (is_split=1, sub_tid). */
  async pushShipment(shop, s) {
    const companyCode = s.companyCode || companyCodeFor(s, shop.settings)
    // A single-order trade's only oid equals its tid: naming it is the whole trade, not a split.
    const subTids = s.lineExternalIds.filter((oid) => oid !== s.orderExternalId)
    const p = await topCaller(shop)('taobao.logistics.offline.send', {
      tid: s.orderExternalId,
      out_sid: s.trackingNumber,
      company_code: companyCode,
      ...(subTids.length > 0 ? { is_split: '1', sub_tid: subTids.join(',') } : {}),
    })
    const shipping = p.shipping
    const success = isObj(shipping) && (shipping.is_success === true || shipping.is_success === 'true')
    if (!success)
      throw new ConnectorError(
        'permanent',
        `taobao.logistics.offline.send did not confirm the shipment of ${s.orderExternalId}`,
        { channel: 'taobao', body: JSON.stringify(p).slice(0, 4096) },
      )
  },

  parseSettlementFile: parseAlipayStatement,
  pullCatalogue: pullTaobaoCatalogue,
  mapListing: mapTaobaoListing,
} satisfies Connector<TaobaoSettings>
