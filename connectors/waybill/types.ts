/**
 * The e-waybill provider contract (waybills.md §0, §7.4, §8). Every provider — the marketplaces'
 * e-waybill services (Cainiao through a Taobao/Tmall shop, Pinduoduo, Douyin, JD), a direct carrier
 * (SF Express) and an international label API in the EasyPost shape — answers four calls: search
 * (subscriptions, branches, sender addresses, balance), issue (≤ maxBatch parcels per call, one
 * outcome per parcel), cancel and reprint. A parcel's print payload is either an opaque print task
 * for the platform's own print component (the hub never decrypts or re-serialises it) or the data
 * of a label the hub renders itself.
 */
import type { CarrierCode, Clock, ShopContext } from '../types.js'

export const WAYBILL_PROVIDERS = ['cainiao', 'pdd', 'douyin', 'jd', 'sf', 'easypost'] as const
export type WaybillProvider = (typeof WAYBILL_PROVIDERS)[number]

/** Providers that issue through a marketplace shop's authorisation, and the channel of that shop. */
export const SHOP_CHANNEL: Readonly<Record<WaybillProvider, 'taobao' | 'pdd' | 'douyin' | 'jd' | null>> = {
  cainiao: 'taobao',
  pdd: 'pdd',
  douyin: 'douyin',
  jd: 'jd',
  sf: null,
  easypost: null,
}

/** The print components on the packer's PC (waybills.md §0 table; ⚠ ports). */
export const PRINT_COMPONENTS = {
  cainiao: 'ws://localhost:13528',
  pdd: 'ws://127.0.0.1:5000',
  douyin: 'ws://localhost:13888',
  jd: 'ws://localhost:9113',
} as const
export type PrintComponent = keyof typeof PRINT_COMPONENTS

export interface Address {
  country?: string | null
  province: string
  city: string
  district: string
  town?: string | null
  detail: string
  postcode?: string | null
}

export interface Party {
  name: string
  mobile: string
  phone?: string | null
  company?: string | null
  address: Address
}

/** The receiver as the order gave it: masked fields stay masked, with the platform's handles. */
export interface Recipient extends Party {
  masked: boolean
  /** Taobao OAID / order id, PDD and Douyin ciphertexts, as received (privacyRef). */
  privacyRef: Readonly<Record<string, string>> | null
}

export interface ParcelRequest {
  /** The hub's id for this parcel's waybill: Cainiao/PDD object_id, SF orderId, EasyPost reference. */
  objectId: string
  /** Package id within the order ([A-Za-z0-9_]); distinct per parcel of a split order. */
  packageId: string
  /** Channel of the marketplace orders (Cainiao/PDD order_channels_type codes: TB, TM, PDD, DY, JD, OTHERS). */
  orderChannel: string
  tradeOrderIds: readonly string[]
  items: readonly { name: string; count: number }[]
  weightGrams?: number | null
  recipient: Recipient
}

export interface IssueInput {
  /** Carrier code in the provider's own code space (cp_code / wp_code / logistics_code / providerCode). */
  cpCode: string
  branchCode?: string | null
  sender: Party
  /** Standard template URL (Cainiao/PDD); a label size for hub-rendered labels. */
  templateUrl?: string | null
  parcels: readonly ParcelRequest[]
}

/** What the hub can print for a waybill. */
export type PrintPayload =
  | {
      kind: 'component'
      component: PrintComponent
      /** The provider's print data exactly as returned (a JSON string, ciphertext); never logged. */
      data: string
      /** Douyin: the `sign` returned beside print_data. */
      signature?: string | null
      templateUrl?: string | null
    }
  | { kind: 'label'; label: LabelData }

/** The data a hub-rendered label shows (SF route label, international label). */
export interface LabelData {
  trackingNumber: string
  carrierName: string
  service?: string | null
  originCode?: string | null
  destCode?: string | null
  /** SF 三段码 / sort code, or a routing line. */
  routeCode?: string | null
  sender: Party
  recipient: Party
  reference?: string | null
}

export type IssueOutcome =
  | {
      objectId: string
      ok: true
      waybillCode: string
      parentWaybillCode: string | null
      /** The carrier that actually issued the number (Cainiao real_cp_code), else the requested code. */
      realCpCode: string
      print: PrintPayload
      /** Provider-side id needed to cancel/reprint (EasyPost shipment id). */
      providerRef?: string | null
    }
  | { objectId: string; ok: false; code: string; message: string }

export interface Branch {
  branchCode: string
  branchName: string
  /** Remaining numbers (余额); null when the provider does not report one. */
  quantity: number | null
  allocated: number | null
  cancelled: number | null
  addresses: Address[]
  /** Cainiao waybill_address_id per address, when given. */
  addressIds?: (string | null)[]
}

export interface Subscription {
  cpCode: string
  /** 1 直营, 2 加盟, 3 落地配, 4 直营带网点 — when the provider says. */
  cpType: number | null
  branches: Branch[]
}

/** Everything a provider call needs: the account's settings and credentials, or the shop's. */
export interface WaybillAccountContext {
  id: string
  provider: WaybillProvider
  /** Base URL override (sandboxes, proxies); else the provider's production URL. */
  baseUrl: string | null
  /** Hub-held credentials (SF partnerID/checkWord, EasyPost apiKey); {} for shop-authorised providers. */
  credentials: Readonly<Record<string, unknown>>
  settings: Readonly<Record<string, unknown>>
  /** The marketplace shop whose authorisation the account uses (Cainiao, PDD, Douyin, JD). */
  shop: ShopContext<Record<string, unknown>> | null
  clock: Clock
}

export interface WaybillProviderClient {
  readonly provider: WaybillProvider
  /** Parcels per issue call (Cainiao/PDD 10, JD 1, …). */
  readonly maxBatch: number
  search(acct: WaybillAccountContext, cpCode?: string): Promise<Subscription[]>
  issue(acct: WaybillAccountContext, input: IssueInput): Promise<IssueOutcome[]>
  cancel(
    acct: WaybillAccountContext,
    w: { cpCode: string; waybillCode: string; providerRef?: string | null },
  ): Promise<void>
  /** Fresh print data for an existing number — never a new number. */
  reprint(
    acct: WaybillAccountContext,
    w: { cpCode: string; waybillCode: string; objectId: string; providerRef?: string | null },
  ): Promise<PrintPayload | null>
  /** Our carrier for a provider carrier code (for writebacks to other channels and for people). */
  carrierOf(cpCode: string): CarrierCode
}

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')
export const str = text
export const num = (v: unknown): number | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v)
  return null
}
export type Obj = Record<string, unknown>
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

/** Common carrier codes across the Chinese services, upper-cased (Cainiao/PDD codes, Douyin pinyin names). */
const CARRIER_ALIASES: Readonly<Record<string, CarrierCode>> = {
  SF: 'SF',
  SHUNFENG: 'SF',
  ZTO: 'ZTO',
  ZHONGTONG: 'ZTO',
  YTO: 'YTO',
  YUANTONG: 'YTO',
  YUNDA: 'YUNDA',
  STO: 'STO',
  SHENTONG: 'STO',
  JTSD: 'JT',
  JTEXPRESS: 'JT',
  JT: 'JT',
  EMS: 'EMS',
  EYB: 'EMS',
  POSTB: 'EMS',
  JD: 'JD',
  JDL: 'JD',
  DBKD: 'DBL',
  DBL: 'DBL',
  UPS: 'UPS',
  FEDEX: 'FEDEX',
  DHL: 'DHL',
  USPS: 'USPS',
}
export const carrierOfCode = (code: string): CarrierCode =>
  CARRIER_ALIASES[
    code
      .trim()
      .toUpperCase()
      .replace(/[^A-Z]/g, '')
  ] ?? 'OTHER'

/** A parcel-level failure for every parcel of a failed call, in the provider's own words. */
export function failAll(parcels: readonly ParcelRequest[], code: string, message: string): IssueOutcome[] {
  return parcels.map((p) => ({ objectId: p.objectId, ok: false as const, code, message }))
}
