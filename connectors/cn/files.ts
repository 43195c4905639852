/**
 * Reading the statement files sellers download from Chinese platforms (intl-and-settlements.md §D):
 * GBK or UTF-8 (with or without BOM), `#` preambles and footers, cells wrapped as `="…"`, `'…` or
 * followed by a TAB, headers found by name rather than position. Pure: bytes in, rows out.
 */
import { createHash } from 'node:crypto'
import { tryMoney } from '../../src/money/index.js'
import type { Decimal } from '../../src/money/index.js'

/** Decode an export: UTF-8/UTF-16 BOMs honoured, valid UTF-8 taken as UTF-8, anything else read as GBK (GB18030). */
export function decodeExport(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return new TextDecoder('utf-8').decode(bytes.subarray(3))
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2))
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2))
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return new TextDecoder('gb18030').decode(bytes)
  }
}

export interface CsvRecord {
  /** 1-based physical line number where the record starts (for error reports). */
  line: number
  cells: string[]
  /** The record's text as it stood in the file. */
  raw: string
}

/** RFC 4180 CSV (quotes, doubled quotes, newlines inside quotes, CRLF), any delimiter. */
export function parseCsv(text: string, delimiter = ','): CsvRecord[] {
  const out: CsvRecord[] = []
  let cells: string[] = []
  let cell = ''
  let quoted = false
  let line = 1
  let startLine = 1
  let start = 0
  const push = (end: number) => {
    cells.push(cell)
    out.push({ line: startLine, cells, raw: text.slice(start, end) })
    cells = []
    cell = ''
  }
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"'
          i++
        } else quoted = false
      } else {
        if (ch === '\n') line++
        cell += ch
      }
      continue
    }
    if (ch === '"' && cell.trim() === '') {
      quoted = true
      cell = ''
    } else if (ch === delimiter) {
      cells.push(cell)
      cell = ''
    } else if (ch === '\n' || ch === '\r') {
      push(i)
      if (ch === '\r' && text[i + 1] === '\n') i++
      line++
      startLine = line
      start = i + 1
    } else cell += ch
  }
  if (cell !== '' || cells.length > 0) push(text.length)
  return out.filter((r) => !(r.cells.length === 1 && r.cells[0]!.trim() === ''))
}

/** A cell as the value it protects: strips `="…"`, a leading `'`, TABs, spaces and a BOM. */
export function cleanCell(value: string | undefined): string {
  let v = (value ?? '')
    .replace(/^\uFEFF/, '')
    .replace(/\t/g, '')
    .trim()
  const m = /^="(.*)"$/.exec(v)
  if (m) v = m[1]!
  if (v.startsWith("'")) v = v.slice(1)
  return v.trim()
}

/** Exact yuan text → Decimal (thousands separators, ¥ and a trailing 元 allowed); null when empty or unreadable. */
export function yuanCell(value: string | undefined): Decimal | null {
  const v = cleanCell(value)
    .replace(/[,¥￥\s]/g, '')
    .replace(/元$/, '')
  if (v === '' || v === '-') return null
  return tryMoney(v.startsWith('+') ? v.slice(1) : v)
}

export interface StatementTable {
  headers: string[]
  rows: { line: number; raw: string; values: Record<string, string> }[]
  /** Lines before the header and after the data (`#` comments, totals), verbatim. */
  preamble: string[]
  footer: string[]
}

/**
 * Find the header row (the first record holding every `required` column name after cleaning) and
 * read the data rows below it as header → cleaned cell. Rows starting with `#`, and summary rows
 * whose first cell starts with 合计/总计, end the data and go to `footer`. Throws when no header is found.
 */
export function readStatement(text: string, required: readonly string[], delimiter = ','): StatementTable {
  const records = parseCsv(text, delimiter)
  const headerAt = records.findIndex((r) => {
    const names = r.cells.map(cleanCell)
    return required.every((h) => names.includes(h))
  })
  if (headerAt < 0) throw new Error(`no header row with the columns ${required.join(', ')} was found`)
  const headers = records[headerAt]!.cells.map(cleanCell)
  const preamble = records.slice(0, headerAt).map((r) => r.raw)
  const rows: StatementTable['rows'] = []
  const footer: string[] = []
  for (const r of records.slice(headerAt + 1)) {
    const first = cleanCell(r.cells[0])
    if (footer.length > 0 || r.raw.trimStart().startsWith('#') || /^(合计|总计)/.test(first)) {
      footer.push(r.raw)
      continue
    }
    const values: Record<string, string> = {}
    headers.forEach((h, i) => {
      if (h !== '') values[h] = cleanCell(r.cells[i])
    })
    rows.push({ line: r.line, raw: r.raw, values })
  }
  return { headers, rows, preamble, footer }
}

/** Stable id for a statement row that has no serial number of its own: hash of its cleaned content and ordinal. */
export function rowKey(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0001')).digest('hex').slice(0, 32)
}
