/**
 * Settlement import, matching and period close against the real database, with a Tmall shop and
 * the Alipay statement its seller downloads (GBK, `#` preamble and footer, TAB-suffixed cells).
 * Each discrepancy kind appears once in the crafted statement; every figure is computed by hand.
 */
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as rollupMigration from '../../../migrations/0052_journal_daily.js'
import { withTx } from '../../../src/db/tx.js'
import { handleLedgerEvent } from '../../../src/ledger/events.js'
import { IdempotencyConflict, postEntries } from '../../../src/ledger/journal.js'
import { postingsForSettlement } from '../../../src/ledger/postings.js'
import { money } from '../../../src/money/index.js'
import { statement as ledgerStatement } from '../../../src/ledger/statements.js'
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
let tmall: Shop
let skuId = ''
const T = (n: string) => `367812345678901${n}` // 19-digit Taobao tids
const A = T('0001')
const B = T('0002')
const C = T('0003')
const D = T('0009') // not in the hub
const E = T('0005') // shipped, never settled

const HEADER = [
  '账务流水号',
  '业务流水号',
  '商户订单号',
  '商品名称',
  '发生时间',
  '对方账号',
  '收入金额（+元）',
  '支出金额（-元）',
  '账户余额（元）',
  '交易渠道',
  '业务类型',
  '备注',
  '业务描述',
  '业务账单来源',
  '业务基础订单号',
  '业务订单号',
]
const row = (cells: readonly string[]) => cells.map((c) => `${c}\t`).join(',')
const r = (
  id: string,
  merchantNo: string,
  item: string,
  at: string,
  income: string,
  expense: string,
  balance: string,
  type: string,
  memo = '',
  base = '',
) => [
  id,
  `2026${id}`,
  merchantNo,
  item,
  at,
  'x**1@163.com',
  income,
  expense,
  balance,
  '淘宝',
  type,
  memo,
  '',
  '淘宝',
  base,
  '',
]
const ROWS = [
  r('1101000001', `T200P${A}`, '马克杯', '2026-11-10 10:00:00', '100.00', '', '100.00', '在线支付'),
  r(
    '1101000002',
    'CAE_CHARGE_1',
    '天猫佣金（类目）',
    '2026-11-10 10:00:01',
    '',
    '-5.00',
    '95.00',
    '收费',
    '技术服务费扣款',
    A,
  ),
  r('1101000003', `T200P${B}`, '保温杯', '2026-11-10 11:00:00', '190.00', '', '285.00', '在线支付'),
  r('1101000004', `T200P${C}`, '茶叶', '2026-11-10 12:00:00', '50.00', '', '335.00', '在线支付'),
  r(
    '1101000005',
    'CAE_CHARGE_2',
    '天猫佣金（类目）',
    '2026-11-10 12:00:01',
    '',
    '-4.00',
    '331.00',
    '收费',
    '技术服务费扣款',
    C,
  ),
  r('1101000006', `T200P${D}`, '不明商品', '2026-11-10 13:00:00', '30.00', '', '361.00', '在线支付'),
  r('1101000007', 'CAE_ADS_1', '直通车推广', '2026-11-10 14:00:00', '', '-20.00', '341.00', '收费', '推广费'),
  r('1101000008', 'BZJ_1', '保证金', '2026-11-10 15:00:00', '', '-1.00', '340.00', '其它', '保证金冻结'),
  r('1101000009', '', '提现-实时提现', '2026-11-11 08:00:00', '', '-300.00', '40.00', '提现'),
]
const statement = (rows: readonly (readonly string[])[], income: string, expense: string) =>
  iconv.encode(
    [
      '#支付宝账务明细查询',
      '#账号：[20880123456789010156]',
      '#起始日期：[2026年11月10日 00:00:00]   终止日期：[2026年11月12日 00:00:00]',
      '#-----------------------------------------账务明细列表----------------------------------------',
      row(HEADER),
      ...rows.map(row),
      '#-----------------------------------------账务明细列表结束------------------------------------',
      `#支出合计：5笔，共${expense}元`,
      `#收入合计：4笔，共${income}元`,
      '#导出时间：[2026年11月12日 09:12:45]',
      '',
    ].join('\r\n'),
    'gbk',
  )

const api = (
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) =>
  env.app.inject({
    method,
    url,
    headers: { ...bearer(m.keys.accountant), ...headers },
    ...(payload === undefined ? {} : { payload: payload as string }),
  })
const importFile = (bytes: Buffer) =>
  env.app.inject({
    method: 'POST',
    url: `/settlements/import?shopId=${tmall.id}&filename=alipay.csv`,
    headers: { ...bearer(m.keys.accountant), 'content-type': 'text/csv' },
    payload: bytes,
  })
const journalCount = async () =>
  Number(
    (
      await env.ctx.db
        .selectFrom('journal_lines')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

async function shippedOrder(externalId: string, goods: string, shippedAt: string) {
  const { orderId } = await seedOrder(env.ctx.db, m.id, tmall.id, [{ skuId, quantity: 1, paid: goods }], {
    channel: 'taobao',
    externalId,
    status: 'shipped',
  })
  await env.ctx.db
    .updateTable('orders')
    .set({ shipped_at: new Date(shippedAt), paid_at: new Date(shippedAt), placed_at: new Date(shippedAt) })
    .where('id', '=', orderId)
    .execute()
  await env.ctx.db
    .updateTable('order_lines')
    .set({ goods_amount: goods })
    .where('order_id', '=', orderId)
    .execute()
  await handleLedgerEvent(env.ctx.db, {
    merchantId: m.id,
    orderId,
    kind: 'shipped',
    key: `${orderId}.shipped`,
  })
  return orderId
}

beforeAll(async () => {
  env = await testEnv({ clock: fixedClock('2026-11-30T12:00:00Z') })
  m = await seedMerchant(env.ctx)
  tmall = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'taobao',
    name: '天猫旗舰店',
  })
  await upsertSkus(env.ctx, m.id, [{ code: 'MUG', name: '马克杯', category: 'kitchen' }])
  skuId = (
    await env.ctx.db.selectFrom('skus').select('id').where('merchant_id', '=', m.id).executeTakeFirstOrThrow()
  ).id
  await shippedOrder(A, '100.00', '2026-11-02T02:00:00Z')
  await shippedOrder(B, '200.00', '2026-11-02T02:00:00Z')
  await shippedOrder(C, '50.00', '2026-11-02T02:00:00Z')
  await shippedOrder(E, '80.00', '2026-11-02T02:00:00Z')
})
afterAll(() => env.close())

describe('commission plans', () => {
  it('accepts a plan, refuses an overlapping one and a rate of 100% or more', async () => {
    const add = (body: unknown) => api('POST', `/shops/${tmall.id}/commission-plans`, body)
    expect(
      (
        await add({
          name: '2026 类目费率',
          effectiveFrom: '2026-11-01',
          rules: { rate: '0.05', fixedPerOrder: '0' },
        })
      ).statusCode,
    ).toBe(201)
    expect(
      (await add({ name: 'overlap', effectiveFrom: '2026-12-01', rules: { rate: '0.06' } })).statusCode,
    ).toBe(409)
    const bad = await add({
      name: 'bad',
      effectiveFrom: '2025-01-01',
      effectiveTo: '2025-12-31',
      rules: { rate: '1.5' },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('rate')
    expect(
      (await api('GET', `/shops/${tmall.id}/commission-plans`)).json<{ items: unknown[] }>().items,
    ).toHaveLength(1)
  })
})

describe('importing a statement file', () => {
  it('parses the GBK Alipay statement, stores and posts every line, and agrees with the footer totals', async () => {
    const res = await importFile(statement(ROWS, '370.00', '-330.00'))
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      duplicateFile: false,
      lines: 9,
      inserted: 9,
      alreadyKnown: 0,
      rejected: [],
      statedTotal: '40.00',
      parsedTotal: '40.00',
      totalsAgree: true,
    })
    const lines = (await api('GET', `/settlements/lines?shopId=${tmall.id}`)).json<{
      items: { orderExternalId: string | null; type: string; amount: string }[]
    }>().items
    expect(lines.map((l) => [l.orderExternalId, l.type, l.amount])).toEqual([
      [A, 'sale', '100.00'],
      [A, 'commission', '-5.00'],
      [B, 'sale', '190.00'],
      [C, 'sale', '50.00'],
      [C, 'commission', '-4.00'],
      [D, 'sale', '30.00'],
      [null, 'commission', '-20.00'],
      [null, 'unknown', '-1.00'],
      [null, 'payout', '-300.00'],
    ])
  })

  it('changes nothing when the same file is imported again, and adds only the new row of an overlapping download', async () => {
    const before = await journalCount()
    const again = (await importFile(statement(ROWS, '370.00', '-330.00'))).json()
    expect(again).toMatchObject({ duplicateFile: true, inserted: 0 })
    expect(await journalCount()).toBe(before)
    const extra = r(
      '1101000010',
      'CAE_CHARGE_3',
      '花呗支付服务费',
      '2026-11-11 09:00:00',
      '',
      '-0.60',
      '39.40',
      '收费',
      `花呗支付服务费[T200P${A}]`,
      A,
    )
    const overlap = (await importFile(statement([...ROWS, extra], '370.00', '-330.60'))).json()
    expect(overlap).toMatchObject({
      duplicateFile: false,
      lines: 10,
      inserted: 1,
      alreadyKnown: 9,
      totalsAgree: true,
    })
    expect(await journalCount()).toBe(before + 2)
  })

  it('lists the imports with their totals and rejected rows', async () => {
    const imports = (await api('GET', `/settlements/imports?shopId=${tmall.id}`)).json<{
      items: {
        filename: string
        lines: number
        inserted: number
        totalsAgree: boolean | null
        statedTotal: string | null
        rejected: unknown[]
      }[]
    }>().items
    expect(
      imports.map((i) => [i.filename, i.lines, i.inserted, i.statedTotal, i.totalsAgree, i.rejected.length]),
    ).toEqual([
      ['alipay.csv', 10, 1, '39.40', true, 0],
      ['alipay.csv', 9, 9, '40.00', true, 0],
    ])
    expect(
      (
        await env.app.inject({
          method: 'GET',
          url: '/settlements/imports',
          headers: bearer(m.keys.warehouse),
        })
      ).statusCode,
    ).toBe(403)
  })

  it('refuses a file that is not a statement of this channel, keeping nothing', async () => {
    const res = await importFile(Buffer.from('order_id,amount\n1,2\n'))
    expect(res.statusCode).toBe(400)
    expect(res.json<{ error: { message: string } }>().error.message).toContain('taobao')
  })
})

describe('matching', () => {
  it('lists every kind of finding with its reason, to the cent', async () => {
    const res = (await api('GET', '/reconciliation?from=2026-11-01&to=2026-12-01')).json<{
      summary: Record<string, number>
      items: {
        kind: string
        orderExternalId: string | null
        expected: string | null
        actual: string | null
        difference: string | null
        commissionExpected: string | null
        commissionActual: string | null
        reason: string
      }[]
    }>()
    expect(res.summary).toEqual({
      matched: 1,
      awaiting_sale: 0,
      amount_differs: 1,
      fee_differs: 1,
      unknown_order: 1,
      not_settled: 1,
      fee_without_order: 1,
      unknown_type: 1,
    })
    const by = (kind: string) => res.items.filter((f) => f.kind === kind)
    expect(by('matched')[0]).toMatchObject({
      orderExternalId: A,
      expected: '100.00',
      actual: '100.00',
      commissionExpected: '5.00',
      commissionActual: '5.00',
    })
    expect(by('amount_differs')[0]).toMatchObject({
      orderExternalId: B,
      expected: '200.00',
      actual: '190.00',
      difference: '-10.00',
    })
    expect(by('fee_differs')[0]).toMatchObject({
      orderExternalId: C,
      commissionExpected: '2.50',
      commissionActual: '4.00',
    })
    expect(by('unknown_order')[0]).toMatchObject({ orderExternalId: D, actual: '30.00' })
    expect(by('not_settled')[0]).toMatchObject({ orderExternalId: E, expected: '80.00' })
    expect(by('not_settled')[0]!.reason).toContain('15 days')
    // The ads fee names no order (the payout names none either, but a payout is not a fee).
    expect(by('fee_without_order').map((f) => f.actual)).toEqual(['-20.00'])
    expect(by('unknown_type')[0]).toMatchObject({ actual: '-1.00' })
    expect(by('unknown_type')[0]!.reason).toContain('其它')
  })

  it('exports the findings as CSV and XLSX with the same figures', async () => {
    const csv = await api(
      'GET',
      '/reconciliation?from=2026-11-01&to=2026-12-01&kind=amount_differs&format=csv',
    )
    expect(csv.headers['content-type']).toContain('text/csv')
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/)
    expect(lines[0]).toBe(
      'kind,channel,shopId,orderExternalId,orderId,currency,expected,actual,difference,commissionExpected,commissionActual,reason,settlementLineIds',
    )
    expect(lines).toHaveLength(2)
    expect(lines[1]).toContain(`amount_differs,taobao,${tmall.id},${B},`)
    expect(lines[1]).toContain(',CNY,200.00,190.00,-10.00,10.00,0.00,')
    const xlsx = await api('GET', '/reconciliation?from=2026-11-01&to=2026-12-01&format=xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    const ws = wb.getWorksheet('Reconciliation')!
    const rows = ws.getRows(3, ws.rowCount - 2)!.map((r) => (r.values as unknown[]).slice(1))
    const b = rows.find((r) => r[0] === 'amount_differs')!
    expect(b.slice(6, 9)).toEqual([200, 190, -10])
    expect(rows).toHaveLength(7)
  })

  it('states commissions, fees, settled, paid out and the difference, equal to the journal', async () => {
    const s = (await api('GET', '/statements?from=2026-11-01&to=2026-12-01&channel=taobao')).json<{
      items: Record<string, string>[]
    }>()
    expect(s.items).toEqual([
      expect.objectContaining({
        currency: 'CNY',
        grossSales: '430.00',
        netSales: '430.00',
        commissions: '29.00', // 5 + 4 + 20 (收费 rows)
        paymentFees: '0.60', // 花呗支付服务费
        otherFees: '0.00',
        contributionMargin: '400.40', // 430 − 29 − 0.60 (no COGS in this test)
        expectedReceivable: '430.00',
        settled: '370.00', // 100 + 190 + 50 + 30
        paidOut: '300.00',
        difference: '60.00', // B short 10 + E unsettled 80 − D unknown 30
        suspense: '1.00',
      }),
    ])
  })
})

describe('period close', () => {
  it('books a posting dated in a closed month at the start of the next open month, and refuses to close an open month', async () => {
    expect((await api('POST', '/ledger/periods/2026-11/close')).statusCode).toBe(400) // November has not ended (clock: 30 Nov)
    const closed = await api('POST', '/ledger/periods/2026-10/close')
    expect(closed.statusCode).toBe(200)
    expect((await api('POST', '/ledger/periods/2026-10/close')).statusCode).toBe(200) // closing twice is harmless
    // An order shipped on 20 October whose event arrives now.
    const late = await shippedOrder(T('0006'), '60.00', '2026-10-20T02:00:00Z')
    const entry = await env.ctx.db
      .selectFrom('journal_entries')
      .select(['event_at', 'original_event_at'])
      .where('order_id', '=', late)
      .executeTakeFirstOrThrow()
    expect(entry.event_at.toISOString()).toBe('2026-10-31T16:00:00.000Z') // 1 November 00:00 Asia/Shanghai
    expect(entry.original_event_at?.toISOString()).toBe('2026-10-20T02:00:00.000Z')
    const oct = (await api('GET', '/statements?from=2026-10-01&to=2026-11-01&channel=taobao')).json<{
      items: unknown[]
    }>()
    expect(oct.items).toEqual([])
    const nov = (await api('GET', '/statements?from=2026-11-01&to=2026-12-01&channel=taobao')).json<{
      items: Record<string, string>[]
    }>()
    expect(nov.items[0]).toMatchObject({ grossSales: '490.00' })
    expect(
      (await api('GET', '/ledger/periods'))
        .json<{ items: { period: string }[] }>()
        .items.map((p) => p.period),
    ).toEqual(['2026-10'])
  })
})

describe('chart of accounts', () => {
  it("lists the default accounts and keeps the merchant's names and GL codes", async () => {
    expect(
      (await api('PUT', '/ledger/accounts/commission', { name: '平台佣金', externalCode: '6601.01' }))
        .statusCode,
    ).toBe(204)
    expect((await api('PUT', '/ledger/accounts/nope', { name: 'x' })).statusCode).toBe(404)
    const items = (await api('GET', '/ledger/accounts')).json<{
      items: { code: string; name: string; externalCode: string | null; type: string }[]
    }>().items
    expect(items.find((a) => a.code === 'commission')).toEqual({
      code: 'commission',
      name: '平台佣金',
      type: 'expense',
      externalCode: '6601.01',
      perShop: false,
    })
    expect(items.map((a) => a.code)).toEqual(
      expect.arrayContaining([
        'gross_sales',
        'merchant_discounts',
        'platform_discounts',
        'shipping_income',
        'refunds',
        'commission',
        'payment_fees',
        'other_fees',
        'receivable',
        'bank',
        'inventory',
        'cogs',
        'suspense',
      ]),
    )
  })
})

describe('daily totals', () => {
  it('statements from the daily totals equal the sums of the journal lines, and a rebuild from the lines gives them back', async () => {
    const queries = [
      { from: '2026-10-01', to: '2026-12-01' },
      { from: '2026-11-01', to: '2026-12-01', channel: 'taobao' },
      { from: '2026-11-10', to: '2026-11-11', shopId: tmall.id },
      { from: '2026-11-11', to: '2026-11-12' },
    ]
    const both = async () =>
      Promise.all(
        queries.map(async (q) => [
          await ledgerStatement(env.ctx.db, m.id, { ...q, timezone: 'Asia/Shanghai' }),
          await ledgerStatement(env.ctx.db, m.id, { ...q, timezone: 'Asia/Shanghai' }, 'lines'),
        ]),
      )
    for (const [daily, lines] of await both()) {
      expect(daily).toEqual(lines)
      expect(daily!.length).toBeGreaterThan(0)
    }
    // A period in another time zone than the merchant's cannot use its days: it sums the lines.
    const utc = { from: '2026-11-10', to: '2026-11-11', timezone: 'UTC' }
    expect(await ledgerStatement(env.ctx.db, m.id, utc)).toEqual(
      await ledgerStatement(env.ctx.db, m.id, utc, 'lines'),
    )
    const before = await ledgerStatement(env.ctx.db, m.id, { ...queries[0]!, timezone: 'Asia/Shanghai' })
    await env.ctx.db.deleteFrom('journal_daily').execute()
    await rollupMigration.up(env.ctx.db as never)
    expect(await ledgerStatement(env.ctx.db, m.id, { ...queries[0]!, timezone: 'Asia/Shanghai' })).toEqual(
      before,
    )
  })
})

describe('posting in batches', () => {
  const head = (key: string) => ({
    merchantId: m.id,
    postingKey: key,
    kind: 'test',
    orderId: null,
    shopId: tmall.id,
    channel: 'taobao',
    eventAt: new Date('2026-11-15T02:00:00Z'),
  })
  const fee = (amount: string) =>
    postingsForSettlement({ shopId: tmall.id, type: 'other_fee', amount: money(amount), currency: 'CNY' })

  it('posts new keys, replays known ones with the same amounts, and takes a key twice in one batch once', async () => {
    const before = await journalCount()
    expect(
      await postEntries(env.ctx.db, [
        { head: head('t.a'), postings: fee('-1.00') },
        { head: head('t.b'), postings: fee('-2.00') },
        { head: head('t.a'), postings: fee('-1.00') },
        { head: head('t.e'), postings: [] },
      ]),
    ).toEqual(['posted', 'posted', 'replayed', 'empty'])
    expect(await journalCount()).toBe(before + 4)
    expect(
      await postEntries(env.ctx.db, [
        { head: head('t.b'), postings: fee('-2.00') },
        { head: head('t.c'), postings: fee('-3.00') },
      ]),
    ).toEqual(['replayed', 'posted'])
    expect(await journalCount()).toBe(before + 6)
  })

  it('refuses a known key with other amounts, writing nothing of the batch', async () => {
    const before = await journalCount()
    await expect(
      withTx(env.ctx.db, (tx) =>
        postEntries(tx, [
          { head: head('t.d'), postings: fee('-4.00') },
          { head: head('t.a'), postings: fee('-9.99') },
        ]),
      ),
    ).rejects.toThrow(IdempotencyConflict)
    expect(await journalCount()).toBe(before)
  })
})
