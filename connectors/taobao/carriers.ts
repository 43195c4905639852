/**
 * Carrier → TOP `company_code` for taobao.logistics.offline.send (cn-marketplaces.md §1.8, §7).
 *
 * None of these codes is confirmed in the reference (all ❓): TOP's list comes from
 * taobao.logistics.companies.get per app. We seed the codes the reference and common ERP tables
 * agree on, and a shop overrides any of them with settings.carrierCodes (keyed by our CarrierCode,
 * or, for OTHER, by the free-text carrier name). A null means "no code known": the writeback fails
 * permanently with a message that says which setting to add.
 */
import { ConnectorError } from '../errors.js'
import type { CarrierCode, ShipmentWriteback } from '../types.js'

export const TAOBAO_CARRIER_CODES: Record<CarrierCode, string | null> = {
  SF: 'SF', // ❓ 顺丰
  ZTO: 'ZTO', // ❓ 中通
  YTO: 'YTO', // ❓ 圆通
  YUNDA: 'YUNDA', // ❓ 韵达 (TOP spells it out; third-party trackers use YD)
  STO: 'STO', // ❓ 申通
  JT: 'JTSD', // ❓ 极兔 — the reference lists JTSD as "commonly seen", unconfirmed
  EMS: 'EMS', // ❓ (China Post parcels are POSTB, a different product)
  JD: 'JD', // ❓ 京东物流
  DBL: null, // 德邦: code not in the reference (DBKD? DBL?) — set settings.carrierCodes.DBL
  UPS: null,
  FEDEX: null,
  DHL: null,
  USPS: null,
  OTHER: null,
}

export function carrierCodesOf(settings: Readonly<Record<string, unknown>>): Record<string, string> {
  const v = settings.carrierCodes
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {}
  return Object.fromEntries(
    Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''),
  )
}

/** The company_code for a shipment: shop override first, then the table; none → permanent error. */
export function companyCodeFor(
  s: Pick<ShipmentWriteback, 'carrier' | 'carrierName'>,
  settings: Readonly<Record<string, unknown>>,
): string {
  const overrides = carrierCodesOf(settings)
  const byName = s.carrier === 'OTHER' && s.carrierName ? overrides[s.carrierName] : undefined
  const code = byName ?? overrides[s.carrier] ?? TAOBAO_CARRIER_CODES[s.carrier]
  if (code) return code
  const key = s.carrier === 'OTHER' ? (s.carrierName ?? 'OTHER') : s.carrier
  throw new ConnectorError(
    'permanent',
    `no Taobao company_code for carrier ${key}: add it to the shop's settings.carrierCodes (e.g. {"${key}": "<code from taobao.logistics.companies.get>"})`,
    { channel: 'taobao' },
  )
}
