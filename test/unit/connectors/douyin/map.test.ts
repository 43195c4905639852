import { describe, expect, it } from 'vitest'
import { douyin } from '../../../../connectors/douyin/index.js'
import {
  AFTERSALE_REFUND_STATUS,
  AFTERSALE_STATUS,
  LINE_AFTER_SALE_STATUS,
  LINE_REFUND_STATUS,
  MAIN_STATUS,
  ORDER_STATUS,
} from '../../../../connectors/douyin/map.js'
import { parseJsonExact } from '../../../../connectors/json.js'
import {
  dyAfterSale,
  dyCancelled,
  dyMultiLine,
  dyRefundedAfterShipment,
  toWire,
} from '../../../fixtures/douyin/orders.js'

const ok = <T>(r: { ok: boolean; value?: T }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r))
  return r.value!
}
const cents = (d: { toFixed(dp: number): string }) => d.toFixed(2)
/** What the mapper sees after HTTP: the wire text parsed exactly. */
const wire = (o: unknown) => parseJsonExact(toWire(o))

describe('douyin mapOrder', () => {
  it('maps a paid two-line order with shop, platform, 达人 and payment discounts and postage, to the cent', () => {
    const d = ok(douyin.mapOrder(wire(dyMultiLine)))
    expect(d).toMatchObject({
      channel: 'douyin',
      externalId: '6921001234567890123',
      status: 'paid',
      platformStatus: '2 备货中 main 2',
      refundState: 'none',
      currency: 'CNY',
      buyerNote: '请尽快发货',
      sellerNote: '送小样',
      buyer: { id: '1@#c2FtcGxlLW9wZW4taWQ=', nick: null, email: null },
    })
    expect(d.placedAt?.toISOString()).toBe('2024-03-01T01:53:20.000Z')
    expect(d.paidAt?.toISOString()).toBe('2024-03-01T01:54:20.000Z')
    expect(d.shippedAt).toBeNull()
    expect(d.platformUpdatedAt.toISOString()).toBe('2024-03-01T02:00:00.000Z')
    expect(
      d.lines.map((l) => [
        l.externalLineId,
        l.platformItemId,
        l.platformSkuId,
        l.outerCode,
        l.skuProperties,
        l.quantity,
        cents(l.unitPrice),
        cents(l.goodsAmount),
        cents(l.platformDiscount),
        cents(l.merchantDiscount),
        cents(l.tax),
        l.refundState,
      ]),
    ).toEqual([
      [
        '6921001234567890124',
        '3600000000000000001',
        '1700000000000000001',
        'TEA-LJ-250',
        '规格:250g;包装:礼盒',
        2,
        '89.90',
        '179.80',
        '8.00',
        '10.00',
        '0.00',
        'none',
      ],
      [
        '6921001234567890125',
        '3600000000000000002',
        '1700000000000000002',
        'CUP-GL-1',
        '颜色:透明',
        1,
        '45.00',
        '45.00',
        '1.00',
        '2.00',
        '0.00',
        'none',
      ],
    ])
    const t = d.totals
    expect(
      [t.goods, t.platformDiscount, t.merchantDiscount, t.shipping, t.tax, t.buyerPaid].map(cents),
    ).toEqual(['224.80', '9.00', '12.00', '6.00', '0.00', '209.80'])
    // The identity the mapper enforces holds exactly.
    expect(
      t.goods
        .minus(t.platformDiscount)
        .minus(t.merchantDiscount)
        .plus(t.shipping)
        .plus(t.tax)
        .eq(t.buyerPaid),
    ).toBe(true)
    // Douyin attributes every discount to a sku order: nothing is left for the pool to apportion.
    expect([d.orderLevel.platformDiscount, d.orderLevel.merchantDiscount].map(cents)).toEqual([
      '0.00',
      '0.00',
    ])
  })

  it('keeps the encrypted receiver verbatim: mask text shown, ciphertexts in privacyRef, never decrypted', () => {
    const r = ok(douyin.mapOrder(wire(dyMultiLine))).receiver
    expect(r).toEqual({
      name: '张**',
      phone: '138****1234',
      country: 'CN',
      province: '浙江省',
      city: '杭州市',
      district: '西湖区',
      town: '文新街道',
      address: '文三路***号',
      postcode: null,
      masked: true,
      privacyRef: {
        encrypt_post_receiver: dyMultiLine.encrypt_post_receiver,
        encrypt_post_tel: dyMultiLine.encrypt_post_tel,
        encrypt_detail: dyMultiLine.post_addr.encrypt_detail,
        post_receiver: dyMultiLine.post_receiver,
        post_tel: dyMultiLine.post_tel,
        post_addr_detail: dyMultiLine.post_addr.detail,
      },
    })
  })

  it('maps a cancelled unpaid order', () => {
    const d = ok(douyin.mapOrder(wire(dyCancelled)))
    expect(d).toMatchObject({
      externalId: '6921001234567890200',
      status: 'cancelled',
      refundState: 'none',
      paidAt: null,
      shippedAt: null,
      buyerNote: null,
    })
    expect(
      [
        d.totals.goods,
        d.totals.platformDiscount,
        d.totals.merchantDiscount,
        d.totals.shipping,
        d.totals.buyerPaid,
      ].map(cents),
    ).toEqual(['59.90', '0.00', '0.00', '0.00', '59.90'])
    expect(d.lines).toHaveLength(1)
    expect(d.lines[0]).toMatchObject({
      externalLineId: '6921001234567890201',
      platformSkuId: '1700000000000000003',
      quantity: 1,
      refundState: 'none',
    })
  })

  it('maps an order refunded after shipment: one line returned and refunded, the other kept', () => {
    const d = ok(douyin.mapOrder(wire(dyRefundedAfterShipment)))
    expect(d).toMatchObject({ externalId: '6921001234567890300', status: 'shipped', refundState: 'partial' })
    expect(d.shippedAt?.toISOString()).toBe('2024-02-29T06:00:00.000Z')
    expect(
      d.lines.map((l) => [
        l.externalLineId,
        l.refundState,
        l.refundedQuantity,
        cents(l.refundedAmount),
        cents(l.platformDiscount),
      ]),
    ).toEqual([
      ['6921001234567890301', 'refunded', 1, '119.00', '10.00'],
      ['6921001234567890302', 'none', 0, '0.00', '0.00'],
    ])
    expect(d.lines[0]!.platformStatus).toBe('3 after_sale_status=12 after_sale_type=0 refund_status=3')
    expect(
      [d.totals.goods, d.totals.platformDiscount, d.totals.merchantDiscount, d.totals.buyerPaid].map(cents),
    ).toEqual(['159.00', '10.00', '0.00', '149.00'])
  })

  it('puts parent discounts the lines do not carry into orderLevel, for the pool to apportion', () => {
    const lines = dyMultiLine.sku_order_list.map((l) => ({
      ...l,
      promotion_shop_amount: 0,
      promotion_platform_amount: 0,
      promotion_talent_amount: 0,
      promotion_pay_amount: 0,
    }))
    const d = ok(douyin.mapOrder(wire({ ...dyMultiLine, sku_order_list: lines })))
    expect([d.orderLevel.platformDiscount, d.orderLevel.merchantDiscount].map(cents)).toEqual([
      '9.00',
      '12.00',
    ])
    expect([d.totals.platformDiscount, d.totals.merchantDiscount].map(cents)).toEqual(['9.00', '12.00'])
  })

  it('counts a merchant price cut (modify_amount) as merchant discount', () => {
    const d = ok(douyin.mapOrder(wire({ ...dyCancelled, modify_amount: -500, pay_amount: 5490 })))
    expect([d.totals.merchantDiscount, d.orderLevel.merchantDiscount, d.totals.buyerPaid].map(cents)).toEqual(
      ['5.00', '5.00', '54.90'],
    )
  })

  it.each(Object.entries(ORDER_STATUS))('order_status %s → %s', (code, unified) => {
    expect(
      ok(douyin.mapOrder(wire({ ...dyMultiLine, order_status: Number.parseInt(code, 10), main_status: 0 })))
        .status,
    ).toBe(unified)
  })

  it.each(Object.entries(MAIN_STATUS))('main_status %s → %j when order_status is absent', (code, row) => {
    const { order_status: _omit, ...rest } = dyMultiLine
    const d = ok(douyin.mapOrder(wire({ ...rest, main_status: Number.parseInt(code, 10) })))
    expect(d.status).toBe(row.status)
    expect(d.refundState).toBe(row.refund ?? 'none')
  })

  it.each(Object.entries(LINE_AFTER_SALE_STATUS))('line after_sale_status %s → %s', (code, state) => {
    const line = {
      ...dyCancelled.sku_order_list[0]!,
      after_sale_info: { after_sale_status: Number.parseInt(code, 10), after_sale_type: 1, refund_status: 0 },
    }
    expect(ok(douyin.mapOrder(wire({ ...dyCancelled, sku_order_list: [line] }))).lines[0]!.refundState).toBe(
      state,
    )
  })

  it.each(Object.entries(LINE_REFUND_STATUS))(
    'line refund_status %s → %s (no after-sale status)',
    (code, state) => {
      const line = {
        ...dyCancelled.sku_order_list[0]!,
        after_sale_info: { after_sale_type: 1, refund_status: Number.parseInt(code, 10) },
      }
      expect(
        ok(douyin.mapOrder(wire({ ...dyCancelled, sku_order_list: [line] }))).lines[0]!.refundState,
      ).toBe(state)
    },
  )

  it('treats an exchange (after_sale_type 3) as no refund', () => {
    const line = {
      ...dyCancelled.sku_order_list[0]!,
      after_sale_info: { after_sale_status: 12, after_sale_type: 3, refund_status: 0 },
    }
    expect(ok(douyin.mapOrder(wire({ ...dyCancelled, sku_order_list: [line] }))).lines[0]!.refundState).toBe(
      'none',
    )
  })

  it('reports malformed orders instead of throwing', () => {
    expect(douyin.mapOrder('nope')).toMatchObject({ ok: false, reason: 'malformed_payload' })
    expect(douyin.mapOrder({ ...dyMultiLine, order_status: 77, main_status: 77 })).toMatchObject({
      ok: false,
      reason: 'malformed_payload',
    })
    expect(douyin.mapOrder({ ...dyMultiLine, pay_amount: 209.8 })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('pay_amount'),
    })
    expect(douyin.mapOrder({ ...dyMultiLine, pay_amount: 20981 })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('≠'),
    })
    expect(douyin.mapOrder({ ...dyMultiLine, sku_order_list: [] })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('sku_order_list'),
    })
    expect(douyin.mapOrder({ ...dyMultiLine, update_time: 'yesterday' })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('update_time'),
    })
    const stranger = { ...dyMultiLine.sku_order_list[0]!, parent_order_id: '6921001234567899999' }
    expect(
      douyin.mapOrder({ ...dyMultiLine, sku_order_list: [stranger, dyMultiLine.sku_order_list[1]] }),
    ).toMatchObject({ ok: false, detail: expect.stringContaining('belongs to order') })
  })
})

describe('douyin mapRefund', () => {
  it('maps an afterSale.List item to a RefundDraft', () => {
    const r = ok(douyin.mapRefund!(wire(dyAfterSale)))
    expect(r).toMatchObject({
      externalRefundId: '7301234567890123456',
      orderExternalId: '6921001234567890300',
      status: 'refunded',
      platformStatus: 'aftersale_status=12 aftersale_type=0 refund_status=3',
      currency: 'CNY',
      reason: '七天无理由退货',
      returnGoods: true,
    })
    expect(cents(r.amount)).toBe('119.00')
    expect(r.lines.map((l) => [l.externalLineId, l.quantity, cents(l.amount)])).toEqual([
      ['6921001234567890301', 1, '119.00'],
    ])
    expect(r.createdAt.toISOString()).toBe('2024-03-02T17:20:00.000Z')
    expect(r.platformUpdatedAt.toISOString()).toBe('2024-03-05T00:53:20.000Z')
  })

  it('adds refunded postage and marks 仅退款 as no return', () => {
    const info = { ...dyAfterSale.aftersale_info, aftersale_type: 2, refund_post_amount: 600 }
    const r = ok(douyin.mapRefund!(wire({ ...dyAfterSale, aftersale_info: info })))
    expect([cents(r.amount), r.returnGoods]).toEqual(['125.00', false])
  })

  it.each(Object.entries(AFTERSALE_STATUS))('aftersale_status %s → %s (refund_status 1)', (code, status) => {
    const info = {
      ...dyAfterSale.aftersale_info,
      aftersale_status: Number.parseInt(code, 10),
      refund_status: 1,
    }
    expect(ok(douyin.mapRefund!(wire({ ...dyAfterSale, aftersale_info: info }))).status).toBe(status)
  })

  it.each(Object.entries(AFTERSALE_REFUND_STATUS))(
    'refund_status %s → %s over aftersale_status 7 (approved)',
    (code, override) => {
      const info = {
        ...dyAfterSale.aftersale_info,
        aftersale_status: 7,
        refund_status: Number.parseInt(code, 10),
      }
      expect(ok(douyin.mapRefund!(wire({ ...dyAfterSale, aftersale_info: info }))).status).toBe(
        override ?? 'approved',
      )
    },
  )

  it('reports a malformed after-sale', () => {
    expect(douyin.mapRefund!({ order_info: {} })).toMatchObject({ ok: false, reason: 'malformed_payload' })
    expect(
      douyin.mapRefund!(
        wire({ ...dyAfterSale, aftersale_info: { ...dyAfterSale.aftersale_info, aftersale_status: 99 } }),
      ),
    ).toMatchObject({ ok: false, detail: expect.stringContaining('aftersale_status') })
  })
})
