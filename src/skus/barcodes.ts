/**
 * Barcodes of a SKU and the one resolver every scan field uses: a scan is a SKU code or one of the
 * merchant's barcodes (EAN-13 with its check digit, Code128, a platform's item code). Validation is
 * pure; the SQL sits below it.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import type { BarcodeKind } from '../inventory/tables.js'
import { toSku, type Sku } from './repo.js'

/** The check digit an EAN-13 (or a 12-digit body) must end with: weights 1,3,1,3… from the left. */
export function ean13CheckDigit(first12: string): number {
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3)
  return (10 - (sum % 10)) % 10
}

/** Why a barcode of that kind is not valid, or null when it is. */
export function barcodeProblem(kind: BarcodeKind, code: string): string | null {
  switch (kind) {
    case 'ean13': {
      if (!/^\d{13}$/.test(code)) return 'an EAN-13 is 13 digits'
      const want = ean13CheckDigit(code.slice(0, 12))
      return Number(code[12]) === want ? null : `check digit is ${code[12]}, should be ${want}`
    }
    case 'code128':
      return /^[\x20-\x7e]{1,80}$/.test(code) && code.trim() === code
        ? null
        : 'a Code128 is 1–80 printable ASCII characters, no leading or trailing space'
    case 'platform':
      return /^\S{1,128}$/.test(code) ? null : 'a platform item code has no spaces'
  }
}

export interface Barcode {
  code: string
  kind: BarcodeKind
}

export async function barcodesOf(
  db: Executor,
  merchantId: string,
  skuIds: readonly string[],
): Promise<Map<string, Barcode[]>> {
  const out = new Map<string, Barcode[]>()
  if (skuIds.length === 0) return out
  const rows = await db
    .selectFrom('sku_barcodes')
    .select(['sku_id', 'code', 'kind'])
    .where('merchant_id', '=', merchantId)
    .where('sku_id', 'in', [...new Set(skuIds)])
    .orderBy('created_at')
    .orderBy('code')
    .execute()
  for (const r of rows) {
    const list = out.get(r.sku_id) ?? []
    list.push({ code: r.code, kind: r.kind })
    out.set(r.sku_id, list)
  }
  return out
}

export class BarcodeTaken extends Error {
  override name = 'BarcodeTaken'
  constructor(
    readonly index: number,
    readonly code: string,
    readonly skuCode: string,
  ) {
    super(`barcode ${code} already belongs to SKU ${skuCode}`)
  }
}

/**
 * Replace the barcodes of a SKU with `items` (one transaction). A code another SKU of the merchant
 * holds, as a barcode or as its SKU code, is refused: a scan must name one SKU.
 */
export async function setBarcodes(
  db: Executor,
  merchantId: string,
  skuId: string,
  items: readonly Barcode[],
): Promise<void> {
  await withTx(db, async (tx) => {
    const codes = items.map((i) => i.code)
    if (codes.length > 0) {
      const [taken, asCode] = await Promise.all([
        tx
          .selectFrom('sku_barcodes as b')
          .innerJoin('skus as k', 'k.id', 'b.sku_id')
          .select(['b.code', 'k.code as sku_code'])
          .where('b.merchant_id', '=', merchantId)
          .where('b.code', 'in', codes)
          .where('b.sku_id', '<>', skuId)
          .forUpdate()
          .execute(),
        tx
          .selectFrom('skus')
          .select(['code'])
          .where('merchant_id', '=', merchantId)
          .where('code', 'in', codes)
          .where('id', '<>', skuId)
          .execute(),
      ])
      const clash = taken[0] ?? (asCode[0] && { code: asCode[0].code, sku_code: asCode[0].code })
      if (clash) throw new BarcodeTaken(codes.indexOf(clash.code), clash.code, clash.sku_code)
    }
    await tx
      .deleteFrom('sku_barcodes')
      .where('merchant_id', '=', merchantId)
      .where('sku_id', '=', skuId)
      .execute()
    if (items.length > 0)
      await tx
        .insertInto('sku_barcodes')
        .values(items.map((i) => ({ merchant_id: merchantId, sku_id: skuId, code: i.code, kind: i.kind })))
        .execute()
  })
}

export type ScanMatch = 'sku_code' | BarcodeKind

/**
 * "scan → SKU": the SKU whose code is the scan, else the SKU holding it as a barcode. A 12-digit
 * UPC-A is also tried as the EAN-13 it is (a leading 0). Scanners add stray whitespace: trimmed.
 */
export async function resolveScan(
  db: Executor,
  merchantId: string,
  scan: string,
): Promise<{ sku: Sku; matchedBy: ScanMatch; barcode: string | null } | null> {
  const code = scan.trim()
  if (!code) return null
  const byCode = await db
    .selectFrom('skus')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('code', '=', code)
    .executeTakeFirst()
  if (byCode) return { sku: toSku(byCode), matchedBy: 'sku_code', barcode: null }
  const candidates = /^\d{12}$/.test(code) ? [code, `0${code}`] : [code]
  const hit = await db
    .selectFrom('sku_barcodes as b')
    .innerJoin('skus as k', 'k.id', 'b.sku_id')
    .selectAll('k')
    .select(['b.kind as barcode_kind', 'b.code as barcode_code'])
    .where('b.merchant_id', '=', merchantId)
    .where('b.code', 'in', candidates)
    .orderBy(sql`b.code = ${code}`, 'desc')
    .executeTakeFirst()
  if (hit) {
    const { barcode_kind, barcode_code, ...sku } = hit
    return { sku: toSku(sku), matchedBy: barcode_kind, barcode: barcode_code }
  }
  // The SKU's own barcode field (POST /skus/bulk `barcode`), read as a Code 128 label.
  const legacy = await db
    .selectFrom('skus')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('barcode', 'in', candidates)
    .orderBy('code')
    .executeTakeFirst()
  return legacy ? { sku: toSku(legacy), matchedBy: 'code128', barcode: legacy.barcode } : null
}
