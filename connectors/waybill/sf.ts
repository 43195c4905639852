/**
 * SF Express open platform (丰桥, waybills.md §6) as a direct carrier: hub-held partnerID +
 * checkWord, form POSTs to /std/service with `msgDigest` = Base64(MD5(JavaURLEncoder(msgData +
 * timestamp + checkWord))), business JSON as a string in msgData, answers
 * `{apiResultCode, apiErrorMsg, apiResultData: "<JSON string>"}`. Plain addresses only — SF is for
 * orders whose plain address the hub legitimately has — and the hub renders the label itself from
 * the route-label data (76×130 丰密一联 by default).
 */
import { createHash, randomUUID } from 'node:crypto'
import { ConnectorError } from '../errors.js'
import { createPlatformClient, redact } from '../http.js'
import {
  arr,
  isObj,
  str,
  type IssueOutcome,
  type Obj,
  type Party,
  type ParcelRequest,
  type WaybillAccountContext,
  type WaybillProviderClient,
} from './types.js'

export const SF_GATEWAY = 'https://bspgw.sf-express.com/std/service'

/** java.net.URLEncoder.encode(s, "UTF-8"): keeps A–Z a–z 0–9 . - * _, space → +, the rest %XX upper-case. */
export function javaUrlEncode(s: string): string {
  let out = ''
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b)
    if (/[A-Za-z0-9.\-*_]/.test(c)) out += c
    else if (c === ' ') out += '+'
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

export function msgDigest(msgData: string, timestamp: string, checkWord: string): string {
  return createHash('md5')
    .update(javaUrlEncode(msgData + timestamp + checkWord), 'utf8')
    .digest('base64')
}

function creds(acct: WaybillAccountContext) {
  const partnerID = str(acct.credentials.partnerId)
  const checkWord = str(acct.credentials.checkWord)
  if (!partnerID || !checkWord)
    throw new ConnectorError('permanent', 'SF account credentials need partnerId and checkWord', {
      channel: 'sf',
    })
  return { partnerID, checkWord }
}

/** One service call: the inner apiResultData object, or a ConnectorError in SF's words. */
async function call(acct: WaybillAccountContext, serviceCode: string, msg: Obj): Promise<Obj> {
  const { partnerID, checkWord } = creds(acct)
  const http = createPlatformClient({
    channel: 'sf',
    limiterKey: acct.id,
    baseUrl: acct.baseUrl ?? SF_GATEWAY,
    ratePerSecond: 10,
    secrets: [checkWord],
  })
  const msgData = JSON.stringify(msg)
  const timestamp = String(acct.clock.now().getTime())
  const form = {
    partnerID,
    requestID: randomUUID(),
    serviceCode,
    timestamp,
    msgDigest: msgDigest(msgData, timestamp, checkWord),
    msgData,
  }
  const res = await http.request({
    method: 'POST',
    url: '',
    data: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
  })
  const env = isObj(res.json) ? res.json : {}
  if (str(env.apiResultCode) !== 'A1000')
    throw new ConnectorError(
      'permanent',
      redact(`sf ${serviceCode}: ${str(env.apiResultCode)} ${str(env.apiErrorMsg)}`.trim(), [checkWord]),
      { channel: 'sf', platformCode: str(env.apiResultCode) },
    )
  let inner: Obj = {}
  try {
    const parsed = JSON.parse(str(env.apiResultData)) as unknown
    if (isObj(parsed)) inner = parsed
  } catch {
    throw new ConnectorError('permanent', `sf ${serviceCode}: apiResultData is not JSON`, { channel: 'sf' })
  }
  return inner
}

const contact = (type: 1 | 2, p: Party) => ({
  contactType: type,
  contact: p.name,
  mobile: p.mobile,
  ...(p.company ? { company: p.company } : {}),
  country: p.address.country ?? 'CN',
  province: p.address.province,
  city: p.address.city,
  county: p.address.district,
  address: p.address.detail,
})

export function createOrderMsg(acct: WaybillAccountContext, sender: Party, p: ParcelRequest): Obj {
  return {
    language: 'zh-CN',
    orderId: p.objectId,
    cargoDetails: p.items.map((i) => ({ name: i.name, count: i.count })),
    contactInfoList: [contact(1, sender), contact(2, p.recipient)],
    monthlyCard: str(acct.settings.monthlyCard),
    payMethod: 1,
    expressTypeId: 1,
    parcelQty: 1,
    ...(p.weightGrams ? { totalWeight: Number((p.weightGrams / 1000).toFixed(3)) } : {}),
    isReturnRoutelabel: 1,
  }
}

export const sf: WaybillProviderClient = {
  provider: 'sf',
  maxBatch: 1,
  carrierOf: () => 'SF',
  search(acct) {
    // SF reports no balance: the account is its monthly card.
    creds(acct)
    return Promise.resolve([
      {
        cpCode: 'SF',
        cpType: 1,
        branches: [
          {
            branchCode: str(acct.settings.monthlyCard),
            branchName: '月结卡',
            quantity: null,
            allocated: null,
            cancelled: null,
            addresses: [],
          },
        ],
      },
    ])
  },
  async issue(acct, input) {
    const out: IssueOutcome[] = []
    for (const p of input.parcels) {
      if (p.recipient.masked) {
        out.push({
          objectId: p.objectId,
          ok: false,
          code: 'masked_receiver',
          message:
            'SF direct needs a plain address; this order only has a masked one — use the marketplace e-waybill',
        })
        continue
      }
      const inner = await call(acct, 'EXP_RECE_CREATE_ORDER', createOrderMsg(acct, input.sender, p))
      if (inner.success !== true) {
        out.push({
          objectId: p.objectId,
          ok: false,
          code: str(inner.errorCode),
          message: str(inner.errorMsg),
        })
        continue
      }
      const d = isObj(inner.msgData) ? inner.msgData : {}
      const infos = arr(d.waybillNoInfoList).filter(isObj)
      const main = infos.find((w) => str(w.waybillType) === '1') ?? infos[0]
      const route = arr(d.routeLabelInfo).filter(isObj)[0]
      const rl = route && isObj(route.routeLabelData) ? route.routeLabelData : {}
      if (!main) {
        out.push({
          objectId: p.objectId,
          ok: false,
          code: 'missing',
          message: 'sf answered without a waybill number',
        })
        continue
      }
      out.push({
        objectId: p.objectId,
        ok: true,
        waybillCode: str(main.waybillNo),
        parentWaybillCode: null,
        realCpCode: 'SF',
        providerRef: p.objectId, // SF cancels by our orderId
        print: {
          kind: 'label',
          label: {
            trackingNumber: str(main.waybillNo),
            carrierName: '顺丰速运 SF Express',
            service: '顺丰特快',
            originCode: str(d.originCode) || null,
            destCode: str(d.destCode) || null,
            routeCode: str(rl.destRouteLabel) || str(d.destCode) || null,
            sender: input.sender,
            recipient: p.recipient,
            reference: p.tradeOrderIds.join(', '),
          },
        },
      })
    }
    return out
  },
  async cancel(acct, w) {
    // dealType 2 = cancel (❓ reference §10.6): SF answers success=false with its reason otherwise.
    const inner = await call(acct, 'EXP_RECE_UPDATE_ORDER', { orderId: w.providerRef ?? '', dealType: 2 })
    if (inner.success !== true)
      throw new ConnectorError('permanent', `sf: ${str(inner.errorCode)} ${str(inner.errorMsg)}`.trim(), {
        channel: 'sf',
        platformCode: str(inner.errorCode),
      })
  },
  reprint: () => Promise.resolve(null),
}
