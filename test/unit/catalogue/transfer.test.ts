/** Reading an edited mapping sheet (header anywhere in the first rows, rich text, formulas) and planning its rows. */
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { planImport, readSheet, SheetError, type ImportTarget } from '../../../src/catalogue/transfer.js'

async function sheet(rows: ExcelJS.CellValue[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.addWorksheet('notes').addRow(['nothing here'])
  const ws = wb.addWorksheet('mappings')
  for (const r of rows) ws.addRow(r)
  return Buffer.from(await wb.xlsx.writeBuffer())
}

describe('readSheet', () => {
  it('finds the header on any of the first rows of any sheet, reads rich text and formula results', async () => {
    const rows = await readSheet(
      await sheet([
        ['SKU mappings'],
        ['merchantSkuCode', 'platformSkuKey', 'note', 'shopId'],
        [{ richText: [{ text: 'CUP' }, { text: '-1' }] }, '4987650310001', 'x', 'S1'],
        [{ formula: 'CONCAT("TEA","-1")', result: 'TEA-1' }, 4987650310002, '', 'S1'],
        [null, null, 'a note only', null],
        ['', '4987650310003', '', 'S1'],
        ['SOAP-1', Number('3600000000000000123'), '', 'S1'],
      ]),
    )
    expect(rows).toEqual([
      { row: 3, shopId: 'S1', platformSkuKey: '4987650310001', merchantSkuCode: 'CUP-1', problem: null },
      { row: 4, shopId: 'S1', platformSkuKey: '4987650310002', merchantSkuCode: 'TEA-1', problem: null },
      { row: 6, shopId: 'S1', platformSkuKey: '4987650310003', merchantSkuCode: '', problem: null },
      {
        row: 7,
        shopId: 'S1',
        platformSkuKey: '3600000000000000000',
        merchantSkuCode: 'SOAP-1',
        problem: expect.stringMatching(/^platformSkuKey was turned into the number/),
      },
    ])
  })

  it('refuses a body that is not a workbook, or one without the header', async () => {
    await expect(readSheet(Buffer.from('a,b\n1,2'))).rejects.toBeInstanceOf(SheetError)
    await expect(readSheet(await sheet([['shopId', 'platformSkuKey']]))).rejects.toThrow(
      /no sheet has the header row/,
    )
  })
})

describe('planImport', () => {
  const target = (currentSkuId: string | null): ImportTarget => ({
    listingSkuId: 'L',
    platformItemId: 'I',
    platformSkuId: 'K',
    code: null,
    currentSkuId,
  })
  const targets = new Map([
    ['S1|K1', target(null)],
    ['S1|K2', target('SKU-A')],
  ])
  const skus = new Map([
    ['A', 'SKU-A'],
    ['B', 'SKU-B'],
  ])
  const row = (n: number, shopId: string, key: string, code: string, problem: string | null = null) => ({
    row: n,
    shopId,
    platformSkuKey: key,
    merchantSkuCode: code,
    problem,
  })

  it('saves, keeps, skips or rejects each row on its own', () => {
    const plan = planImport(
      [
        row(2, 'S1', 'K1', 'B'),
        row(3, 'S1', 'K2', 'A'),
        row(4, 'S1', 'K2', 'B'),
        row(5, 'S1', 'K3', 'A'),
        row(6, 'S2', 'K1', 'A'),
        row(7, 'S1', 'K9', ''),
        row(8, 'S1', 'K9', 'ZZ'),
        row(9, '', 'K1', 'A'),
        row(10, 'S1', 'K1', 'A', 'platformSkuKey was mangled'),
      ],
      new Set(['S1']),
      targets,
      (c) => skus.get(c),
    )
    expect(plan.map((o) => (o.action === 'reject' ? o.reason : o.action))).toEqual([
      'save',
      'unchanged',
      'repeats row 3 (the same shop and platformSkuKey)',
      'no listing SKU or link of this shop has this platformSkuKey: pull the catalogue first',
      'shop S2 is not one of yours',
      'skipped',
      'repeats row 7 (the same shop and platformSkuKey)',
      'shopId is empty',
      'platformSkuKey was mangled',
    ])
    expect(plan[0]).toMatchObject({ action: 'save', shopId: 'S1', platformSkuKey: 'K1', skuId: 'SKU-B' })
  })
})
