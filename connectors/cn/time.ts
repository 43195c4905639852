/**
 * China-platform time helpers. TOP, JD and PDD detail strings are Beijing wall time (GMT+8, no
 * DST) without a zone; window parameters are that text or epoch seconds. Pure, no clock.
 */
import type { TimeWindow } from '../types.js'

const OFFSET_MS = 8 * 3600_000

/** 'yyyy-MM-dd HH:mm:ss' in Asia/Shanghai. */
export function toShanghai(d: Date): string {
  return new Date(d.getTime() + OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')
}

/** 'yyyy-MM-dd HH:mm:ss' (or with 'T', optional millis) as Asia/Shanghai wall time → Date; null when unreadable. */
export function fromShanghai(text: unknown): Date | null {
  if (typeof text !== 'string') return null
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?$/.exec(text.trim())
  if (!m) return null
  const ms = Date.UTC(
    +m[1]!,
    +m[2]! - 1,
    +m[3]!,
    +m[4]!,
    +m[5]!,
    +m[6]!,
    m[7] ? Math.round(Number(m[7]) * 1000) : 0,
  )
  return Number.isNaN(ms) ? null : new Date(ms - OFFSET_MS)
}

/** Epoch seconds (number or digit string) → Date; null when absent or zero. */
export function fromEpochSeconds(v: unknown): Date | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000) : null
}

export const toEpochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000)

/**
 * Split [from, to) into consecutive windows no longer than maxMs (the platform's cap), in order.
 * An empty window yields nothing.
 */
export function splitWindow(window: TimeWindow, maxMs: number): TimeWindow[] {
  if (!(maxMs > 0)) throw new Error('splitWindow: maxMs must be positive')
  const out: TimeWindow[] = []
  for (let t = window.from.getTime(); t < window.to.getTime(); t += maxMs) {
    out.push({ from: new Date(t), to: new Date(Math.min(t + maxMs, window.to.getTime())) })
  }
  return out
}
