/**
 * Carrier → PDD `logistics_id` for pdd.logistics.online.send (cn-marketplaces.md §3.5, §7).
 *
 * The reference marks every PDD id ❓ ("query pdd.logistics.companies.get"). Found with the code
 * search, two independent public listings of that API's answer agree on the ids below:
 *   (a) a logistics_companies_get_response dump kept in a Java ERP comment ({"code":"SF","id":44,…});
 *   (b) a seller userscript's "拼多多快递公司" table (shippingId/shippingName).
 * ✓ = both agree; ⚠ = only one of them lists it. A shop overrides any id with settings.carrierCodes
 * (keyed by our CarrierCode, or, for OTHER, by the free-text carrier name); null = no id known, the
 * writeback fails permanently naming the setting to add.
 */
import { ConnectorError } from '../errors.js'
import type { CarrierCode, ShipmentWriteback } from '../types.js'

export const PDD_LOGISTICS_IDS: Record<CarrierCode, string | null> = {
  SF: '44', // ✓ 顺丰快递
  ZTO: '115', // ✓ 中通快递
  YTO: '85', // ✓ 圆通快递
  YUNDA: '121', // ✓ 韵达快递
  STO: '1', // ✓ 申通快递
  JT: '384', // ⚠ 极兔速递 (b only; the dump in (a) predates J&T)
  EMS: '118', // ✓ 邮政EMS (邮政快递包裹 is 132, a different product)
  JD: '120', // ✓ 京东配送/京东快递 (京东大件物流 is 340)
  DBL: '131', // ✓ 德邦快递 (德邦物流, the freight line, is 230)
  UPS: '246', // ✓
  FEDEX: '135', // ✓ 联邦快递
  DHL: '239', // ⚠ DHL中国 ((a) only; 238 DHL全球 is listed as unavailable)
  USPS: '186', // ✓
  OTHER: null, // PDD's 180 "其他" would lose the carrier's name: map it per name in settings instead
}

/**
 * PDD e-waybill `wp_code` → `logistics_id`. pdd.logistics.companies.get answers `{id, logistics_company,
 * code}` and its `code` is the wp_code pdd.waybill.search and pdd.waybill.get use (waybills.md §2,
 * cn-marketplaces.md §3.5), so a waybill from the shop's own PDD account is written back by its
 * wp_code, not by the hub's coarser CarrierCode: 邮政快递包裹 (POSTB) and 邮政EMS are two PDD
 * companies (132 and 118) that the hub's carrier list folds into one. Ids as in PDD_LOGISTICS_IDS.
 */
export const PDD_WP_CODE_IDS: Readonly<Record<string, string>> = {
  SF: '44',
  ZTO: '115',
  YTO: '85',
  YUNDA: '121',
  STO: '1',
  JTSD: '384', // the captured pdd.waybill.get names 极兔 `jtsd` (waybills.md §2.3)
  EMS: '118',
  POSTB: '132',
  JD: '120',
}

export function carrierCodesOf(settings: Readonly<Record<string, unknown>>): Record<string, string> {
  const v = settings.carrierCodes
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {}
  const out: Record<string, string> = {}
  for (const [k, id] of Object.entries(v as Record<string, unknown>)) {
    // Ids typed into a JSON settings form may come back as numbers.
    const text = typeof id === 'number' ? String(id) : typeof id === 'string' ? id.trim() : ''
    if (text !== '') out[k] = text
  }
  return out
}

/**
 * The logistics_id for a shipment. A waybill from the shop's own PDD e-waybill account carries its
 * wp_code (companyCode): the shop's override for that code, then the wp_code table. Otherwise (or
 * for a wp_code neither knows) the shop's override for the carrier, then the carrier table; none →
 * permanent error naming the setting to add.
 */
export function logisticsIdFor(
  s: Pick<ShipmentWriteback, 'carrier' | 'carrierName' | 'companyCode'>,
  settings: Readonly<Record<string, unknown>>,
): string {
  const overrides = carrierCodesOf(settings)
  const wp = s.companyCode?.trim() ?? ''
  if (wp !== '') {
    const own = overrides[wp] ?? PDD_WP_CODE_IDS[wp.toUpperCase()]
    if (own) return own
  }
  const byName = s.carrier === 'OTHER' && s.carrierName ? overrides[s.carrierName] : undefined
  const id = byName ?? overrides[s.carrier] ?? PDD_LOGISTICS_IDS[s.carrier]
  if (id) return id
  const which = s.carrier === 'OTHER' ? `"${s.carrierName ?? ''}" (carrier OTHER)` : s.carrier
  const key = s.carrier === 'OTHER' ? (s.carrierName ?? 'OTHER') : s.carrier
  throw new ConnectorError(
    'permanent',
    `pdd has no logistics_id for carrier ${which}: add settings.carrierCodes["${key}"] with the id from pdd.logistics.companies.get`,
    { channel: 'pdd' },
  )
}
