/**
 * Our carrier codes → Douyin `company_code` for order.logisticsAdd (cn-marketplaces.md §4.5, §7).
 * The confirmed values come from the default set in the official SDK's logistics comment; the rest
 * are unknown to us and must come from the shop's settings (`carrierCodes`), which the merchant can
 * fill from order.logisticsCompanyList. Settings always win over this table.
 */
import { ConnectorError } from '../errors.js'
import type { CarrierCode } from '../types.js'

export const DOUYIN_CARRIERS: Record<CarrierCode, string | null> = {
  SF: 'shunfeng', // ✅
  ZTO: 'zhongtong', // ✅
  YTO: 'yuantong', // ✅
  YUNDA: 'yunda', // ✅
  STO: 'shentong', // ✅
  JT: 'jtexpress', // ✅
  JD: 'jd', // ✅
  EMS: 'ems', // ❓ not in the confirmed default set — override with settings.carrierCodes.EMS if the list says otherwise
  DBL: null, // 德邦: code unknown, set settings.carrierCodes.DBL
  UPS: null,
  FEDEX: null,
  DHL: null,
  USPS: null,
  OTHER: null,
}

/** The company_code to send; a carrier without one is a permanent error naming the setting to fill. */
export function companyCodeFor(carrier: CarrierCode, settings: Readonly<Record<string, unknown>>): string {
  const overrides = settings.carrierCodes
  const override =
    typeof overrides === 'object' && overrides !== null
      ? (overrides as Record<string, unknown>)[carrier]
      : undefined
  const code =
    typeof override === 'string' && override.trim() !== '' ? override.trim() : DOUYIN_CARRIERS[carrier]
  if (!code) {
    throw new ConnectorError(
      'permanent',
      `douyin has no company_code for carrier ${carrier}: add it to the shop setting carrierCodes (values from order.logisticsCompanyList)`,
      { channel: 'douyin' },
    )
  }
  return code
}
