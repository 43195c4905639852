/**
 * The connector contract (DESIGN.md §Connector). Every channel implements it; only `raw` payloads
 * stay `unknown` until a pure mapper parses them.
 *
 * This file imports nothing from src/: the hub depends on connectors, never the reverse (an ESLint
 * rule keeps it so). The one deliberate exception for connectors is src/money, a leaf module that
 * depends on decimal.js alone; clock and logger are described here by the shape a connector uses.
 */
import type { Decimal } from 'decimal.js'
import type { TObject } from 'typebox'
import type { HubSettings } from './settings.js'

export const CHANNELS = ['taobao', 'jd', 'pdd', 'douyin', 'shopify', 'woocommerce', 'selfstore'] as const
export type Channel = (typeof CHANNELS)[number]

/** The only source of "now" a connector sees (src/lib/clock.ts implements it; tests pin it). */
export interface Clock {
  now(): Date
}

type LogFn = (obj: object, msg?: string) => void
/** The part of a pino logger connectors use. */
export interface Logger {
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
}

/*
 * The unified order: what every connector's pure mapOrder produces and the order pool stores.
 * Amounts are Decimal in the order's currency (decimal strings in JSON and SQL).
 */
export const REFUND_STATES = ['none', 'requested', 'partial', 'refunded'] as const
export type RefundState = (typeof REFUND_STATES)[number]

/**
 * What the platform says about an order's state, reduced to what the platform can know: the hub's
 * own warehouse states (allocated, picking, on_hold) never come from a platform.
 */
export type PlatformOrderStatus = 'pending_payment' | 'paid' | 'shipped' | 'completed' | 'cancelled'

export interface Receiver {
  name: string | null
  phone: string | null
  country: string | null
  province: string | null
  city: string | null
  district: string | null
  town: string | null
  address: string | null
  postcode: string | null
  /** True when the platform gave masked or encrypted values (OAID, ciphertext); shown to people as given. */
  masked: boolean
  /** Platform handles for decrypting or for matching the same receiver (Taobao OAID, PDD/Douyin ciphertext index). */
  privacyRef: Record<string, string> | null
}

export interface UnifiedLineDraft {
  /** The platform's sub-order id (Taobao oid, JD sku row, Shopify line_item id) — unique within the order. */
  externalLineId: string
  platformItemId: string | null
  platformSkuId: string | null
  /** The merchant code the seller typed on the platform (outer_sku_id / outer_iid / SKU field). */
  outerCode: string | null
  title: string
  skuProperties: string | null
  quantity: number
  unitPrice: Decimal
  /** unitPrice × quantity before any discount. */
  goodsAmount: Decimal
  /** Discounts the platform already attributes to this line. */
  platformDiscount: Decimal
  merchantDiscount: Decimal
  tax: Decimal
  /** Platform line status (refund/cancel of one line), when the platform reports it. */
  platformStatus: string | null
  refundState: RefundState
  refundedQuantity: number
  refundedAmount: Decimal
}

export interface UnifiedOrderDraft {
  channel: Channel
  externalId: string
  status: PlatformOrderStatus
  /** The platform's own status text, kept for people and for audits. */
  platformStatus: string
  refundState: RefundState
  currency: string
  placedAt: Date | null
  paidAt: Date | null
  shippedAt: Date | null
  /** The platform's modified time; an update older than the stored one never overwrites. */
  platformUpdatedAt: Date
  buyer: { id: string | null; nick: string | null; email: string | null }
  receiver: Receiver
  buyerNote: string | null
  sellerNote: string | null
  totals: {
    /** Σ line goodsAmount. */
    goods: Decimal
    /** All platform-funded discounts: line-level plus order-level. */
    platformDiscount: Decimal
    /** All merchant-funded discounts: line-level plus order-level. */
    merchantDiscount: Decimal
    shipping: Decimal
    tax: Decimal
    /** What the buyer paid. */
    buyerPaid: Decimal
  }
  /** Order-level discounts not yet attributed to lines; the order pool apportions them. */
  orderLevel: { platformDiscount: Decimal; merchantDiscount: Decimal }
  lines: UnifiedLineDraft[]
}

export type MapFailureReason = 'malformed_payload' | 'unsupported' | 'mapper_error'
export type MapResult<T> = { ok: true; value: T } | { ok: false; reason: MapFailureReason; detail: string }

export const mapped = <T>(value: T): MapResult<T> => ({ ok: true, value })
export const mapFailed = (reason: MapFailureReason, detail: string): MapResult<never> => ({
  ok: false,
  reason,
  detail,
})

/**
 * A shop's settings as a connector reads them: parsed once with the channel's schema when the shop
 * is loaded (connectors/settings.ts), defaults applied. Each connector reads its own type
 * (`satisfies Connector<TaobaoSettings>`); the registry and hand-built test contexts use this one.
 */
export type ShopSettings = Partial<HubSettings> & Readonly<Record<string, unknown>>

/** Everything a connector call needs about one shop. Credentials are opened only for the call. */
export interface ShopContext<S extends Partial<HubSettings> = ShopSettings> {
  id: string
  merchantId: string
  channel: Channel
  settings: Readonly<S>
  credentials: Readonly<Record<string, unknown>>
  clock: Clock
  log: Logger
  /** Persist refreshed credentials (sealed) — called by the framework after a token refresh. */
  saveCredentials(next: Record<string, unknown>): Promise<void>
}

/** Half-open window [from, to) on the platform's modified time. */
export interface TimeWindow {
  from: Date
  to: Date
}

/** One platform order exactly as received. */
export interface RawOrder {
  externalId: string
  /** The platform's modified time of this version. */
  platformUpdatedAt: Date
  /** Parsed JSON with every integer beyond 2^53 kept as a string (see connectors/json.ts). */
  payload: unknown
}

export interface RawPage<T = RawOrder> {
  items: T[]
  /** Where the page ends: the latest modified time it covers (the cursor may advance to it). */
  coveredUntil: Date
}

export type RefundStatus = 'requested' | 'approved' | 'refunded' | 'rejected' | 'cancelled'

export interface RawRefund {
  externalRefundId: string
  orderExternalId: string
  platformUpdatedAt: Date
  payload: unknown
}

export interface RefundDraft {
  externalRefundId: string
  orderExternalId: string
  status: RefundStatus
  platformStatus: string
  currency: string
  amount: Decimal
  reason: string | null
  /** Lines refunded: external line id → quantity and amount; empty when the platform says "whole order". */
  lines: { externalLineId: string; quantity: number; amount: Decimal }[]
  /** Whether goods came back (return) or money only (仅退款). */
  returnGoods: boolean
  createdAt: Date
  platformUpdatedAt: Date
}

export interface StockLevel {
  platformSkuId: string
  platformItemId?: string | null
  /** Platform location (Shopify location id) where the channel keeps stock per location. */
  locationId?: string | null
  quantity: number
}

export interface PushOutcome {
  platformSkuId: string
  locationId?: string | null
  ok: boolean
  quantity: number
  error?: string
  kind?: 'rate_limited' | 'transient' | 'auth_expired' | 'permanent'
}

export const CARRIERS = [
  'SF',
  'ZTO',
  'YTO',
  'YUNDA',
  'STO',
  'JT',
  'EMS',
  'JD',
  'DBL',
  'UPS',
  'FEDEX',
  'DHL',
  'USPS',
  'OTHER',
] as const
export type CarrierCode = (typeof CARRIERS)[number]

export interface ShipmentWriteback {
  orderExternalId: string
  /** Lines in this parcel; empty = the whole order. */
  lineExternalIds: string[]
  carrier: CarrierCode
  /** Free-text carrier name when carrier is OTHER. */
  carrierName?: string | null
  trackingNumber: string
  /**
   * The platform's own carrier code, when the number came from this platform's e-waybill service
   * (Cainiao cp_code for Taobao/Tmall, Douyin logistics_code): sent as is, the same account's carrier.
   */
  companyCode?: string | null
  shippedAt: Date
}

export interface RawWebhook {
  headers: Readonly<Record<string, string | undefined>>
  rawBody: Buffer
  query: Readonly<Record<string, string | undefined>>
}

export interface WebhookEvent {
  /** The platform's delivery id (X-Shopify-Webhook-Id…); null where it sends none (dedupe by hash). */
  deliveryId: string | null
  topic: string
  /** Orders carried in full by the webhook. */
  orders: RawOrder[]
  refunds: RawRefund[]
  /** Orders the webhook names only by id; the worker fetches them. */
  orderIdsToFetch: string[]
  /** A ping/test delivery: answer 200, store nothing else. */
  ping?: boolean
}

export const SETTLEMENT_LINE_TYPES = [
  'sale',
  'refund',
  'commission',
  'payment_fee',
  'shipping_fee',
  'other_fee',
  'subsidy',
  'adjustment',
  'payout',
  'unknown',
] as const
export type SettlementLineType = (typeof SETTLEMENT_LINE_TYPES)[number]

export interface SettlementLineDraft {
  /** Unique within the channel and shop: the platform's serial number, or a stable hash of the row. */
  externalLineId: string
  orderExternalId: string | null
  type: SettlementLineType
  /** The platform's own type text (业务类型, transaction type) kept verbatim. */
  platformType: string
  /** Signed: positive flows to the merchant, negative away from them. */
  amount: Decimal
  currency: string
  occurredAt: Date
  description: string | null
  /** Payout / statement batch this line belongs to, where the platform has one. */
  payoutId: string | null
  /**
   * A payout the bank received in another currency (Shopify Payments converting, a PayPal
   * withdrawal, 结汇): the amount that arrived, positive, as the platform or bank states it.
   */
  converted?: { amount: Decimal; currency: string } | null
  raw: Record<string, string>
}

export interface SettlementParseResult {
  lines: SettlementLineDraft[]
  /** Rows that could not be read: kept verbatim with the reason, never dropped silently. */
  rejected: { row: number; raw: string; reason: string }[]
  /** Footer totals the file states, checked against the parsed lines when present. */
  statedTotal: Decimal | null
}

export interface OAuthSupport<S extends Partial<HubSettings> = ShopSettings> {
  /** Credential fields the app must have before OAuth starts (its key and secret). */
  readonly appFields: readonly string[]
  /** The credential field that holds the shop's access token once linked. */
  readonly tokenField: string
  /** URL to send the merchant to. */
  authorizeUrl(
    shop: Pick<ShopContext<S>, 'settings' | 'credentials'>,
    state: string,
    redirectUri: string,
  ): string
  /**
   * Verify the callback (HMAC where the platform signs it) and exchange the code for credentials.
   * `rawQuery` is the callback's query string exactly as received (without `?`), for platforms
   * that sign the query's own encoding and repeated parameters (Shopify).
   */
  exchangeCode(
    shop: ShopContext<S>,
    query: Readonly<Record<string, string | undefined>>,
    redirectUri: string,
    rawQuery?: string,
  ): Promise<Record<string, unknown>>
}

/** A batch of platform messages (Taobao TMC…): triggers naming orders to fetch, confirmed after use. */
export interface MessageBatch {
  /** The platform's message ids, to confirm once the orders they name are in the pool. */
  ids: string[]
  /** Orders the messages name (a message is a trigger: the order is fetched in full). */
  orderIds: string[]
}

export interface Connector<S extends Partial<HubSettings> = ShopSettings> {
  readonly channel: Channel
  /**
   * What a shipment writeback can name: 'lines' (the default) — a parcel carries its own lines;
   * 'order' — the platform takes one tracking number per order (JD, Pinduoduo, Douyin), so the hub
   * sends an order's first parcel as the whole order and records the later ones without sending.
   */
  readonly shipmentScope?: 'lines' | 'order'
  /**
   * The shop settings this channel takes: the hub's own plus the channel's (connectors/settings.ts
   * shopSettingsSchema), with titles, bounds and defaults. Checked when a shop is linked or changed,
   * parsed when it is loaded; its Static type is S.
   */
  readonly settingsSchema: TObject
  /** One cheap authenticated call; throws ConnectorError when the keys are wrong. */
  verifyCredentials(shop: ShopContext<S>): Promise<void>
  oauth?: OAuthSupport<S>
  /** Refresh an expiring or expired token; returns the new credentials (the caller stores them). */
  refreshToken?(shop: ShopContext<S>): Promise<Record<string, unknown>>
  /** Raw orders changed in [from, to), split where the platform caps the window or page depth. */
  pullOrders(shop: ShopContext<S>, window: TimeWindow): AsyncIterable<RawPage>
  /** Fetch one order in full (webhooks that carry only ids). */
  fetchOrder(shop: ShopContext<S>, externalId: string): Promise<RawOrder>
  pullRefunds?(shop: ShopContext<S>, window: TimeWindow): AsyncIterable<RawPage<RawRefund>>
  /** Pure: raw platform order → unified order draft. No I/O, no clock. */
  mapOrder(raw: unknown): MapResult<UnifiedOrderDraft>
  mapRefund?(raw: unknown): MapResult<RefundDraft>
  pushStock(shop: ShopContext<S>, items: readonly StockLevel[]): Promise<PushOutcome[]>
  pushShipment(shop: ShopContext<S>, shipment: ShipmentWriteback): Promise<void>
  verifyWebhook?(req: RawWebhook, shop: ShopContext<S>): boolean
  parseWebhook?(req: RawWebhook): WebhookEvent
  pullSettlements?(shop: ShopContext<S>, window: TimeWindow): AsyncIterable<SettlementLineDraft[]>
  /** Take the next batch of pushed messages from the platform's message queue (empty when none). */
  pullMessages?(shop: ShopContext<S>): Promise<MessageBatch>
  /** Confirm messages as handled, so the platform stops delivering them. */
  confirmMessages?(shop: ShopContext<S>, ids: readonly string[]): Promise<void>
  parseSettlementFile?(bytes: Buffer): SettlementParseResult
  /** The shop's whole catalogue (listings with their SKUs), paged as the platform pages it. */
  pullCatalogue?(shop: ShopContext): AsyncIterable<RawListing[]>
  /** Pure: one raw listing (as pullCatalogue gave it) → listing draft. No I/O, no clock. */
  mapListing?(raw: unknown): MapResult<ListingDraft>
}

// ---------------------------------------------------------------------------------------------
// Catalogue pull (reference catalogue-and-purchasing.md Part A)
// ---------------------------------------------------------------------------------------------

/** One platform listing (item / ware / goods / product) with its SKUs, exactly as the platform gave it. */
export interface RawListing {
  platformItemId: string
  /** The platform's modified time of this version, where the listing carries one. */
  platformUpdatedAt: Date | null
  /** Parsed JSON with ids kept exact; where SKUs come from a second call, `{ item, skus }` of both answers. */
  payload: unknown
}

export const LISTING_STATUSES = ['on_sale', 'off_sale', 'deleted'] as const
export type ListingStatus = (typeof LISTING_STATUSES)[number]
/** How the platform keeps the SKU's stock: regional/step (Douyin) and untracked (Shopify, Woo unmanaged) need care on push. */
export const STOCK_MODES = ['normal', 'regional', 'step', 'untracked'] as const
export type StockMode = (typeof STOCK_MODES)[number]

export interface ListingSkuDraft {
  /** The key order lines and stock pushes use: the platform SKU id, or `item:<id>` for an item sold without SKUs. */
  platformSkuKey: string
  platformSkuId: string | null
  /** Shopify: the variant's inventory item, which stock is set on. */
  inventoryItemId: string | null
  /** The seller code (商家编码) exactly as the platform holds it; null when unset. */
  code: string | null
  barcode: string | null
  /** Sale attributes as text (颜色:黑色;尺码:M). */
  specText: string | null
  /** Unit price in major units of `currency`, exact. */
  price: Decimal | null
  quantity: number | null
  /** Stock held by unpaid orders (Taobao with_hold_quantity, PDD reserve_quantity, Douyin prehold). */
  heldQuantity: number | null
  status: ListingStatus
  platformStatus: string | null
  stockMode: StockMode
  platformUpdatedAt: Date | null
}

export interface ListingDraft {
  platformItemId: string
  title: string
  /** Item-level seller code (Taobao item.outer_id, PDD outer_goods_id, Douyin outer_product_id). */
  itemCode: string | null
  status: ListingStatus
  platformStatus: string | null
  currency: string | null
  platformUpdatedAt: Date | null
  skus: ListingSkuDraft[]
}
