/**
 * Stock documents through the API: barcodes and the scan resolver, receipts posted once with the
 * moving average shown before, blind counts approved by a second person, transfers in transit
 * (available nowhere) received with a discrepancy, and the movements ledger that shows them all.
 */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- the API's JSON answers are read loosely in assertions */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkInventory } from '../../../src/inventory/check.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse, type Warehouse } from '../../../src/warehouses/repo.js'
import {
  bearer,
  seedMerchant,
  seedSkus,
  testEnv,
  type TestEnv,
  type TestMerchant,
} from '../../helpers/app.js'

let env: TestEnv
let m: TestMerchant
let other: TestMerchant
let hz: Warehouse
let sz: Warehouse
const sku: Record<string, string> = {}

type Role = 'admin' | 'warehouse' | 'accountant'
const call = async (role: Role, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, who = m) => {
  const res = await env.app.inject({
    method,
    url,
    headers: bearer(who.keys[role]),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  })
  return { status: res.statusCode, body: res.json<Record<string, any>>() }
}
const stockRow = async (skuId: string, warehouseId: string) =>
  (await call('admin', 'GET', `/stock?skuId=${skuId}&warehouseId=${warehouseId}`)).body.items[0] as
    Record<string, any> | undefined

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  other = await seedMerchant(env.ctx, 'Other')
  hz = await createWarehouse(env.ctx.db, m.id, { code: 'HZ', name: '杭州仓' })
  sz = await createWarehouse(env.ctx.db, m.id, { code: 'SZ', name: '深圳仓' })
  Object.assign(sku, await seedSkus(env.ctx, m.id, ['TEE', 'MUG', 'CAP', 'BAG']))
})
afterAll(() => env.close())

describe('barcodes and the scan resolver', () => {
  it('keeps several barcodes per SKU and resolves a scan of any of them, or of the SKU code', async () => {
    const put = await call('admin', 'PUT', `/skus/${sku.TEE}/barcodes`, {
      items: [
        { code: '6901234567892', kind: 'ean13' },
        { code: 'TEE-C128', kind: 'code128' },
        { code: '600123456789', kind: 'platform' },
      ],
    })
    expect(put.status).toBe(200)
    expect(put.body.barcodes).toHaveLength(3)
    for (const code of ['6901234567892', 'TEE-C128', '600123456789', 'TEE', ' TEE-C128 ']) {
      const r = await call('warehouse', 'GET', `/skus/resolve?code=${encodeURIComponent(code)}`)
      expect(r.status, code).toBe(200)
      expect(r.body.sku.id).toBe(sku.TEE)
    }
    expect((await call('warehouse', 'GET', '/skus/resolve?code=TEE')).body.matchedBy).toBe('sku_code')
    expect((await call('warehouse', 'GET', '/skus/resolve?code=6901234567892')).body.matchedBy).toBe('ean13')
    const unknown = await call('warehouse', 'GET', '/skus/resolve?code=NOPE')
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.details.reason).toBe('scan_unknown')
    // Another merchant's scan of the same barcode finds nothing.
    expect((await call('admin', 'GET', '/skus/resolve?code=6901234567892', undefined, other)).status).toBe(
      404,
    )
    // The stock search finds the SKU by barcode.
    const found = await call('admin', 'GET', '/skus?q=69012345')
    expect(found.body.items.map((s: { code: string }) => s.code)).toEqual(['TEE'])
  })

  it('refuses an EAN-13 whose check digit is wrong, naming the field, and writes nothing', async () => {
    const r = await call('admin', 'PUT', `/skus/${sku.MUG}/barcodes`, {
      items: [
        { code: 'MUG-1', kind: 'code128' },
        { code: '6901234567893', kind: 'ean13' },
      ],
    })
    expect(r.status).toBe(400)
    expect(r.body.error.details).toMatchObject({ field: 'body/items/1/code', reason: 'ean13_invalid' })
    expect(r.body.error.message).toContain('should be 2')
    expect((await call('admin', 'GET', `/skus/${sku.MUG}`)).body.barcodes).toEqual([])
  })

  it('refuses a barcode another SKU holds (unique per merchant)', async () => {
    const r = await call('admin', 'PUT', `/skus/${sku.MUG}/barcodes`, {
      items: [{ code: 'TEE-C128', kind: 'code128' }],
    })
    expect(r.status).toBe(409)
    expect(r.body.error.details).toMatchObject({ field: 'body/items/0/code', reason: 'barcode_taken' })
    const asCode = await call('admin', 'PUT', `/skus/${sku.MUG}/barcodes`, {
      items: [{ code: 'CAP', kind: 'code128' }],
    })
    expect(asCode.status).toBe(409)
    // The same code at another merchant is fine.
    await upsertSkus(env.ctx, other.id, [{ code: 'X', name: 'x' }])
    const x = await env.ctx.db
      .selectFrom('skus')
      .select('id')
      .where('merchant_id', '=', other.id)
      .executeTakeFirstOrThrow()
    const ok = await call(
      'admin',
      'PUT',
      `/skus/${x.id}/barcodes`,
      { items: [{ code: 'TEE-C128', kind: 'code128' }] },
      other,
    )
    expect(ok.status).toBe(200)
  })
})

describe('receipts', () => {
  let receiptId: string
  it('saves a draft of several lines and shows the moving-average cost before posting', async () => {
    // 10 TEE at 10.00 already in stock.
    await call('admin', 'POST', '/stock/receipts', {
      warehouseId: hz.id,
      skuId: sku.TEE,
      quantity: 10,
      unitCost: '10.00',
      currency: 'CNY',
    })
    const r = await call('warehouse', 'POST', '/receipts', {
      warehouseId: hz.id,
      currency: 'CNY',
      supplierRef: 'PO-778',
      lines: [
        { skuId: sku.TEE, quantity: 30, unitCost: '14.00', bin: 'A-01-02' },
        { skuId: sku.MUG, quantity: 5, unitCost: '20.50', bin: 'A-01-10' },
        { skuId: sku.CAP, quantity: 8, unitCost: '6.25' },
      ],
    })
    expect(r.status).toBe(201)
    receiptId = r.body.id
    expect(r.body.number).toMatch(/^RK\d{8}-0001$/)
    expect(r.body.status).toBe('draft')
    expect(r.body.total).toBe('572.5000')
    const [tee, mug] = r.body.lines
    // (10 × 10 + 30 × 14) / 40 = 13.00
    expect(tee).toMatchObject({
      onHandBefore: 10,
      avgCostBefore: '10.0000',
      avgCostAfter: '13.0000',
      amount: '420.0000',
    })
    expect(mug).toMatchObject({ onHandBefore: 0, avgCostBefore: null, avgCostAfter: '20.5000' })
    // Nothing moved yet.
    expect((await stockRow(sku.TEE!, hz.id))!.onHand).toBe(10)
  })

  it('posts once: a second post changes nothing', async () => {
    const first = await call('warehouse', 'POST', `/receipts/${receiptId}/post`)
    expect(first.status).toBe(200)
    expect(first.body.alreadyPosted).toBe(false)
    expect(first.body.receipt.status).toBe('posted')
    const second = await call('admin', 'POST', `/receipts/${receiptId}/post`)
    expect(second.status).toBe(200)
    expect(second.body.alreadyPosted).toBe(true)
    const both = await Promise.all([1, 2].map(() => call('admin', 'POST', `/receipts/${receiptId}/post`)))
    expect(both.every((x) => x.body.alreadyPosted)).toBe(true)
    const tee = (await stockRow(sku.TEE!, hz.id))!
    expect(tee).toMatchObject({ onHand: 40, avgCost: '13.0000', bin: 'A-01-02' })
    const mv = await call('admin', 'GET', `/stock/movements?ref=${first.body.receipt.number}`)
    expect(mv.body.items).toHaveLength(3)
    // The movements and the audit row carry the application's time of the post, not the database's.
    const postedAt = first.body.receipt.postedAt as string
    expect(mv.body.items.map((i: { at: string }) => i.at)).toEqual([postedAt, postedAt, postedAt])
    const audits = await env.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'created_at'])
      .where('entity_id', '=', receiptId)
      .where('action', '=', 'receipt.post')
      .execute()
    expect(audits.map((a) => [a.action, a.created_at.toISOString()])).toEqual([['receipt.post', postedAt]])
    // A posted receipt no longer changes.
    const edit = await call('admin', 'PUT', `/receipts/${receiptId}`, {
      warehouseId: hz.id,
      currency: 'CNY',
      lines: [{ skuId: sku.TEE, quantity: 1, unitCost: '1' }],
    })
    expect(edit.status).toBe(409)
    expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  })

  it('refuses another merchant’s SKU and another merchant’s receipt', async () => {
    const r = await call(
      'admin',
      'POST',
      '/receipts',
      { warehouseId: hz.id, currency: 'CNY', lines: [{ skuId: sku.TEE, quantity: 1, unitCost: '1' }] },
      other,
    )
    expect(r.status).toBe(404)
    expect((await call('admin', 'GET', `/receipts/${receiptId}`, undefined, other)).status).toBe(404)
    expect((await call('admin', 'POST', `/receipts/${receiptId}/post`, undefined, other)).status).toBe(404)
  })

  it('is not for accountants', async () => {
    expect((await call('accountant', 'GET', '/receipts')).status).toBe(403)
  })
})

describe('count sheets', () => {
  let countId: string
  it('counts blind: the counter never sees the expected quantity', async () => {
    const r = await call('warehouse', 'POST', '/stock-counts', {
      warehouseId: hz.id,
      binFrom: 'A-01-01',
      binTo: 'A-01-09',
    })
    expect(r.status).toBe(201)
    countId = r.body.id
    expect(r.body.number).toMatch(/^PD\d{8}-0001$/)
    // A-01-10 sorts after A-01-09 (natural order): only TEE (A-01-02) is in range.
    expect(r.body.lines.map((l: { skuCode: string }) => l.skuCode)).toEqual(['TEE'])
    expect(r.body.blind).toBe(true)
    expect(r.body.lines[0]).toMatchObject({ expected: null, variance: null, counted: null })
    // Scans add one each; a SKU found that was not on the sheet is added to it.
    for (let i = 0; i < 37; i++)
      await call('warehouse', 'POST', `/stock-counts/${countId}/counts`, {
        items: [{ skuId: sku.TEE, quantity: 1, mode: 'add' }],
      })
    const c = await call('warehouse', 'POST', `/stock-counts/${countId}/counts`, {
      items: [{ skuId: sku.CAP, quantity: 9, mode: 'set' }],
    })
    expect(
      c.body.lines.map((l: { skuCode: string; counted: number; expected: null }) => [
        l.skuCode,
        l.counted,
        l.expected,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['TEE', 37, null],
        ['CAP', 9, null],
      ]),
    )
  })

  it('needs a second person to approve; the variance becomes adjustments, once', async () => {
    const sub = await call('warehouse', 'POST', `/stock-counts/${countId}/submit`)
    expect(sub.body.status).toBe('submitted')
    expect(sub.body.blind).toBe(false)
    const byLine = Object.fromEntries(sub.body.lines.map((l: { skuCode: string }) => [l.skuCode, l]))
    expect(byLine.TEE).toMatchObject({ expected: 40, counted: 37, variance: -3 })
    expect(byLine.CAP).toMatchObject({ expected: 8, counted: 9, variance: 1 })
    const self = await call('warehouse', 'POST', `/stock-counts/${countId}/approve`)
    expect(self.status).toBe(403)
    expect(self.body.error.details.reason).toBe('approver_is_counter')
    expect((await stockRow(sku.TEE!, hz.id))!.onHand).toBe(40)
    const ok = await call('admin', 'POST', `/stock-counts/${countId}/approve`)
    expect(ok.status).toBe(200)
    expect(ok.body.status).toBe('approved')
    const again = await call('admin', 'POST', `/stock-counts/${countId}/approve`)
    expect(again.status).toBe(200)
    expect((await stockRow(sku.TEE!, hz.id))!.onHand).toBe(37)
    expect((await stockRow(sku.CAP!, hz.id))!.onHand).toBe(9)
    const mv = await call('admin', 'GET', `/stock/movements?ref=${ok.body.number}&kind=adjustment`)
    expect(mv.body.items.map((x: { quantity: number }) => x.quantity).sort()).toEqual([-3, 1])
    expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  })

  it('refuses a sheet with nothing to count', async () => {
    const r = await call('warehouse', 'POST', '/stock-counts', { warehouseId: hz.id, binFrom: 'Z-99' })
    expect(r.status).toBe(422)
    expect(r.body.error.details.reason).toBe('count_empty')
  })
})

describe('transfers', () => {
  let transferId: string
  it('ships: stock leaves the source, is in transit and available nowhere', async () => {
    const r = await call('warehouse', 'POST', '/transfers', {
      fromWarehouseId: hz.id,
      toWarehouseId: sz.id,
      lines: [
        { skuId: sku.TEE, quantity: 10 },
        { skuId: sku.MUG, quantity: 5 },
      ],
    })
    expect(r.status).toBe(201)
    transferId = r.body.id
    expect(r.body.number).toMatch(/^DB\d{8}-0001$/)
    const shipped = await call('warehouse', 'POST', `/transfers/${transferId}/ship`)
    expect(shipped.body.status).toBe('in_transit')
    expect((await call('warehouse', 'POST', `/transfers/${transferId}/ship`)).status).toBe(200)
    const src = (await stockRow(sku.TEE!, hz.id))!
    expect(src).toMatchObject({ onHand: 27, available: 27 })
    // Nothing at the destination yet: no row, or a row with 0 available and 10 in transit.
    const dst = await stockRow(sku.TEE!, sz.id)
    expect(dst?.available ?? 0).toBe(0)
    const all = (await call('admin', 'GET', `/stock?skuId=${sku.TEE}`)).body.items as { available: number }[]
    expect(all.reduce((n, x) => n + x.available, 0)).toBe(27)
  })

  it('refuses shipping more than is available at the source', async () => {
    const r = await call('warehouse', 'POST', '/transfers', {
      fromWarehouseId: hz.id,
      toWarehouseId: sz.id,
      lines: [{ skuId: sku.BAG, quantity: 1 }],
    })
    const s = await call('warehouse', 'POST', `/transfers/${r.body.id}/ship`)
    expect(s.status).toBe(409)
    expect(s.body.error.code).toBe('insufficient_stock')
  })

  it('receives partly, then closes with the discrepancy recorded', async () => {
    const part = await call('warehouse', 'POST', `/transfers/${transferId}/receive`, {
      lines: [{ lineNo: 1, quantity: 6 }],
    })
    expect(part.body.status).toBe('in_transit')
    expect(part.body.lines[0]).toMatchObject({ received: 6, inTransit: 4 })
    const stockSz = (await call('admin', 'GET', `/stock?skuId=${sku.TEE}&warehouseId=${sz.id}`)).body.items[0]
    expect(stockSz).toMatchObject({ onHand: 6, available: 6, inTransit: 4 })
    const over = await call('warehouse', 'POST', `/transfers/${transferId}/receive`, {
      lines: [{ lineNo: 1, quantity: 5 }],
    })
    expect(over.status).toBe(422)
    expect(over.body.error.details.reason).toBe('over_receipt')
    const done = await call('warehouse', 'POST', `/transfers/${transferId}/receive`, {
      lines: [
        { lineNo: 1, quantity: 3 },
        { lineNo: 2, quantity: 5 },
      ],
      final: true,
      discrepancyNote: '1 件破损未收',
    })
    expect(done.body.status).toBe('received')
    expect(done.body.discrepancyNote).toBe('1 件破损未收')
    expect(done.body.lines.map((l: { discrepancy: number }) => l.discrepancy)).toEqual([1, 0])
    expect((await stockRow(sku.TEE!, sz.id))!).toMatchObject({ onHand: 9, inTransit: 0 })
    const mv = await call('admin', 'GET', `/stock/movements?ref=${done.body.number}`)
    expect(
      mv.body.items.map((x: { kind: string; quantity: number }) => `${x.kind}${x.quantity}`).sort(),
    ).toEqual(['transfer_in3', 'transfer_in5', 'transfer_in6', 'transfer_out-10', 'transfer_out-5'].sort())
    expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  })
})

describe('the movements ledger', () => {
  it('filters, pages by cursor and names who did it', async () => {
    const all = await call('accountant', 'GET', '/stock/movements?limit=100')
    expect(all.status).toBe(200)
    const n = all.body.items.length
    expect(n).toBe(11) // 1 + 3 receipts, 2 adjustments, 2 out + 3 in
    let cursor: string | null = null
    const seen: string[] = []
    do {
      const page = (
        await call('admin', 'GET', `/stock/movements?limit=5${cursor ? `&cursor=${cursor}` : ''}`)
      ).body as { items: { id: string }[]; next: string | null }
      seen.push(...page.items.map((x) => x.id))
      cursor = page.next
    } while (cursor)
    expect(seen).toEqual(all.body.items.map((x: { id: string }) => x.id))
    const tee = await call(
      'admin',
      'GET',
      `/stock/movements?skuId=${sku.TEE}&warehouseId=${hz.id}&kind=receipt`,
    )
    expect(tee.body.items.map((x: { quantity: number }) => x.quantity).sort()).toEqual([10, 30])
    expect(tee.body.items.every((x: { actorName: string | null }) => x.actorName?.startsWith('API'))).toBe(
      true,
    )
    const future = await call('admin', 'GET', '/stock/movements?from=2099-01-01T00:00:00.000Z')
    expect(future.body.items).toEqual([])
    expect((await call('admin', 'GET', `/stock/movements?skuId=${sku.TEE}`, undefined, other)).status).toBe(
      404,
    )
  })

  it('exports XLSX with times in the merchant’s zone', async () => {
    const res = await env.app.inject({
      method: 'GET',
      url: `/stock/movements?format=xlsx&skuId=${sku.TEE}`,
      headers: bearer(m.keys.admin),
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('spreadsheetml')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    const ws = wb.worksheets[0]!
    expect(ws.getRow(2).getCell(1).text).toBe('time (Asia/Shanghai)')
    expect(ws.rowCount).toBeGreaterThanOrEqual(2 + 5)
  })
})
