/**
 * Cainiao e-waybills through the Taobao TOP gateway (waybills.md §1), with the authorisation of a
 * Taobao/Tmall shop. Ordinary TOP calls without `simplify` (the shape of the reference's captured
 * answers: lists wrapped in an object named after the element), the structured request as one form
 * field holding a JSON string. `print_data` is kept exactly as returned.
 */
import { ConnectorError } from '../errors.js'
import { createPlatformClient, type PlatformClient } from '../http.js'
import { toShanghai } from '../cn/time.js'
import { classifyTop, credentialsOf, listOf, signTop, type SignMethod } from '../taobao/top.js'
import {
  carrierOfCode,
  isObj,
  num,
  str,
  type Address,
  type Branch,
  type IssueInput,
  type IssueOutcome,
  type Obj,
  type ParcelRequest,
  type Party,
  type Subscription,
  type WaybillAccountContext,
  type WaybillProviderClient,
} from './types.js'

export const CAINIAO_GATEWAY = 'https://eco.taobao.com/router/rest'

/** Common + business parameters as sent (no `simplify`), signed: the reference's regression vector shape. */
export function cainiaoParams(
  method: string,
  business: Readonly<Record<string, string>>,
  c: { appKey: string; appSecret: string; session: string; signMethod: SignMethod; now: Date },
): Record<string, string> {
  const params: Record<string, string> = {
    method,
    app_key: c.appKey,
    session: c.session,
    timestamp: toShanghai(c.now),
    format: 'json',
    v: '2.0',
    sign_method: c.signMethod,
    ...business,
  }
  params.sign = signTop(c.appSecret, params, c.signMethod)
  return params
}

const responseKey = (method: string) => `${method.replace(/\./g, '_')}_response`

function caller(acct: WaybillAccountContext) {
  if (!acct.shop)
    throw new ConnectorError('permanent', 'a Cainiao account needs a Taobao/Tmall shop', {
      channel: 'cainiao',
    })
  const shop = acct.shop
  const cred = credentialsOf(shop)
  const secrets = [cred.appSecret, cred.session, cred.refreshToken ?? ''].filter((s) => s !== '')
  const baseUrl = acct.baseUrl ?? str(shop.settings.baseUrl) ?? CAINIAO_GATEWAY
  const signMethod = (str(shop.settings.signMethod) || 'md5') as SignMethod
  const clients = new Map<string, PlatformClient>()
  return async (method: string, business: Record<string, string>): Promise<Obj> => {
    let http = clients.get(method)
    if (!http) {
      http = createPlatformClient({
        channel: 'cainiao',
        limiterKey: acct.id,
        baseUrl: baseUrl || CAINIAO_GATEWAY,
        ratePerSecond: 10,
        classify: classifyTop(method, secrets),
        secrets,
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      })
      clients.set(method, http)
    }
    const params = cainiaoParams(method, business, {
      appKey: cred.appKey,
      appSecret: cred.appSecret,
      session: cred.session,
      signMethod,
      now: acct.clock.now(),
    })
    const res = await http.request({ method: 'POST', url: '', data: new URLSearchParams(params).toString() })
    const body = isObj(res.json) ? res.json[responseKey(method)] : undefined
    return isObj(body) ? body : isObj(res.json) ? res.json : {}
  }
}

export function addressOf(a: Obj): Address {
  return {
    province: str(a.province),
    city: str(a.city),
    district: str(a.district) || str(a.area),
    town: str(a.town) || null,
    detail: str(a.detail) || str(a.address_detail),
  }
}

/** `cainiao.waybill.ii.search` (and the older `taobao.wlb.waybill.i.search` shape) → subscriptions. */
export function mapSearch(body: Obj): Subscription[] {
  const cols = body.waybill_apply_subscription_cols ?? body.subscribtions
  return listOf(cols, 'waybill_apply_subscription_info')
    .filter(isObj)
    .map((s) => ({
      cpCode: str(s.cp_code),
      cpType: num(s.cp_type),
      branches: listOf(s.branch_account_cols, 'waybill_branch_account')
        .filter(isObj)
        .map((b): Branch => {
          const addrs = listOf(b.shipp_address_cols, 'address_dto').filter(isObj)
          const old = listOf(b.shipp_address_cols, 'waybill_address').filter(isObj)
          const all = addrs.length > 0 ? addrs : old
          return {
            branchCode: str(b.branch_code),
            branchName: str(b.branch_name),
            quantity: num(b.quantity),
            allocated: num(b.allocated_quantity),
            cancelled: num(b.cancel_quantity),
            addresses: all.map(addressOf),
            addressIds: all.map((a) => str(a.waybill_address_id) || null),
          }
        }),
    }))
}

const userInfo = (p: Party) => ({
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

/** One trade_order_info_dto: the receiver as the order gave it, with OAID + tid for privacy orders. */
export function tradeOrderInfo(p: ParcelRequest, templateUrl: string, userId?: number): Obj {
  const oaid = p.recipient.privacyRef?.oaid
  return {
    object_id: p.objectId,
    order_info: { order_channels_type: p.orderChannel, trade_order_list: [...p.tradeOrderIds] },
    package_info: {
      id: p.packageId,
      items: p.items.map((i) => ({ count: i.count, name: i.name })),
      ...(p.weightGrams ? { weight: p.weightGrams } : {}),
    },
    recipient: {
      ...userInfo(p.recipient),
      ...(oaid ? { oaid, tid: p.recipient.privacyRef?.tid ?? p.tradeOrderIds[0] } : {}),
      ...(p.recipient.privacyRef?.caid ? { caid: p.recipient.privacyRef.caid } : {}),
    },
    template_url: templateUrl,
    ...(userId !== undefined ? { user_id: userId } : {}),
  }
}

/** The JSON of param_waybill_cloud_print_apply_new_request, keys as in the reference example. */
export function applyRequest(input: IssueInput, userId?: number): string {
  return JSON.stringify({
    cp_code: input.cpCode,
    sender: userInfo(input.sender),
    trade_order_info_dtos: input.parcels.map((p) => tradeOrderInfo(p, input.templateUrl ?? '', userId)),
  })
}

export function mapGet(body: Obj, input: IssueInput): IssueOutcome[] {
  const modules = listOf(body.modules, 'waybill_cloud_print_response').filter(isObj)
  const byObject = new Map(modules.map((m) => [str(m.object_id), m]))
  return input.parcels.map((p): IssueOutcome => {
    const m = byObject.get(p.objectId)
    if (!m || !str(m.waybill_code))
      return {
        objectId: p.objectId,
        ok: false,
        code: 'missing',
        message: 'cainiao answered without a waybill for this parcel',
      }
    const printData = str(m.print_data)
    let templateUrl: string | null
    try {
      const parsed = JSON.parse(printData) as Obj
      templateUrl = str(parsed.templateURL) || null
    } catch {
      return { objectId: p.objectId, ok: false, code: 'malformed', message: 'cainiao print_data is not JSON' }
    }
    return {
      objectId: p.objectId,
      ok: true,
      waybillCode: str(m.waybill_code),
      parentWaybillCode: str(m.parent_waybill_code) || null,
      realCpCode: str(m.real_cp_code) || str(m.cp_code) || input.cpCode,
      print: { kind: 'component', component: 'cainiao', data: printData, templateUrl },
    }
  })
}

export const cainiao: WaybillProviderClient = {
  provider: 'cainiao',
  maxBatch: 10,
  carrierOf: carrierOfCode,
  async search(acct, cpCode) {
    const body = await caller(acct)('cainiao.waybill.ii.search', cpCode ? { cp_code: cpCode } : {})
    return mapSearch(body)
  },
  async issue(acct, input) {
    const userId = num(acct.settings.userId) ?? undefined
    const body = await caller(acct)('cainiao.waybill.ii.get', {
      param_waybill_cloud_print_apply_new_request: applyRequest(input, userId),
    })
    return mapGet(body, input)
  },
  async cancel(acct, w) {
    const body = await caller(acct)('cainiao.waybill.ii.cancel', {
      cp_code: w.cpCode,
      waybill_code: w.waybillCode,
    })
    if (body.cancel_result !== true && body.cancel_result !== 'true')
      throw new ConnectorError('permanent', `cainiao did not cancel ${w.waybillCode}`, { channel: 'cainiao' })
  },
  async reprint(acct, w) {
    const body = await caller(acct)('cainiao.waybill.ii.query.by.waybillcode', {
      param_list: JSON.stringify([{ cp_code: w.cpCode, object_id: w.objectId, waybill_code: w.waybillCode }]),
    })
    const m = listOf(body.modules, 'waybill_cloud_print_with_result_desc_response').filter(isObj)[0]
    if (!m) return null
    if (m.success === false || m.success === 'false')
      throw new ConnectorError('permanent', `cainiao: ${str(m.error_code)} ${str(m.error_message)}`.trim(), {
        channel: 'cainiao',
        platformCode: str(m.error_code),
      })
    const r = isObj(m.waybill_cloud_print_response) ? m.waybill_cloud_print_response : {}
    const data = str(r.print_data)
    return data ? { kind: 'component', component: 'cainiao', data } : null
  },
}
