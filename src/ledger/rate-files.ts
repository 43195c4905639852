/**
 * Rate files a merchant imports, and the import itself. Our contract (UTF-8 CSV, or the first sheet
 * of an XLSX): header `rate_date,base_ccy,quote_ccy,unit,rate,source` — one row per pair and day,
 * `rate` = quote_ccy per `unit` base_ccy as published (source optional, default CSV). The ECB
 * history CSV (`Date,USD,JPY,…`) is read as a preset. The whole file is refused on any bad row, with
 * its line number. Importing stores the rates and posts what waited for them, in one transaction.
 */
import ExcelJS from 'exceljs'
import { parseCsv } from '../../connectors/cn/files.js'
import { parseEcbCsv, RateSourceError, type PublishedRate } from '../../connectors/rates/index.js'
import { audit, type AuditEntry } from '../audit/repo.js'
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { newId } from '../lib/ids.js'
import { money, tryMoney } from '../money/index.js'
import { followReleased } from './events.js'
import { releaseHeld } from './held.js'
import { upsertRates, type RateQuote } from './rates.js'

export class RateFileError extends Error {
  override name = 'RateFileError'
  constructor(readonly problems: string[]) {
    super(problems.slice(0, 20).join('; '))
  }
}

const HEADER = ['rate_date', 'base_ccy', 'quote_ccy', 'unit', 'rate', 'source']

function fromRows(rows: string[][]): RateQuote[] {
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase())
  if (header[0] === 'date') {
    try {
      return parseEcbCsv(rows.map((r) => r.join(',')).join('\n')).map((r) => ({ ...r, source: 'ECB' }))
    } catch (err) {
      throw new RateFileError([err instanceof Error ? err.message : String(err)])
    }
  }
  const missing = HEADER.slice(0, 5).filter((h) => !header.includes(h))
  if (missing.length > 0)
    throw new RateFileError([
      `line 1: the header must name ${HEADER.join(',')} (missing ${missing.join(', ')})`,
    ])
  const col = (r: string[], name: string) => (r[header.indexOf(name)] ?? '').trim()
  const problems: string[] = []
  const out: RateQuote[] = []
  const seen = new Map<string, string>()
  rows.slice(1).forEach((r, i) => {
    const line = i + 2
    if (r.every((c) => c.trim() === '')) return
    const rateDate = col(r, 'rate_date')
    const base = col(r, 'base_ccy').toUpperCase()
    const quote = col(r, 'quote_ccy').toUpperCase()
    const unitText = col(r, 'unit') || '1'
    const rateText = col(r, 'rate')
    const source = (col(r, 'source') || 'CSV').toUpperCase()
    const bad: string[] = []
    if (!/^\d{4}-\d{2}-\d{2}$/.test(rateDate) || Number.isNaN(Date.parse(`${rateDate}T00:00:00Z`)))
      bad.push(`rate_date "${rateDate}" is not YYYY-MM-DD`)
    if (!/^[A-Z]{3}$/.test(base)) bad.push(`base_ccy "${base}" is not a currency code`)
    if (!/^[A-Z]{3}$/.test(quote) || quote === base)
      bad.push(`quote_ccy "${quote}" is not another currency code`)
    if (!/^(1|10|100|1000|10000)$/.test(unitText))
      bad.push(`unit "${unitText}" must be 1, 10, 100, 1000 or 10000`)
    const rate = tryMoney(rateText)
    if (!rate || rate.lte(0)) bad.push(`rate "${rateText}" must be a positive decimal`)
    if (!/^[A-Z0-9_:-]{1,24}$/.test(source))
      bad.push(`source "${source}" must be up to 24 letters, digits, _ : -`)
    if (bad.length > 0) {
      problems.push(`line ${line}: ${bad.join(', ')}`)
      return
    }
    const key = `${source}|${base}|${quote}|${rateDate}`
    const earlier = seen.get(key)
    if (earlier !== undefined && earlier !== rateText)
      problems.push(`line ${line}: ${base}/${quote} on ${rateDate} appears twice with different rates`)
    seen.set(key, rateText)
    const unit = parseInt(unitText, 10)
    out.push({
      source,
      rateDate,
      baseCcy: base,
      quoteCcy: quote,
      unit,
      quoted: rateText,
      rate: rate!.div(unit),
    })
  })
  if (problems.length > 0) throw new RateFileError(problems)
  if (out.length === 0) throw new RateFileError(['the file holds no rates'])
  return out
}

export async function parseRateFile(bytes: Buffer): Promise<RateQuote[]> {
  // XLSX files are zip archives ("PK").
  if (bytes.length > 2 && bytes[0] === 0x50 && bytes[1] === 0x4b) {
    const wb = new ExcelJS.Workbook()
    try {
      await wb.xlsx.load(bytes as unknown as ArrayBuffer)
    } catch {
      throw new RateFileError(['the file is neither a CSV nor a readable XLSX'])
    }
    const ws = wb.worksheets[0]
    if (!ws) throw new RateFileError(['the workbook has no sheet'])
    const rows: string[][] = []
    ws.eachRow({ includeEmpty: false }, (row) => {
      const values = (row.values as unknown[]).slice(1)
      rows.push(values.map((v) => cellText(v)))
    })
    return fromRows(rows)
  }
  return fromRows(parseCsv(bytes.toString('utf8').replace(/^\uFEFF/, '')).map((r) => r.cells))
}

/** An XLSX cell as text: dates as YYYY-MM-DD; numbers as the sheet shows them (a rate typed as a number). */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return v.toISOString().slice(0, 10)
  // An XLSX number cell is a double by the file format; its shortest text is read back as a decimal.
  if (typeof v === 'number') return String(v)
  if (typeof v === 'object' && v !== null && 'text' in v) return String((v as { text: unknown }).text)
  return String(v as string)
}

export interface RateImportReport {
  batchId: string
  rates: number
  released: number
  stillHeld: number
}

/**
 * Store rates and post the entries that waited for them (with what their events would have posted
 * with them), in the caller's transaction. Rates already stored with the same value stay as they
 * are, batch included: storing the same rates again changes nothing.
 */
export async function applyRates(
  tx: Executor,
  merchantId: string,
  quotes: readonly RateQuote[],
): Promise<RateImportReport> {
  const batchId = newId()
  await upsertRates(tx, merchantId, batchId, quotes)
  const released = await releaseHeld(tx, merchantId)
  await followReleased(tx, merchantId, released.released)
  return { batchId, rates: quotes.length, released: released.posted, stillHeld: released.held }
}

/** Store rates and post the entries that waited for them, with the audit record, in one transaction. */
export async function importRates(
  db: Db,
  merchantId: string,
  quotes: readonly RateQuote[],
  actor: Pick<AuditEntry, 'actorType' | 'actorId'>,
  what: { action: string; detail: Record<string, unknown> },
): Promise<RateImportReport> {
  return withTx(db, async (tx) => {
    const report = await applyRates(tx, merchantId, quotes)
    await audit(tx, merchantId, {
      ...actor,
      action: what.action,
      entityType: 'rates',
      entityId: report.batchId,
      detail: { ...what.detail, rates: report.rates, released: report.released, stillHeld: report.stillHeld },
    })
    return report
  })
}

export const fromPublished = (source: string, rates: readonly PublishedRate[]): RateQuote[] =>
  rates.map((r) => ({ ...r, source, rate: money(r.rate) }))

export { RateSourceError }
