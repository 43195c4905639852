/**
 * The self-run store connector: the merchant's own shop implements CONTRACT.md (beside this file).
 * Settings: { baseUrl }. Credentials: { apiKey, webhookSecret }.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { ConnectorError } from '../errors.js'
import { createPlatformClient, type PlatformClient } from '../http.js'
import { idString, parseJsonExact } from '../json.js'
import type {
  Connector,
  PushOutcome,
  RawOrder,
  RawPage,
  RawWebhook,
  ShopContext,
  TimeWindow,
  WebhookEvent,
} from '../types.js'
import { mapSelfstoreOrder } from './map.js'
import { SelfstoreSettings } from './settings.js'
import { mapSelfstoreListing, pullSelfstoreCatalogue } from './catalogue.js'

const PAGE_SIZE = 100
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')
/** Webhooks older than this are refused as replays. */
export const WEBHOOK_TOLERANCE_MS = 5 * 60_000

function client(shop: ShopContext<Partial<SelfstoreSettings>>): PlatformClient {
  const apiKey = text(shop.credentials.apiKey)
  return createPlatformClient({
    channel: 'selfstore',
    limiterKey: shop.id,
    baseUrl: shop.settings.baseUrl ?? '',
    ratePerSecond: shop.settings.ratePerSecond ?? 10,
    timeoutMs: shop.settings.timeoutMs,
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
    secrets: [apiKey],
  })
}

function toRawOrder(o: unknown): RawOrder {
  const obj = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>
  const id = idString(obj.id)
  const updated = typeof obj.updated_at === 'string' ? new Date(obj.updated_at) : new Date(NaN)
  // An order without a readable id or time is still handed on: the pipeline keeps it and reports it.
  return {
    externalId: id ?? `unidentified-${JSON.stringify(o).length}`,
    platformUpdatedAt: Number.isNaN(updated.getTime()) ? new Date(0) : updated,
    payload: o,
  }
}

function body(res: { json: unknown; text: string }, what: string): Record<string, unknown> {
  if (typeof res.json !== 'object' || res.json === null) {
    throw new ConnectorError('permanent', `self-run store answered ${what} without a JSON object`, {
      channel: 'selfstore',
      body: res.text.slice(0, 4096),
    })
  }
  return res.json as Record<string, unknown>
}

export function signWebhook(secret: string, timestampSec: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestampSec}.`).update(rawBody).digest('hex')
}

export const selfstore: Connector = {
  channel: 'selfstore',
  settingsSchema: SelfstoreSettings,

  async verifyCredentials(shop) {
    await client(shop).request({
      method: 'GET',
      url: '/orders',
      params: { limit: 1, changed_since: new Date(0).toISOString() },
    })
  },

  async *pullOrders(shop: ShopContext, window: TimeWindow): AsyncIterable<RawPage> {
    const http = client(shop)
    let cursor: string | null = null
    do {
      const res = await http.request({
        method: 'GET',
        url: '/orders',
        params: {
          changed_since: window.from.toISOString(),
          changed_before: window.to.toISOString(),
          limit: PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        },
      })
      const page = body(res, 'GET /orders')
      const orders = Array.isArray(page.orders) ? page.orders : []
      const items = orders.map(toRawOrder).filter((o) => o.platformUpdatedAt < window.to)
      cursor = typeof page.next_cursor === 'string' && page.next_cursor !== '' ? page.next_cursor : null
      const latest = items.reduce((t, o) => Math.max(t, o.platformUpdatedAt.getTime()), window.from.getTime())
      yield { items, coveredUntil: cursor ? new Date(latest) : window.to }
    } while (cursor)
  },

  async fetchOrder(shop, externalId) {
    const res = await client(shop).request({
      method: 'GET',
      url: `/orders/${encodeURIComponent(externalId)}`,
    })
    return toRawOrder(body(res, 'GET /orders/{id}'))
  },

  mapOrder: mapSelfstoreOrder,
  pullCatalogue: pullSelfstoreCatalogue,
  mapListing: mapSelfstoreListing,

  async pushStock(shop, items) {
    const res = await client(shop).request({
      method: 'PUT',
      url: '/stock',
      data: { items: items.map((i) => ({ sku: i.platformSkuId, quantity: i.quantity })) },
    })
    const results = body(res, 'PUT /stock').results
    const bySku = new Map(
      (Array.isArray(results) ? results : []).map((r) => {
        const o = r as Record<string, unknown>
        return [String(o.sku), o] as const
      }),
    )
    return items.map((i): PushOutcome => {
      const r = bySku.get(i.platformSkuId)
      if (!r)
        return {
          platformSkuId: i.platformSkuId,
          ok: false,
          quantity: i.quantity,
          error: 'no result for this SKU',
          kind: 'transient',
        }
      return r.ok === true
        ? { platformSkuId: i.platformSkuId, ok: true, quantity: i.quantity }
        : {
            platformSkuId: i.platformSkuId,
            ok: false,
            quantity: i.quantity,
            error: text(r.error) || 'rejected',
            kind: 'permanent',
          }
    })
  },

  async pushShipment(shop, s) {
    await client(shop).request({
      method: 'POST',
      url: `/orders/${encodeURIComponent(s.orderExternalId)}/shipments`,
      data: {
        carrier: s.carrier,
        carrier_name: s.carrierName ?? null,
        tracking_number: s.trackingNumber,
        shipped_at: s.shippedAt.toISOString(),
        line_ids: s.lineExternalIds,
      },
    })
  },

  verifyWebhook(req: RawWebhook, shop: ShopContext) {
    const secret = text(shop.credentials.webhookSecret)
    const header = req.headers['x-entrepot-signature'] ?? ''
    const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]))
    const t = Number(parts.t)
    if (!secret || !parts.v1 || !Number.isInteger(t)) return false
    if (Math.abs(shop.clock.now().getTime() - t * 1000) > WEBHOOK_TOLERANCE_MS) return false
    const expected = Buffer.from(signWebhook(secret, t, req.rawBody), 'hex')
    const given = Buffer.from(parts.v1, 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected)
  },

  parseWebhook(req): WebhookEvent {
    const payload = parseJsonExact(req.rawBody.toString('utf8')) as Record<string, unknown>
    const topic = text(payload.event) || 'unknown'
    const deliveryId = req.headers['x-entrepot-delivery'] ?? null
    if (topic === 'ping')
      return { deliveryId, topic, orders: [], refunds: [], orderIdsToFetch: [], ping: true }
    const order = payload.order
    const orderId = idString(payload.order_id)
    return {
      deliveryId,
      topic,
      orders: order ? [toRawOrder(order)] : [],
      refunds: [],
      orderIdsToFetch: !order && orderId ? [orderId] : [],
    }
  },
} satisfies Connector<SelfstoreSettings>
