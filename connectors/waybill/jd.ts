/**
 * JD 无界电子面单 (waybills.md §4.1–§4.4) with a JD shop's authorisation (connectors/jd/client.ts
 * signs and unwraps `<method>_responce`). One order per waybill.receive call; the print data comes
 * separately from jingdong.printing.printData.pullData (also the reprint path); cancel is
 * api.unbind. Results carry `resultInfo{statusCode (0 ok), statusMessage, data}`.
 */
import { ConnectorError } from '../errors.js'
import { toShanghai } from '../cn/time.js'
import { jdApi } from '../jd/client.js'
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

function api(acct: WaybillAccountContext) {
  if (!acct.shop)
    throw new ConnectorError('permanent', 'a JD waybill account needs a JD shop', { channel: 'jd' })
  const settings = acct.baseUrl ? { ...acct.shop.settings, baseUrl: acct.baseUrl } : acct.shop.settings
  return jdApi({ ...acct.shop, settings })
}

/** resultInfo (or the body itself) with statusCode 0, else a ConnectorError in JD's words. */
export function resultOf(body: Obj, what: string): Obj {
  const r = isObj(body.resultInfo) ? body.resultInfo : body
  const code = str(r.statusCode)
  if (code !== '' && code !== '0')
    throw new ConnectorError('permanent', `jd ${what}: ${str(r.statusMessage) || `statusCode ${code}`}`, {
      channel: 'jd',
      platformCode: code,
    })
  return r
}

export function mapSigned(r: Obj): Subscription[] {
  const by = new Map<string, Subscription>()
  for (const d of arr(r.data).filter(isObj)) {
    const code = str(d.providerCode)
    const sub = by.get(code) ?? { cpCode: code, cpType: num(d.providerType), branches: [] }
    const a = isObj(d.address) ? d.address : {}
    sub.branches.push({
      branchCode: str(d.branchCode) || str(d.settlementCode),
      branchName: str(d.branchName) || str(d.providerName),
      quantity: num(d.amount),
      allocated: null,
      cancelled: null,
      addresses: [
        {
          province: str(a.provinceName),
          city: str(a.cityName),
          district: str(a.countryName),
          town: str(a.countrysideName) || null,
          detail: str(a.address),
        },
      ],
    })
    by.set(code, sub)
  }
  return [...by.values()]
}

const jdAddress = (p: Party) => ({
  provinceName: p.address.province,
  cityName: p.address.city,
  countryName: p.address.district, // JD's "country" is the district
  ...(p.address.town ? { countrysideName: p.address.town } : {}),
  address: p.address.detail,
  contact: p.name,
  mobile: p.mobile,
})

export function receiveContent(input: IssueInput, i: number, acct: WaybillAccountContext): Obj {
  const p = input.parcels[i]!
  return {
    waybillType: 1,
    waybillCount: 1,
    providerCode: input.cpCode,
    ...(input.branchCode ? { branchCode: input.branchCode } : {}),
    salePlatform: p.orderChannel === 'JD' ? '0010001' : '0030001',
    platformOrderNo: p.tradeOrderIds[0] ?? p.objectId,
    vendorCode: str(acct.settings.vendorCode),
    vendorName: str(acct.settings.vendorName),
    vendorOrderCode: p.objectId,
    weight: p.weightGrams ? (p.weightGrams / 1000).toFixed(2) : '0.00',
    payType: 0,
    fromAddress: jdAddress(input.sender),
    toAddress: jdAddress(p.recipient),
  }
}

async function pull(
  acct: WaybillAccountContext,
  cpCode: string,
  codes: { waybillCode: string; orderNo: string }[],
) {
  const body = await api(acct).call('jingdong.printing.printData.pullData', {
    param1: {
      objectId: codes[0]?.orderNo ?? '',
      cpCode,
      parameters: { eCustomerCode: '' },
      wayBillInfos: codes.map((c) => ({ orderNo: c.orderNo, popFlag: 1, wayBillCode: c.waybillCode })),
    },
  })
  const out = new Map<string, PrintPayload | string>()
  const r = isObj(body.returnType) ? body.returnType : body
  for (const d of arr(r.prePrintDatas).filter(isObj)) {
    if (str(d.code) === '1')
      out.set(str(d.wayBillNo), { kind: 'component', component: 'jd', data: str(d.perPrintData) })
    else out.set(str(d.wayBillNo), `${str(d.code)} ${str(d.msg)}`.trim())
  }
  return out
}

export const jd: WaybillProviderClient = {
  provider: 'jd',
  maxBatch: 1,
  carrierOf: carrierOfCode,
  async search(acct) {
    const body = await api(acct).call('jingdong.ldop.alpha.provider.sign.success', {
      vendorCode: str(acct.settings.vendorCode),
    })
    return mapSigned(resultOf(body, 'provider.sign.success'))
  },
  async issue(acct, input) {
    const out: IssueOutcome[] = []
    for (let i = 0; i < input.parcels.length; i++) {
      const p = input.parcels[i]!
      const body = await api(acct).call('jingdong.ldop.alpha.waybill.receive', {
        content: JSON.stringify(receiveContent(input, i, acct)),
      })
      let r: Obj
      try {
        r = resultOf(body, 'waybill.receive')
      } catch (err) {
        out.push({
          objectId: p.objectId,
          ok: false,
          code: (err as ConnectorError).detail.platformCode ?? 'jd',
          message: (err as Error).message,
        })
        continue
      }
      const d = isObj(r.data) ? r.data : {}
      const code = str(arr(d.waybillCodeList)[0])
      if (!code) {
        out.push({
          objectId: p.objectId,
          ok: false,
          code: 'missing',
          message: 'jd answered without a waybill code',
        })
        continue
      }
      let print: PrintPayload = { kind: 'component', component: 'jd', data: '' }
      try {
        const got = (
          await pull(acct, input.cpCode, [{ waybillCode: code, orderNo: p.tradeOrderIds[0] ?? p.objectId }])
        ).get(code)
        if (got && typeof got !== 'string') print = got
      } catch {
        // The number is ours; the print data is pulled again on the first print.
      }
      out.push({
        objectId: p.objectId,
        ok: true,
        waybillCode: code,
        parentWaybillCode: null,
        realCpCode: input.cpCode,
        print,
      })
    }
    return out
  },
  async cancel(acct, w) {
    const body = await api(acct).call('jingdong.ldop.alpha.waybill.api.unbind', {
      providerCode: w.cpCode,
      waybillCode: w.waybillCode,
      operatorTime: toShanghai(acct.clock.now()),
      operatorName: 'entrepot',
    })
    resultOf(body, 'waybill.api.unbind')
  },
  async reprint(acct, w) {
    const got = (await pull(acct, w.cpCode, [{ waybillCode: w.waybillCode, orderNo: w.objectId }])).get(
      w.waybillCode,
    )
    if (typeof got === 'string')
      throw new ConnectorError('permanent', `jd pullData: ${got}`, { channel: 'jd' })
    return got ?? null
  },
}
