import type { CreatedAt, Json, UpdatedAt } from '../db/schema.js'
import type { OrderStatus, Receiver, RefundState } from './types.js'

export interface OrderTable {
  id: string
  merchant_id: string
  shop_id: string
  channel: string
  external_id: string
  status: OrderStatus
  platform_status: string
  refund_state: RefundState
  currency: string
  placed_at: Date | null
  paid_at: Date | null
  shipped_at: Date | null
  platform_updated_at: Date
  buyer_id: string | null
  buyer_nick: string | null
  buyer_email: string | null
  receiver: Json<Receiver>
  receiver_province: string | null
  /** The last four digits of the receiver's phone (masked phones keep them), for search. */
  receiver_phone_tail: string | null
  /** SHA-256 of the normalised buyer + receiver, for merge (合单) candidates. */
  receiver_key: string | null
  buyer_note: string | null
  seller_note: string | null
  goods_amount: string
  platform_discount: string
  merchant_discount: string
  shipping_amount: string
  tax_amount: string
  buyer_paid: string
  merge_group_id: string | null
  open_exceptions: number
  raw_inbox_id: string | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface OrderLineTable {
  id: string
  merchant_id: string
  order_id: string
  line_no: number
  external_line_id: string
  platform_item_id: string | null
  platform_sku_id: string | null
  outer_code: string | null
  title: string
  sku_properties: string | null
  quantity: number
  unit_price: string
  goods_amount: string
  platform_discount: string
  merchant_discount: string
  shipping_share: string
  tax_amount: string
  paid_amount: string
  /** The merchant SKU (null while unmapped, and for bundles: see order_line_skus). */
  sku_id: string | null
  is_bundle: number
  platform_status: string | null
  refund_state: RefundState
  refunded_quantity: number
  refunded_amount: string
}

/** The stock view of a line: one row per merchant SKU it consumes (bundles expanded). */
export interface OrderLineSkuTable {
  id: string
  merchant_id: string
  order_id: string
  order_line_id: string
  sku_id: string
  quantity: number
  /** Revenue of the line attributed to this SKU (bundle split by component value). */
  revenue_share: string
}

export interface OrderTables {
  orders: OrderTable
  order_lines: OrderLineTable
  order_line_skus: OrderLineSkuTable
}

export interface SkuMappingTable {
  id: string
  merchant_id: string
  shop_id: string
  /** Platform SKU id, or `item:<platform item id>` for an item without SKUs. */
  platform_sku_key: string
  platform_item_id: string | null
  platform_sku_id: string | null
  outer_code: string | null
  sku_id: string
  source: 'manual' | 'auto' | 'bulk'
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface SkuBundleComponentTable {
  merchant_id: string
  bundle_sku_id: string
  component_sku_id: string
  quantity: number
  unit_value: string
}

export interface SkuMappingTables {
  sku_mappings: SkuMappingTable
  sku_bundle_components: SkuBundleComponentTable
}

export interface RawInboxTable {
  id: string
  merchant_id: string
  shop_id: string
  channel: string
  kind: 'order' | 'refund'
  external_id: string
  platform_updated_at: Date
  content_hash: string
  /** The payload as received (JSON text, ids kept exact). */
  payload: string
  source: 'pull' | 'webhook' | 'reprocess'
  received_at: Date
  /** What normalizing it did: applied, stale, unchanged, failed. */
  outcome: string | null
  error: string | null
}

export const EXCEPTION_REASONS = [
  'sku_unmapped',
  'no_stock',
  'address_unusable',
  'buyer_note',
  'conflicting_update',
  'mapping_failed',
  'invalid_transition',
  'pick_shortage',
  'refund_unknown_order',
] as const
export type ExceptionReason = (typeof EXCEPTION_REASONS)[number]

export interface OrderExceptionTable {
  id: string
  merchant_id: string
  shop_id: string | null
  order_id: string | null
  raw_inbox_id: string | null
  subject: string
  reason: ExceptionReason
  detail: Json<Record<string, unknown>>
  status: 'open' | 'resolved'
  /** The user who handles it (the console's inbox); null = nobody yet. */
  assignee_id: string | null
  open_marker: number | null
  created_at: CreatedAt
  resolved_at: Date | null
  resolved_by: string | null
  resolution: string | null
}

export interface OrderStatusHistoryTable {
  id: string
  merchant_id: string
  order_id: string
  from_status: string | null
  to_status: string
  source: string
  note: string | null
  at: CreatedAt
}

export interface OrderRefundTable {
  id: string
  merchant_id: string
  shop_id: string
  order_id: string | null
  external_refund_id: string
  order_external_id: string
  status: 'requested' | 'approved' | 'refunded' | 'rejected' | 'cancelled'
  platform_status: string
  amount: string
  currency: string
  reason: string | null
  return_goods: number
  refund_lines: Json<{ externalLineId: string; quantity: number; amount: string }[]>
  platform_updated_at: Date
  created_at: Date
}

/** The pool's own bookkeeping per order (not platform data). */
export interface OrderPoolStateTable {
  merchant_id: string
  order_id: string
  /** SHA-256 of the last normalized write: a re-run that yields the same rows writes nothing. */
  pool_hash: string
  /** A receiver fixed by hand; re-running the platform's version keeps it. */
  receiver_override: Json<Receiver> | null
  updated_at: UpdatedAt
}

/** Split (拆单): a line moved to another shipment group; lines without a row ship with their order. */
export interface OrderLineGroupTable {
  merchant_id: string
  order_line_id: string
  order_id: string
  shipment_group_id: string
  created_at: CreatedAt
}

export interface EventOutboxTable {
  merchant_id: string
  event_key: string
  /** The OrderEvent as JSON. */
  payload: string
  created_at: CreatedAt
  sent_at: Date | null
}

export interface OrderPoolTables {
  event_outbox: EventOutboxTable
  raw_inbox: RawInboxTable
  order_exceptions: OrderExceptionTable
  order_status_history: OrderStatusHistoryTable
  order_refunds: OrderRefundTable
  order_pool_state: OrderPoolStateTable
  order_line_groups: OrderLineGroupTable
}
