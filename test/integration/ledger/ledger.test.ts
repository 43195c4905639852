import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handleLedgerEvent } from '../../../src/ledger/events.js'
import { newId } from '../../../src/lib/ids.js'
import { upsertRates } from '../../../src/ledger/rates.js'
import { money } from '../../../src/money/index.js'
import type { OrderEvent } from '../../../src/orders/events.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

let env: TestEnv
let m: TestMerchant
const shops: Record<string, Shop> = {}
const sku: Record<string, string> = {}
let whId = ''

/** An order with explicit line amounts, shipped at a known time with movements at a known cost. */
async function order(
  shop: Shop,
  currency: string,
  lines: { code: string; qty: number; goods: string; md: string; pd: string; cost: string }[],
  shipping: string,
  shippedAt: string,
) {
  const { orderId } = await seedOrder(
    env.ctx.db,
    m.id,
    shop.id,
    lines.map((l) => ({ skuId: sku[l.code]!, quantity: l.qty, paid: l.goods })),
    { channel: shop.channel, currency, status: 'shipped' },
  )
  const rows = await env.ctx.db
    .selectFrom('order_lines')
    .select('id')
    .where('order_id', '=', orderId)
    .orderBy('line_no')
    .execute()
  for (const [i, l] of lines.entries())
    await env.ctx.db
      .updateTable('order_lines')
      .set({ goods_amount: l.goods, merchant_discount: l.md, platform_discount: l.pd })
      .where('id', '=', rows[i]!.id)
      .execute()
  await env.ctx.db
    .updateTable('orders')
    .set({ shipping_amount: shipping, shipped_at: new Date(shippedAt), paid_at: new Date(shippedAt) })
    .where('id', '=', orderId)
    .execute()
  for (const l of lines) {
    await env.ctx.db
      .insertInto('stock_movements')
      .values({
        id: newId(),
        merchant_id: m.id,
        warehouse_id: whId,
        sku_id: sku[l.code]!,
        kind: 'shipment',
        quantity: -l.qty,
        unit_cost: l.cost,
        currency: 'CNY',
        ref_type: 'order',
        ref_id: orderId,
      })
      .execute()
  }
  return orderId
}
const ev = (orderId: string, kind: OrderEvent['kind'], extra: Partial<OrderEvent> = {}): OrderEvent => ({
  merchantId: m.id,
  orderId,
  kind,
  key: `${orderId}.${kind}`,
  ...extra,
})
const get = (url: string) => env.app.inject({ method: 'GET', url, headers: bearer(m.keys.accountant) })

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  for (const [channel, name] of [
    ['selfstore', 'web'],
    ['taobao', 'tmall'],
    ['shopify', 'intl'],
  ] as const)
    shops[name] = await createShop(env.ctx, env.ctx.config.secretKey, m.id, { channel, name })
  whId = (await createWarehouse(env.ctx.db, m.id, { code: 'W', name: 'W' })).id
  // The USD shop's sale is converted to the base currency (CNY) at the day's rate: without one it would wait.
  await upsertRates(env.ctx.db, m.id, newId(), [
    {
      source: 'MANUAL',
      rateDate: '2026-11-10',
      baseCcy: 'USD',
      quoteCcy: 'CNY',
      unit: 1,
      quoted: '7.1000',
      rate: money('7.1'),
    },
  ])
  await upsertSkus(
    env.ctx,
    m.id,
    ['CUP', 'TEA'].map((code) => ({ code, name: code })),
  )
  for (const r of await env.ctx.db
    .selectFrom('skus')
    .select(['id', 'code'])
    .where('merchant_id', '=', m.id)
    .execute())
    sku[r.code] = r.id
})
afterAll(() => env.close())

describe('three channels, hand-computed', () => {
  let web = ''
  let tmall = ''
  let intl = ''
  it('posts sales at shipment, COGS, a partial refund after shipment, and a cancelled order reversed', async () => {
    // web store: 2 cups 178.00 − 13.29 discount, tea 35.50 − 1.71; shipping 8.00; cost 2 × 30.00 + 1 × 9.00
    web = await order(
      shops.web!,
      'CNY',
      [
        { code: 'CUP', qty: 2, goods: '178.00', md: '13.29', pd: '0', cost: '30.00' },
        { code: 'TEA', qty: 1, goods: '35.50', md: '1.71', pd: '0', cost: '9.00' },
      ],
      '8.00',
      '2026-11-11T02:00:00Z',
    )
    // Tmall: 1 cup 99.00 with a platform-funded coupon 10.00 and a merchant discount 5.00, free shipping; cost 30.00
    tmall = await order(
      shops.tmall!,
      'CNY',
      [{ code: 'CUP', qty: 1, goods: '99.00', md: '5.00', pd: '10.00', cost: '30.00' }],
      '0',
      '2026-11-11T03:00:00Z',
    )
    // Shopify in USD: 3 teas 45.00, shipping 5.00; cost 3 × 9.00 CNY (COGS stays in the cost currency)
    intl = await order(
      shops.intl!,
      'USD',
      [{ code: 'TEA', qty: 3, goods: '45.00', md: '0', pd: '0', cost: '9.00' }],
      '5.00',
      '2026-11-11T04:00:00Z',
    )
    for (const id of [web, tmall, intl]) {
      expect(await handleLedgerEvent(env.ctx.db, ev(id, 'paid'))).toBe('nothing') // recognised at shipment
      expect(await handleLedgerEvent(env.ctx.db, ev(id, 'shipped', { shipmentId: `sh-${id}` }))).toBe(
        'posted,posted',
      )
    }
    // Partial refund of the tea on the web order after shipment: 33.79
    const refundId = newId()
    await env.ctx.db
      .insertInto('order_refunds')
      .values({
        id: refundId,
        merchant_id: m.id,
        shop_id: shops.web!.id,
        order_id: web,
        external_refund_id: 'R-1',
        order_external_id: web,
        status: 'refunded',
        platform_status: 'refunded',
        amount: '33.79',
        currency: 'CNY',
        reason: null,
        return_goods: 0,
        refund_lines: JSON.stringify([{ externalLineId: 'L2', quantity: 1, amount: '33.79' }]),
        platform_updated_at: new Date('2026-11-12T02:00:00Z'),
        created_at: new Date('2026-11-12T02:00:00Z'),
      })
      .execute()
    expect(await handleLedgerEvent(env.ctx.db, ev(web, 'refunded', { refundId }))).toBe('nothing')
    // A paid order cancelled before recognition posts nothing.
    const cancelled = await order(
      shops.web!,
      'CNY',
      [{ code: 'CUP', qty: 1, goods: '89.00', md: '0', pd: '0', cost: '30.00' }],
      '0',
      '2026-11-11T05:00:00Z',
    )
    expect(await handleLedgerEvent(env.ctx.db, ev(cancelled, 'cancelled'))).toBe('nothing')
  })

  it('replayed events post nothing twice', async () => {
    const before = await env.ctx.db
      .selectFrom('journal_lines')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    await handleLedgerEvent(env.ctx.db, ev(web, 'shipped', { shipmentId: `sh-${web}` }))
    await handleLedgerEvent(env.ctx.db, ev(web, 'refunded'))
    const after = await env.ctx.db
      .selectFrom('journal_lines')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    expect(after.n).toBe(before.n)
  })

  it('states each channel to the cent in JSON', async () => {
    const web1 = (await get('/statements?from=2026-11-11&to=2026-11-13&channel=selfstore')).json<{
      items: Record<string, string>[]
    }>()
    expect(web1.items).toEqual([
      {
        key: null,
        currency: 'CNY',
        grossSales: '213.50',
        merchantDiscounts: '15.00',
        platformDiscounts: '0.00',
        shippingIncome: '8.00',
        refunds: '33.79',
        netSales: '172.71', // 213.50 − 15.00 − 33.79 + 8.00
        commissions: '0.00',
        paymentFees: '0.00',
        otherFees: '0.00',
        cogs: '69.00',
        grossMargin: '103.71',
        marginPercent: '60.05',
        contributionMargin: '103.71',
        expectedReceivable: '172.71', // 206.50 sold − 33.79 refunded
        settled: '0.00',
        paidOut: '0.00',
        difference: '172.71', // nothing settled yet
        suspense: '0.00',
        // No commission plan: nothing accrued, nothing billed; no other currency.
        commissionsExpected: '0.00',
        commissionsSettled: '0.00',
        commissionsDifference: '0.00',
        paymentFeesExpected: '0.00',
        paymentFeesSettled: '0.00',
        paymentFeesDifference: '0.00',
        fxRealised: '0.00',
        fxUnrealised: '0.00',
      },
    ])
    const tmall1 = (await get('/statements?from=2026-11-11&to=2026-11-12&channel=taobao')).json<{
      items: Record<string, string>[]
    }>()
    expect(tmall1.items[0]).toMatchObject({
      grossSales: '99.00',
      merchantDiscounts: '5.00',
      platformDiscounts: '10.00',
      netSales: '94.00',
      cogs: '30.00',
      grossMargin: '64.00',
      expectedReceivable: '94.00',
    })
    const usd = (await get('/statements?from=2026-11-11&to=2026-11-12&channel=shopify')).json<{
      items: Record<string, string>[]
    }>()
    expect(usd.items.find((r) => r.currency === 'USD')).toMatchObject({
      grossSales: '45.00',
      shippingIncome: '5.00',
      netSales: '50.00',
      expectedReceivable: '50.00',
      cogs: '0.00',
    })
    expect(usd.items.find((r) => r.currency === 'CNY')).toMatchObject({ cogs: '27.00' })
    // The period is in the merchant's time zone: 2026-11-11 Asia/Shanghai starts at 2026-11-10T16:00Z.
    const early = (await get('/statements?from=2026-11-10&to=2026-11-11&channel=selfstore')).json<{
      items: unknown[]
    }>()
    expect(early.items).toEqual([])
  })

  it('exports the same figures as CSV and XLSX, and drills down by SKU', async () => {
    const csv = await get('/statements?from=2026-11-11&to=2026-11-13&channel=selfstore&format=csv')
    expect(csv.body).toContain(
      'CNY,213.50,15.00,0.00,8.00,33.79,172.71,0.00,0.00,0.00,69.00,103.71,60.05,103.71,172.71,0.00,0.00,172.71,0.00',
    )
    const xlsx = await get('/statements?from=2026-11-11&to=2026-11-13&channel=selfstore&format=xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    const row = wb.getWorksheet('Statement')!.getRow(3).values as unknown[]
    expect(row.slice(1, 12)).toEqual(['CNY', 213.5, 15, 0, 8, 33.79, 172.71, 0, 0, 0, 69])
    const bySku = (await get('/statements?from=2026-11-11&to=2026-11-13&channel=selfstore&by=sku')).json<{
      items: Record<string, string>[]
    }>()
    const cup = bySku.items.find((r) => r.key === sku.CUP)!
    expect(cup).toMatchObject({
      grossSales: '178.00',
      merchantDiscounts: '13.29',
      cogs: '60.00',
      refunds: '0.00',
    })
    // The refund record names the tea's line: it is on the tea's row, not on a row without a SKU.
    const tea = bySku.items.find((r) => r.key === sku.TEA)!
    expect(tea).toMatchObject({ grossSales: '35.50', refunds: '33.79', cogs: '9.00', grossMargin: '-9.00' })
    expect(bySku.items.find((r) => r.key === null)).toMatchObject({ refunds: '0.00', grossSales: '0.00' })
    expect(
      (
        await env.app.inject({
          method: 'GET',
          url: '/statements?from=2026-11-11&to=2026-11-13',
          headers: bearer(m.keys.warehouse),
        })
      ).statusCode,
    ).toBe(403)
  })

  it('reverses a recognised sale at the time the platform cancelled it, whatever day the worker runs', async () => {
    const cancelledAt = '2026-11-20T08:00:00.000Z'
    await env.ctx.db
      .updateTable('orders')
      .set({ status: 'cancelled', platform_updated_at: new Date(cancelledAt) })
      .where('id', '=', tmall)
      .execute()
    expect(await handleLedgerEvent(env.ctx.db, ev(tmall, 'cancelled', { at: cancelledAt }))).toBe('posted')
    // The worker runs again (a replay, a late retry): the sale stands reversed, nothing more is posted.
    expect(await handleLedgerEvent(env.ctx.db, ev(tmall, 'cancelled', { at: cancelledAt }))).toBe('nothing')
    const reversal = await env.ctx.db
      .selectFrom('journal_entries')
      .select('event_at')
      .where('posting_key', '=', `reverse.sale.${tmall}`)
      .executeTakeFirstOrThrow()
    expect(reversal.event_at.toISOString()).toBe(cancelledAt)
    const s = (await get('/statements?from=2026-11-01&to=2026-12-01&channel=taobao')).json<{
      items: Record<string, string>[]
    }>()
    expect(s.items[0]).toMatchObject({ grossSales: '0.00', expectedReceivable: '0.00', cogs: '30.00' })
  })

  it('dates a reversal without an event time by the order, and never before the sale it reverses', async () => {
    const eventAt = async (orderId: string) =>
      (
        await env.ctx.db
          .selectFrom('journal_entries')
          .select('event_at')
          .where('posting_key', '=', `reverse.sale.${orderId}`)
          .executeTakeFirstOrThrow()
      ).event_at.toISOString()
    const line = [{ code: 'CUP', qty: 1, goods: '10.00', md: '0', pd: '0', cost: '3.00' }]
    // An event queued before events carried their time: the order's platform modified time.
    const late = await order(shops.web!, 'CNY', line, '0', '2026-10-02T02:00:00Z')
    await handleLedgerEvent(env.ctx.db, ev(late, 'shipped', { shipmentId: `sh-${late}` }))
    await env.ctx.db
      .updateTable('orders')
      .set({ status: 'cancelled', platform_updated_at: new Date('2026-10-05T02:00:00Z') })
      .where('id', '=', late)
      .execute()
    expect(await handleLedgerEvent(env.ctx.db, ev(late, 'cancelled'))).toBe('posted')
    expect(await eventAt(late)).toBe('2026-10-05T02:00:00.000Z')
    // Cancelled on the platform before the warehouse shipped it: reversed when it was sold.
    const raced = await order(shops.web!, 'CNY', line, '0', '2026-10-03T02:00:00Z')
    await handleLedgerEvent(env.ctx.db, ev(raced, 'shipped', { shipmentId: `sh-${raced}` }))
    await handleLedgerEvent(env.ctx.db, ev(raced, 'cancelled', { at: '2026-10-02T23:00:00.000Z' }))
    expect(await eventAt(raced)).toBe('2026-10-03T02:00:00.000Z')
  })
})

describe('refunds and bundles by SKU', () => {
  it('puts a bundle line on its components and splits refunds over the lines and SKUs they cover, exactly', async () => {
    // CUP 50.00, and a gift box (bundle: 1 cup + 2 teas, revenue 50.00 cup / 30.00 tea) at 80.00.
    const id = await order(
      shops.web!,
      'CNY',
      [
        { code: 'CUP', qty: 1, goods: '50.00', md: '0', pd: '0', cost: '30.00' },
        { code: 'CUP', qty: 1, goods: '80.00', md: '0', pd: '0', cost: '30.00' },
      ],
      '0',
      '2026-09-15T02:00:00Z',
    )
    const box = await env.ctx.db
      .selectFrom('order_lines')
      .select('id')
      .where('order_id', '=', id)
      .where('line_no', '=', 2)
      .executeTakeFirstOrThrow()
    await env.ctx.db
      .updateTable('order_lines')
      .set({ sku_id: null, is_bundle: 1 })
      .where('id', '=', box.id)
      .execute()
    await env.ctx.db.deleteFrom('order_line_skus').where('order_line_id', '=', box.id).execute()
    await env.ctx.db
      .insertInto('order_line_skus')
      .values(
        (
          [
            ['CUP', 1, '50.00'],
            ['TEA', 2, '30.00'],
          ] as const
        ).map(([code, quantity, share]) => ({
          id: newId(),
          merchant_id: m.id,
          order_id: id,
          order_line_id: box.id,
          sku_id: sku[code]!,
          quantity,
          revenue_share: share,
        })),
      )
      .execute()
    await handleLedgerEvent(env.ctx.db, ev(id, 'shipped', { shipmentId: `sh-${id}` }))
    const refund = (externalId: string, amount: string, lines: unknown[], at: string) => ({
      id: newId(),
      merchant_id: m.id,
      shop_id: shops.web!.id,
      order_id: id,
      external_refund_id: externalId,
      order_external_id: id,
      status: 'refunded' as const,
      platform_status: 'refunded',
      amount,
      currency: 'CNY',
      reason: null,
      return_goods: 0,
      refund_lines: JSON.stringify(lines),
      platform_updated_at: new Date(at),
      created_at: new Date(at),
    })
    // 40.00 of the gift box; then 33.33 of the whole order, naming no line.
    const r1 = refund(
      'B-1',
      '40.00',
      [{ externalLineId: 'L2', quantity: 0, amount: '40.00' }],
      '2026-09-16T02:00:00Z',
    )
    const r2 = refund('B-2', '33.33', [], '2026-09-17T02:00:00Z')
    await env.ctx.db.insertInto('order_refunds').values([r1, r2]).execute()
    await handleLedgerEvent(
      env.ctx.db,
      ev(id, 'refunded', { refundId: r1.id, at: '2026-09-16T02:00:00.000Z' }),
    )
    const rows = (await get('/statements?from=2026-09-01&to=2026-10-01&channel=selfstore&by=sku')).json<{
      items: Record<string, string>[]
    }>().items
    const of = (key: string | null) => rows.find((r) => r.key === key)
    // 33.33 over the lines by what was paid (50 : 80) → 12.81 + 20.52; the box's 20.52 over its
    // components (50 : 30) → 12.82 + 7.70. The box's 40.00 → 25.00 + 15.00.
    expect(of(sku.CUP!)).toMatchObject({ grossSales: '100.00', refunds: '50.63', cogs: '60.00' })
    expect(of(sku.TEA!)).toMatchObject({ grossSales: '30.00', refunds: '22.70' })
    expect(of(null)).toMatchObject({ grossSales: '0.00', refunds: '0.00' })
    const total = (await get('/statements?from=2026-09-01&to=2026-10-01&channel=selfstore')).json<{
      items: Record<string, string>[]
    }>().items
    expect(total[0]).toMatchObject({ grossSales: '130.00', refunds: '73.33', netSales: '56.67' })
  })
})
