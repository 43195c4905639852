/**
 * Tables for accountants as files: CSV (UTF-8 with BOM, formula-safe cells) or XLSX (exceljs), the
 * amounts as numbers formatted to two decimals. Used by statements and reconciliation.
 */
import { stringify } from 'csv-stringify/sync'
import ExcelJS from 'exceljs'
import type { FastifyReply } from 'fastify'
import { csvSafe } from '../fulfillment/render.js'

export interface Table {
  /** File name without extension. */
  name: string
  /** First line of the sheet (XLSX only). */
  title: string
  sheet: string
  header: readonly string[]
  rows: readonly (readonly (string | null)[])[]
  amountColumns: ReadonlySet<string>
  /** XLSX without the title line: import sheets (vouchers) start with their header. */
  headerOnly?: boolean
}

export async function sendTable(
  reply: FastifyReply,
  format: 'csv' | 'xlsx',
  t: Table,
): Promise<FastifyReply> {
  if (format === 'csv') {
    // Amounts are numbers we wrote (a negative one is data, not a formula); every other cell is neutralised.
    const cells = t.rows.map((r) =>
      r.map((v, i) => (t.amountColumns.has(t.header[i]!) ? (v ?? '') : csvSafe(v))),
    )
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${t.name}.csv"`)
      .send(`\uFEFF${stringify([t.header, ...cells])}`)
  }
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet(t.sheet)
  if (!t.headerOnly) ws.addRow([t.title])
  ws.addRow([...t.header])
  // XLSX numbers are IEEE doubles by the file format; amounts of up to 15 significant digits keep their exact 2-dp value.
  for (const r of t.rows)
    // eslint-disable-next-line no-restricted-syntax -- the XLSX cell is the export edge
    ws.addRow(r.map((v, i) => (v !== null && t.amountColumns.has(t.header[i]!) ? Number(v) : v)))
  t.header.forEach((h, i) => {
    if (t.amountColumns.has(h)) ws.getColumn(i + 1).numFmt = '#,##0.00'
  })
  const buf = Buffer.from(await wb.xlsx.writeBuffer())
  return reply
    .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('content-disposition', `attachment; filename="${t.name}.xlsx"`)
    .send(buf)
}
