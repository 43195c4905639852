/**
 * What a scanned code names on the warehouse floor: a SKU by its code or one of its barcodes,
 * through the one scan resolver every scan field uses (src/skus/barcodes.ts).
 */
import type { Executor } from '../db/connect.js'
import { resolveScan as resolveSkuScan } from '../skus/barcodes.js'

export interface ScannedSku {
  id: string
  code: string
  name: string
}

/** The SKU a scan names, as a list (empty when none: the floor's screens say which code). */
export async function resolveScan(db: Executor, merchantId: string, code: string): Promise<ScannedSku[]> {
  const hit = await resolveSkuScan(db, merchantId, code)
  return hit ? [{ id: hit.sku.id, code: hit.sku.code, name: hit.sku.name }] : []
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
