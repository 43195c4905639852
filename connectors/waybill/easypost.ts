/**
 * International labels in the EasyPost shape (waybills.md §7.2): Basic auth with the API key as
 * user; POST /v2/shipments with `service` + `carrier_accounts` buys in one call (else the cheapest
 * rate is bought with POST /v2/shipments/{id}/buy); the answer carries tracking_code and
 * postage_label; void = POST /v2/shipments/{id}/refund. Weight in ounces, sizes in inches. The hub
 * renders its own 4×6 label from the answer (label_url is kept for reference).
 */
import { ConnectorError } from '../errors.js'
import { createPlatformClient, type PlatformClient } from '../http.js'
import { money, round } from '../../src/money/index.js'
import {
  arr,
  carrierOfCode,
  isObj,
  str,
  type IssueOutcome,
  type Obj,
  type Party,
  type WaybillAccountContext,
  type WaybillProviderClient,
} from './types.js'

export const EASYPOST_API = 'https://api.easypost.com'

function http(acct: WaybillAccountContext): PlatformClient {
  const key = str(acct.credentials.apiKey)
  if (!key)
    throw new ConnectorError('permanent', 'EasyPost account credentials need apiKey', { channel: 'easypost' })
  return createPlatformClient({
    channel: 'easypost',
    limiterKey: acct.id,
    baseUrl: acct.baseUrl ?? EASYPOST_API,
    ratePerSecond: 5,
    secrets: [key],
    headers: {
      authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    classify: (res) => {
      if (res.status < 400 || !isObj(res.json) || !isObj(res.json.error)) return null
      const e = res.json.error
      return new ConnectorError(
        res.status >= 500 ? 'transient' : 'permanent',
        `easypost ${str(e.code)}: ${str(e.message)}`,
        {
          channel: 'easypost',
          platformCode: str(e.code),
          httpStatus: res.status,
        },
      )
    },
  })
}

const addr = (p: Party) => ({
  name: p.name,
  ...(p.company ? { company: p.company } : {}),
  street1: p.address.detail,
  city: p.address.city,
  state: p.address.province,
  zip: p.address.postcode ?? '',
  country: p.address.country ?? 'US',
  phone: p.mobile,
})

/** Grams → ounces with 1 decimal, as a decimal string (no float arithmetic on the weight). */
export const ounces = (grams: number): string => round(money(grams).div('28.349523125'), 1).toString()

export const easypost: WaybillProviderClient = {
  provider: 'easypost',
  maxBatch: 1,
  carrierOf: carrierOfCode,
  search(acct) {
    http(acct)
    const carriers = arr(acct.settings.carrierAccounts).filter(isObj)
    return Promise.resolve(
      carriers.map((c) => ({
        cpCode: str(c.carrier),
        cpType: null,
        branches: [
          {
            branchCode: str(c.id),
            branchName: str(c.carrier),
            quantity: null,
            allocated: null,
            cancelled: null,
            addresses: [],
          },
        ],
      })),
    )
  },
  async issue(acct, input) {
    const out: IssueOutcome[] = []
    for (const p of input.parcels) {
      if (p.recipient.masked) {
        out.push({
          objectId: p.objectId,
          ok: false,
          code: 'masked_receiver',
          message: 'an international label needs a plain address',
        })
        continue
      }
      const body = {
        shipment: {
          reference: p.objectId,
          to_address: addr(p.recipient),
          from_address: addr(input.sender),
          parcel: { weight: Number(ounces(p.weightGrams ?? 500)) },
          options: { label_format: 'PDF', label_size: '4x6' },
          ...(str(acct.settings.service) ? { service: str(acct.settings.service) } : {}),
          ...(input.branchCode ? { carrier_accounts: [input.branchCode] } : {}),
        },
      }
      const c = http(acct)
      let s = (await c.request({ method: 'POST', url: '/v2/shipments', data: JSON.stringify(body) }))
        .json as Obj
      if (!str(s.tracking_code)) {
        const rates = arr(s.rates).filter(isObj)
        const wanted = rates.filter((r) => !input.cpCode || str(r.carrier) === input.cpCode)
        const cheapest = wanted.sort((a, b) => money(str(a.rate)).cmp(money(str(b.rate))))[0]
        if (!cheapest) {
          out.push({
            objectId: p.objectId,
            ok: false,
            code: 'no_rate',
            message: `easypost offered no ${input.cpCode} rate`,
          })
          continue
        }
        s = (
          await c.request({
            method: 'POST',
            url: `/v2/shipments/${encodeURIComponent(str(s.id))}/buy`,
            data: JSON.stringify({ rate: { id: str(cheapest.id) } }),
          })
        ).json as Obj
      }
      const rate = isObj(s.selected_rate) ? s.selected_rate : {}
      out.push({
        objectId: p.objectId,
        ok: true,
        waybillCode: str(s.tracking_code),
        parentWaybillCode: null,
        realCpCode: str(rate.carrier) || input.cpCode,
        providerRef: str(s.id),
        print: {
          kind: 'label',
          label: {
            trackingNumber: str(s.tracking_code),
            carrierName: str(rate.carrier) || input.cpCode,
            service: str(rate.service) || null,
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
    const res = await http(acct).request({
      method: 'POST',
      url: `/v2/shipments/${encodeURIComponent(w.providerRef ?? '')}/refund`,
      data: '{}',
    })
    const s = isObj(res.json) ? res.json : {}
    if (!['submitted', 'refunded'].includes(str(s.refund_status)))
      throw new ConnectorError('permanent', `easypost refund ${str(s.refund_status) || 'not accepted'}`, {
        channel: 'easypost',
      })
  },
  reprint: () => Promise.resolve(null),
}
