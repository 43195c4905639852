import { describe, expect, it } from 'vitest'
import { pdd } from '../../../../connectors/pdd/index.js'
import {
  AFTER_SALES_STATUS,
  AFTER_SALES_TYPE,
  ORDER_STATUS,
  pddYuan,
  REFUND_STATUS,
  STEP_TRADE_STATUS,
} from '../../../../connectors/pdd/map.js'
import { parseJsonExact } from '../../../../connectors/json.js'
import type { RefundDraft } from '../../../../connectors/types.js'
import type { MapResult, UnifiedOrderDraft } from '../../../../src/orders/types.js'
import {
  pddCancelled,
  pddMultiLine,
  pddRefundedAfterShipment,
  pddRefundRequested,
  pddRefundReturn,
} from '../../../fixtures/pdd/orders.js'
import { bj } from '../../../fixtures/pdd/shop.js'

/** The client's path: JSON text → parseJsonExact (fractional yuan stay text). */
const wire = (o: unknown): unknown => parseJsonExact(JSON.stringify(o))
const ok = <T>(r: MapResult<T>): T => {
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`)
  return r.value
}
const order = (o: unknown): UnifiedOrderDraft => ok(pdd.mapOrder(wire(o)))
const refund = (o: unknown): RefundDraft => ok(pdd.mapRefund!(wire(o)))
const cents = (d: { toFixed(n: number): string }) => d.toFixed(2)

describe('PDD yuan amounts', () => {
  it('reads the exact source text and integers', () => {
    expect(pddYuan('19.9')?.toString()).toBe('19.9')
    expect(pddYuan('19.90')?.toFixed(2)).toBe('19.90')
    expect(pddYuan(20)?.toString()).toBe('20')
    expect(pddYuan(0)?.toString()).toBe('0')
  })

  it('turns a float into its shortest decimal text, which is exact for 2-decimal yuan', () => {
    expect(String(19.9)).toBe('19.9')
    expect(pddYuan(19.9)?.toString()).toBe('19.9')
    expect(pddYuan(99999999999.99)?.toString()).toBe('99999999999.99')
    expect(pddYuan(0.07)?.toString()).toBe('0.07')
  })

  it('refuses more than 2 decimals, exponents, negatives and non-numbers', () => {
    expect(pddYuan(0.1 + 0.2)).toBeNull() // 0.30000000000000004
    expect(pddYuan('19.999')).toBeNull()
    expect(pddYuan(1e21)).toBeNull() // String(1e21) === '1e+21'
    expect(pddYuan('1e2')).toBeNull()
    expect(pddYuan(-1)).toBeNull()
    expect(pddYuan('-1.50', true)?.toFixed(2)).toBe('-1.50')
    expect(pddYuan(null)).toBeNull()
    expect(pddYuan(Number.NaN)).toBeNull()
  })
})

describe('order mapping', () => {
  it('maps a multi-line order with platform and shop discounts, 改价, postage, a service fee and a gift, to the cent', () => {
    const d = order(pddMultiLine)
    expect(d).toMatchObject({
      channel: 'pdd',
      externalId: '240301-512345678901234',
      status: 'paid',
      platformStatus: '1:待发货/1:无售后或售后关闭',
      refundState: 'none',
      currency: 'CNY',
      buyer: { id: null, nick: null, email: null },
      buyerNote: '请尽快发货',
      sellerNote: '优先发顺丰',
    })
    expect(d.placedAt?.toISOString()).toBe(bj('2024-03-01 09:58:12').toISOString())
    expect(d.paidAt?.toISOString()).toBe('2024-03-01T02:00:01.000Z')
    expect(d.shippedAt).toBeNull()
    expect(d.platformUpdatedAt.toISOString()).toBe('2024-03-01T02:05:00.000Z')
    expect(
      d.lines.map((l) => [
        l.externalLineId,
        l.platformItemId,
        l.platformSkuId,
        l.outerCode,
        l.title,
        l.skuProperties,
        l.quantity,
        cents(l.unitPrice),
        cents(l.goodsAmount),
        cents(l.platformDiscount),
        cents(l.merchantDiscount),
        l.platformStatus,
      ]),
    ).toEqual([
      [
        '1234567890123',
        '345678901234',
        '1234567890123',
        'TEE-01-BLK-L',
        '纯棉短袖T恤',
        '黑色,L',
        2,
        '39.90',
        '79.80',
        '0.00',
        '0.00',
        null,
      ],
      [
        '1234567890124',
        '345678901234',
        '1234567890124',
        'TEE-01-WHT-M',
        '纯棉短袖T恤',
        '白色,M',
        1,
        '19.90',
        '19.90',
        '0.00',
        '0.00',
        null,
      ],
      [
        'gift:1234567800001',
        '345678900001',
        '1234567800001',
        'GIFT-SOCK',
        '赠品袜子',
        '均码',
        1,
        '0.00',
        '0.00',
        '0.00',
        '0.00',
        'gift',
      ],
    ])
    const t = d.totals
    expect(
      [t.goods, t.platformDiscount, t.merchantDiscount, t.shipping, t.tax, t.buyerPaid].map(cents),
    ).toEqual(['99.70', '5.00', '4.50', '9.00', '0.00', '99.20'])
    // buyerPaid = goods − platform − merchant + shipping, exactly
    expect(
      t.goods
        .minus(t.platformDiscount)
        .minus(t.merchantDiscount)
        .plus(t.shipping)
        .plus(t.tax)
        .eq(t.buyerPaid),
    ).toBe(true)
    // PDD never attributes discounts to items: all of it is order-level, for the pool to apportion.
    expect([d.orderLevel.platformDiscount, d.orderLevel.merchantDiscount].map(cents)).toEqual([
      '5.00',
      '4.50',
    ])
  })

  it('shows the masks and keeps the ciphertexts verbatim in privacyRef', () => {
    expect(order(pddMultiLine).receiver).toEqual({
      name: '张**',
      phone: '138****5678',
      country: 'CN',
      province: '广东省',
      city: '深圳市',
      district: '南山区',
      town: null,
      address: '科技园路**号',
      postcode: null,
      masked: true,
      privacyRef: {
        receiver_name: '~AgAAAAFhIbcGmE8ZAQEKx1o8nZhAPcGnJqSgWw==~0~',
        receiver_phone: '~AgAAAAFhIbcGkV2rSQaVqFDdG1m0Y3iVxmE3Kg==~1~',
        receiver_address: '~AgAAAAFhIbcHbxB6ZwuE3sJxF1pY9kR8BvQ5pQ==~2~',
        address: '~AgAAAAFhIbcHq2a3d2JmN0Y1M2ZkNzQ5ZWI1Yw==~3~',
      },
    })
    const withIndex = order({ ...pddMultiLine, receiver_phone_index: 'idx#13800005678' })
    expect(withIndex.receiver.privacyRef).toMatchObject({ receiver_phone_index: 'idx#13800005678' })
  })

  it('maps an order refunded before shipment as cancelled and refunded, masks only', () => {
    const d = order(pddCancelled)
    expect(d).toMatchObject({
      externalId: '240302-198765432109876',
      status: 'cancelled',
      refundState: 'refunded',
      platformStatus: '1:待发货/4:退款成功',
      buyerNote: null,
      sellerNote: null,
    })
    expect(
      [
        d.totals.goods,
        d.totals.platformDiscount,
        d.totals.merchantDiscount,
        d.totals.shipping,
        d.totals.buyerPaid,
      ].map(cents),
    ).toEqual(['29.90', '0.00', '2.00', '0.00', '27.90'])
    expect(d.lines).toHaveLength(1)
    expect(d.receiver).toMatchObject({
      name: '张**',
      phone: '138****5678',
      address: '科技园路**号',
      masked: true,
      privacyRef: null,
    })
  })

  it('maps an order refunded after it was shipped and received', () => {
    const d = order(pddRefundedAfterShipment)
    expect(d).toMatchObject({
      externalId: '240303-276543210987654',
      status: 'completed',
      refundState: 'refunded',
      platformStatus: '3:已签收/4:退款成功',
    })
    expect(d.shippedAt?.toISOString()).toBe('2024-03-03T08:30:00.000Z')
    expect(d.platformUpdatedAt.toISOString()).toBe('2024-03-09T06:20:05.000Z')
    expect(
      d.lines.map((l) => [l.externalLineId, l.quantity, cents(l.unitPrice), cents(l.goodsAmount)]),
    ).toEqual([['1234567888888', 2, '29.90', '59.80']])
    expect(
      [
        d.totals.goods,
        d.totals.platformDiscount,
        d.totals.merchantDiscount,
        d.totals.shipping,
        d.totals.buyerPaid,
      ].map(cents),
    ).toEqual(['59.80', '4.50', '0.00', '0.00', '55.30'])
  })

  it('gives the same exact amounts when the payload carries JS floats (a plain JSON.parse upstream)', () => {
    const d = ok(pdd.mapOrder(pddMultiLine))
    expect(
      [d.totals.goods, d.totals.merchantDiscount, d.totals.shipping, d.totals.buyerPaid].map(cents),
    ).toEqual(['99.70', '4.50', '9.00', '99.20'])
  })

  it('keeps an id beyond 2^53 exact', () => {
    const text = JSON.stringify(wire(pddCancelled)).replace(
      '"sku_id":1234567899999',
      '"sku_id":9007199254740993',
    )
    const d = ok(pdd.mapOrder(parseJsonExact(text)))
    expect(d.lines[0]!.platformSkuId).toBe('9007199254740993')
  })

  it('reports malformed orders instead of throwing', () => {
    const bad = (patch: Record<string, unknown>) => pdd.mapOrder(wire({ ...pddMultiLine, ...patch }))
    expect(bad({ pay_amount: 99.21 })).toMatchObject({
      ok: false,
      reason: 'malformed_payload',
      detail: expect.stringContaining('pay_amount'),
    })
    expect(bad({ discount_amount: 9 })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('discount_amount'),
    })
    expect(bad({ goods_amount: 98.3 })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('goods_amount'),
    })
    expect(bad({ postage: 6.001 })).toMatchObject({ ok: false, detail: expect.stringContaining('postage') })
    expect(bad({ order_status: 9 })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('order_status'),
    })
    expect(bad({ refund_status: 5 })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('refund_status'),
    })
    expect(bad({ item_list: [] })).toMatchObject({ ok: false, detail: expect.stringContaining('item_list') })
    expect(bad({ updated_at: '2024/03/01' })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('updated_at'),
    })
    expect(bad({ order_sn: '' })).toMatchObject({ ok: false, detail: 'order_sn is required' })
    expect(pdd.mapOrder('not an order')).toMatchObject({ ok: false, reason: 'malformed_payload' })
  })
})

describe('status tables', () => {
  // One row per documented order_status (§3.4), with refund_status 1 so nothing overrides it.
  const orderRows: [number, string][] = [
    [1, 'paid'],
    [2, 'shipped'],
    [3, 'completed'],
  ]
  it('covers every order_status', () =>
    expect(orderRows.map((r) => String(r[0]))).toEqual(Object.keys(ORDER_STATUS)))
  it.each(orderRows)('order_status %i → %s', (code, expected) => {
    expect(order({ ...pddMultiLine, order_status: code }).status).toBe(expected)
  })

  const refundRows: [number, string][] = [
    [1, 'none'],
    [2, 'requested'],
    [3, 'requested'],
    [4, 'refunded'],
  ]
  it('covers every refund_status', () =>
    expect(refundRows.map((r) => String(r[0]))).toEqual(Object.keys(REFUND_STATUS)))
  it.each(refundRows)(
    'refund_status %i → refund state %s (shipped order keeps its status)',
    (code, expected) => {
      const d = order({ ...pddMultiLine, order_status: 2, refund_status: code })
      expect(d.refundState).toBe(expected)
      expect(d.status).toBe('shipped')
    },
  )

  const stepRows: [number, string][] = [
    [0, 'pending_payment'],
    [1, 'pending_payment'],
    [2, 'paid'],
  ]
  it('covers every step_trade_status', () =>
    expect(stepRows.map((r) => String(r[0]))).toEqual(Object.keys(STEP_TRADE_STATUS)))
  it.each(stepRows)('定金 order with step_trade_status %i → %s', (step, expected) => {
    const deposit = {
      ...pddMultiLine,
      trade_type: 1,
      step_order_info: {
        step_trade_status: step,
        advanced_paid_fee: 10,
        step_paid_fee: 89.2,
        step_discount_amount: 0,
      },
    }
    expect(order(deposit).status).toBe(expected)
  })

  it.each([
    ['confirm_status 2 (已取消)', { confirm_status: 2 }],
    ['group_status 2 (团失败)', { group_status: 2 }],
  ])('%s → cancelled', (_name, patch) => {
    expect(order({ ...pddMultiLine, ...patch }).status).toBe('cancelled')
  })

  const afterSalesRows: [number, string][] = [
    [0, 'cancelled'],
    [2, 'requested'],
    [3, 'requested'],
    [4, 'approved'],
    [5, 'approved'],
    [6, 'rejected'],
    [7, 'approved'],
    [8, 'requested'],
    [9, 'rejected'],
    [10, 'refunded'],
    [11, 'cancelled'],
    [12, 'cancelled'],
    [13, 'cancelled'],
    [14, 'requested'],
    [15, 'approved'],
    [16, 'approved'],
    [17, 'cancelled'],
    [18, 'approved'],
    [21, 'requested'],
    [22, 'approved'],
    [24, 'cancelled'],
    [25, 'approved'],
    [27, 'approved'],
    [31, 'approved'],
    [32, 'approved'],
    [33, 'approved'],
  ]
  it('covers every after_sales_status', () =>
    expect(afterSalesRows.map((r) => String(r[0]))).toEqual(Object.keys(AFTER_SALES_STATUS)))
  it.each(afterSalesRows)('after_sales_status %i → %s', (code, expected) => {
    const d = refund({ ...pddRefundReturn, after_sales_status: code })
    expect(d.status).toBe(expected)
    expect(d.platformStatus.startsWith(`${code}:`)).toBe(true)
  })

  const typeRows: [number, boolean][] = [
    [2, false],
    [3, true],
    [4, true],
    [5, false],
    [6, false],
    [9, true],
  ]
  it('covers every after_sales_type', () =>
    expect(typeRows.map((r) => String(r[0]))).toEqual(Object.keys(AFTER_SALES_TYPE)))
  it.each(typeRows)('after_sales_type %i → returnGoods %s', (code, expected) => {
    expect(refund({ ...pddRefundReturn, after_sales_type: code }).returnGoods).toBe(expected)
  })
})

describe('refund mapping', () => {
  it('maps a 退货退款 to a RefundDraft with its line', () => {
    const r = refund(pddRefundReturn)
    expect(r).toMatchObject({
      externalRefundId: '11223344556',
      orderExternalId: '240303-276543210987654',
      status: 'refunded',
      platformStatus: '10:退款成功',
      currency: 'CNY',
      reason: '质量问题',
      returnGoods: true,
    })
    expect(r.amount.toFixed(2)).toBe('27.65')
    expect(r.lines.map((l) => [l.externalLineId, l.quantity, l.amount.toFixed(2)])).toEqual([
      ['1234567888888', 1, '27.65'],
    ])
    expect(r.createdAt.toISOString()).toBe('2024-03-07T01:12:00.000Z')
    expect(r.platformUpdatedAt.toISOString()).toBe('2024-03-09T06:20:05.000Z')
    // The refund line names the same line id the order mapper gave that sku.
    expect(order(pddRefundedAfterShipment).lines.map((l) => l.externalLineId)).toContain(
      r.lines[0]!.externalLineId,
    )
  })

  it('maps a pending 仅退款 and refuses a broken record', () => {
    expect(refund(pddRefundRequested)).toMatchObject({
      externalRefundId: '11223344999',
      status: 'requested',
      returnGoods: false,
      reason: '不想要了',
    })
    expect(pdd.mapRefund!(wire({ ...pddRefundReturn, refund_amount: 'lots' }))).toMatchObject({
      ok: false,
      reason: 'malformed_payload',
    })
    expect(pdd.mapRefund!(wire({ ...pddRefundReturn, after_sales_status: 99 }))).toMatchObject({
      ok: false,
      detail: expect.stringContaining('after_sales_status'),
    })
    expect(pdd.mapRefund!(wire({ ...pddRefundReturn, updated_time: null }))).toMatchObject({
      ok: false,
      detail: 'updated_time is required',
    })
  })
})
