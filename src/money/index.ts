/**
 * The only place that converts between strings and Decimal, rounds and apportions money.
 * Amounts travel as decimal strings (JSON, job payloads, SQL DECIMAL) and are Decimal in code.
 *
 * One rounding rule: half up (away from zero on a tie) to the cent, the convention of Chinese
 * invoices and of the platforms' bills — 0.125 → 0.13, −0.125 → −0.13. `round` is the only rounding
 * of an amount; `apportion` truncates shares and gives the remainder to the last one, so shares
 * always add up exactly. The Decimal exported here is the one configuration in the code base
 * (34 significant digits, half up): nothing else imports decimal.js (eslint holds that line).
 */
import { Decimal as DecimalJs } from 'decimal.js'

export const Decimal = DecimalJs.clone({ precision: 34, rounding: DecimalJs.ROUND_HALF_UP })
export type Decimal = DecimalJs
/** The same configuration under its older name. */
export const Money = Decimal
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

/**
 * The money rounding: half up to `dp` places (cents by default). Explicit about the mode, so a
 * Decimal made anywhere (another configuration, a library) rounds the same way.
 */
export const round = (d: Decimal, dp = 2): Decimal => new Money(d).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP)
/** Cut to `dp` places towards zero (a share before its remainder is added: apportion, discounts). */
export const truncate = (d: Decimal, dp = 2): Decimal => new Money(d).toDecimalPlaces(dp, Decimal.ROUND_DOWN)

/** Fixed-scale string for SQL DECIMAL(18,4) and JSON. */
export const toDb = (d: Decimal): string => d.toFixed(4, Decimal.ROUND_HALF_UP)
/** Two-decimal display string (currency amounts), rounded half up. */
export const toAmount = (d: Decimal, dp = 2): string => d.toFixed(dp, Decimal.ROUND_HALF_UP)

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
    : weights.map((w) => truncate(new Money(total).mul(w).div(weightSum), dp))
  const last = shares.length - 1
  shares[last] = shares[last]!.plus(total.minus(sum(shares)))
  return shares
}
