/**
 * Times in the merchant's zone, one format for the whole console: 2026-12-07 14:05 (and the date
 * alone, 2026-12-07). The zone is always given: the browser's own zone never leaks in.
 */
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string, withTime: boolean, seconds: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withTime}|${seconds}`
  let f = formatters.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
      ...(seconds ? { second: '2-digit' } : {}),
    })
    formatters.set(key, f)
  }
  return f
}

export function formatTime(
  iso: string | Date | null | undefined,
  timeZone: string,
  opts: { seconds?: boolean; dateOnly?: boolean } = {},
): string {
  if (!iso) return ''
  const d = iso instanceof Date ? iso : new Date(iso)
  if (Number.isNaN(d.getTime())) return typeof iso === 'string' ? iso : ''
  const parts = Object.fromEntries(
    formatter(timeZone, !opts.dateOnly, !!opts.seconds)
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  )
  const date = `${parts.year}-${parts.month}-${parts.day}`
  if (opts.dateOnly) return date
  return `${date} ${parts.hour}:${parts.minute}${opts.seconds ? `:${parts.second}` : ''}`
}

/**
 * The UTC instant of midnight starting a local date (YYYY-MM-DD) in a zone, for date filters: the
 * day a person picks is the merchant's day, not the browser's.
 */
export function zonedMidnight(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const guess = Date.UTC(y, m - 1, d)
  // The zone's offset at that moment, then once more at the corrected moment (DST edges).
  let at = guess - offsetMs(new Date(guess), timeZone)
  at = guess - offsetMs(new Date(at), timeZone)
  return new Date(at)
}

function offsetMs(at: Date, timeZone: string): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  )
  const asUtc = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!)
  return asUtc - Math.floor(at.getTime() / 1000) * 1000
}
