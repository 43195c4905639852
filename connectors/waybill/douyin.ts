/**
 * Douyin shop e-waybills (waybills.md §3) with a Douyin shop's authorisation
 * (connectors/douyin/client.ts signs, classifies, unwraps `data`). Numbers come from
 * logistics.newCreateOrder — partial success is normal, so err_infos are read even when code is
 * 10000 — and the encrypted print data from logistics.waybillApply (also the reprint path). The
 * print component fetches its key itself with a signed logistics.getShopKey query (printParams).
 */
import { createDouyinClient } from '../douyin/client.js'
import { canonicalJson, signRequest, type ParamValue } from '../douyin/sign.js'
import { toEpochSeconds } from '../cn/time.js'
import { ConnectorError } from '../errors.js'
import {
  arr,
  carrierOfCode,
  isObj,
  num,
  str,
  type IssueInput,
  type IssueOutcome,
  type Obj,
  type Party,
  type PrintPayload,
  type Subscription,
  type WaybillAccountContext,
  type WaybillProviderClient,
} from './types.js'

function client(acct: WaybillAccountContext) {
  if (!acct.shop)
    throw new ConnectorError('permanent', 'a Douyin waybill account needs a Douyin shop', {
      channel: 'douyin',
    })
  const settings = acct.baseUrl ? { ...acct.shop.settings, baseUrl: acct.baseUrl } : acct.shop.settings
  return createDouyinClient({ ...acct.shop, settings })
}

const data = (v: unknown): Obj => (isObj(v) ? v : {})

export function mapNetsites(d: Obj): Subscription[] {
  // One carrier per call answer (logistics_code given) or a list of them (⚠ shape for "all").
  const list = Array.isArray(d.netsites) ? [d] : arr(d.list ?? d.data).filter(isObj)
  return list.map((s) => ({
    cpCode: str(s.logistics_code),
    cpType: num(s.company_type),
    branches: arr(s.netsites)
      .filter(isObj)
      .map((n) => ({
        branchCode: str(n.netsite_code),
        branchName: str(n.netsite_name),
        quantity: num(n.amount), // a string on the wire
        allocated: num(n.allocated_quantity),
        cancelled: num(n.cancelled_quantity),
        addresses: arr(n.sender_address)
          .filter(isObj)
          .map((a) => ({
            province: str(a.province_name),
            city: str(a.city_name),
            district: str(a.district_name),
            town: str(a.street_name) || null,
            detail: str(a.detail_address),
          })),
      })),
  }))
}

const address = (p: Party) => ({
  country_code: 'CHN',
  province_name: p.address.province,
  city_name: p.address.city,
  district_name: p.address.district,
  ...(p.address.town ? { street_name: p.address.town } : {}),
  detail_address: p.address.detail,
})

export function createOrderParams(input: IssueInput, userId: number): { [k: string]: ParamValue } {
  return {
    logistics_code: input.cpCode,
    sender_info: {
      address: address(input.sender),
      contact: { name: input.sender.name, mobile: input.sender.mobile },
    },
    user_id: userId,
    order_infos: input.parcels.map((p) => ({
      order_id: p.tradeOrderIds[0] ?? p.objectId,
      ...(p.packageId !== '1' ? { pack_id: p.packageId } : {}),
      // Douyin orders: the order's ciphertext fields as received.
      receiver_info: {
        address: address(p.recipient),
        contact: { name: p.recipient.name, mobile: p.recipient.mobile },
      },
      items: p.items.map((i) => ({ item_name: i.name, item_count: i.count })),
      ...(p.weightGrams ? { total_weight: String(p.weightGrams) } : {}),
    })),
    ...(input.parcels.some((p) => p.orderChannel !== 'DY') ? { order_channel: '1' } : {}),
  }
}

/** Map ebill_infos / err_infos back to the parcels by order id + pack id. */
export function mapCreate(d: Obj, input: IssueInput): IssueOutcome[] {
  const key = (orderId: string, packId: string) => `${orderId}|${packId}`
  const ok = new Map(
    arr(d.ebill_infos)
      .filter(isObj)
      .map((e) => [key(str(e.order_id), str(e.pack_id)), e]),
  )
  const bad = new Map(
    arr(d.err_infos)
      .filter(isObj)
      .map((e) => [key(str(e.order_id), str(e.pack_id)), e]),
  )
  return input.parcels.map((p): IssueOutcome => {
    const k = key(p.tradeOrderIds[0] ?? p.objectId, p.packageId !== '1' ? p.packageId : '')
    const e = ok.get(k)
    if (e && str(e.track_no))
      return {
        objectId: p.objectId,
        ok: true,
        waybillCode: str(e.track_no),
        parentWaybillCode: null,
        realCpCode: input.cpCode,
        // Filled by waybillApply right after (the number is already ours).
        print: { kind: 'component', component: 'douyin', data: '' },
      }
    const f = bad.get(k)
    return {
      objectId: p.objectId,
      ok: false,
      code: f ? str(f.err_code) : 'missing',
      message: f ? str(f.err_msg) : 'douyin answered without a waybill for this parcel',
    }
  })
}

async function apply(
  acct: WaybillAccountContext,
  cpCode: string,
  trackNos: string[],
): Promise<Map<string, PrintPayload | string>> {
  const out = new Map<string, PrintPayload | string>()
  if (trackNos.length === 0) return out
  const d = data(
    await client(acct).call('logistics.waybillApply', {
      waybill_applies: trackNos.map((t) => ({ logistics_code: cpCode, track_no: t })),
    }),
  )
  for (const w of arr(d.waybill_infos).filter(isObj))
    out.set(str(w.track_no), {
      kind: 'component',
      component: 'douyin',
      data: str(w.print_data),
      signature: str(w.sign) || null,
    })
  for (const e of arr(d.err_infos).filter(isObj))
    out.set(str(e.track_no), `${str(e.err_code)} ${str(e.err_msg)}`.trim())
  return out
}

/**
 * The `params` the Douyin print component needs: a signed logistics.getShopKey query (§3.4). It
 * carries a live access token, so it is minted per print request and never logged or stored.
 */
export function printParams(acct: WaybillAccountContext): string {
  const c = acct.shop?.credentials ?? {}
  const appKey = str(c.appKey)
  const appSecret = str(c.appSecret)
  const timestamp = String(toEpochSeconds(acct.clock.now()))
  const paramJson = canonicalJson({})
  const sign = signRequest({ appKey, appSecret, method: 'logistics.getShopKey', paramJson, timestamp })
  return `access_token=${str(c.accessToken)}&app_key=${appKey}&method=logistics.getShopKey&param_json=${paramJson}&timestamp=${timestamp}&v=2&sign=${sign}&sign_method=hmac-sha256`
}

export const douyin: WaybillProviderClient = {
  provider: 'douyin',
  maxBatch: 10,
  carrierOf: carrierOfCode,
  async search(acct, cpCode) {
    return mapNetsites(
      data(await client(acct).call('logistics.listShopNetsite', { logistics_code: cpCode ?? '' })),
    )
  },
  async issue(acct, input) {
    const userId = num(acct.settings.userId) ?? -1
    const outcomes = mapCreate(
      data(await client(acct).call('logistics.newCreateOrder', createOrderParams(input, userId))),
      input,
    )
    const issued = outcomes.flatMap((o) => (o.ok ? [o.waybillCode] : []))
    let prints = new Map<string, PrintPayload | string>()
    try {
      prints = await apply(acct, input.cpCode, issued)
    } catch {
      // The numbers are ours already; print data is fetched again on the first print (reprint path).
    }
    return outcomes.map((o) => {
      const p = o.ok ? prints.get(o.waybillCode) : undefined
      return o.ok && p && typeof p !== 'string' ? { ...o, print: p } : o
    })
  },
  async cancel(acct, w) {
    const d = data(
      await client(acct).call('logistics.cancelOrder', {
        logistics_code: w.cpCode,
        track_no: w.waybillCode,
        user_id: num(acct.settings.userId) ?? -1,
      }),
    )
    const r = isObj(d.cancel_result) ? d.cancel_result : {}
    if (r.success !== true)
      throw new ConnectorError('permanent', `douyin did not cancel ${w.waybillCode}`, { channel: 'douyin' })
  },
  async reprint(acct, w) {
    const got = (await apply(acct, w.cpCode, [w.waybillCode])).get(w.waybillCode)
    if (typeof got === 'string')
      throw new ConnectorError('permanent', `douyin waybillApply: ${got}`, { channel: 'douyin' })
    return got ?? null
  },
}
