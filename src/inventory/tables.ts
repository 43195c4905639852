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

export const BARCODE_KINDS = ['ean13', 'code128', 'platform'] as const
export type BarcodeKind = (typeof BARCODE_KINDS)[number]

export interface SkuBarcodeTable {
  merchant_id: string
  code: string
  sku_id: string
  kind: BarcodeKind
  created_at: CreatedAt
}

export interface StockReceiptTable {
  id: string
  merchant_id: string
  number: string
  warehouse_id: string
  status: 'draft' | 'posted'
  currency: string
  supplier_ref: string | null
  note: string | null
  created_by: string | null
  posted_by: string | null
  posted_at: Date | null
  created_at: Date
  updated_at: Date
}

export interface StockReceiptLineTable {
  id: string
  merchant_id: string
  receipt_id: string
  line_no: number
  sku_id: string
  quantity: number
  unit_cost: string
  bin: string | null
}

export const COUNT_STATUSES = ['counting', 'submitted', 'approved', 'cancelled'] as const
export type CountStatus = (typeof COUNT_STATUSES)[number]

export interface StockCountTable {
  id: string
  merchant_id: string
  number: string
  warehouse_id: string
  status: CountStatus
  bin_from: string | null
  bin_to: string | null
  note: string | null
  created_by: string | null
  submitted_by: string | null
  submitted_at: Date | null
  decided_by: string | null
  decided_at: Date | null
  created_at: Date
  updated_at: Date
}

export interface StockCountLineTable {
  id: string
  merchant_id: string
  count_id: string
  sku_id: string
  bin: string | null
  expected: number
  counted: number | null
  counted_by: string | null
  counted_at: Date | null
}

export const TRANSFER_STATUSES = ['draft', 'in_transit', 'received', 'cancelled'] as const
export type TransferStatus = (typeof TRANSFER_STATUSES)[number]

export interface StockTransferTable {
  id: string
  merchant_id: string
  number: string
  from_warehouse_id: string
  to_warehouse_id: string
  status: TransferStatus
  note: string | null
  discrepancy_note: string | null
  created_by: string | null
  shipped_by: string | null
  shipped_at: Date | null
  received_by: string | null
  received_at: Date | null
  created_at: Date
  updated_at: Date
}

export interface StockTransferLineTable {
  id: string
  merchant_id: string
  transfer_id: string
  line_no: number
  sku_id: string
  quantity: number
  received: number
}

export interface InventoryTables {
  sku_barcodes: SkuBarcodeTable
  stock_receipts: StockReceiptTable
  stock_receipt_lines: StockReceiptLineTable
  stock_counts: StockCountTable
  stock_count_lines: StockCountLineTable
  stock_transfers: StockTransferTable
  stock_transfer_lines: StockTransferLineTable
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
