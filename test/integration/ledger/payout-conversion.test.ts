/**
 * A USD shop paid out into a CNY bank account: the payout document states what arrived in CNY, and
 * the books, the reconciliation and the settlement lines agree with it. Computed by hand (rates
 * invented), base CNY: USD/CNY 05-04 7.2000 · 05-05 7.2100 · 05-06 7.2050.
 * #3001 paid and shipped 05-04: USD 200.00 → revenue 1,440.00.
 * Balance transactions 05-05: charge +200.00 relieves the receivable (book 1,440.00) and enters the
 *   platform balance at 7.21 = 1,442.00 → realised gain 2.00; fee −6.10 × 7.21 = 43.981 → 43.98.
 *   Platform balance USD 193.90, book 1,442.00 − 43.98 = 1,398.02.
 * Payout 05-06: USD 193.90 leaves the balance, CNY 1,390.00 arrives → implied rate
 *   1,390.00 / 193.90 = 7.168643…, realised loss 1,398.02 − 1,390.00 = 8.02.
 * May: realised FX 2.00 − 8.02 = −6.02; 1,440.00 − 43.98 − 6.02 = 1,390.00, what the bank received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handleLedgerEvent } from '../../../src/ledger/events.js'
import { importRates, parseRateFile } from '../../../src/ledger/rate-files.js'
import { storePulledSettlements } from '../../../src/ledger/settlements.js'
import { money } from '../../../src/money/index.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
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

const get = async <T>(url: string) =>
  (await env.app.inject({ method: 'GET', url, headers: bearer(m.keys.accountant) })).json<T>()

const line = (
  id: string,
  ext: string | null,
  type: 'sale' | 'payment_fee' | 'payout',
  amount: string,
  at: string,
  converted?: string,
) => ({
  externalLineId: id,
  orderExternalId: ext,
  type,
  platformType: type,
  amount: money(amount),
  currency: 'USD',
  occurredAt: new Date(at),
  description: null,
  payoutId: 'po-1',
  converted: converted ? { amount: money(converted), currency: 'CNY' } : null,
  raw: {},
})

beforeAll(async () => {
  env = await testEnv({ clock: fixedClock('2026-06-02T04:00:00Z') })
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, { channel: 'shopify', name: 'US' })
  await upsertSkus(env.ctx, m.id, [{ code: 'BAG', name: 'Bag' }])
  const skuId = (
    await env.ctx.db.selectFrom('skus').select('id').where('merchant_id', '=', m.id).executeTakeFirstOrThrow()
  ).id
  await importRates(
    env.ctx.db,
    m.id,
    await parseRateFile(
      Buffer.from(
        [
          'rate_date,base_ccy,quote_ccy,unit,rate,source',
          '2026-05-04,USD,CNY,1,7.2000,MANUAL',
          '2026-05-05,USD,CNY,1,7.2100,MANUAL',
          '2026-05-06,USD,CNY,1,7.2050,MANUAL',
        ].join('\n'),
      ),
    ),
    { actorType: 'cli', actorId: 'test' },
    { action: 'rates.import', detail: {} },
  )
  const { orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId, quantity: 1, paid: '200.00' }], {
    channel: 'shopify',
    currency: 'USD',
    externalId: '#3001',
    status: 'shipped',
  })
  const at = new Date('2026-05-04T02:00:00Z')
  await env.ctx.db
    .updateTable('orders')
    .set({ paid_at: at, placed_at: at, shipped_at: at })
    .where('id', '=', orderId)
    .execute()
  await env.ctx.db
    .updateTable('order_lines')
    .set({ goods_amount: '200.00' })
    .where('order_id', '=', orderId)
    .execute()
  expect(
    await handleLedgerEvent(env.ctx.db, {
      merchantId: m.id,
      orderId,
      kind: 'shipped',
      key: `${orderId}.shipped`,
      at: at.toISOString(),
    }),
  ).toBe('posted')
  await storePulledSettlements(env.ctx.db, { id: shop.id, merchantId: m.id, channel: 'shopify' }, [
    line('bt:1', '#3001', 'sale', '200.00', '2026-05-05T02:00:00Z'),
    line('bt:1:fee', '#3001', 'payment_fee', '-6.10', '2026-05-05T02:00:00Z'),
    line('payout:po-1', null, 'payout', '-193.90', '2026-05-06T02:00:00Z', '1390.00'),
  ])
})
afterAll(() => env.close())

describe('a USD payout received in CNY', () => {
  it('shows the conversion on the payout line: what arrived, the implied rate, the book value and the FX', async () => {
    const lines = await get<{ items: { externalLineId: string; conversion: unknown }[] }>(
      `/settlements/lines?shopId=${shop.id}&type=payout`,
    )
    expect(lines.items).toEqual([
      expect.objectContaining({
        externalLineId: 'payout:po-1',
        conversion: {
          amount: '1390.00',
          currency: 'CNY',
          impliedRate: '7.168644',
          bookValue: '1398.02',
          fxRealised: '-8.02',
        },
      }),
    ])
    const sale = await get<{ items: { externalLineId: string; conversion: unknown }[] }>(
      `/settlements/lines?shopId=${shop.id}&type=sale`,
    )
    expect(sale.items.map((l) => l.conversion)).toEqual([null])
  })

  it('reconciles the order in its own currency', async () => {
    const r = await get<{ items: { kind: string; orderExternalId: string | null; difference: string }[] }>(
      '/reconciliation?from=2026-05-01&to=2026-06-01',
    )
    expect(r.items.filter((f) => f.orderExternalId === '#3001')).toEqual([
      expect.objectContaining({ kind: 'matched', difference: '0.00' }),
    ])
  })

  it('states May in CNY: every yuan received explained by revenue, fee and realised FX', async () => {
    const s = await get<{ items: Record<string, string>[] }>(
      '/statements?from=2026-05-01&to=2026-06-01&channel=shopify&basis=base',
    )
    expect(s.items[0]).toMatchObject({
      grossSales: '1440.00',
      paymentFees: '43.98',
      fxRealised: '-6.02',
      paidOut: '1390.00',
    })
    // Receivable and platform balance are empty in both currencies.
    for (const account of [`receivable:${shop.id}`, `platform_balance:${shop.id}`]) {
      const b = await env.ctx.db
        .selectFrom('journal_lines')
        .select((eb) => [
          eb.fn.sum<string>('debit').as('d'),
          eb.fn.sum<string>('credit').as('c'),
          eb.fn.sum<string>('base_debit').as('bd'),
          eb.fn.sum<string>('base_credit').as('bc'),
        ])
        .where('merchant_id', '=', m.id)
        .where('account', '=', account)
        .executeTakeFirstOrThrow()
      expect([money(b.d).minus(money(b.c)).toFixed(2), money(b.bd).minus(money(b.bc)).toFixed(2)]).toEqual([
        '0.00',
        '0.00',
      ])
    }
    const bank = await env.ctx.db
      .selectFrom('journal_lines')
      .select(['currency', 'debit', 'base_debit', 'rate_origin'])
      .where('merchant_id', '=', m.id)
      .where('account', '=', 'bank')
      .execute()
    expect(bank).toEqual([
      { currency: 'CNY', debit: '1390.0000', base_debit: '1390.0000', rate_origin: 'identity' },
    ])
  })
})
