/**
 * JSON parsing that keeps big integers exact: platform ids of 19 digits (Taobao tid, JD orderId,
 * Douyin order_id) do not fit a JS number. Integers with more than 15 digits become strings;
 * everything else parses as usual. Numbers with a fraction (PDD yuan amounts) are kept as their
 * source text too, so money never passes through a float.
 */

export function parseJsonExact(text: string): unknown {
  return JSON.parse(quoteUnsafeNumbers(text))
}

/** Wrap every long integer and every fractional number outside strings in quotes. */
export function quoteUnsafeNumbers(text: string): string {
  let out = ''
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text[i]!
    if (c === '"') {
      const start = i
      i++
      while (i < n) {
        const d = text[i]
        if (d === '\\') i += 2
        else if (d === '"') {
          i++
          break
        } else i++
      }
      out += text.slice(start, i)
      continue
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const start = i
      i++
      while (i < n && /[0-9eE.+-]/.test(text[i]!)) i++
      const num = text.slice(start, i)
      const digits = num.replace(/^-/, '')
      const unsafe = /[.eE]/.test(num) || digits.length > 15
      out += unsafe ? `"${num}"` : num
      continue
    }
    out += c
    i++
  }
  return out
}

/** Read a field as an id string whatever JSON type it came in. */
export function idString(v: unknown): string | null {
  if (typeof v === 'string') return v === '' ? null : v
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v)
  if (typeof v === 'bigint') return v.toString()
  return null
}
