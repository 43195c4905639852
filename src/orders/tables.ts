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
