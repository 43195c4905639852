import type { CreatedAt, UpdatedAt } from '../db/schema.js'

export interface StockTable {
  merchant_id: string
  warehouse_id: string
  sku_id: string
  on_hand: number
  reserved: number
  updated_at: UpdatedAt
}

export const MOVEMENT_KINDS = [
  'receipt',
  'adjustment',
  'shipment',
  'return',
  'transfer_out',
  'transfer_in',
] as const
export type MovementKind = (typeof MOVEMENT_KINDS)[number]

export interface StockMovementTable {
  id: string
  merchant_id: string
  warehouse_id: string
  sku_id: string
  kind: MovementKind
  quantity: number
  unit_cost: string | null
  currency: string | null
  reason: string | null
  ref_type: string | null
  ref_id: string | null
  actor: string | null
  idempotency_key: string | null
  created_at: CreatedAt
}

export interface StockAllocationTable {
  id: string
  merchant_id: string
  order_id: string
  order_line_sku_id: string
  warehouse_id: string
  sku_id: string
  quantity: number
  status: 'open' | 'released' | 'shipped'
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface BinLocationTable {
  merchant_id: string
  warehouse_id: string
  sku_id: string
  bin: string
}

export interface SkuCostTable {
  merchant_id: string
  sku_id: string
  avg_cost: string
  currency: string
  updated_at: UpdatedAt
}

export interface InventoryEventKeyTable {
  merchant_id: string
  event_key: string
  processed_at: CreatedAt
}

export interface StockPushStateTable {
  merchant_id: string
  shop_id: string
  platform_sku_key: string
  location_id: string
  quantity: number | null
  pushed_at: Date | null
  ok: number | null
  error: string | null
}

export interface StockPushLogTable {
  id: string
  merchant_id: string
  shop_id: string
  platform_sku_key: string
  location_id: string
  quantity: number
  ok: number
  kind: string | null
  error: string | null
  pushed_at: Date
}

export interface StockThresholdTable {
  merchant_id: string
  sku_id: string
  threshold: number
}

export interface InventoryTables {
  stock_thresholds: StockThresholdTable
  stock: StockTable
  stock_movements: StockMovementTable
  stock_allocations: StockAllocationTable
  bin_locations: BinLocationTable
  sku_costs: SkuCostTable
  inventory_event_keys: InventoryEventKeyTable
  stock_push_state: StockPushStateTable
  stock_push_log: StockPushLogTable
}
