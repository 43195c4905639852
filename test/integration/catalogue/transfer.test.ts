/**
 * SKU mappings through a spreadsheet: the export lists a pulled shop's listing SKUs (unmapped
 * first) with their merchant SKU codes; the merchant fills in the blanks and imports it back. The
 * import is per row: good rows link, bad rows are reported with their values and change nothing,
 * a dry run saves nothing.
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { findSku } from '../../../src/sandbox/catalogue.js'
import { startTopSandbox, type TopSandbox } from '../../../src/sandbox/top-server.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { CATALOGUE, linkShop, listings, pullAndPush, seedCatalogue } from './harness.js'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const cred = { appKey: '12345678', appSecret: 'sandbox-secret', session: 'sandbox-session' }
let env: TestEnv
let m: TestMerchant
let top: TopSandbox
let shopId: string

async function exported(
  query = '',
): Promise<{ header: string[]; rows: Record<string, string>[]; wb: ExcelJS.Workbook }> {
  const res = await env.app.inject({
    method: 'GET',
    url: `/sku-mappings/export${query}`,
    headers: bearer(m.keys.accountant),
  })
  expect(res.statusCode, res.body).toBe(200)
  expect(res.headers['content-type']).toBe(XLSX)
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
  const ws = wb.worksheets[0]!
  const header = (ws.getRow(2).values as unknown[]).slice(1).map(String)
  const rows: Record<string, string>[] = []
  for (let r = 3; r <= ws.rowCount; r++) {
    const values = (ws.getRow(r).values as unknown[]).slice(1)
    rows.push(
      Object.fromEntries(
        header.map((h, i) => {
          const v = values[i]
          return [h, typeof v === 'string' || typeof v === 'number' ? String(v) : '']
        }),
      ),
    )
  }
  return { header, rows, wb }
}

const importFile = async (wb: ExcelJS.Workbook, dryRun = false) =>
  env.app.inject({
    method: 'POST',
    url: `/sku-mappings/import${dryRun ? '?dryRun=true' : ''}`,
    headers: { ...bearer(m.keys.admin), 'content-type': XLSX },
    payload: Buffer.from(await wb.xlsx.writeBuffer()),
  })

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  top = await startTopSandbox({ seed: 61, catalogue: CATALOGUE, ...cred })
  await seedCatalogue(env, m)
  findSku(top.listings, 'CUP-1')!.sku.code = ''
  findSku(top.listings, 'CUP-2')!.sku.code = 'OLD-CUP-2'
  findSku(top.listings, 'TEA-1')!.sku.code = ''
  const linked = await linkShop(env, m, {
    channel: 'taobao',
    name: 'tb',
    settings: { baseUrl: top.url, ratePerSecond: 1000 },
    credentials: cred,
  })
  shopId = linked.shopId
  await pullAndPush(env, linked.pullJobId)
})
afterAll(async () => {
  await top.close()
  await env.close()
})

it('exports every listing SKU, unmapped first, ids as text, with the merchant SKU code of each link', async () => {
  const { header, rows, wb } = await exported(`?shopId=${shopId}`)
  // 13-digit ids are text cells: a spreadsheet keeps them exactly.
  expect(typeof wb.worksheets[0]!.getRow(3).getCell(5).value).toBe('string')
  expect(header).toEqual([
    'shopId',
    'shop',
    'channel',
    'platformItemId',
    'platformSkuKey',
    'title',
    'spec',
    'platformCode',
    'barcode',
    'platformQuantity',
    'state',
    'issue',
    'merchantSkuCode',
    'mappedBy',
  ])
  expect(rows).toHaveLength(CATALOGUE.length)
  expect(rows.slice(0, 3).map((r) => [r.platformSkuKey, r.state, r.issue, r.merchantSkuCode])).toEqual(
    expect.arrayContaining([
      [top.skuIdOf('CUP-1'), 'unmapped', 'missing_code', ''],
      [top.skuIdOf('CUP-2'), 'unmapped', 'unknown_code', ''],
      [top.skuIdOf('TEA-1'), 'unmapped', 'missing_code', ''],
    ]),
  )
  expect(rows.find((r) => r.platformSkuKey === top.skuIdOf('SOAP-1'))).toMatchObject({
    shopId,
    shop: 'tb',
    channel: 'taobao',
    platformItemId: top.itemIdOf('SOAP-1'),
    platformCode: 'SOAP-1',
    state: 'mapped',
    merchantSkuCode: 'SOAP-1',
    mappedBy: 'auto',
  })
  const csv = await env.app.inject({
    method: 'GET',
    url: `/sku-mappings/export?format=csv&shopId=${shopId}`,
    headers: bearer(m.keys.warehouse),
  })
  expect(csv.headers['content-type']).toMatch(/^text\/csv/)
  expect(csv.body.split('\n')[0]).toBe(`\uFEFF${header.join(',')}`)
})

it('imports the edited sheet row by row: good rows link, bad rows are reported and change nothing; a dry run saves nothing', async () => {
  const { rows, wb } = await exported(`?shopId=${shopId}`)
  const ws = wb.worksheets[0]!
  const codeCol = 13
  const rowOf = (code: string) => 3 + rows.findIndex((r) => r.platformSkuKey === top.skuIdOf(code))
  ws.getRow(rowOf('CUP-1')).getCell(codeCol).value = 'CUP-1'
  ws.getRow(rowOf('CUP-2')).getCell(codeCol).value = 'cup-2' // another case: the database compares without it
  ws.getRow(rowOf('TEA-1')).getCell(codeCol).value = 'NO-SUCH-SKU'
  ws.getRow(rowOf('SOAP-1')).getCell(codeCol).value = 'SOAP-2' // re-point a link made automatically
  const extra = (values: (string | number)[]) => {
    const r = ws.addRow([])
    values.forEach((v, i) => (r.getCell(i + 1).value = v))
    return r.number
  }
  const repeated = extra([shopId, '', '', '', top.skuIdOf('CUP-1'), '', '', '', '', '', '', '', 'CUP-3'])
  // A 19-digit id typed into a number cell: the spreadsheet keeps only 15-16 digits of it.
  const mangled = extra([
    shopId,
    '',
    '',
    '',
    Number('3600000000000000123'),
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    'CUP-3',
  ])
  const foreign = extra([
    '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    '',
    '',
    '',
    '123',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    'CUP-3',
  ])
  const unknownKey = extra([shopId, '', '', '', '999', '', '', '', '', '', '', '', 'CUP-3'])

  const dry = await importFile(wb, true)
  expect(dry.statusCode, dry.body).toBe(200)
  const planned = dry.json() as { saved: number; rejected: { row: number; reason: string }[] }
  expect(planned).toMatchObject({
    dryRun: true,
    rows: CATALOGUE.length + 4,
    saved: 3,
    unchanged: 4,
    skipped: 0,
  })
  expect((await listings(env, m, shopId, '&state=unmapped')).length).toBe(3) // nothing saved

  const res = await importFile(wb)
  expect(res.statusCode, res.body).toBe(200)
  const report = res.json() as typeof planned & Record<string, unknown>
  expect(report).toMatchObject({ dryRun: false, saved: 3, unchanged: 4 })
  const reasons = new Map(report.rejected.map((r) => [r.row, r.reason]))
  expect(reasons.get(rowOf('TEA-1'))).toBe('no merchant SKU has the code NO-SUCH-SKU')
  expect(reasons.get(repeated)).toBe(`repeats row ${rowOf('CUP-1')} (the same shop and platformSkuKey)`)
  expect(reasons.get(mangled)).toMatch(
    /platformSkuKey was turned into the number .* format the column as text/,
  )
  expect(reasons.get(foreign)).toBe('shop 01ARZ3NDEKTSV4RRFFQ69G5FAV is not one of yours')
  expect(reasons.get(unknownKey)).toMatch(/^no listing SKU or link of this shop has this platformSkuKey/)
  expect(report.rejected).toHaveLength(5)
  expect(report.rejected.find((r) => r.row === foreign)).toMatchObject({
    platformSkuKey: '123',
    merchantSkuCode: 'CUP-3',
  })

  const after = await listings(env, m, shopId)
  const byKey = (code: string) => after.find((r) => r.platformSkuKey === top.skuIdOf(code))!
  expect(byKey('CUP-1')).toMatchObject({
    state: 'mapped',
    mapping: { skuCode: 'CUP-1', source: 'bulk' },
    matchMethod: 'manual',
  })
  expect(byKey('CUP-2')).toMatchObject({ state: 'mapped', mapping: { skuCode: 'CUP-2' } })
  expect(byKey('SOAP-1')).toMatchObject({ state: 'mapped', mapping: { skuCode: 'SOAP-2', source: 'bulk' } })
  expect(byKey('TEA-1')).toMatchObject({ state: 'unmapped', mapping: null })
  // The new links are pushed soon (one debounced push for the shop).
  const pushes = await env.ctx.queues['stock-push'].getJobs(['delayed', 'waiting'])
  expect(pushes.some((j) => j.data.shopId === shopId)).toBe(true)

  // Importing the same file again changes nothing.
  expect((await importFile(wb)).json()).toMatchObject({ saved: 0, unchanged: 7 })
})

it('refuses a body that is not a workbook, and a workbook without the header row', async () => {
  const notXlsx = await env.app.inject({
    method: 'POST',
    url: '/sku-mappings/import',
    headers: { ...bearer(m.keys.admin), 'content-type': XLSX },
    payload: Buffer.from('shopId,platformSkuKey\n'),
  })
  expect(notXlsx.statusCode).toBe(400)
  expect(notXlsx.json()).toMatchObject({
    error: { code: 'validation_failed', message: expect.stringMatching(/not an XLSX file/) },
  })
  const wb = new ExcelJS.Workbook()
  wb.addWorksheet('x').addRow(['a', 'b'])
  const noHeader = await importFile(wb)
  expect(noHeader.json()).toMatchObject({
    error: { message: expect.stringMatching(/no sheet has the header row/) },
  })
  const warehouse = await env.app.inject({
    method: 'POST',
    url: '/sku-mappings/import',
    headers: { ...bearer(m.keys.warehouse), 'content-type': XLSX },
    payload: Buffer.from(await wb.xlsx.writeBuffer()),
  })
  expect(warehouse.statusCode).toBe(403)
})
