/**
 * What a scanned code names on the warehouse floor: a SKU by its code or its barcode.
 * @TODO when the stock module's scan resolver (several barcodes per SKU) lands, call it from here:
 * every floor screen resolves through this one function.
 */
import type { Executor } from '../db/connect.js'

export interface ScannedSku {
  id: string
  code: string
  name: string
}

/** The SKUs a scan may mean (usually one; a shared barcode can name several). */
export async function resolveScan(db: Executor, merchantId: string, code: string): Promise<ScannedSku[]> {
  const value = code.trim()
  if (value === '') return []
  return db
    .selectFrom('skus')
    .select(['id', 'code', 'name'])
    .where('merchant_id', '=', merchantId)
    .where((eb) => eb.or([eb('code', '=', value), eb('barcode', '=', value)]))
    .orderBy('code')
    .limit(20)
    .execute()
}

/** 波次号 as people read and scan it: W000012. */
export const waveCode = (n: number | null, id: string): string =>
  n === null ? id : `W${String(n).padStart(6, '0')}`

/** W000012 → 12; anything else → null. */
export function parseWaveCode(code: string): number | null {
  const m = /^W(\d{1,9})$/i.exec(code.trim())
  return m ? Number(m[1]) : null
}

/** A sorting-wall slot's code, W000012-03 → { wave: 12, slot: 3 }. */
export function parseSlotCode(code: string): { wave: number; slot: number } | null {
  const m = /^W(\d{1,9})-(\d{1,4})$/i.exec(code.trim())
  return m ? { wave: Number(m[1]), slot: Number(m[2]) } : null
}

export const slotCode = (wave: number | null, id: string, slot: number): string =>
  `${waveCode(wave, id)}-${String(slot).padStart(2, '0')}`
