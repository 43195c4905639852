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

/** The logistics_id for a shipment: shop override first, then the table; none → permanent error. */
export function logisticsIdFor(
  s: Pick<ShipmentWriteback, 'carrier' | 'carrierName'>,
  settings: Readonly<Record<string, unknown>>,
): string {
  const overrides = carrierCodesOf(settings)
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
