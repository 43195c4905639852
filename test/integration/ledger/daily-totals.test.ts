/**
 * The totals that statements read instead of the journal lines — per day (journal_daily), per day
 * and SKU (journal_sku_daily), and the drill-down by order paged through the entries — always
 * equal the sums over the lines: after sales, COGS, refunds, reversals, order-less fees, postings
 * into a closed period (booked in the next open one), in a zone with daylight saving time, and
 * after the backfill migration rebuilt them from the lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as skuBackfill from '../../../migrations/0058_journal_sku_daily_backfill.js'
import * as skusOnly from '../../../migrations/0065_journal_sku_totals_skus_only.js'
import { closePeriod, postEntries, type EntryHead } from '../../../src/ledger/journal.js'
import {
  postingsForCogs,
  postingsForRefund,
  postingsForSale,
  postingsForSettlement,
  reverse,
  type Posting,
} from '../../../src/ledger/postings.js'
import {
  statement,
  statementByOrder,
  statementByOrderPage,
  statementBySku,
  type StatementQuery,
} from '../../../src/ledger/statements.js'
import { newId } from '../../../src/lib/ids.js'
import { createMerchant } from '../../../src/merchants/repo.js'
import { money } from '../../../src/money/index.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

let env: TestEnv
let m: TestMerchant
const shops: Shop[] = []
const skus = [newId(), newId(), newId()]

type Event = { head: EntryHead; postings: Posting[] }

/** A sale of 1–2 SKUs, its COGS, sometimes a refund days later, sometimes a cancellation reversing the sale. */
function orderEvents(merchantId: string, shop: Shop, i: number, at: Date): Event[] {
  const orderId = newId()
  const head = (kind: string, key: string, when: Date): EntryHead => ({
    merchantId,
    postingKey: key,
    kind,
    orderId,
    shopId: shop.id,
    channel: shop.channel,
    eventAt: when,
  })
  const lines = skus.slice(0, 1 + (i % 2)).map((skuId, n) => ({
    skuId: n === 0 ? skus[i % 3]! : skuId,
    goods: money(`${10 + i}.${(i * 7) % 100}`),
    merchantDiscount: money(i % 3 === 0 ? '1.25' : '0'),
    platformDiscount: money(i % 4 === 0 ? '2.00' : '0'),
  }))
  const sale = postingsForSale({
    shopId: shop.id,
    currency: i % 5 === 0 ? 'USD' : 'CNY',
    shipping: money(i % 2 === 0 ? '8.00' : '0'),
    tax: money('0'),
    lines,
  })
  const out: Event[] = [
    { head: head('sale', `sale.${orderId}`, at), postings: sale },
    {
      head: head('cogs', `cogs.${orderId}`, at),
      postings: postingsForCogs(
        lines.map((l) => ({
          skuId: l.skuId!,
          quantity: 1 + (i % 2),
          unitCost: money('3.3333'),
          currency: 'CNY',
        })),
      ),
    },
  ]
  const later = new Date(at.getTime() + (1 + (i % 4)) * 86_400_000 + 3_600_000)
  if (i % 3 === 1)
    out.push({
      head: head('refund', `refund.${orderId}`, later),
      postings: postingsForRefund({
        shopId: shop.id,
        currency: sale[0]!.currency,
        amount: money('5.55'),
        skuId: lines[0]!.skuId,
      }),
    })
  if (i % 7 === 2)
    out.push({ head: head('reversal', `reverse.sale.${orderId}`, later), postings: reverse(sale) })
  return out
}

/** Fees and payouts of a shop that belong to no order. */
const fee = (
  merchantId: string,
  shop: Shop,
  at: Date,
  amount: string,
  type: 'other_fee' | 'payout',
): Event => ({
  head: {
    merchantId,
    postingKey: `fee.${newId()}`,
    kind: 'settlement',
    orderId: null,
    shopId: shop.id,
    channel: shop.channel,
    eventAt: at,
  },
  postings: postingsForSettlement({ shopId: shop.id, type, amount: money(amount), currency: 'CNY' }),
})

async function postAll(events: Event[]) {
  // One by one and in batches, as workers and imports do.
  for (const [n, e] of events.entries()) if (n % 2 === 0) await postEntries(env.ctx.db, [e])
  await postEntries(
    env.ctx.db,
    events.filter((_, n) => n % 2 === 1),
  )
}

/** Every statement shape from the totals and from the lines, for the same query. */
async function expectTotalsEqualLines(merchantId: string, q: StatementQuery) {
  expect(await statement(env.ctx.db, merchantId, q)).toEqual(
    await statement(env.ctx.db, merchantId, q, 'lines'),
  )
  expect(await statementBySku(env.ctx.db, merchantId, q)).toEqual(
    await statementBySku(env.ctx.db, merchantId, q, 'lines'),
  )
  const pages = await statementByOrder(env.ctx.db, merchantId, q)
  const lines = await statementByOrder(env.ctx.db, merchantId, q, 'lines')
  expect(pages.length).toBe(lines.length)
  expect(new Set(pages.map((r) => `${r.key}|${r.currency}`)).size).toBe(pages.length)
  expect([...pages].sort((a, b) => (`${a.key}|${a.currency}` < `${b.key}|${b.currency}` ? -1 : 1))).toEqual(
    lines,
  )
}

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  for (const [channel, name] of [
    ['taobao', 'tmall'],
    ['jd', 'jd'],
    ['selfstore', 'web'],
  ] as const)
    shops.push(await createShop(env.ctx, env.ctx.config.secretKey, m.id, { channel, name }))
  const events: Event[] = []
  for (let i = 0; i < 60; i++) {
    // Spread over October and November, some at local midnight edges (Asia/Shanghai is UTC+8).
    const at = new Date(Date.UTC(2026, 9, 1 + (i % 50), i % 2 === 0 ? 15 : 16, 59 + (i % 2), 30))
    events.push(...orderEvents(m.id, shops[i % 3]!, i, at))
  }
  events.push(fee(m.id, shops[0]!, new Date('2026-11-05T03:00:00Z'), '-12.34', 'other_fee'))
  events.push(fee(m.id, shops[1]!, new Date('2026-11-06T03:00:00Z'), '-500.00', 'payout'))
  await postAll(events)
  // October closed; late postings dated in October land on 1 November.
  await closePeriod(env.ctx.db, m.id, '2026-10', 'accountant', new Date('2026-11-03T00:00:00Z'))
  await postAll([
    ...orderEvents(m.id, shops[0]!, 61, new Date('2026-10-20T05:00:00Z')),
    ...orderEvents(m.id, shops[2]!, 62, new Date('2026-10-31T15:59:59Z')),
  ])
})
afterAll(() => env.close())

const queries = (shop: Shop): Omit<StatementQuery, 'timezone'>[] => [
  { from: '2026-09-01', to: '2027-01-01' },
  { from: '2026-10-01', to: '2026-11-01' },
  { from: '2026-11-01', to: '2026-12-01', channel: 'taobao' },
  { from: '2026-11-01', to: '2026-11-02', shopId: shop.id },
  { from: '2026-10-10', to: '2026-10-13' },
  { from: '2026-10-15', to: '2026-12-03', channel: 'jd' }, // days, a whole month, days
]

describe('daily totals by SKU and pages by order', () => {
  it('equal the sums of the journal lines for every period, channel and shop', async () => {
    for (const q of queries(shops[2]!))
      await expectTotalsEqualLines(m.id, { ...q, timezone: 'Asia/Shanghai' })
    // The late postings into the closed October are in November's figures.
    const nov1 = await statementBySku(env.ctx.db, m.id, {
      from: '2026-11-01',
      to: '2026-11-02',
      timezone: 'Asia/Shanghai',
    })
    expect(nov1.some((r) => r.key !== null && !money(r.grossSales).isZero())).toBe(true)
  })

  it('a period in another zone than the merchant’s sums the lines, and still agrees', async () => {
    await expectTotalsEqualLines(m.id, { from: '2026-10-01', to: '2026-11-01', timezone: 'UTC' })
  })

  it('pages orders by their first entry in the period, each once (a row per currency), with the next cursor', async () => {
    const q = { from: '2026-10-01', to: '2026-12-01', timezone: 'Asia/Shanghai' }
    const seen: string[] = []
    let at = ''
    let cursor: string | null = null
    let pages = 0
    do {
      const page: Awaited<ReturnType<typeof statementByOrderPage>> = await statementByOrderPage(
        env.ctx.db,
        m.id,
        q,
        { cursor, limit: 7 },
      )
      for (const r of page.rows) {
        expect(r.firstEntryAt >= at).toBe(true)
        at = r.firstEntryAt
        seen.push(`${r.key}|${r.currency}`)
      }
      cursor = page.nextCursor
      pages++
    } while (cursor)
    expect(pages).toBeGreaterThan(5)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.length).toBe((await statementByOrder(env.ctx.db, m.id, q, 'lines')).length)
  })

  it('serves a page by order over the API, refuses a cursor it did not give', async () => {
    const get = (url: string) => env.app.inject({ method: 'GET', url, headers: bearer(m.keys.accountant) })
    const first = (await get('/statements?from=2026-10-01&to=2026-12-01&by=order&limit=5')).json<{
      items: { key: string }[]
      next: string
    }>()
    expect(first.items.length).toBeGreaterThanOrEqual(5)
    const second = (
      await get(`/statements?from=2026-10-01&to=2026-12-01&by=order&limit=5&cursor=${first.next}`)
    ).json<{ items: { key: string }[] }>()
    expect(second.items.map((r) => r.key)).not.toContain(first.items[0]!.key)
    expect((await get('/statements?from=2026-10-01&to=2026-12-01&by=order&cursor=bogus')).statusCode).toBe(
      400,
    )
    const csv = await get('/statements?from=2026-10-01&to=2026-12-01&by=order&format=csv')
    expect(csv.body.split('\n').filter((l) => /^[0-9A-Z]{26},/.test(l)).length).toBe(
      (
        await statementByOrder(env.ctx.db, m.id, {
          from: '2026-10-01',
          to: '2026-12-01',
          timezone: 'Asia/Shanghai',
        })
      ).length,
    )
  })

  it('the backfill migration rebuilds the totals by SKU from the lines, again and again', async () => {
    const q = { from: '2026-09-01', to: '2027-01-01', timezone: 'Asia/Shanghai' }
    const before = await statementBySku(env.ctx.db, m.id, q)
    await env.ctx.db.deleteFrom('journal_sku_daily').where('merchant_id', '=', m.id).execute()
    await env.ctx.db.deleteFrom('journal_sku_monthly').where('merchant_id', '=', m.id).execute()
    await skuBackfill.up(env.ctx.db as never)
    await skuBackfill.up(env.ctx.db as never)
    await skusOnly.up(env.ctx.db as never)
    expect(await statementBySku(env.ctx.db, m.id, q)).toEqual(before)
  })

  it('keeps days in a zone with daylight saving time, posting and backfill alike', async () => {
    const ny = await createMerchant(env.ctx.db, {
      name: 'NY',
      timezone: 'America/New_York',
      baseCurrency: 'USD',
    })
    const shop = await createShop(env.ctx, env.ctx.config.secretKey, ny.id, {
      channel: 'shopify',
      name: 'us',
    })
    const events: Event[] = []
    // Around the end of daylight saving time (2026-11-01 06:00Z) and local midnights either side.
    for (const [i, at] of [
      '2026-10-31T03:59:00Z',
      '2026-10-31T04:00:00Z',
      '2026-11-01T03:59:59Z',
      '2026-11-01T04:00:00Z',
      '2026-11-01T05:30:00Z',
      '2026-11-01T06:30:00Z',
      '2026-11-02T04:59:00Z',
      '2026-11-02T05:00:00Z',
    ].entries())
      events.push(...orderEvents(ny.id, shop, i, new Date(at)))
    await postAll(events)
    const days = ['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03']
    const check = async () => {
      for (const [n, from] of days.slice(0, -1).entries())
        await expectTotalsEqualLines(ny.id, { from, to: days[n + 1]!, timezone: 'America/New_York' })
      await expectTotalsEqualLines(ny.id, {
        from: '2026-10-01',
        to: '2026-12-01',
        timezone: 'America/New_York',
      })
    }
    await check()
    await env.ctx.db.deleteFrom('journal_sku_daily').where('merchant_id', '=', ny.id).execute()
    await env.ctx.db.deleteFrom('journal_sku_monthly').where('merchant_id', '=', ny.id).execute()
    await skuBackfill.up(env.ctx.db as never)
    await skusOnly.up(env.ctx.db as never)
    await check()
  })
})
