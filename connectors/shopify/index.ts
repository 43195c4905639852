/**
 * Shopify Admin API (reference A). Pull and push through GraphQL on a pinned version; webhooks
 * deliver the REST order JSON, which the same mapper reads.
 *
 * Settings: { shopDomain: "acme.myshopify.com", baseUrl? (overrides https://{shopDomain}), apiVersion?,
 *             locations?: { [warehouseId]: locationId }, defaultLocationId?, scopes? }
 * Credentials: { accessToken } for a custom app, or { clientId, clientSecret } before OAuth and
 *              { clientId, clientSecret, accessToken, refreshToken?, expiresAt? } after it.
 *              Webhooks are signed with the app's client secret (custom apps: credentials.webhookSecret);
 *              previousClientSecret is still accepted during a secret rotation.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { money, tryMoney } from '../../src/money/index.js'
import { ConnectorError } from '../errors.js'
import { createPlatformClient } from '../http.js'
import { idString, parseJsonExact } from '../json.js'
import type {
  CarrierCode,
  Connector,
  PushOutcome,
  RawOrder,
  RawPage,
  SettlementLineDraft,
  SettlementLineType,
  ShopContext,
  StockLevel,
  TimeWindow,
} from '../types.js'
import {
  FULFILLMENT_CREATE,
  FULFILLMENT_ORDERS_QUERY,
  gid,
  LEVELS_QUERY,
  ORDER_QUERY,
  ORDERS_QUERY,
  SET_QUANTITIES,
  SHOP_QUERY,
  shopifyClient,
  shopOrigin,
  apiVersion,
} from './graphql.js'
import { gidTail, mapShopifyOrder } from './map.js'
import { ShopifySettings } from './settings.js'
import { mapShopifyListing, pullShopifyCatalogue } from './catalogue.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown): string => (typeof v === 'string' ? v : '')

const PAGE = 50 // 250 line items per order make a page of 250 orders too expensive for the cost limit
export const DEFAULT_SCOPES =
  'read_orders,read_all_orders,read_products,read_locations,read_inventory,write_inventory,read_merchant_managed_fulfillment_orders,write_merchant_managed_fulfillment_orders,read_shopify_payments_payouts'

/** Tracking companies Shopify recognises by name (it links tracking pages for these). */
export const TRACKING_COMPANY: Record<CarrierCode, string | null> = {
  SF: 'SF Express',
  ZTO: 'ZTO Express',
  YTO: 'YTO Express',
  YUNDA: 'Yunda Express',
  STO: 'STO Express',
  JT: 'J&T Express',
  EMS: 'EMS',
  JD: 'JD Logistics',
  DBL: 'Deppon Express',
  UPS: 'UPS',
  FEDEX: 'FedEx',
  DHL: 'DHL Express',
  USPS: 'USPS',
  OTHER: null,
}

const toRaw = (node: unknown): RawOrder => {
  const o = isObj(node) ? node : {}
  const id = gidTail(o.legacyResourceId ?? o.id) ?? 'unidentified'
  const updated = new Date(text(o.updatedAt ?? o.updated_at))
  return {
    externalId: id,
    platformUpdatedAt: Number.isNaN(updated.getTime()) ? new Date(0) : updated,
    payload: node,
  }
}

/** base64(HMAC-SHA256(secret, raw body)) — the X-Shopify-Hmac-Sha256 header. */
export function signShopifyWebhook(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('base64')
}

/** A callback's query: the raw query string as received, or its parameters (a list value repeats its key). */
export type ShopifyQuery = string | Readonly<Record<string, string | readonly string[] | undefined>>

/**
 * The message Shopify signs in a callback's `hmac` (shopify.dev "Verify the installation request";
 * Shopify's own libraries, shopify-api-js `stringifyQueryForAdmin` and shopify-api-ruby
 * `URI.encode_www_form`): every parameter but `hmac` and `signature`, decoded, sorted by name
 * (a repeated name such as `ids[]` keeps its order), then written back as a form —
 * application/x-www-form-urlencoded, so a space is `+` and `=`, `&`, `%`, `[`, `]` are escaped —
 * and joined `k=v&k=v`. A `host` with base64 padding is signed as `host=…%3D%3D`.
 */
export function shopifyQueryMessage(query: ShopifyQuery): string {
  const pairs: [string, string][] =
    typeof query === 'string'
      ? [...new URLSearchParams(query.startsWith('?') ? query.slice(1) : query)]
      : Object.entries(query).flatMap(([k, v]): [string, string][] =>
          v === undefined ? [] : typeof v === 'string' ? [[k, v]] : v.map((x): [string, string] => [k, x]),
        )
  const signed = pairs
    .filter(([k]) => k !== 'hmac' && k !== 'signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) // stable: repeated names keep their order
  return new URLSearchParams(signed).toString()
}

/** The OAuth callback's hmac: hex HMAC-SHA256 (key: the app's client secret) over shopifyQueryMessage. */
export function signShopifyQuery(secret: string, query: ShopifyQuery): string {
  return createHmac('sha256', secret).update(shopifyQueryMessage(query)).digest('hex')
}

const equalSecret = (a: Buffer, b: Buffer) => a.length === b.length && a.length > 0 && timingSafeEqual(a, b)

/** Deterministic idempotency key shaped as a UUID: the same push of the same quantity replays as one. */
export function idempotencyKey(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

function locationFor(shop: ShopContext, level: StockLevel): string | null {
  return level.locationId ?? (text(shop.settings.defaultLocationId) || null)
}

interface Level {
  variantId: string
  inventoryItemId: string | null
  available: number | null
}

async function readLevels(
  shop: ShopContext,
  variantIds: string[],
  locationId: string,
): Promise<Map<string, Level>> {
  const data = await shopifyClient(shop).graphql<{ nodes: unknown[] }>(LEVELS_QUERY, {
    ids: variantIds.map((v) => gid('ProductVariant', v)),
    location: gid('Location', locationId),
  })
  const out = new Map<string, Level>()
  for (const n of data.nodes ?? []) {
    if (!isObj(n)) continue
    const variantId = gidTail(n.id)!
    const item = isObj(n.inventoryItem) ? n.inventoryItem : null
    const level = item && isObj(item.inventoryLevel) ? item.inventoryLevel : null
    const q =
      level && Array.isArray(level.quantities)
        ? level.quantities.filter(isObj).find((x) => x.name === 'available')
        : undefined
    out.set(variantId, {
      variantId,
      inventoryItemId: item ? text(item.id) : null,
      available: typeof q?.quantity === 'number' ? q.quantity : null,
    })
  }
  return out
}

/** Set one location's quantities with compare-and-set; stale items are re-read and tried again (three attempts in all). */
async function setAtLocation(
  shop: ShopContext,
  locationId: string,
  items: StockLevel[],
  attempt = 1,
): Promise<PushOutcome[]> {
  const levels = await readLevels(
    shop,
    items.map((i) => i.platformSkuId),
    locationId,
  )
  const outcomes: PushOutcome[] = []
  const sendable: { level: StockLevel; itemId: string; from: number | null }[] = []
  for (const level of items) {
    const l = levels.get(level.platformSkuId)
    if (!l?.inventoryItemId)
      outcomes.push({
        platformSkuId: level.platformSkuId,
        locationId,
        ok: false,
        quantity: level.quantity,
        error: `variant ${level.platformSkuId} not found or not tracked`,
        kind: 'permanent',
      })
    else if (l.available === null)
      outcomes.push({
        platformSkuId: level.platformSkuId,
        locationId,
        ok: false,
        quantity: level.quantity,
        error: `variant ${level.platformSkuId} is not stocked at location ${locationId}`,
        kind: 'permanent',
      })
    else if (l.available === level.quantity)
      outcomes.push({ platformSkuId: level.platformSkuId, locationId, ok: true, quantity: level.quantity })
    else sendable.push({ level, itemId: l.inventoryItemId, from: l.available })
  }
  if (sendable.length === 0) return outcomes
  const quantities = sendable.map((s) => ({
    inventoryItemId: s.itemId,
    locationId: gid('Location', locationId),
    quantity: s.level.quantity,
    changeFromQuantity: s.from,
  }))
  const key = idempotencyKey(
    shop.id,
    locationId,
    ...quantities.map((q) => `${q.inventoryItemId}:${q.changeFromQuantity}>${q.quantity}`),
  )
  const data = await shopifyClient(shop).graphql<{
    inventorySetQuantities: {
      userErrors: { field?: string[] | null; message: string; code?: string | null }[]
    }
  }>(SET_QUANTITIES, {
    input: {
      name: 'available',
      reason: 'correction',
      referenceDocumentUri: `gid://entrepot/StockPush/${shop.id}`,
      quantities,
    },
    key,
  })
  const errors = data.inventorySetQuantities?.userErrors ?? []
  // userErrors name the quantity by its index: ["input", "quantities", "3", "changeFromQuantity"].
  const byIndex = new Map<number, { message: string; code?: string | null }>()
  const general: string[] = []
  for (const e of errors) {
    const idx = e.field?.[0] === 'input' && e.field[1] === 'quantities' ? Number(e.field[2]) : NaN
    if (Number.isInteger(idx)) byIndex.set(idx, e)
    else general.push(e.message)
  }
  if (errors.length === 0) {
    for (const s of sendable)
      outcomes.push({
        platformSkuId: s.level.platformSkuId,
        locationId,
        ok: true,
        quantity: s.level.quantity,
      })
    return outcomes
  }
  // A mutation with userErrors applies nothing: the quantities that were fine are sent again
  // without the ones that failed; stale ones are re-read and tried once more.
  const retry: StockLevel[] = []
  sendable.forEach((s, i) => {
    const e = byIndex.get(i)
    if (general.length > 0)
      outcomes.push({
        platformSkuId: s.level.platformSkuId,
        locationId,
        ok: false,
        quantity: s.level.quantity,
        error: general.join('; '),
        kind: 'permanent',
      })
    else if (!e || e.code === 'CHANGE_FROM_QUANTITY_STALE' || e.code === 'COMPARE_QUANTITY_STALE')
      retry.push(s.level)
    else
      outcomes.push({
        platformSkuId: s.level.platformSkuId,
        locationId,
        ok: false,
        quantity: s.level.quantity,
        error: `${e.code ?? 'error'}: ${e.message}`,
        kind: 'permanent',
      })
  })
  if (retry.length > 0) {
    if (attempt >= 3)
      for (const l of retry)
        outcomes.push({
          platformSkuId: l.platformSkuId,
          locationId,
          ok: false,
          quantity: l.quantity,
          error: 'quantity kept changing on Shopify while it was being set',
          kind: 'transient',
        })
    else outcomes.push(...(await setAtLocation(shop, locationId, retry, attempt + 1)))
  }
  return outcomes
}

/* ------------------------------------------------------------------------------------------------
 * Shopify Payments payouts and balance transactions (REST, A.9) → settlement lines.
 */

const BALANCE_TYPE: Record<string, SettlementLineType> = {
  charge: 'sale',
  refund: 'refund',
  dispute: 'adjustment',
  reserve: 'adjustment',
  adjustment: 'adjustment',
  credit: 'adjustment',
  debit: 'adjustment',
  payout: 'payout',
  payout_failure: 'payout',
  payout_cancellation: 'payout',
}

/** One balance transaction → its gross line and, when there is one, its fee line (fees flow away: negative). */
export function balanceTransactionLines(t: Obj, payoutId: string | null): SettlementLineDraft[] {
  const id = idString(t.id)
  const currency = text(t.currency).toUpperCase()
  const amount = tryMoney(t.amount)
  const fee = tryMoney(t.fee) ?? money(0)
  const at = new Date(text(t.processed_at))
  if (!id || !amount || !/^[A-Z]{3}$/.test(currency) || Number.isNaN(at.getTime()))
    throw new Error(
      `balance transaction ${JSON.stringify(t.id)} lacks an id, amount, currency or processed_at`,
    )
  const type = text(t.type)
  const raw = Object.fromEntries(
    Object.entries(t).map(([k, v]) => [
      k,
      v === null || v === undefined
        ? ''
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v as string | number | boolean),
    ]),
  )
  const order = idString(t.source_order_id)
  const lines: SettlementLineDraft[] = [
    {
      externalLineId: `bt:${id}`,
      orderExternalId: order,
      type: BALANCE_TYPE[type] ?? 'unknown',
      platformType: type,
      amount,
      currency,
      occurredAt: at,
      description: text(t.source_type) || null,
      payoutId,
      raw,
    },
  ]
  if (!fee.isZero())
    lines.push({
      externalLineId: `bt:${id}:fee`,
      orderExternalId: order,
      type: 'payment_fee',
      platformType: `${type} fee`,
      amount: fee.neg(),
      currency,
      occurredAt: at,
      description: 'Shopify Payments fee',
      payoutId,
      raw,
    })
  return lines
}

const nextLink = (link: string | undefined): string | null => {
  for (const part of (link ?? '').split(',')) {
    const m = /<([^>]+)>;\s*rel="next"/.exec(part)
    if (m) return m[1]!
  }
  return null
}

const ymd = (d: Date) => d.toISOString().slice(0, 10)

async function* pullPayouts(shop: ShopContext, window: TimeWindow): AsyncIterable<SettlementLineDraft[]> {
  const http = shopifyClient(shop).http
  const base = `/admin/api/${apiVersion(shop.settings)}/shopify_payments`
  // Payout dates are calendar dates: the window's last day is taken only once it is over.
  let url: string | null =
    `${base}/payouts.json?status=paid&date_min=${ymd(window.from)}&date_max=${ymd(new Date(window.to.getTime() - 1))}&limit=250`
  while (url) {
    const res = await http.request({ method: 'GET', url })
    const payouts = isObj(res.json) && Array.isArray(res.json.payouts) ? res.json.payouts.filter(isObj) : null
    if (!payouts)
      throw new ConnectorError('permanent', 'shopify answered the payout list without payouts', {
        channel: 'shopify',
        body: res.text.slice(0, 4096),
      })
    for (const p of payouts) {
      const payoutId = idString(p.id)!
      const lines: SettlementLineDraft[] = []
      let txUrl: string | null =
        `${base}/balance/transactions.json?payout_id=${encodeURIComponent(payoutId)}&limit=250`
      while (txUrl) {
        const tr = await http.request({ method: 'GET', url: txUrl })
        const txs =
          isObj(tr.json) && Array.isArray(tr.json.transactions) ? tr.json.transactions.filter(isObj) : []
        for (const t of txs) if (t.type !== 'payout') lines.push(...balanceTransactionLines(t, payoutId))
        txUrl = nextLink(tr.headers.link)
      }
      const amount = tryMoney(p.amount)
      if (amount) {
        // The payout itself moves the net to the bank: away from the platform balance.
        lines.push({
          externalLineId: `payout:${payoutId}`,
          orderExternalId: null,
          type: 'payout',
          platformType: 'payout',
          amount: amount.neg(),
          currency: text(p.currency).toUpperCase(),
          occurredAt: new Date(`${text(p.date)}T00:00:00Z`),
          description: `payout ${text(p.status)}`,
          payoutId,
          raw: { id: payoutId, date: text(p.date), amount: text(p.amount), status: text(p.status) },
        })
      }
      yield lines
    }
    url = nextLink(res.headers.link)
  }
}

/* ------------------------------------------------------------------------------------------------ */

async function exchangeToken(
  shop: Pick<ShopContext, 'id' | 'settings' | 'credentials'>,
  body: Record<string, string>,
): Promise<Record<string, unknown>> {
  const http = createPlatformClient({
    channel: 'shopify',
    limiterKey: `${shop.id}:oauth`,
    baseUrl: shopOrigin(shop.settings),
    ratePerSecond: 2,
    timeoutMs: 20_000,
    secrets: [text(shop.credentials.clientSecret), body.code ?? '', body.refresh_token ?? ''],
  })
  const res = await http.request({
    method: 'POST',
    url: '/admin/oauth/access_token',
    data: body,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
  })
  const json = isObj(res.json) ? res.json : {}
  const token = text(json.access_token)
  if (!token)
    throw new ConnectorError('permanent', 'shopify answered the token request without an access_token', {
      channel: 'shopify',
      httpStatus: res.status,
    })
  const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : null
  return {
    ...shop.credentials,
    accessToken: token,
    scope: text(json.scope),
    ...(text(json.refresh_token) ? { refreshToken: text(json.refresh_token) } : {}),
    ...(expiresIn !== null ? { expiresIn } : {}),
  }
}

export const shopify: Connector = {
  channel: 'shopify',
  settingsSchema: ShopifySettings,

  async verifyCredentials(shop) {
    if (!text(shop.credentials.accessToken))
      throw new ConnectorError(
        'permanent',
        "an accessToken is required (a custom app's Admin API token), or link the shop through OAuth",
        { channel: 'shopify' },
      )
    await shopifyClient(shop).graphql(SHOP_QUERY)
  },

  oauth: {
    appFields: ['clientId', 'clientSecret'],
    tokenField: 'accessToken',
    authorizeUrl(shop, state, redirectUri) {
      const q = new URLSearchParams({
        client_id: text(shop.credentials.clientId),
        scope: shop.settings.scopes || DEFAULT_SCOPES,
        redirect_uri: redirectUri,
        state,
      })
      return `${shopOrigin(shop.settings)}/admin/oauth/authorize?${q.toString()}`
    },
    async exchangeCode(shop, query, _redirectUri, rawQuery) {
      const secret = text(shop.credentials.clientSecret)
      const given = Buffer.from(query.hmac ?? '', 'hex')
      // Signed over the query as Shopify sent it; the parsed record only when no raw query is at hand.
      const expected = signShopifyQuery(secret, rawQuery ?? query)
      if (!secret || !equalSecret(given, Buffer.from(expected, 'hex')))
        throw new ConnectorError('permanent', 'the OAuth callback signature (hmac) does not match', {
          channel: 'shopify',
        })
      if (query.shop !== text(shop.settings.shopDomain))
        throw new ConnectorError(
          'permanent',
          `the OAuth callback is for ${JSON.stringify(query.shop)}, not this shop`,
          { channel: 'shopify' },
        )
      if (!query.code)
        throw new ConnectorError('permanent', 'the OAuth callback carries no code', { channel: 'shopify' })
      const creds = await exchangeToken(shop, {
        client_id: text(shop.credentials.clientId),
        client_secret: secret,
        code: query.code,
        expiring: '1',
      })
      return withExpiry(creds, shop.clock.now())
    },
  },

  async refreshToken(shop) {
    const refresh = text(shop.credentials.refreshToken)
    if (!refresh)
      throw new ConnectorError(
        'auth_expired',
        'the Shopify token was rejected and there is no refresh token: link the shop again',
        { channel: 'shopify' },
      )
    const creds = await exchangeToken(shop, {
      client_id: text(shop.credentials.clientId),
      client_secret: text(shop.credentials.clientSecret),
      grant_type: 'refresh_token',
      refresh_token: refresh,
    })
    return withExpiry(creds, shop.clock.now())
  },

  async *pullOrders(shop: ShopContext, window: TimeWindow): AsyncIterable<RawPage> {
    const client = shopifyClient(shop)
    // GraphQL search has no default status filter (unlike REST's status=open): every order comes.
    const query = `updated_at:>='${window.from.toISOString()}' AND updated_at:<'${window.to.toISOString()}'`
    let after: string | null = null
    for (;;) {
      const data: {
        orders?: { pageInfo?: { hasNextPage?: boolean; endCursor?: string | null }; nodes?: unknown[] }
      } = await client.graphql(ORDERS_QUERY, { first: PAGE, after, query })
      if (!data.orders || !Array.isArray(data.orders.nodes))
        throw new ConnectorError('permanent', 'shopify answered the order query without orders', {
          channel: 'shopify',
        })
      const items = data.orders.nodes
        .map(toRaw)
        .filter((o) => o.platformUpdatedAt >= window.from && o.platformUpdatedAt < window.to)
      const more = data.orders.pageInfo?.hasNextPage === true && !!data.orders.pageInfo.endCursor
      // Sorted by updated_at: the cursor may move to the last order of a page, and to the window's end after the last page.
      const last = items.at(-1)?.platformUpdatedAt ?? window.from
      yield { items, coveredUntil: more ? last : window.to }
      if (!more) return
      after = data.orders.pageInfo!.endCursor!
    }
  },

  async fetchOrder(shop, externalId) {
    const data = await shopifyClient(shop).graphql<{ order: unknown }>(ORDER_QUERY, {
      id: gid('Order', externalId),
    })
    if (!isObj(data.order))
      throw new ConnectorError('permanent', `shopify order ${externalId} not found`, { channel: 'shopify' })
    return toRaw(data.order)
  },

  mapOrder: mapShopifyOrder,

  async pushStock(shop, items) {
    const byLocation = new Map<string, StockLevel[]>()
    const outcomes: PushOutcome[] = []
    for (const level of items) {
      const loc = locationFor(shop, level)
      if (!loc) {
        outcomes.push({
          platformSkuId: level.platformSkuId,
          ok: false,
          quantity: level.quantity,
          error:
            'no Shopify location: map warehouses to locations in settings.locations or set settings.defaultLocationId',
          kind: 'permanent',
        })
        continue
      }
      const id = gidTail(loc)!
      byLocation.set(id, [...(byLocation.get(id) ?? []), level])
    }
    for (const [loc, levels] of byLocation) {
      for (let i = 0; i < levels.length; i += 250) {
        const batch = levels.slice(i, i + 250)
        try {
          outcomes.push(...(await setAtLocation(shop, loc, batch)))
        } catch (err) {
          const kind = err instanceof ConnectorError ? err.kind : 'transient'
          for (const l of batch)
            outcomes.push({
              platformSkuId: l.platformSkuId,
              locationId: loc,
              ok: false,
              quantity: l.quantity,
              error: (err as Error).message,
              kind,
            })
        }
      }
    }
    return outcomes
  },

  /** Fulfil the open fulfillment-order lines of the parcel; lines already fulfilled make a replay a no-op. */
  async pushShipment(shop, s) {
    const client = shopifyClient(shop)
    const data = await client.graphql<{ order: { fulfillmentOrders?: { nodes?: unknown[] } } | null }>(
      FULFILLMENT_ORDERS_QUERY,
      { id: gid('Order', s.orderExternalId) },
    )
    if (!data.order)
      throw new ConnectorError('permanent', `shopify order ${s.orderExternalId} not found`, {
        channel: 'shopify',
      })
    const wanted = new Set(s.lineExternalIds)
    const groups = (data.order.fulfillmentOrders?.nodes ?? [])
      .filter(isObj)
      .filter((fo) => fo.status === 'OPEN' || fo.status === 'IN_PROGRESS')
      .map((fo) => ({
        fulfillmentOrderId: text(fo.id),
        fulfillmentOrderLineItems: (isObj(fo.lineItems) && Array.isArray(fo.lineItems.nodes)
          ? fo.lineItems.nodes.filter(isObj)
          : []
        )
          .filter((li) => typeof li.remainingQuantity === 'number' && li.remainingQuantity > 0)
          .filter(
            (li) =>
              wanted.size === 0 || wanted.has(gidTail(isObj(li.lineItem) ? li.lineItem.id : null) ?? ''),
          )
          .map((li) => ({ id: text(li.id), quantity: li.remainingQuantity as number })),
      }))
      .filter((g) => g.fulfillmentOrderLineItems.length > 0)
    if (groups.length === 0) return
    const company = s.carrier === 'OTHER' ? (s.carrierName ?? null) : TRACKING_COMPANY[s.carrier]
    const res = await client.graphql<{ fulfillmentCreate: { userErrors: { message: string }[] } }>(
      FULFILLMENT_CREATE,
      {
        fulfillment: {
          notifyCustomer: true,
          trackingInfo: { company, number: s.trackingNumber },
          lineItemsByFulfillmentOrder: groups,
        },
      },
    )
    const errors = res.fulfillmentCreate?.userErrors ?? []
    if (errors.length > 0)
      throw new ConnectorError(
        'permanent',
        `shopify refused the fulfillment: ${errors.map((e) => e.message).join('; ')}`,
        { channel: 'shopify' },
      )
  },

  verifyWebhook(req, shop) {
    const given = Buffer.from(req.headers['x-shopify-hmac-sha256'] ?? '', 'base64')
    const secrets = [
      shop.credentials.webhookSecret,
      shop.credentials.clientSecret,
      shop.credentials.previousClientSecret,
    ]
      .map(text)
      .filter(Boolean)
    return secrets.some((secret) =>
      equalSecret(given, Buffer.from(signShopifyWebhook(secret, req.rawBody), 'base64')),
    )
  },

  parseWebhook(req) {
    const topic = req.headers['x-shopify-topic'] ?? 'unknown'
    const deliveryId = req.headers['x-shopify-webhook-id'] ?? null
    const body = parseJsonExact(req.rawBody.toString('utf8'))
    if (!isObj(body))
      throw new ConnectorError('permanent', 'the webhook body is not a JSON object', {
        channel: 'shopify',
        body: req.rawBody.toString('utf8').slice(0, 4096),
      })
    if (
      topic === 'orders/create' ||
      topic === 'orders/updated' ||
      topic === 'orders/cancelled' ||
      topic === 'orders/paid' ||
      topic === 'orders/fulfilled'
    ) {
      const id = idString(body.id) ?? 'unidentified'
      const updated = new Date(text(body.updated_at))
      return {
        deliveryId,
        topic,
        orders: [
          {
            externalId: id,
            platformUpdatedAt: Number.isNaN(updated.getTime()) ? new Date(0) : updated,
            payload: body,
          },
        ],
        refunds: [],
        orderIdsToFetch: [],
      }
    }
    // A refund changes its order: fetch the order, whose payload carries every refund (A.2: there is no refund list by date).
    if (topic === 'refunds/create')
      return {
        deliveryId,
        topic,
        orders: [],
        refunds: [],
        orderIdsToFetch: [idString(body.order_id)].filter((x): x is string => x !== null),
      }
    return { deliveryId, topic, orders: [], refunds: [], orderIdsToFetch: [] }
  },

  pullSettlements: pullPayouts,
  pullCatalogue: pullShopifyCatalogue,
  mapListing: mapShopifyListing,
} satisfies Connector<ShopifySettings>

/** expires_in (seconds) → an absolute expiresAt, so the framework refreshes before expiry. */
function withExpiry(creds: Record<string, unknown>, now: Date): Record<string, unknown> {
  const { expiresIn, ...rest } = creds
  return typeof expiresIn === 'number'
    ? { ...rest, expiresAt: new Date(now.getTime() + expiresIn * 1000).toISOString() }
    : { ...rest, expiresAt: null }
}
