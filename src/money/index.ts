/**
 * The only place that converts between strings and Decimal, rounds and apportions money.
 * Amounts travel as decimal strings (JSON, job payloads, SQL DECIMAL) and are Decimal in code.
 */
import { Decimal } from 'decimal.js'

export const Money = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_EVEN })
export type Money = Decimal

export const ZERO = new Money(0)

const DECIMAL_RE = /^-?\d+(\.\d+)?$/

/** Parse an exact decimal string (or an integer); throws on anything a float could have mangled. */
export function money(value: string | number | bigint | Decimal): Decimal {
  if (Decimal.isDecimal(value)) return new Money(value)
  if (typeof value === 'bigint') return new Money(value.toString())
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`refusing a non-integer JS number as money: ${value}`)
    return new Money(value)
  }
  const s = value.trim()
  if (!DECIMAL_RE.test(s)) throw new Error(`not a decimal amount: "${value}"`)
  return new Money(s)
}

/** Like money(), but returns null for anything that is not an exact decimal. */
export function tryMoney(value: unknown): Decimal | null {
  if (typeof value !== 'string' && typeof value !== 'bigint' && typeof value !== 'number') return null
  try {
    return money(value)
  } catch {
    return null
  }
}

/** Integer minor units (e.g. Douyin fen) → Decimal major units, exactly. */
export function fromMinor(minor: string | number | bigint, exponent = 2): Decimal {
  return money(typeof minor === 'string' ? minor : BigInt(minor)).div(new Money(10).pow(exponent))
}

/** Fixed-scale string for SQL DECIMAL(18,4) and JSON. */
export const toDb = (d: Decimal): string => d.toFixed(4)
/** Two-decimal display string (currency amounts). */
export const toAmount = (d: Decimal, dp = 2): string => d.toFixed(dp)

export const sum = (values: readonly Decimal[]): Decimal => values.reduce<Decimal>((a, b) => a.plus(b), ZERO)

/**
 * Split `total` over `weights` proportionally, rounded down to `dp` places, remainder to the last
 * share (DESIGN.md). The shares sum to `total` exactly. With zero weights everything goes to the
 * last share. Callers that need "never negative" pass non-negative totals and weights.
 */
export function apportion(total: Decimal, weights: readonly Decimal[], dp = 2): Decimal[] {
  if (weights.length === 0) return []
  const weightSum = sum(weights)
  const shares = weightSum.isZero()
    ? weights.map(() => ZERO)
    : weights.map((w) => total.mul(w).div(weightSum).toDecimalPlaces(dp, Decimal.ROUND_DOWN))
  const last = shares.length - 1
  shares[last] = shares[last]!.plus(total.minus(sum(shares)))
  return shares
}

export { Decimal }
