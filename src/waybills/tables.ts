import type { CreatedAt, Json, UpdatedAt } from '../db/schema.js'
import type { CarrierCode } from '../../connectors/types.js'
import type {
  Address,
  LabelData,
  Party,
  Subscription,
  WaybillProvider,
} from '../../connectors/waybill/types.js'

export interface Sender extends Party {
  /** Cainiao waybill_address_id of this address, when the provider registered one. */
  addressId?: string | null
}

export interface WaybillAccountTable {
  id: string
  merchant_id: string
  provider: WaybillProvider
  name: string
  /** The marketplace shop whose authorisation the account uses (Cainiao, PDD, Douyin, JD). */
  shop_id: string | null
  base_url: string | null
  /** Hub-held credentials (SF, EasyPost), sealed; never returned. */
  credentials_enc: Buffer | null
  settings: Json<Record<string, unknown>>
  sender: Json<Sender | Record<string, never>>
  /** The provider's last search answer: carriers, branches, balance. */
  subscriptions: Json<Subscription[]> | null
  checked_at: Date | null
  check_error: string | null
  active: number
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface WaybillDefaultTable {
  merchant_id: string
  scope: 'shop' | 'warehouse' | 'order'
  scope_id: string
  account_id: string
  cp_code: string
  branch_code: string | null
  updated_at: UpdatedAt
}

export const WAYBILL_STATUSES = ['requested', 'issued', 'printed', 'shipped', 'cancelled', 'failed'] as const
export type WaybillStatus = (typeof WAYBILL_STATUSES)[number]

export interface WaybillTable {
  id: string
  merchant_id: string
  order_id: string
  shipment_group_id: string
  parcel_no: number
  active_marker: number | null
  account_id: string
  provider: WaybillProvider
  status: WaybillStatus
  cp_code: string
  real_cp_code: string | null
  carrier: CarrierCode
  branch_code: string | null
  waybill_code: string | null
  parent_waybill_code: string | null
  provider_ref: string | null
  package_id: string
  claim_token: string | null
  claimed_at: Date | null
  print_kind: 'component' | 'label' | null
  /** The provider's print data as returned (opaque, often encrypted). Never logged. */
  print_data: string | null
  label: Json<LabelData> | null
  error_code: string | null
  error_message: string | null
  attempts: number
  print_count: number
  printed_at: Date | null
  shipment_id: string | null
  issued_at: Date | null
  cancelled_at: Date | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface WaybillTables {
  waybill_accounts: WaybillAccountTable
  waybill_defaults: WaybillDefaultTable
  waybills: WaybillTable
}

export type { Address }
