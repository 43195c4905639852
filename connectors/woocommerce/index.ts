/**
 * WooCommerce REST v3 (reference B). Settings: { baseUrl } (the site URL). Credentials:
 * { consumerKey, consumerSecret, webhookSecret }. The scheme of baseUrl chooses the authentication,
 * as WooCommerce does: HTTP Basic over https; over plain http WooCommerce ignores Basic and demands
 * OAuth 1.0a one-legged (HMAC-SHA256, parameters in the query string, a fresh nonce per attempt).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { ConnectorError } from '../errors.js'
import { parseJsonExact } from '../json.js'
import type {
  Connector,
  PushOutcome,
  RawOrder,
  RawPage,
  ShopContext,
  StockLevel,
  TimeWindow,
} from '../types.js'
import { gmt, mapWooOrder } from './map.js'
import { wooClient as client } from './client.js'
import { WooSettings } from './settings.js'
import { mapWooListing, pullWooCatalogue } from './catalogue.js'

const API = '/wp-json/wc/v3'
const PER_PAGE = 100
const BATCH_MAX = 100
const text = (v: unknown): string => (typeof v === 'string' ? v : '')

const toRaw = (o: unknown): RawOrder => {
  const obj = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>
  const id = typeof obj.id === 'number' || typeof obj.id === 'string' ? String(obj.id) : 'unidentified'
  return { externalId: id, platformUpdatedAt: gmt(obj.date_modified_gmt) ?? new Date(0), payload: o }
}

/** 'productId' or 'productId:variationId', as the mapper keys platform SKUs. */
function splitKey(key: string): { productId: string; variationId: string | null } {
  const [productId, variationId] = key.split(':')
  return { productId: productId!, variationId: variationId ?? null }
}

export function signWooWebhook(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('base64')
}

const isPing = (body: Buffer) => /^webhook_id=\d+$/.test(body.toString('utf8').trim())

export const woocommerce: Connector = {
  channel: 'woocommerce',
  settingsSchema: WooSettings,

  async verifyCredentials(shop) {
    await client(shop).request({ method: 'GET', url: `${API}/orders`, params: { per_page: 1 } })
  },

  async *pullOrders(shop: ShopContext, window: TimeWindow): AsyncIterable<RawPage> {
    const http = client(shop)
    // modified_after is exclusive on the server: ask from 1 s earlier and keep [from, to) ourselves.
    const after = new Date(window.from.getTime() - 1000).toISOString().slice(0, 19)
    for (let page = 1, pages = 1; page <= pages; page++) {
      const res = await http.request({
        method: 'GET',
        url: `${API}/orders`,
        params: {
          modified_after: after,
          modified_before: window.to.toISOString().slice(0, 19),
          dates_are_gmt: true,
          orderby: 'date',
          order: 'asc',
          status: 'any',
          per_page: PER_PAGE,
          page,
        },
      })
      if (!Array.isArray(res.json))
        throw new ConnectorError('permanent', 'WooCommerce answered the order list without a JSON array', {
          channel: 'woocommerce',
          body: res.text.slice(0, 4096),
        })
      pages = Math.max(1, parseInt(res.headers['x-wp-totalpages'] ?? '1', 10) || 1)
      const items = res.json
        .map(toRaw)
        .filter((o) => o.platformUpdatedAt >= window.from && o.platformUpdatedAt < window.to)
      // Pages are ordered by creation date, not modification: the cursor may only move at the end.
      yield { items, coveredUntil: page >= pages ? window.to : window.from }
    }
  },

  async fetchOrder(shop, externalId) {
    const res = await client(shop).request({
      method: 'GET',
      url: `${API}/orders/${encodeURIComponent(externalId)}`,
    })
    return toRaw(res.json)
  },

  mapOrder: mapWooOrder,

  async pushStock(shop, items: readonly StockLevel[]) {
    const http = client(shop)
    const groups = new Map<string, { id: string; level: StockLevel }[]>()
    for (const level of items) {
      const { productId, variationId } = splitKey(level.platformSkuId)
      const url = variationId ? `${API}/products/${productId}/variations/batch` : `${API}/products/batch`
      const list = groups.get(url) ?? []
      list.push({ id: variationId ?? productId, level })
      groups.set(url, list)
    }
    const outcomes: PushOutcome[] = []
    for (const [url, list] of groups) {
      for (let i = 0; i < list.length; i += BATCH_MAX) {
        const batch = list.slice(i, i + BATCH_MAX)
        try {
          const res = await http.request({
            method: 'POST',
            url,
            data: {
              update: batch.map((b) => ({
                id: Number(b.id),
                manage_stock: true,
                stock_quantity: b.level.quantity,
              })),
            },
          })
          const updated =
            (res.json as { update?: { id?: unknown; error?: { message?: string } }[] } | undefined)?.update ??
            []
          for (const b of batch) {
            const r = updated.find((u) => String(u.id) === b.id)
            outcomes.push(
              r && !r.error
                ? { platformSkuId: b.level.platformSkuId, ok: true, quantity: b.level.quantity }
                : {
                    platformSkuId: b.level.platformSkuId,
                    ok: false,
                    quantity: b.level.quantity,
                    error: r?.error?.message ?? 'not in the batch answer',
                    kind: 'permanent',
                  },
            )
          }
        } catch (err) {
          const kind = err instanceof ConnectorError ? err.kind : 'transient'
          for (const b of batch)
            outcomes.push({
              platformSkuId: b.level.platformSkuId,
              ok: false,
              quantity: b.level.quantity,
              error: (err as Error).message,
              kind,
            })
        }
      }
    }
    return outcomes
  },

  /** WooCommerce has no shipment object: a customer-visible order note, then status completed. */
  async pushShipment(shop, s) {
    const http = client(shop)
    const carrier = s.carrier === 'OTHER' ? (s.carrierName ?? 'carrier') : s.carrier
    await http.request({
      method: 'POST',
      url: `${API}/orders/${encodeURIComponent(s.orderExternalId)}/notes`,
      data: { note: `Shipped with ${carrier}, tracking number ${s.trackingNumber}`, customer_note: true },
    })
    await http.request({
      method: 'PUT',
      url: `${API}/orders/${encodeURIComponent(s.orderExternalId)}`,
      data: { status: 'completed' },
    })
  },

  verifyWebhook(req, shop) {
    if (isPing(req.rawBody)) return true // the unsigned activation ping: answered 200, nothing processed
    const secret = text(shop.credentials.webhookSecret)
    const given = Buffer.from(req.headers['x-wc-webhook-signature'] ?? '', 'base64')
    const expected = Buffer.from(signWooWebhook(secret, req.rawBody), 'base64')
    return secret !== '' && given.length === expected.length && timingSafeEqual(given, expected)
  },

  pullCatalogue: pullWooCatalogue,
  mapListing: mapWooListing,

  parseWebhook(req) {
    const deliveryId = req.headers['x-wc-webhook-delivery-id'] ?? null
    const topic = req.headers['x-wc-webhook-topic'] ?? 'unknown'
    if (isPing(req.rawBody))
      return { deliveryId, topic: 'ping', orders: [], refunds: [], orderIdsToFetch: [], ping: true }
    const body = parseJsonExact(req.rawBody.toString('utf8'))
    return {
      deliveryId,
      topic,
      orders: topic.startsWith('order.') ? [toRaw(body)] : [],
      refunds: [],
      orderIdsToFetch: [],
    }
  },
} satisfies Connector<WooSettings>
