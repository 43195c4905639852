/**
 * SKU mappings as a spreadsheet: the export lists every listing SKU of the merchant's shops (and
 * every link whose listing the hub has not pulled) with its merchant SKU code; the import reads
 * the same sheet back, row by row. Import is per row: each good row is saved, each bad row is
 * reported with its values and the reason and changes nothing, and a dry run reports without
 * saving. A blank merchant SKU code leaves the row's link as it is.
 */
import ExcelJS from 'exceljs'
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { chunk } from '../lib/collections.js'
import { RANK, STATES } from './queries.js'

export const EXPORT_HEADER = [
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
] as const
export const EXPORT_ROWS_MAX = 100_000
export const IMPORT_ROWS_MAX = 50_000

export async function exportRows(
  db: Executor,
  merchantId: string,
  shopId: string | undefined,
): Promise<(string | null)[][]> {
  let listed = db
    .selectFrom('channel_listing_skus as l')
    .innerJoin('channel_listings as i', (j) =>
      j.onRef('i.merchant_id', '=', 'l.merchant_id').onRef('i.id', '=', 'l.listing_id'),
    )
    .innerJoin('shops as h', (j) =>
      j.onRef('h.merchant_id', '=', 'l.merchant_id').onRef('h.id', '=', 'l.shop_id'),
    )
    .leftJoin('sku_mappings as m', (j) =>
      j
        .onRef('m.merchant_id', '=', 'l.merchant_id')
        .onRef('m.shop_id', '=', 'l.shop_id')
        .onRef('m.platform_sku_key', '=', 'l.platform_sku_key'),
    )
    .leftJoin('skus as s', (j) =>
      j.onRef('s.merchant_id', '=', 'm.merchant_id').onRef('s.id', '=', 'm.sku_id'),
    )
    .select([
      'l.shop_id',
      'h.name as shop_name',
      'h.channel',
      'l.platform_item_id',
      'l.platform_sku_key',
      'i.title',
      'l.spec_text',
      'l.code_raw',
      'l.barcode',
      'l.platform_qty',
      'l.issue',
      'm.id as mapping_id',
      's.code as sku_code',
      'm.source',
      RANK.as('rank'),
    ])
    .where('l.merchant_id', '=', merchantId)
    .where(RANK, '<', 3)
  if (shopId) listed = listed.where('l.shop_id', '=', shopId)
  const rows = await listed
    .orderBy('l.shop_id')
    .orderBy(RANK)
    .orderBy('l.id')
    .limit(EXPORT_ROWS_MAX + 1)
    .execute()
  // Links whose listing was never pulled (made by hand, in bulk or from orders).
  let orphans = db
    .selectFrom('sku_mappings as m')
    .innerJoin('shops as h', (j) =>
      j.onRef('h.merchant_id', '=', 'm.merchant_id').onRef('h.id', '=', 'm.shop_id'),
    )
    .innerJoin('skus as s', (j) =>
      j.onRef('s.merchant_id', '=', 'm.merchant_id').onRef('s.id', '=', 'm.sku_id'),
    )
    .leftJoin('channel_listing_skus as l', (j) =>
      j
        .onRef('l.merchant_id', '=', 'm.merchant_id')
        .onRef('l.shop_id', '=', 'm.shop_id')
        .onRef('l.platform_sku_key', '=', 'm.platform_sku_key'),
    )
    .select([
      'm.shop_id',
      'h.name as shop_name',
      'h.channel',
      'm.platform_item_id',
      'm.platform_sku_key',
      'm.outer_code',
      's.code as sku_code',
      'm.source',
    ])
    .where('m.merchant_id', '=', merchantId)
    .where('l.id', 'is', null)
  if (shopId) orphans = orphans.where('m.shop_id', '=', shopId)
  const extra = await orphans
    .orderBy('m.shop_id')
    .orderBy('m.platform_sku_key')
    .limit(EXPORT_ROWS_MAX + 1)
    .execute()
  if (rows.length + extra.length > EXPORT_ROWS_MAX) throw new TooManyRows()
  const issueOf = (r: (typeof rows)[number]) =>
    r.issue === 'mapping_differs' && r.mapping_id === null ? null : r.issue
  return [
    ...rows.map((r) => [
      r.shop_id,
      r.shop_name,
      r.channel,
      r.platform_item_id,
      r.platform_sku_key,
      r.title,
      r.spec_text,
      r.code_raw,
      r.barcode,
      r.platform_qty === null ? null : String(r.platform_qty),
      STATES[Number(r.rank)] ?? null,
      issueOf(r),
      r.sku_code,
      r.source,
    ]),
    ...extra.map((r) => [
      r.shop_id,
      r.shop_name,
      r.channel,
      r.platform_item_id,
      r.platform_sku_key,
      null,
      null,
      r.outer_code,
      null,
      null,
      'mapped',
      null,
      r.sku_code,
      r.source,
    ]),
  ]
}

export class TooManyRows extends Error {}

// ---------------------------------------------------------------------------------------------
// Reading a sheet
// ---------------------------------------------------------------------------------------------

export interface ImportRow {
  /** The row number in the sheet (1-based, as the spreadsheet shows it). */
  row: number
  shopId: string
  platformSkuKey: string
  merchantSkuCode: string
  /** Why the row cannot be read at all (a spreadsheet-mangled id, a missing value). */
  problem: string | null
}

export class SheetError extends Error {}

/** A cell as text; ids the spreadsheet turned into numbers beyond 2^53 are refused, not guessed. */
function cellText(v: ExcelJS.CellValue, column: string): { text: string; problem: string | null } {
  if (v === null || v === undefined) return { text: '', problem: null }
  if (typeof v === 'string') return { text: v.trim(), problem: null }
  if (typeof v === 'number')
    return Number.isSafeInteger(v)
      ? { text: String(v), problem: null }
      : {
          text: String(v),
          problem: `${column} was turned into the number ${v} by the spreadsheet: format the column as text and type it again`,
        }
  if (typeof v === 'boolean') return { text: String(v), problem: null }
  if (v instanceof Date) return { text: '', problem: `${column} is a date, not a code` }
  if ('richText' in v)
    return {
      text: v.richText
        .map((t) => t.text)
        .join('')
        .trim(),
      problem: null,
    }
  if ('text' in v && typeof v.text === 'string') return { text: v.text.trim(), problem: null }
  if ('result' in v) return cellText((v.result ?? null) as ExcelJS.CellValue, column)
  return { text: '', problem: `${column} cannot be read` }
}

export async function readSheet(bytes: Buffer): Promise<ImportRow[]> {
  if (bytes.length < 4 || bytes.readUInt32LE(0) !== 0x04034b50)
    throw new SheetError('the body is not an XLSX file: send the workbook GET /sku-mappings/export produced')
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer)
  } catch (err) {
    throw new SheetError(`the XLSX file cannot be opened: ${(err as Error).message}`)
  }
  for (const ws of wb.worksheets) {
    let columns: Map<string, number> | null = null
    let headerRow = 0
    for (let r = 1; r <= Math.min(ws.rowCount, 10) && !columns; r++) {
      const names = new Map<string, number>()
      ws.getRow(r).eachCell((cell, col) => {
        const t = cellText(cell.value, '').text
        if (t) names.set(t, col)
      })
      if (names.has('shopId') && names.has('platformSkuKey') && names.has('merchantSkuCode')) {
        columns = names
        headerRow = r
      }
    }
    if (!columns) continue
    const rows: ImportRow[] = []
    for (let r = headerRow + 1; r <= ws.rowCount; r++) {
      const row = ws.getRow(r)
      const read = (name: string) => cellText(row.getCell(columns.get(name)!).value, name)
      const shop = read('shopId')
      const key = read('platformSkuKey')
      const code = read('merchantSkuCode')
      if (!shop.text && !key.text && !code.text) continue
      if (rows.length >= IMPORT_ROWS_MAX)
        throw new SheetError(`the sheet has more than ${IMPORT_ROWS_MAX} rows: import it in parts`)
      rows.push({
        row: r,
        shopId: shop.text,
        platformSkuKey: key.text,
        merchantSkuCode: code.text,
        problem: shop.problem ?? key.problem ?? code.problem,
      })
    }
    return rows
  }
  throw new SheetError('no sheet has the header row shopId, platformSkuKey, merchantSkuCode')
}

// ---------------------------------------------------------------------------------------------
// Planning an import (pure) — what each row would do
// ---------------------------------------------------------------------------------------------

export interface ImportTarget {
  listingSkuId: string | null
  platformItemId: string | null
  platformSkuId: string | null
  code: string | null
  currentSkuId: string | null
}

export type RowOutcome =
  | {
      row: number
      action: 'save'
      shopId: string
      platformSkuKey: string
      skuId: string
      target: ImportTarget
    }
  | { row: number; action: 'unchanged' | 'skipped' }
  | { row: number; action: 'reject'; reason: string }

export function planImport(
  rows: readonly ImportRow[],
  shops: ReadonlySet<string>,
  targets: ReadonlyMap<string, ImportTarget>,
  skuIdOf: (code: string) => string | undefined,
): RowOutcome[] {
  const first = new Map<string, number>()
  return rows.map((r): RowOutcome => {
    const reject = (reason: string) => ({ row: r.row, action: 'reject' as const, reason })
    if (r.problem) return reject(r.problem)
    if (!r.shopId) return reject('shopId is empty')
    if (!r.platformSkuKey) return reject('platformSkuKey is empty')
    if (!shops.has(r.shopId)) return reject(`shop ${r.shopId} is not one of yours`)
    const k = `${r.shopId}|${r.platformSkuKey}`
    const seen = first.get(k)
    if (seen !== undefined) return reject(`repeats row ${seen} (the same shop and platformSkuKey)`)
    first.set(k, r.row)
    if (!r.merchantSkuCode) return { row: r.row, action: 'skipped' }
    const target = targets.get(k)
    if (!target)
      return reject('no listing SKU or link of this shop has this platformSkuKey: pull the catalogue first')
    const skuId = skuIdOf(r.merchantSkuCode)
    if (!skuId) return reject(`no merchant SKU has the code ${r.merchantSkuCode}`)
    if (target.currentSkuId === skuId) return { row: r.row, action: 'unchanged' }
    return { row: r.row, action: 'save', shopId: r.shopId, platformSkuKey: r.platformSkuKey, skuId, target }
  })
}

/** Listing SKUs and links of the rows' keys, in batches (no N+1). */
export async function loadTargets(
  db: Executor,
  merchantId: string,
  rows: readonly ImportRow[],
): Promise<Map<string, ImportTarget>> {
  const out = new Map<string, ImportTarget>()
  const keys = [
    ...new Set(
      rows.filter((r) => r.shopId && r.platformSkuKey).map((r) => `${r.shopId}|${r.platformSkuKey}`),
    ),
  ]
  for (const part of chunk(keys, 500)) {
    const pairs = part.map((k) => k.split('|') as [string, string])
    const inPairs = sql.join(pairs.map(([s, key]) => sql`(${s}, ${key})`))
    const listed = await db
      .selectFrom('channel_listing_skus as l')
      .leftJoin('sku_mappings as m', (j) =>
        j
          .onRef('m.merchant_id', '=', 'l.merchant_id')
          .onRef('m.shop_id', '=', 'l.shop_id')
          .onRef('m.platform_sku_key', '=', 'l.platform_sku_key'),
      )
      .select([
        'l.id',
        'l.shop_id',
        'l.platform_sku_key',
        'l.platform_item_id',
        'l.platform_sku_id',
        'l.code_raw',
        'm.sku_id',
      ])
      .where('l.merchant_id', '=', merchantId)
      .where(sql<boolean>`(l.shop_id, l.platform_sku_key) IN (${inPairs})`)
      .execute()
    for (const r of listed)
      out.set(`${r.shop_id}|${r.platform_sku_key}`, {
        listingSkuId: r.id,
        platformItemId: r.platform_item_id,
        platformSkuId: r.platform_sku_id,
        code: r.code_raw,
        currentSkuId: r.sku_id,
      })
    const linked = await db
      .selectFrom('sku_mappings')
      .select(['shop_id', 'platform_sku_key', 'platform_item_id', 'platform_sku_id', 'outer_code', 'sku_id'])
      .where('merchant_id', '=', merchantId)
      .where(sql<boolean>`(shop_id, platform_sku_key) IN (${inPairs})`)
      .execute()
    for (const r of linked) {
      const k = `${r.shop_id}|${r.platform_sku_key}`
      if (!out.has(k))
        out.set(k, {
          listingSkuId: null,
          platformItemId: r.platform_item_id,
          platformSkuId: r.platform_sku_id,
          code: r.outer_code,
          currentSkuId: r.sku_id,
        })
    }
  }
  return out
}
