/**
 * Walking order of bin location codes: codes such as "A-02-10" or "B3-1-4" are split into letter
 * and number segments and compared segment by segment, numbers numerically, so A-2 comes before
 * A-10 and a picker walks aisle by aisle, rack by rack. Items without a bin go last.
 */
const SEGMENT = /(\d+)|([^\d\W_]+)/gu

function segments(code: string): (string | number)[] {
  const out: (string | number)[] = []
  for (const m of code.toUpperCase().matchAll(SEGMENT)) out.push(m[1] !== undefined ? Number(m[1]) : m[2]!)
  return out
}

export function compareBins(a: string | null, b: string | null): number {
  if (a === b) return 0
  if (a === null) return 1
  if (b === null) return -1
  const x = segments(a)
  const y = segments(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!
    const q = y[i]!
    if (p === q) continue
    if (typeof p === 'number' && typeof q === 'number') return p - q
    if (typeof p === 'number') return -1 // digits before letters within one position
    if (typeof q === 'number') return 1
    return p < q ? -1 : 1
  }
  return x.length - y.length || (a < b ? -1 : 1)
}
