/**
 * A sale held for its rate takes everything posted with it when it is released: its fee accruals
 * (at the sale's business date and the rate of that date), its refunds and the commission they
 * give back. Every figure computed by hand (rates invented), base CNY:
 *   USD/CNY 03-02 7.1700 (too old for the sale: 5-day limit) · imported late: 03-26 7.1850 ·
 *   03-27 7.1900 · 03-28 7.2000.
 * #2001 on the USD shop: paid 03-26 (Beijing), shipped 03-27, goods USD 80.00, one unit at CNY 175.00.
 * Plan: commission 5 % + USD 0.30 per order, proportional refund; payment fee 2.9 %, kept on refunds.
 *   sale at the payment date's rate (IFRIC 22): 80.00 × 7.1850 = 574.80
 *   commission 80.00 × 5 % + 0.30 = USD 4.30 × 7.1850 = 30.89565 → 30.90
 *   payment fee 80.00 × 2.9 % = USD 2.32 × 7.1850 = 16.66920 → 16.67
 *   COGS 175.00 (base, posted at shipment while the sale waited)
 *   refund USD 20.00 on 03-28 × 7.2000 = 144.00
 *   commission after the refund 4.30 × 60 / 80 = 3.225 → 3.23: USD 1.07 given back × 7.2000 = 7.704 → 7.70
 *   commission net 30.90 − 7.70 = 23.20; payment fees 16.67; net sales 574.80 − 144.00 = 430.80.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handleLedgerEvent } from '../../../src/ledger/events.js'
import { importRates, parseRateFile } from '../../../src/ledger/rate-files.js'
import { ymd } from '../../../src/ledger/rates.js'
import { newId } from '../../../src/lib/ids.js'
import { money } from '../../../src/money/index.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import {
  bearer,
  fixedClock,
  seedMerchant,
  testEnv,
  type TestEnv,
  type TestMerchant,
} from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

let env: TestEnv
let m: TestMerchant
let shop: Shop
let orderId = ''
const actor = { actorType: 'cli' as const, actorId: 'test' }

const rates = (rows: string[]) =>
  parseRateFile(Buffer.from(['rate_date,base_ccy,quote_ccy,unit,rate,source', ...rows].join('\n')))

/** The order's journal lines per entry kind and account: base debit − credit, and the txn amount. */
async function byKind() {
  const rows = await env.ctx.db
    .selectFrom('journal_lines as l')
    .innerJoin('journal_entries as e', 'e.id', 'l.entry_id')
    .select([
      'e.kind',
      'e.event_at',
      'l.account',
      'l.currency',
      'l.debit',
      'l.credit',
      'l.base_debit',
      'l.base_credit',
      'l.rate_date',
    ])
    .where('l.merchant_id', '=', m.id)
    .where('l.order_id', '=', orderId)
    .execute()
  const out: Record<string, string> = {}
  for (const r of rows) {
    const k = `${r.kind} ${r.account.split(':')[0]}`
    const base = money(r.base_debit).minus(money(r.base_credit))
    out[k] = (out[k] ? money(out[k]).plus(base) : base).toFixed(2)
  }
  return { out, rows }
}

beforeAll(async () => {
  env = await testEnv({ clock: fixedClock('2026-04-15T04:00:00Z') })
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, { channel: 'shopify', name: 'US' })
  const wh = (await createWarehouse(env.ctx.db, m.id, { code: 'W', name: 'W' })).id
  await upsertSkus(env.ctx, m.id, [{ code: 'LAMP', name: 'Lamp' }])
  const skuId = (
    await env.ctx.db.selectFrom('skus').select('id').where('merchant_id', '=', m.id).executeTakeFirstOrThrow()
  ).id
  const plan = await env.app.inject({
    method: 'POST',
    url: `/shops/${shop.id}/commission-plans`,
    headers: bearer(m.keys.admin),
    payload: {
      name: 'Shopify Payments',
      effectiveFrom: '2026-01-01',
      rules: {
        rate: '0.05',
        fixedPerOrder: '0.30',
        refundRule: 'proportional',
        paymentRate: '0.029',
        paymentRefundRule: 'none',
      },
    },
  })
  expect(plan.statusCode).toBe(201)
  await importRates(env.ctx.db, m.id, await rates(['2026-03-02,USD,CNY,1,7.1700,MANUAL']), actor, {
    action: 'rates.import',
    detail: {},
  })
  ;({ orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId, quantity: 1, paid: '80.00' }], {
    channel: 'shopify',
    currency: 'USD',
    externalId: '#2001',
    status: 'shipped',
  }))
  await env.ctx.db
    .updateTable('orders')
    .set({
      paid_at: new Date('2026-03-26T01:00:00Z'),
      placed_at: new Date('2026-03-26T01:00:00Z'),
      shipped_at: new Date('2026-03-27T03:00:00Z'),
    })
    .where('id', '=', orderId)
    .execute()
  await env.ctx.db
    .updateTable('order_lines')
    .set({ goods_amount: '80.00' })
    .where('order_id', '=', orderId)
    .execute()
  await env.ctx.db
    .insertInto('stock_movements')
    .values({
      id: newId(),
      merchant_id: m.id,
      warehouse_id: wh,
      sku_id: skuId,
      kind: 'shipment',
      quantity: -1,
      unit_cost: '175.00',
      currency: 'CNY',
      ref_type: 'order',
      ref_id: orderId,
    })
    .execute()
})
afterAll(() => env.close())

describe('a sale held for its rate, released later', () => {
  it('waits with nothing posted but its COGS; a refund meanwhile waits with it', async () => {
    expect(
      await handleLedgerEvent(env.ctx.db, {
        merchantId: m.id,
        orderId,
        kind: 'shipped',
        key: `${orderId}.shipped`,
        shipmentId: `sh-${orderId}`,
        at: '2026-03-27T03:00:00.000Z',
      }),
    ).toBe('held,posted')
    const refundId = newId()
    await env.ctx.db
      .insertInto('order_refunds')
      .values({
        id: refundId,
        merchant_id: m.id,
        shop_id: shop.id,
        order_id: orderId,
        external_refund_id: 'R-2001',
        order_external_id: '#2001',
        status: 'refunded',
        platform_status: 'refunded',
        amount: '20.00',
        currency: 'USD',
        reason: null,
        return_goods: 0,
        refund_lines: JSON.stringify([{ externalLineId: 'L1', quantity: 0, amount: '20.00' }]),
        platform_updated_at: new Date('2026-03-28T02:00:00Z'),
        created_at: new Date('2026-03-28T02:00:00Z'),
      })
      .execute()
    await handleLedgerEvent(env.ctx.db, {
      merchantId: m.id,
      orderId,
      kind: 'refunded',
      key: `${orderId}.r1`,
      refundId,
      at: '2026-03-28T02:00:00.000Z',
    })
    expect((await byKind()).out).toEqual({ 'cogs cogs': '175.00', 'cogs inventory': '-175.00' })
  })

  it('tells a statement of the period what waits, and only within its scope', async () => {
    const held = async (query: string) =>
      (
        await env.app.inject({
          method: 'GET',
          url: `/statements?${query}`,
          headers: bearer(m.keys.accountant),
        })
      ).json<{ held: unknown }>().held
    // One entry: the sale, dated by its shipment (03-27 11:00 Beijing); its refund waits inside it.
    expect(await held('from=2026-03-01&to=2026-04-01&channel=shopify&basis=base')).toEqual({
      entries: 1,
      byCurrency: [{ currency: 'USD', entries: 1 }],
    })
    // In the merchant's days: not in a statement that ends before 03-27 (Beijing).
    expect(await held('from=2026-03-01&to=2026-03-27')).toEqual({ entries: 0, byCurrency: [] })
    expect(await held('from=2026-03-27&to=2026-03-28')).toMatchObject({ entries: 1 })
    expect(await held('from=2026-03-01&to=2026-04-01&channel=taobao')).toEqual({ entries: 0, byCurrency: [] })
    expect(await held(`from=2026-03-01&to=2026-04-01&shopId=${newId()}`)).toEqual({
      entries: 0,
      byCurrency: [],
    })
    expect(await held('from=2026-04-01&to=2026-05-01')).toEqual({ entries: 0, byCurrency: [] })
  })

  it('posts the sale with its fee accruals at the sale’s date and rate, and the refund with the commission it gives back', async () => {
    const report = await importRates(
      env.ctx.db,
      m.id,
      await rates([
        '2026-03-26,USD,CNY,1,7.1850,MANUAL',
        '2026-03-27,USD,CNY,1,7.1900,MANUAL',
        '2026-03-28,USD,CNY,1,7.2000,MANUAL',
      ]),
      actor,
      { action: 'rates.import', detail: {} },
    )
    expect(report).toMatchObject({ released: 1, stillHeld: 0 })
    const { out, rows } = await byKind()
    expect(out).toEqual({
      'sale receivable': '574.80',
      'sale gross_sales': '-574.80',
      'cogs cogs': '175.00',
      'cogs inventory': '-175.00',
      'fee_estimate commission': '30.90',
      'fee_estimate accrued_commission': '-30.90',
      'fee_estimate payment_fees': '16.67',
      'fee_estimate accrued_payment_fees': '-16.67',
      'refund refunds': '144.00',
      'refund receivable': '-144.00',
      'fee_estimate_refund commission': '-7.70',
      'fee_estimate_refund accrued_commission': '7.70',
    })
    // The accrual is the sale's: dated by its business time and converted at its rate (the payment date's).
    const fees = rows.filter((r) => r.kind === 'fee_estimate')
    expect(new Set(fees.map((r) => r.event_at.toISOString()))).toEqual(new Set(['2026-03-27T03:00:00.000Z']))
    expect(new Set(fees.map((r) => ymd(r.rate_date as unknown as Date)))).toEqual(new Set(['2026-03-26']))
    expect(
      fees.filter((r) => r.account === 'commission').map((r) => [r.currency, r.debit, r.base_debit]),
    ).toEqual([['USD', '4.3000', '30.9000']])
    const giveBack = rows.filter((r) => r.kind === 'fee_estimate_refund' && r.account === 'commission')
    expect(giveBack.map((r) => [r.credit, r.base_credit, r.event_at.toISOString()])).toEqual([
      ['1.0700', '7.7000', '2026-03-28T02:00:00.000Z'],
    ])
  })

  it('states the month in CNY as if the sale had never waited', async () => {
    const s = (
      await env.app.inject({
        method: 'GET',
        url: '/statements?from=2026-03-01&to=2026-04-01&channel=shopify&basis=base',
        headers: bearer(m.keys.accountant),
      })
    ).json<{ items: Record<string, string>[] }>()
    expect(s.items[0]).toMatchObject({
      grossSales: '574.80',
      refunds: '144.00',
      netSales: '430.80',
      cogs: '175.00',
      commissions: '23.20',
      paymentFees: '16.67',
      grossMargin: '255.80', // 430.80 − 175.00
      contributionMargin: '215.93', // 255.80 − 23.20 − 16.67
    })
    expect(s).toMatchObject({ held: { entries: 0, byCurrency: [] } })
    // What the console's Export Excel asks for: channels as columns, in CNY, Chinese headers.
    const csv = await env.app.inject({
      method: 'GET',
      url: '/statements?from=2026-03-01&to=2026-04-01&by=channel&basis=base&layout=columns&lang=zh-CN&format=csv',
      headers: bearer(m.keys.accountant),
    })
    expect(csv.statusCode).toBe(200)
    expect(csv.body).toContain('574.80')
  })

  it('gives the dashboard its margin trend in CNY, the USD sale and the CNY cost together', async () => {
    const get = async (basis: string) =>
      (
        await env.app.inject({
          method: 'GET',
          url: `/dashboard/margin?from=2026-03-01&to=2026-04-01${basis}`,
          headers: bearer(m.keys.accountant),
        })
      ).json<{ items: Record<string, string>[] }>().items
    // 03-27: 574.80 of sales, 175.00 of cost: 399.80, 69.55 %. 03-28: the refund alone, no margin %.
    expect(await get('&basis=base')).toEqual([
      {
        day: '2026-03-27',
        channel: 'shopify',
        currency: 'CNY',
        netSales: '574.80',
        grossMargin: '399.80',
        marginPercent: '69.55',
      },
      {
        day: '2026-03-28',
        channel: 'shopify',
        currency: 'CNY',
        netSales: '-144.00',
        grossMargin: '-144.00',
        marginPercent: null,
      },
    ])
    // As transacted, the two currencies stay apart: the cost has no sales beside it.
    expect((await get('')).filter((i) => i.day === '2026-03-27')).toEqual([
      expect.objectContaining({ currency: 'CNY', netSales: '0.00', grossMargin: '-175.00' }),
      expect.objectContaining({ currency: 'USD', netSales: '80.00', grossMargin: '80.00' }),
    ])
  })

  it('releasing again changes nothing', async () => {
    const before = (await byKind()).rows.length
    const report = await importRates(
      env.ctx.db,
      m.id,
      await rates(['2026-03-27,USD,CNY,1,7.1900,MANUAL']),
      actor,
      { action: 'rates.import', detail: {} },
    )
    expect(report).toMatchObject({ released: 0, stillHeld: 0 })
    expect((await byKind()).rows.length).toBe(before)
  })
})
