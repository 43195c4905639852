/**
 * Pinduoduo e-waybills (waybills.md §2) through the PDD gateway with a PDD shop's authorisation
 * (connectors/pdd/client.ts signs and classifies). Lists are not wrapped; print_data is kept as
 * returned (hex ciphertext, `templateUrl` spelled so). Recipients of PDD orders go as the order's
 * ciphertexts; plain receivers only for orders that had them.
 */
import { ConnectorError } from '../errors.js'
import { pddClient } from '../pdd/client.js'
import {
  arr,
  carrierOfCode,
  isObj,
  num,
  str,
  type Branch,
  type IssueInput,
  type IssueOutcome,
  type Obj,
  type Party,
  type Subscription,
  type WaybillAccountContext,
  type WaybillProviderClient,
} from './types.js'

function client(acct: WaybillAccountContext) {
  if (!acct.shop)
    throw new ConnectorError('permanent', 'a PDD waybill account needs a Pinduoduo shop', { channel: 'pdd' })
  const settings = acct.baseUrl ? { ...acct.shop.settings, baseUrl: acct.baseUrl } : acct.shop.settings
  return pddClient({ ...acct.shop, settings })
}

export function mapSearch(body: Obj): Subscription[] {
  return arr(body.waybill_apply_subscription_cols)
    .filter(isObj)
    .map((s) => ({
      cpCode: str(s.wp_code),
      cpType: num(s.wp_type),
      branches: arr(s.branch_account_cols)
        .filter(isObj)
        .map((b): Branch => ({
          branchCode: str(b.branch_code),
          branchName: str(b.branch_name),
          quantity: num(b.quantity),
          allocated: num(b.allocated_quantity),
          cancelled: num(b.cancel_quantity),
          addresses: arr(b.shipp_address_cols)
            .filter(isObj)
            .map((a) => ({
              country: str(a.country) || null,
              province: str(a.province),
              city: str(a.city),
              district: str(a.district),
              detail: str(a.detail),
            })),
        })),
    }))
}

const party = (p: Party) => ({
  address: {
    city: p.address.city,
    detail: p.address.detail,
    district: p.address.district,
    province: p.address.province,
    ...(p.address.town ? { town: p.address.town } : {}),
  },
  mobile: p.mobile,
  name: p.name,
})

/** param_waybill_cloud_print_apply_new_request as an object (sent as its JSON string). */
export function applyRequest(input: IssueInput, userId: number): Obj {
  return {
    wp_code: input.cpCode,
    sender: party(input.sender),
    trade_order_info_dtos: input.parcels.map((p) => ({
      object_id: p.objectId,
      order_info: { order_channels_type: p.orderChannel, trade_order_list: [...p.tradeOrderIds] },
      package_info: {
        id: p.packageId,
        items: p.items.map((i) => ({ count: i.count, name: i.name })),
        ...(p.weightGrams ? { weight: p.weightGrams } : {}),
      },
      // PDD orders: the ciphertexts as the order carried them (the masked receiver is never decrypted).
      recipient: party(p.recipient),
      template_url: input.templateUrl ?? '',
      user_id: userId,
    })),
  }
}

export function mapGet(body: Obj, input: IssueInput): IssueOutcome[] {
  const byObject = new Map(
    arr(body.modules)
      .filter(isObj)
      .map((m) => [str(m.object_id), m]),
  )
  return input.parcels.map((p): IssueOutcome => {
    const m = byObject.get(p.objectId)
    if (!m || !str(m.waybill_code))
      return {
        objectId: p.objectId,
        ok: false,
        code: 'missing',
        message: 'pdd answered without a waybill for this parcel',
      }
    const data = str(m.print_data)
    let templateUrl: string | null
    try {
      templateUrl = str((JSON.parse(data) as Obj).templateUrl) || null
    } catch {
      return { objectId: p.objectId, ok: false, code: 'malformed', message: 'pdd print_data is not JSON' }
    }
    return {
      objectId: p.objectId,
      ok: true,
      waybillCode: str(m.waybill_code),
      parentWaybillCode: str(m.parent_waybill_code) || null,
      realCpCode: input.cpCode,
      print: { kind: 'component', component: 'pdd', data, templateUrl },
    }
  })
}

export const pdd: WaybillProviderClient = {
  provider: 'pdd',
  maxBatch: 10,
  carrierOf: carrierOfCode,
  async search(acct, cpCode) {
    const body = await client(acct).call(
      'pdd.waybill.search',
      'pdd_waybill_search_response',
      cpCode ? { wp_code: cpCode } : {},
    )
    return mapSearch(body)
  },
  async issue(acct, input) {
    const userId = num(acct.settings.userId) ?? num(acct.shop?.credentials.ownerId) ?? 0
    const body = await client(acct).call('pdd.waybill.get', 'pdd_waybill_get_response', {
      param_waybill_cloud_print_apply_new_request: applyRequest(input, userId),
    })
    return mapGet(body, input)
  },
  async cancel(acct, w) {
    const body = await client(acct).call('pdd.waybill.cancel', 'pdd_waybill_cancel_response', {
      wp_code: w.cpCode,
      waybill_code: w.waybillCode,
    })
    if (body.cancel_result !== true)
      throw new ConnectorError('permanent', `pdd did not cancel ${w.waybillCode}`, { channel: 'pdd' })
  },
  async reprint(acct, w) {
    const body = await client(acct).call(
      'pdd.waybill.query.by.waybillcode',
      'pdd_waybill_query_by_waybillcode_response',
      {
        param_list: [{ object_id: w.objectId, waybill_code: w.waybillCode, wp_code: w.cpCode }],
      },
    )
    const m = arr(body.modules).filter(isObj)[0]
    const r = m && isObj(m.waybill_cloud_print_response) ? m.waybill_cloud_print_response : null
    return r && str(r.print_data) ? { kind: 'component', component: 'pdd', data: str(r.print_data) } : null
  },
}
