/**
 * A USD Shopify shop's March for a CNY merchant, every figure computed by hand (rates invented):
 *   USD/CNY  03-02 7.1700 · 03-05 7.1800 · 03-20 7.2000 · 03-27 7.1900 (imported late) · 03-31 7.1600
 * #1001 paid 03-02, shipped 03-05: USD 100.00, 2 units at CNY 175.00 → revenue at the payment
 *       date's rate (IFRIC 22) 717.00, COGS 350.00. Settled 03-06 at 7.18: sale 718.00 against a
 *       receivable of 717.00 → realised gain 1.00; gateway fee USD 3.20 → 22.98 (22.976).
 * #1002 paid and shipped 03-05: USD 50.00 → 359.00, COGS 175.00; refund USD 20.00 on 03-20 at 7.20
 *       → 144.00. Settled 03-21 at 7.20: sale 360.00 against the 215.00 + 144.00 it relieves →
 *       gain 1.00; refund line −144.00.
 * #1003 paid and shipped 03-27: USD 10.00, COGS 175.00. No rate within 5 days (03-20 is 7 days
 *       old): the sale waits, visibly; the close is refused; the 03-27 rate is imported → 71.90.
 * March close: platform balance USD 126.80, book 911.02 (695.02 + 216.00), at 7.16 = 907.89 →
 *       −3.13; receivable USD 10.00, book 71.90, at 7.16 = 71.60 → −0.30. Unrealised −3.43,
 *       reversed on 1 April.
 * Payout 04-10: USD 126.80 arrives as CNY 905.00 → realised −6.02 against the book 911.02.
 * Total FX on the money received: 905.00 − (932.00 − 22.98) = −4.02 = +2.00 − 6.02.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeMonth, reopenMonth, ChecklistError } from '../../../src/ledger/close.js'
import { handleLedgerEvent } from '../../../src/ledger/events.js'
import { parseRateFile, importRates } from '../../../src/ledger/rate-files.js'
import { storePulledSettlements } from '../../../src/ledger/settlements.js'
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
let skuId = ''
let whId = ''
const orders: Record<string, string> = {}
const actor = { actorType: 'cli' as const, actorId: 'test' }

async function order(ext: string, goods: string, qty: number, paidAt: string, shippedAt: string) {
  const { orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId, quantity: qty, paid: goods }], {
    channel: 'shopify',
    currency: 'USD',
    externalId: ext,
    status: 'shipped',
  })
  await env.ctx.db
    .updateTable('orders')
    .set({ paid_at: new Date(paidAt), placed_at: new Date(paidAt), shipped_at: new Date(shippedAt) })
    .where('id', '=', orderId)
    .execute()
  await env.ctx.db
    .updateTable('order_lines')
    .set({ goods_amount: goods })
    .where('order_id', '=', orderId)
    .execute()
  await env.ctx.db
    .insertInto('stock_movements')
    .values({
      id: newId(),
      merchant_id: m.id,
      warehouse_id: whId,
      sku_id: skuId,
      kind: 'shipment',
      quantity: -qty,
      unit_cost: '175.00',
      currency: 'CNY',
      ref_type: 'order',
      ref_id: orderId,
    })
    .execute()
  orders[ext] = orderId
  return handleLedgerEvent(env.ctx.db, {
    merchantId: m.id,
    orderId,
    kind: 'shipped',
    key: `${orderId}.shipped`,
    shipmentId: `sh-${orderId}`,
    at: shippedAt,
  })
}

const rates = (rows: string[]) =>
  parseRateFile(Buffer.from(['rate_date,base_ccy,quote_ccy,unit,rate,source', ...rows].join('\n')))

const line = (
  id: string,
  ext: string | null,
  type: string,
  amount: string,
  at: string,
  converted?: string,
) => ({
  externalLineId: id,
  orderExternalId: ext,
  type: type as 'sale',
  platformType: type,
  amount: money(amount),
  currency: 'USD',
  occurredAt: new Date(at),
  description: null,
  payoutId: null,
  converted: converted ? { amount: money(converted), currency: 'CNY' } : null,
  raw: {},
})

const get = async (url: string) =>
  (await env.app.inject({ method: 'GET', url, headers: bearer(m.keys.accountant) })).json<{
    items: (Record<string, string> & { original?: Record<string, string>[] })[]
  }>()

beforeAll(async () => {
  env = await testEnv({ clock: fixedClock('2026-04-15T04:00:00Z') })
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'shopify',
    name: 'US store',
  })
  whId = (await createWarehouse(env.ctx.db, m.id, { code: 'W', name: 'W' })).id
  await upsertSkus(env.ctx, m.id, [{ code: 'MUG', name: 'Mug' }])
  skuId = (
    await env.ctx.db.selectFrom('skus').select('id').where('merchant_id', '=', m.id).executeTakeFirstOrThrow()
  ).id
  await importRates(
    env.ctx.db,
    m.id,
    await rates([
      '2026-03-02,USD,CNY,1,7.1700,MANUAL',
      '2026-03-05,USD,CNY,1,7.1800,MANUAL',
      '2026-03-20,USD,CNY,1,7.2000,MANUAL',
      '2026-03-31,USD,CNY,1,7.1600,MANUAL',
    ]),
    actor,
    { action: 'rates.import', detail: {} },
  )
})
afterAll(() => env.close())

describe('a USD shop in a CNY ledger', () => {
  it('converts sales at the payment date, COGS in base, a partial refund at its own date', async () => {
    expect(await order('#1001', '100.00', 2, '2026-03-02T02:00:00Z', '2026-03-05T02:00:00Z')).toBe(
      'posted,posted',
    )
    expect(await order('#1002', '50.00', 1, '2026-03-05T01:00:00Z', '2026-03-05T02:00:00Z')).toBe(
      'posted,posted',
    )
    const refundId = newId()
    await env.ctx.db
      .insertInto('order_refunds')
      .values({
        id: refundId,
        merchant_id: m.id,
        shop_id: shop.id,
        order_id: orders['#1002']!,
        external_refund_id: 'R-1',
        order_external_id: '#1002',
        status: 'refunded',
        platform_status: 'refunded',
        amount: '20.00',
        currency: 'USD',
        reason: null,
        return_goods: 0,
        refund_lines: JSON.stringify([{ externalLineId: 'L1', quantity: 0, amount: '20.00' }]),
        platform_updated_at: new Date('2026-03-20T02:00:00Z'),
        created_at: new Date('2026-03-20T02:00:00Z'),
      })
      .execute()
    await handleLedgerEvent(env.ctx.db, {
      merchantId: m.id,
      orderId: orders['#1002']!,
      kind: 'refunded',
      key: 'r1',
      refundId,
      at: '2026-03-20T02:00:00.000Z',
    })
    const sale = await env.ctx.db
      .selectFrom('journal_lines as l')
      .innerJoin('journal_entries as e', 'e.id', 'l.entry_id')
      .select(['l.account', 'l.credit', 'l.base_credit', 'l.fx_rate', 'l.rate_date', 'l.rate_origin'])
      .where('e.posting_key', '=', `sale.${orders['#1001']}`)
      .where('l.account', '=', 'gross_sales')
      .executeTakeFirstOrThrow()
    expect([sale.credit, sale.base_credit, money(sale.fx_rate!).toFixed(4), sale.rate_origin]).toEqual([
      '100.0000',
      '717.0000',
      '7.1700',
      'table',
    ])
  })

  it('holds a sale whose rate is missing, visibly, and posts it when the rate arrives', async () => {
    expect(await order('#1003', '10.00', 1, '2026-03-27T02:00:00Z', '2026-03-27T03:00:00Z')).toBe(
      'held,posted',
    )
    const held = await env.ctx.db
      .selectFrom('ledger_held_entries')
      .selectAll()
      .where('merchant_id', '=', m.id)
      .execute()
    expect(held.map((h) => [h.posting_key, h.currency])).toEqual([[`sale.${orders['#1003']}`, 'USD']])
    expect(held[0]!.reason).toContain('no USD→CNY rate on 2026-03-27')
    // The close is refused while it waits.
    await expect(
      closeMonth(env.ctx.db, m.id, '2026-03', { actor, now: env.ctx.clock.now(), acknowledge: true }),
    ).rejects.toThrow(ChecklistError)
    const report = await importRates(
      env.ctx.db,
      m.id,
      await rates(['2026-03-27,USD,CNY,1,7.1900,MANUAL']),
      actor,
      {
        action: 'rates.import',
        detail: {},
      },
    )
    expect(report).toMatchObject({ rates: 1, released: 1, stillHeld: 0 })
    expect(await env.ctx.db.selectFrom('ledger_held_entries').selectAll().execute()).toEqual([])
  })

  it('books the realised FX when the platform settles at another rate', async () => {
    await storePulledSettlements(env.ctx.db, { id: shop.id, merchantId: m.id, channel: 'shopify' }, [
      line('s1', '#1001', 'sale', '100.00', '2026-03-06T02:00:00Z'),
      line('s2', '#1001', 'payment_fee', '-3.20', '2026-03-06T02:00:00Z'),
      line('s3', '#1002', 'sale', '50.00', '2026-03-21T02:00:00Z'),
      line('s4', '#1002', 'refund', '-20.00', '2026-03-21T02:00:00Z'),
    ])
    const fx = await env.ctx.db
      .selectFrom('journal_lines')
      .select(['order_id', 'base_debit', 'base_credit'])
      .where('merchant_id', '=', m.id)
      .where('account', '=', 'fx_realised')
      .orderBy('event_at')
      .execute()
    expect(fx.map((f) => [f.order_id, f.base_debit, f.base_credit])).toEqual([
      [orders['#1001'], '0.0000', '1.0000'],
      [orders['#1002'], '0.0000', '1.0000'],
    ])
  })

  it('closes March with the revaluation of the open foreign balances, reversed on 1 April', async () => {
    const closed = await closeMonth(env.ctx.db, m.id, '2026-03', {
      actor,
      now: env.ctx.clock.now(),
      acknowledge: true,
    })
    expect(
      closed.revaluation.map((r) => [
        r.account.split(':')[0],
        r.balance,
        r.bookValue,
        r.revalued,
        r.adjustment,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['platform_balance', '126.80', '911.02', '907.89', '-3.13'],
        ['receivable', '10.00', '71.90', '71.60', '-0.30'],
      ]),
    )
    expect(closed.revaluation).toHaveLength(2)
  })

  it('states March in CNY with the USD beside it, to the cent', async () => {
    const s = await get('/statements?from=2026-03-01&to=2026-04-01&channel=shopify&basis=base')
    expect(s.items).toHaveLength(1)
    expect(s.items[0]).toMatchObject({
      currency: 'CNY',
      grossSales: '1147.90', // 717.00 + 359.00 + 71.90
      refunds: '144.00',
      netSales: '1003.90',
      cogs: '700.00', // 4 × 175.00
      grossMargin: '303.90',
      paymentFees: '22.98',
      contributionMargin: '280.92',
      fxRealised: '2.00',
      fxUnrealised: '-3.43',
    })
    expect(s.items[0]!.original).toEqual([
      expect.objectContaining({
        currency: 'USD',
        grossSales: '160.00',
        refunds: '20.00',
        netSales: '140.00',
        paymentFees: '3.20',
      }),
    ])
  })

  it('books the payout in CNY at the bank’s amount: realised FX against the book value after the reversal', async () => {
    await storePulledSettlements(env.ctx.db, { id: shop.id, merchantId: m.id, channel: 'shopify' }, [
      line('p1', null, 'payout', '-126.80', '2026-04-10T02:00:00Z', '905.00'),
    ])
    const april = await get('/statements?from=2026-04-01&to=2026-05-01&channel=shopify&basis=base')
    expect(april.items[0]).toMatchObject({ fxRealised: '-6.02', fxUnrealised: '3.43', paidOut: '905.00' })
    // The platform balance is empty in both currencies once paid out.
    const pb = await env.ctx.db
      .selectFrom('journal_lines')
      .select((eb) => [
        eb.fn.sum<string>('debit').as('d'),
        eb.fn.sum<string>('credit').as('c'),
        eb.fn.sum<string>('base_debit').as('bd'),
        eb.fn.sum<string>('base_credit').as('bc'),
      ])
      .where('merchant_id', '=', m.id)
      .where('account', '=', `platform_balance:${shop.id}`)
      .executeTakeFirstOrThrow()
    expect(money(pb.d).minus(money(pb.c)).isZero()).toBe(true)
    expect(money(pb.bd).minus(money(pb.bc)).isZero()).toBe(true)
  })

  it('reopens March (undoing its revaluation) and closes it again', async () => {
    await reopenMonth(env.ctx.db, m.id, '2026-03', {
      actor,
      reason: 'late fee bill',
      now: env.ctx.clock.now(),
    })
    const march = await get('/statements?from=2026-03-01&to=2026-04-01&channel=shopify&basis=base')
    expect(march.items[0]).toMatchObject({ fxUnrealised: '0.00', fxRealised: '2.00' })
    const audit = await env.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('merchant_id', '=', m.id)
      .where('action', '=', 'ledger.reopen')
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(audit.detail)).toContain('late fee bill')
    const again = await closeMonth(env.ctx.db, m.id, '2026-03', {
      actor,
      now: new Date('2026-04-15T05:00:00Z'),
      acknowledge: true,
    })
    expect(again.revaluation.map((r) => r.adjustment).sort()).toEqual(['-0.30', '-3.13'])
    const after = await get('/statements?from=2026-03-01&to=2026-04-01&channel=shopify&basis=base')
    expect(after.items[0]).toMatchObject({ fxUnrealised: '-3.43' })
  })
})
