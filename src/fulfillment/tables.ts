import type { CreatedAt, Json, UpdatedAt } from '../db/schema.js'
import type { CarrierCode } from '../../connectors/types.js'

export interface WaveTable {
  id: string
  merchant_id: string
  warehouse_id: string
  status: 'open' | 'closed' | 'cancelled'
  filters: Json<Record<string, unknown>>
  created_by: string | null
  created_at: CreatedAt
  closed_at: Date | null
  /** 波次号, per merchant (W000012 on screen and on the barcode); null on waves made before it existed. */
  number: number | null
}

export interface WaveOrderTable {
  merchant_id: string
  wave_id: string
  order_id: string
  /** The order's shipment group (order_line_groups); '' = the order's own lines, all of them when it is not split. */
  shipment_group_id: string
  slot: number
  status: 'in_wave' | 'removed' | 'shipped' | 'closed'
  /** 1 while in an open wave, NULL after: the unique key allows one open wave per order. */
  open_marker: number | null
  added_at: CreatedAt
}

export interface PickConfirmationTable {
  merchant_id: string
  wave_id: string
  allocation_id: string
  picked: number
  short: number
  confirmed_by: string | null
  confirmed_at: UpdatedAt
}

export interface OrderCarrierTable {
  merchant_id: string
  order_id: string
  carrier: CarrierCode
  updated_at: UpdatedAt
}

export interface Parcel {
  carrier: CarrierCode
  carrierName: string | null
  trackingNumber: string
  /** External line ids of the platform order in this parcel; empty = whole order. */
  lineExternalIds: string[]
  /** The e-waybill this parcel ships with (src/waybills), when it has one. */
  waybillId?: string | null
  /** The carrier code of that waybill's account, for writebacks to the channel of the same e-waybill service. */
  platformCarrierCode?: string | null
  /** The channel whose code platformCarrierCode is (taobao for Cainiao, douyin for Douyin, …). */
  platformCarrierChannel?: string | null
}

export interface ShipmentTable {
  id: string
  merchant_id: string
  order_id: string
  /** Which shipment group of a split order this shipped; '' = the order's own lines (the whole order when not split). */
  shipment_group_id: string
  warehouse_id: string
  idempotency_key: string
  parcels: Json<Parcel[]>
  cogs_amount: string
  cogs_currency: string
  shipped_by: string | null
  shipped_at: Date
}

export interface ShipmentWritebackTable {
  id: string
  merchant_id: string
  shipment_id: string
  order_id: string
  shop_id: string
  parcel_no: number
  status: 'pending' | 'done' | 'failed'
  attempts: number
  last_error: string | null
  /** Why it was recorded without being sent, when it was. */
  note: string | null
  updated_at: UpdatedAt
  done_at: Date | null
}

export interface PackCheckTable {
  merchant_id: string
  order_id: string
  /** '' = the order's own lines (the whole order when it is not split). */
  shipment_group_id: string
  status: 'verifying' | 'packed'
  packed_by: string | null
  packed_at: Date | null
  updated_at: UpdatedAt
}

export interface PackCheckLineTable {
  merchant_id: string
  order_id: string
  shipment_group_id: string
  sku_id: string
  expected: number
  scanned: number
  updated_at: UpdatedAt
}

export interface ParcelTrackingTable {
  merchant_id: string
  tracking_number: string
  order_id: string
  shipment_id: string
  parcel_no: number
  created_at: CreatedAt
}

export interface FulfillmentTables {
  waves: WaveTable
  wave_orders: WaveOrderTable
  pick_confirmations: PickConfirmationTable
  order_carriers: OrderCarrierTable
  shipments: ShipmentTable
  shipment_writebacks: ShipmentWritebackTable
  pack_checks: PackCheckTable
  pack_check_lines: PackCheckLineTable
  parcel_tracking: ParcelTrackingTable
}
