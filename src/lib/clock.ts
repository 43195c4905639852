/** The only source of "now" for domain code; tests pass a fixed clock. */
export interface Clock {
  now(): Date
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
}

/**
 * An ENTREPOT_CLOCK_OFFSET value in milliseconds: a signed whole number with a unit (`1y`, `-30d`,
 * `+90m`, `1500ms`; ms s m h d w y, a year being 365 days), or `0`. Empty means no offset.
 */
export function parseClockOffset(text: string | undefined): number {
  const s = (text ?? '').trim()
  if (s === '' || s === '0') return 0
  const m = /^([+-]?\d{1,9})(ms|s|m|h|d|w|y)$/.exec(s)
  if (!m) throw new Error(`not a clock offset: "${text}" (a signed whole number and a unit: 1y, -30d, 90m)`)
  return Number(m[1]) * UNIT_MS[m[2]!]!
}

/** The system clock moved by a fixed amount. */
export function offsetClock(offsetMs: number): Clock {
  return offsetMs === 0 ? { now: () => new Date() } : { now: () => new Date(Date.now() + offsetMs) }
}

let systemOffsetMs: number | undefined

/**
 * The process's clock: the system time moved by ENTREPOT_CLOCK_OFFSET, so that the whole suite
 * (`npm run test:future`) or a demo can run as if it were another day. This is the one variable
 * read outside config/: the clock is needed by code that never sees the configuration (the sandbox
 * marketplaces, tests). loadConfig validates it and refuses it in production.
 */
export const systemClock: Clock = {
  now: () => {
    systemOffsetMs ??= parseClockOffset(process.env.ENTREPOT_CLOCK_OFFSET)
    return new Date(Date.now() + systemOffsetMs)
  },
}

export function fixedClock(
  at: Date | string,
): Clock & { set(at: Date | string): void; advance(ms: number): void } {
  let current = new Date(at)
  return {
    now: () => new Date(current),
    set: (t) => {
      current = new Date(t)
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms)
    },
  }
}
