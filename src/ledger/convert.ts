/**
 * Valuing an entry's lines in the merchant's base currency (reference ledger-currency-and-fees §0,
 * §3.7, §6.1). Each line keeps its transaction amount; its base amount is
 *   identity   the line is in the base currency;
 *   table      amount × the rate of the entry's business date (local date in the merchant's zone),
 *              rounded once, half up, to the base currency's minor unit;
 *   book       what the line relieves is worth in the books: the account's balance in that currency
 *              (the order's, for a receivable) pro rata — so settling at another rate than the sale's
 *              leaves the difference, not a wrong balance;
 *   document   an amount the bank or a revaluation states.
 * An entry then balances in base: a difference from book or document values is realised FX
 * (fx_realised); a conversion rounding residue goes to the largest line of the lighter side.
 * A rate that is missing or stale makes the entry wait (held), never a silent 1.0.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { money, round, sum, ZERO, type Decimal } from '../money/index.js'
import type { EntryHead } from './journal.js'
import type { AccountCode, Posting } from './postings.js'
import { fxSettings, minorUnits, RateBook } from './rates.js'
import { localDate } from './statements.js'

export type RateOrigin = 'identity' | 'table' | 'book' | 'document' | 'fx'

export interface ValuedPosting extends Posting {
  base: Decimal
  fxRate: Decimal | null
  rateDate: string | null
  rateSource: string | null
  origin: RateOrigin
}

export type Valuation =
  { ok: true; lines: ValuedPosting[] } | { ok: false; currency: string; rateDate: string; reason: string }

export interface ValueItem {
  head: EntryHead
  postings: readonly Posting[]
  /** When the entry is booked (its business time, or the start of the next open period). */
  at: Date
}

const signed = (p: { side: 'debit' | 'credit' }, d: Decimal) => (p.side === 'debit' ? d : d.neg())

/** Accounts whose book value a line relieves is kept per order. */
const perOrder = (account: string) =>
  account.startsWith('receivable:') || account === 'accrued_commission' || account === 'accrued_payment_fees'

export async function valueEntries(
  db: Executor,
  merchantId: string,
  base: string,
  timezone: string,
  items: readonly ValueItem[],
): Promise<Valuation[]> {
  const dp = minorUnits(base)
  const foreign = (p: Posting) => p.currency !== base && (p.value === undefined || p.value === 'book')
  if (!items.some((i) => i.postings.some((p) => p.currency !== base || p.value !== undefined)))
    return items.map((i) => ({ ok: true, lines: i.postings.map((p) => identity(p)) }))
  const rateDate = (i: ValueItem) => localDate(i.head.rateAt ?? i.head.eventAt, timezone)
  const needs = items.flatMap((i) =>
    i.postings.filter(foreign).map((p) => ({ ccy: p.currency, date: rateDate(i) })),
  )
  const settings = await fxSettings(db, merchantId)
  const rates = await RateBook.load(db, merchantId, settings, needs, base)
  // Lines valued earlier in this call, not yet written: a payout after a sale in one file relieves both.
  const pending: {
    at: number
    account: string
    currency: string
    orderId: string | null
    txn: Decimal
    base: Decimal
  }[] = []
  const out: Valuation[] = []
  for (const item of items) {
    const date = rateDate(item)
    const spot = (p: Posting, amount: Decimal): ValuedPosting | null => {
      const found = rates.find(p.currency, base, date)
      if (!found) return null
      return {
        ...p,
        base: round(amount.mul(found.rate), dp),
        fxRate: found.rate,
        rateDate: found.rateDate,
        rateSource: found.how === 'direct' ? found.source : `${found.source}:${found.how}`,
        origin: 'table',
      }
    }
    const lines: ValuedPosting[] = []
    let missing: string | null = null
    for (const p of item.postings) {
      if (p.value !== undefined && p.value !== 'book') {
        lines.push({
          ...p,
          base: p.value.base,
          fxRate: p.amount.isZero() ? null : p.value.base.div(p.amount),
          rateDate: null,
          rateSource: 'DOCUMENT',
          origin: p.amount.isZero() ? 'fx' : 'document',
        })
        continue
      }
      if (p.currency === base) {
        lines.push(identity(p))
        continue
      }
      if (p.value === 'book') {
        const orderId = perOrder(p.account) ? item.head.orderId : null
        const held = await bookBalance(db, merchantId, p.account, p.currency, orderId, item.at)
        for (const x of pending)
          if (
            x.at <= item.at.getTime() &&
            x.account === p.account &&
            x.currency === p.currency &&
            (orderId === null || x.orderId === orderId)
          ) {
            held.txn = held.txn.plus(x.txn)
            held.base = held.base.plus(x.base)
          }
        const relief = signed(p, p.amount).neg() // what the line takes off the balance, in the balance's sign
        const valued = valueAtBook(held, relief, dp)
        if (valued.rest.isZero()) {
          lines.push({
            ...p,
            base: valued.base.abs(),
            fxRate: p.amount.isZero() ? null : valued.base.abs().div(p.amount),
            rateDate: null,
            rateSource: 'BOOK',
            origin: 'book',
          })
          continue
        }
        const tail = spot(p, valued.rest.abs())
        if (!tail) {
          missing = p.currency
          break
        }
        const total = valued.base.abs().plus(tail.base)
        lines.push({
          ...p,
          base: total,
          fxRate: total.div(p.amount),
          rateDate: tail.rateDate,
          rateSource: 'BOOK',
          origin: 'book',
        })
        continue
      }
      const v = spot(p, p.amount)
      if (!v) {
        missing = p.currency
        break
      }
      lines.push(v)
    }
    if (missing) {
      out.push({
        ok: false,
        currency: missing,
        rateDate: date,
        reason: `no ${missing}→${base} rate on ${date} or in the ${settings.maxStalenessDays} days before (sources: ${settings.sources.join(', ')})`,
      })
      continue
    }
    balanceInBase(lines, base, dp)
    for (const l of lines)
      pending.push({
        at: item.at.getTime(),
        account: l.account,
        currency: l.currency,
        orderId: item.head.orderId,
        txn: signed(l, l.amount),
        base: signed(l, l.base),
      })
    out.push({ ok: true, lines })
  }
  return out
}

const ONE = money(1)

// Its fields one by one, not spread: spreading a posting into a literal with more fields is the
// slow path of V8's object literals, and every line of every posting in the base currency comes here.
const identity = (p: Posting): ValuedPosting => ({
  account: p.account,
  side: p.side,
  amount: p.amount,
  currency: p.currency,
  skuId: p.skuId,
  value: p.value,
  base: p.amount,
  fxRate: ONE,
  rateDate: null,
  rateSource: null,
  origin: 'identity',
})

async function bookBalance(
  db: Executor,
  merchantId: string,
  account: string,
  currency: string,
  orderId: string | null,
  at: Date,
): Promise<{ txn: Decimal; base: Decimal }> {
  let q = db
    .selectFrom('journal_lines')
    .select([
      sql<string | null>`SUM(debit) - SUM(credit)`.as('txn'),
      sql<string | null>`SUM(base_debit) - SUM(base_credit)`.as('base'),
    ])
    .where('merchant_id', '=', merchantId)
    .where('account', '=', account)
    .where('currency', '=', currency)
    .where('event_at', '<=', at)
  if (orderId) q = q.where('order_id', '=', orderId)
  const r = await q.executeTakeFirst()
  return { txn: money(r?.txn ?? '0'), base: money(r?.base ?? '0') }
}

/**
 * Book value of `relief` (in the balance's sign) out of a balance: all of it when the line clears
 * the balance, pro rata when it takes part; what exceeds the balance (or a balance of the other
 * sign) is `rest`, valued at the day's rate by the caller.
 */
export function valueAtBook(
  balance: { txn: Decimal; base: Decimal },
  relief: Decimal,
  dp: number,
): { base: Decimal; rest: Decimal } {
  if (balance.txn.isZero() || balance.txn.isNegative() !== relief.isNegative())
    return { base: ZERO, rest: relief }
  if (relief.abs().gte(balance.txn.abs())) return { base: balance.base, rest: relief.minus(balance.txn) }
  return { base: round(balance.base.mul(relief).div(balance.txn), dp), rest: ZERO }
}

/** Make an entry balance in base: realised FX where book or document values meet, else the rounding residue. */
export function balanceInBase(lines: ValuedPosting[], base: string, dp: number): void {
  const debit = sum(lines.filter((l) => l.side === 'debit').map((l) => l.base))
  const credit = sum(lines.filter((l) => l.side === 'credit').map((l) => l.base))
  const diff = debit.minus(credit)
  if (diff.isZero()) return
  const realises =
    lines.some((l) => l.origin === 'book' || l.origin === 'document') ||
    new Set(lines.map((l) => l.currency)).size > 1
  if (realises) {
    lines.push({
      account: 'fx_realised' as AccountCode,
      side: diff.isNegative() ? 'debit' : 'credit',
      amount: ZERO,
      currency: base,
      skuId: null,
      base: diff.abs(),
      fxRate: null,
      rateDate: null,
      rateSource: null,
      origin: 'fx',
    })
    return
  }
  // Rounding: each line was rounded on its own; the residue (a cent or so) goes on the largest line of the lighter side.
  if (diff.abs().gt(money(1).div(money(10).pow(dp)).mul(lines.length)))
    throw new Error(`conversion residue ${diff.toFixed()} is more than rounding`)
  const side = diff.isNegative() ? 'debit' : 'credit'
  const largest = lines.filter((l) => l.side === side).reduce((a, b) => (b.base.gt(a.base) ? b : a))
  largest.base = largest.base.plus(diff.abs())
  if (!largest.amount.isZero()) largest.fxRate = largest.base.div(largest.amount)
}
