/**
 * Commission accruals trued up by the bill, a refund giving back its share of the commission, the
 * accountant's books (journal, trial balance, vouchers parsed back and balanced), rate files and
 * providers (sandboxes speaking the ECB and CFETS formats), and the close/reopen over the API.
 * Pinduoduo shop in CNY, default plan 0.6 % refunded in proportion (from 2024-09-24):
 *   P1 goods 120.00 → commission 0.72; refund 40.00 → 0.72 × 80 / 120 = 0.48 (0.24 given back).
 *      Bill: −0.72 charged, +0.24 returned → relieves 0.48, variance +0.24 − 0.24 = 0.00.
 *   P2 goods 299.00 → 1.794 → 1.79; billed 2.00 → difference 0.21.
 *   Expected 2.27 · billed 2.48 · difference 0.21.
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCsv } from '../../../connectors/cn/files.js'
import { handleLedgerEvent } from '../../../src/ledger/events.js'
import { DEFAULT_FX, RateBook } from '../../../src/ledger/rates.js'
import { storePulledSettlements } from '../../../src/ledger/settlements.js'
import { newId } from '../../../src/lib/ids.js'
import { money, sum } from '../../../src/money/index.js'
import { startRatesSandbox, type RatesSandbox } from '../../../src/sandbox/rates-server.js'
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
let skuId = ''
let sandbox: RatesSandbox
const orders: Record<string, string> = {}

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, key?: string, type?: string) =>
  env.app.inject({
    method,
    url,
    headers: { ...bearer(key ?? m.keys.accountant), ...(type ? { 'content-type': type } : {}) },
    ...(payload === undefined ? {} : { payload: payload as string }),
  })

async function sold(ext: string, goods: string, at: string) {
  const { orderId } = await seedOrder(env.ctx.db, m.id, shop.id, [{ skuId, quantity: 1, paid: goods }], {
    channel: 'pdd',
    externalId: ext,
    status: 'shipped',
  })
  await env.ctx.db
    .updateTable('orders')
    .set({ paid_at: new Date(at), placed_at: new Date(at), shipped_at: new Date(at) })
    .where('id', '=', orderId)
    .execute()
  await env.ctx.db
    .updateTable('order_lines')
    .set({ goods_amount: goods })
    .where('order_id', '=', orderId)
    .execute()
  orders[ext] = orderId
  return handleLedgerEvent(env.ctx.db, {
    merchantId: m.id,
    orderId,
    kind: 'shipped',
    key: `${orderId}.s`,
    at,
  })
}

const line = (id: string, ext: string, type: string, amount: string) => ({
  externalLineId: id,
  orderExternalId: ext,
  type: type as 'sale',
  platformType: type,
  amount: money(amount),
  currency: 'CNY',
  occurredAt: new Date('2026-03-10T02:00:00Z'),
  description: null,
  payoutId: null,
  raw: {},
})

const csvRows = (body: string) => parseCsv(body.replace(/^\uFEFF/, '')).map((r) => r.cells)

beforeAll(async () => {
  env = await testEnv({ clock: fixedClock('2026-04-15T04:00:00Z') })
  m = await seedMerchant(env.ctx)
  shop = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'pdd',
    name: '拼多多旗舰店',
  })
  await upsertSkus(env.ctx, m.id, [{ code: 'MUG', name: '马克杯' }])
  skuId = (
    await env.ctx.db.selectFrom('skus').select('id').where('merchant_id', '=', m.id).executeTakeFirstOrThrow()
  ).id
  sandbox = await startRatesSandbox()
})
afterAll(async () => {
  await sandbox.close()
  await env.close()
})

describe('commission accruals', () => {
  it('installs the channel’s dated default plans once', async () => {
    const res = await api('POST', `/shops/${shop.id}/commission-plans/defaults`)
    expect(res.statusCode).toBe(200)
    expect(res.json<{ installed: { name: string }[] }>().installed).toHaveLength(2)
    expect((await api('POST', `/shops/${shop.id}/commission-plans/defaults`)).json()).toEqual({
      installed: [],
    })
  })

  it('accrues the expected commission at the sale and gives back the refunded share', async () => {
    expect(await sold('P1', '120.00', '2026-03-03T02:00:00Z')).toBe('posted')
    expect(await sold('P2', '299.00', '2026-03-05T02:00:00Z')).toBe('posted')
    const refundId = newId()
    await env.ctx.db
      .insertInto('order_refunds')
      .values({
        id: refundId,
        merchant_id: m.id,
        shop_id: shop.id,
        order_id: orders.P1!,
        external_refund_id: 'R-P1',
        order_external_id: 'P1',
        status: 'refunded',
        platform_status: 'refunded',
        amount: '40.00',
        currency: 'CNY',
        reason: null,
        return_goods: 0,
        refund_lines: '[]',
        platform_updated_at: new Date('2026-03-04T02:00:00Z'),
        created_at: new Date('2026-03-04T02:00:00Z'),
      })
      .execute()
    await handleLedgerEvent(env.ctx.db, {
      merchantId: m.id,
      orderId: orders.P1!,
      kind: 'refunded',
      key: 'r',
      refundId,
      at: '2026-03-04T02:00:00.000Z',
    })
    const s = (await api('GET', '/statements?from=2026-03-01&to=2026-04-01&channel=pdd')).json<{
      items: Record<string, string>[]
    }>()
    expect(s.items[0]).toMatchObject({
      commissionsExpected: '2.27',
      commissionsSettled: '0.00',
      commissions: '2.27',
    })
  })

  it('trues the accrual up with the bill: expected, billed and the difference; a refunded order is no difference', async () => {
    await storePulledSettlements(env.ctx.db, { id: shop.id, merchantId: m.id, channel: 'pdd' }, [
      line('b1', 'P1', 'sale', '120.00'),
      line('b2', 'P1', 'refund', '-40.00'),
      line('b3', 'P1', 'commission', '-0.72'),
      line('b4', 'P1', 'commission', '0.24'),
      line('b5', 'P2', 'sale', '299.00'),
      line('b6', 'P2', 'commission', '-2.00'),
    ])
    const s = (await api('GET', '/statements?from=2026-03-01&to=2026-04-01&channel=pdd')).json<{
      items: Record<string, string>[]
    }>()
    expect(s.items[0]).toMatchObject({
      commissionsExpected: '2.27',
      commissionsSettled: '2.48',
      commissionsDifference: '0.21',
      commissions: '2.48',
      netSales: '379.00',
      contributionMargin: '376.52',
      settled: '379.00',
      difference: '0.00',
    })
    const rec = (await api('GET', '/reconciliation?from=2026-03-01&to=2026-04-01')).json<{
      items: { kind: string; orderExternalId: string; commissionExpected: string; commissionActual: string }[]
    }>()
    expect(
      rec.items.map((f) => [f.orderExternalId, f.kind, f.commissionExpected, f.commissionActual]),
    ).toEqual([
      ['P1', 'matched', '0.48', '0.48'],
      ['P2', 'fee_differs', '1.79', '2.00'],
    ])
  })
})

describe('the books', () => {
  it('lists the journal with business keys and balances the trial balance', async () => {
    const j = (await api('GET', '/ledger/journal?period=2026-03&limit=500')).json<{
      items: { orderExternalId: string | null; shopName: string; account: { code: string } }[]
    }>()
    expect(j.items.some((l) => l.orderExternalId === 'P1' && l.shopName === '拼多多旗舰店')).toBe(true)
    const tb = (await api('GET', '/ledger/trial-balance?period=2026-03')).json<{
      totals: Record<string, string>
      rows: { account: { code: string }; closingDebit: string; closingCredit: string }[]
    }>()
    expect(tb.totals.periodDebit).toBe(tb.totals.periodCredit)
    expect(tb.totals.closingDebit).toBe(tb.totals.closingCredit)
    expect(tb.rows.find((r) => r.account.code === 'accrued_commission')).toMatchObject({
      closingDebit: '0.00',
      closingCredit: '0.00',
    })
    const csv = await api('GET', '/ledger/trial-balance?period=2026-03&format=csv&lang=zh-CN')
    expect(csvRows(csv.body)[0]).toEqual([
      '科目编码',
      '科目名称',
      '期初借方',
      '期初贷方',
      '本期借方',
      '本期贷方',
      '期末借方',
      '期末贷方',
    ])
  })

  it('exports vouchers for Kingdee, Yonyou and a generic CSV under the GL codes, each balanced when read back', async () => {
    expect(
      (await api('PUT', '/ledger/accounts/commission', { name: '平台佣金', externalCode: '6601.01' }))
        .statusCode,
    ).toBe(204)
    const kd = csvRows((await api('GET', '/ledger/vouchers?period=2026-03&system=kingdee&format=csv')).body)
    expect(kd[0]).toEqual([
      '日期',
      '会计期间',
      '凭证字',
      '凭证号',
      '分录号',
      '附单据数',
      '摘要',
      '科目代码',
      '科目名称',
      '币别',
      '汇率',
      '原币金额',
      '借方金额',
      '贷方金额',
      '制单人',
    ])
    const byVoucher = new Map<string, string[][]>()
    for (const r of kd.slice(1)) byVoucher.set(r[3]!, [...(byVoucher.get(r[3]!) ?? []), r])
    expect(byVoucher.size).toBeGreaterThan(1)
    for (const [, rows] of byVoucher)
      expect(sum(rows.map((r) => money(r[12]!))).eq(sum(rows.map((r) => money(r[13]!))))).toBe(true)
    expect(kd.some((r) => r[7] === '6601.01' && r[8] === '平台佣金')).toBe(true)
    const yy = csvRows((await api('GET', '/ledger/vouchers?period=2026-03&system=yonyou&format=csv')).body)
    expect(yy[0]!.slice(0, 9)).toEqual([
      '制单日期',
      '凭证类别',
      '凭证号',
      '附单据数',
      '摘要',
      '科目编码',
      '科目名称',
      '借方金额',
      '贷方金额',
    ])
    expect(sum(yy.slice(1).map((r) => money(r[7]!))).eq(sum(yy.slice(1).map((r) => money(r[8]!))))).toBe(true)
    const generic = csvRows((await api('GET', '/ledger/vouchers?period=2026-03&system=generic')).body)
    const journals = new Map<string, string[]>()
    for (const r of generic.slice(1)) journals.set(r[0]!, [...(journals.get(r[0]!) ?? []), r[8]!])
    for (const [, amounts] of journals) expect(sum(amounts.map((a) => money(a))).isZero()).toBe(true)
    const xlsx = await api('GET', '/ledger/vouchers?period=2026-03&system=kingdee')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    expect((wb.getWorksheet('Vouchers')!.getRow(1).values as unknown[])[1]).toBe('日期')
  })

  it('exports a statement with channels as columns and zh-CN headers', async () => {
    const csv = csvRows(
      (
        await api(
          'GET',
          '/statements?from=2026-03-01&to=2026-04-01&by=channel&layout=columns&format=csv&lang=zh-CN',
        )
      ).body,
    )
    expect(csv[0]).toEqual(['项目', '拼多多 (CNY)'])
    expect(csv.find((r) => r[0] === '佣金差异')).toEqual(['佣金差异', '0.21'])
    const bySku = csvRows(
      (await api('GET', '/statements?from=2026-03-01&to=2026-04-01&by=sku&format=csv&lang=en')).body,
    )
    expect(bySku[0]!.slice(0, 3)).toEqual(['SKU code', 'SKU name', 'SKU id'])
    expect(bySku.some((r) => r[0] === 'MUG' && r[1] === '马克杯')).toBe(true)
  })
})

describe('rates', () => {
  it('refuses a bad rate file whole, naming its lines', async () => {
    const res = await api(
      'POST',
      '/ledger/rates/import',
      'rate_date,base_ccy,quote_ccy,unit,rate\n2026-03-01,USD,CNY,1,7.17\n2026-13-01,USD,CNY,1,-1\n',
      undefined,
      'text/csv',
    )
    expect(res.statusCode).toBe(400)
    expect(res.json<{ error: { details: { problems: string[] } } }>().error.details.problems[0]).toContain(
      'line 3',
    )
    expect((await api('GET', '/ledger/rates')).json<{ items: unknown[] }>().items).toEqual([])
  })

  it('pulls the ECB and CFETS documents from their base URLs and converts through them (T6–T8)', async () => {
    expect(
      (
        await api('PUT', '/ledger/settings', {
          rateSources: ['CFETS', 'ECB'],
          maxStalenessDays: 5,
          revaluation: 'month_end',
          providers: { ecb: sandbox.url, cfets: sandbox.url },
        })
      ).statusCode,
    ).toBe(204)
    expect((await api('POST', '/ledger/rates/pull', { source: 'ECB' })).json()).toMatchObject({ rates: 5 })
    expect((await api('POST', '/ledger/rates/pull', { source: 'CFETS' })).json()).toMatchObject({ rates: 3 })
    const ecbOnly = { ...DEFAULT_FX, sources: ['ECB'] }
    const book = await RateBook.load(env.ctx.db, m.id, ecbOnly, [{ ccy: 'USD', date: '2024-06-28' }], 'CNY')
    expect(book.find('USD', 'CNY', '2024-06-28')!.rate.toDecimalPlaces(10).toFixed()).toBe('7.2627744045')
    const cfets = await RateBook.load(
      env.ctx.db,
      m.id,
      DEFAULT_FX,
      [
        { ccy: 'JPY', date: '2025-03-03' },
        { ccy: 'MYR', date: '2025-03-03' },
      ],
      'CNY',
    )
    expect(
      money('12345')
        .mul(cfets.find('JPY', 'CNY', '2025-03-03')!.rate)
        .toFixed(2),
    ).toBe('590.94')
    expect(cfets.find('MYR', 'CNY', '2025-03-03')!.rate.toDecimalPlaces(10).toFixed()).toBe('1.6260162602')
    sandbox.fault = 'empty'
    const empty = await api('POST', '/ledger/rates/pull', { source: 'CFETS' })
    expect(empty.statusCode).toBe(409)
    expect(empty.body).toContain('no records')
    sandbox.fault = 'none'
  })
})

describe('period close', () => {
  it('closes March over the API and lets only an admin reopen it, with the reason audited', async () => {
    const check = (await api('GET', '/ledger/periods/2026-03/checklist')).json<{
      items: { code: string; count: number }[]
    }>()
    expect(check.items.map((i) => [i.code, i.count])).toEqual([
      ['held_entries', 0],
      ['missing_rates', 0],
      ['open_exceptions', 0],
      ['unsettled_past_due', 0],
    ])
    const closed = await api('POST', '/ledger/periods/2026-03/close')
    expect(closed.statusCode, closed.body).toBe(200)
    const bad = await api('POST', '/ledger/periods/2026-03/reopen', { reason: 'late bill' })
    expect(bad.statusCode).toBe(403)
    const ok = await api('POST', '/ledger/periods/2026-03/reopen', { reason: 'late bill' }, m.keys.admin)
    expect(ok.json()).toEqual({ period: '2026-03', reopened: true })
    expect((await api('GET', '/ledger/periods')).json<{ items: unknown[] }>().items).toEqual([])
    const log = await env.ctx.db
      .selectFrom('audit_log')
      .select('detail')
      .where('merchant_id', '=', m.id)
      .where('action', '=', 'ledger.reopen')
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(log.detail)).toContain('late bill')
  })
})
