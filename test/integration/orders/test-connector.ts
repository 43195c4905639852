/**
 * A test-only connector for the order pool's edge cases. Its payload is a deliberately small
 * shape (not a platform's): { id, at, status, note, addr, lines: [{ id, sku, qty, price }], boom }.
 * `boom: true` makes mapOrder throw (a mapper bug), `bad: true` makes it refuse the payload.
 * It is installed over one channel of the registry for the duration of a test file.
 */
import { CONNECTORS } from '../../../connectors/index.js'
import type { Connector, RefundDraft } from '../../../connectors/types.js'
import type { Channel } from '../../../src/db/schema.js'
import { money, sum, ZERO } from '../../../src/money/index.js'
import {
  mapFailed,
  mapped,
  type PlatformOrderStatus,
  type UnifiedOrderDraft,
} from '../../../src/orders/types.js'

export interface TestPayload {
  id: string
  at: string
  status?: PlatformOrderStatus
  note?: string | null
  addr?: string | null
  buyer?: string
  lines?: { id: string; sku: string; qty: number; price: string }[]
  boom?: boolean
  bad?: boolean
}

export interface TestRefundPayload {
  id: string
  order: string
  at: string
  status: RefundDraft['status']
  amount: string
  lines?: { id: string; qty: number; amount: string }[]
}

export const testOrder = (p: TestPayload) => ({
  externalId: p.id,
  platformUpdatedAt: new Date(p.at),
  payload: p,
})
export const testRefund = (p: TestRefundPayload) => ({
  externalRefundId: p.id,
  orderExternalId: p.order,
  platformUpdatedAt: new Date(p.at),
  payload: p,
})

function mapOrder(raw: unknown) {
  const p = raw as TestPayload
  if (p.boom) throw new Error('boom: the mapper has a bug')
  if (p.bad || !Array.isArray(p.lines)) return mapFailed('malformed_payload', 'lines missing')
  const lines = p.lines.map((l) => ({
    externalLineId: l.id,
    platformItemId: null,
    platformSkuId: null,
    outerCode: l.sku,
    title: l.sku,
    skuProperties: null,
    quantity: l.qty,
    unitPrice: money(l.price),
    goodsAmount: money(l.price).mul(l.qty),
    platformDiscount: ZERO,
    merchantDiscount: ZERO,
    tax: ZERO,
    platformStatus: null,
    refundState: 'none' as const,
    refundedQuantity: 0,
    refundedAmount: ZERO,
  }))
  const goods = sum(lines.map((l) => l.goodsAmount))
  const at = new Date(p.at)
  const draft: UnifiedOrderDraft = {
    channel: 'pdd',
    externalId: p.id,
    status: p.status ?? 'paid',
    platformStatus: p.status ?? 'paid',
    refundState: 'none',
    currency: 'CNY',
    placedAt: at,
    paidAt: at,
    shippedAt: null,
    platformUpdatedAt: at,
    buyer: { id: p.buyer ?? 'B1', nick: p.buyer ?? 'B1', email: null },
    receiver: {
      name: '张三',
      phone: '13800000000',
      country: 'CN',
      province: '浙江省',
      city: '杭州市',
      district: '西湖区',
      town: null,
      address: p.addr === undefined ? '文三路 1 号' : p.addr,
      postcode: null,
      masked: false,
      privacyRef: null,
    },
    buyerNote: p.note ?? null,
    sellerNote: null,
    totals: {
      goods,
      platformDiscount: ZERO,
      merchantDiscount: ZERO,
      shipping: ZERO,
      tax: ZERO,
      buyerPaid: goods,
    },
    orderLevel: { platformDiscount: ZERO, merchantDiscount: ZERO },
    lines,
  }
  return mapped(draft)
}

function mapRefund(raw: unknown) {
  const r = raw as TestRefundPayload
  const at = new Date(r.at)
  return mapped<RefundDraft>({
    externalRefundId: r.id,
    orderExternalId: r.order,
    status: r.status,
    platformStatus: r.status,
    currency: 'CNY',
    amount: money(r.amount),
    reason: null,
    lines: (r.lines ?? []).map((l) => ({ externalLineId: l.id, quantity: l.qty, amount: money(l.amount) })),
    returnGoods: false,
    createdAt: at,
    platformUpdatedAt: at,
  })
}

export const TEST_CHANNEL: Channel = 'pdd'

/** Put the test connector in the registry; returns a function that puts back what was there. */
export function installTestConnector(): () => void {
  const before = CONNECTORS[TEST_CHANNEL]
  CONNECTORS[TEST_CHANNEL] = {
    channel: TEST_CHANNEL,
    settingsSchema: before.settingsSchema,
    mapOrder,
    mapRefund,
  } as unknown as Connector
  return () => {
    if (before) CONNECTORS[TEST_CHANNEL] = before
    else delete CONNECTORS[TEST_CHANNEL]
  }
}
