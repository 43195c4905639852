/**
 * The merchant's rate table: rates as published (normalised to "quote per 1 base", the published
 * value kept beside), and the lookup the journal converts with. A rate is looked for in the
 * merchant's sources in priority order: the latest one on or before the business date, no older
 * than the staleness limit; direct, inverse, or crossed through a pivot currency of the same
 * source and day. Nothing is ever assumed: no rate is a missing rate (never 1.0).
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { chunk } from '../lib/collections.js'
import { money, type Decimal } from '../money/index.js'

export interface RateQuote {
  source: string
  rateDate: string
  /** The currency priced. */
  baseCcy: string
  /** The currency it is priced in. */
  quoteCcy: string
  unit: number
  /** The value as published (per `unit`). */
  quoted: string
  /** quoteCcy per 1 baseCcy. */
  rate: Decimal
}

export interface FxSettings {
  sources: string[]
  maxStalenessDays: number
  revaluation: 'month_end' | 'none'
}

export const DEFAULT_SOURCES = ['MANUAL', 'CSV', 'CFETS', 'ECB']
export const DEFAULT_FX: FxSettings = {
  sources: DEFAULT_SOURCES,
  maxStalenessDays: 5,
  revaluation: 'month_end',
}

export async function fxSettings(db: Executor, merchantId: string): Promise<FxSettings> {
  const row = await db
    .selectFrom('ledger_settings')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
  if (!row) return DEFAULT_FX
  const sources: unknown =
    typeof row.rate_sources === 'string' ? JSON.parse(row.rate_sources) : row.rate_sources
  return {
    sources: Array.isArray(sources) && sources.length > 0 ? (sources as string[]) : DEFAULT_SOURCES,
    maxStalenessDays: row.max_staleness_days,
    revaluation: row.revaluation,
  }
}

/** Minor units of a currency (ISO 4217): how a base amount is rounded. */
const MINOR: Record<string, number> = { JPY: 0, KRW: 0, VND: 0, BHD: 3, KWD: 3, OMR: 3, TND: 3 }
export const minorUnits = (ccy: string): number => MINOR[ccy] ?? 2

export const ymd = (v: Date | string): string =>
  typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10)

export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)

export interface FoundRate {
  rate: Decimal
  rateDate: string
  source: string
  /** How it was found: the pair as published, its inverse, or a cross through a pivot. */
  how: 'direct' | 'inverse' | `cross:${string}`
}

type Row = { source: string; rate_date: string; base_ccy: string; quote_ccy: string; rate: Decimal }

const PIVOTS = ['EUR', 'USD', 'CNY']

/**
 * The rates a set of conversions needs, read at once: every row of the merchant for the currencies
 * involved (and the pivots) from the earliest date less the staleness limit to the latest date.
 */
export class RateBook {
  private constructor(
    private readonly rows: Row[],
    private readonly settings: FxSettings,
  ) {}

  static async load(
    db: Executor,
    merchantId: string,
    settings: FxSettings,
    needs: readonly { ccy: string; date: string }[],
    base: string,
  ): Promise<RateBook> {
    if (needs.length === 0) return new RateBook([], settings)
    const dates = needs.map((n) => n.date).sort()
    const ccys = [...new Set([...needs.map((n) => n.ccy), base, ...PIVOTS])]
    const rows: Row[] = []
    for (const part of chunk(ccys, 200)) {
      const found = await db
        .selectFrom('fx_rates')
        .select(['source', 'rate_date', 'base_ccy', 'quote_ccy', 'rate'])
        .where('merchant_id', '=', merchantId)
        .where('rate_date', '>=', addDays(dates[0]!, -settings.maxStalenessDays))
        .where('rate_date', '<=', dates[dates.length - 1]!)
        .where((eb) => eb.and([eb('base_ccy', 'in', part), eb('quote_ccy', 'in', ccys)]))
        .execute()
      for (const r of found)
        rows.push({ ...r, rate_date: ymd(r.rate_date as unknown as Date | string), rate: money(r.rate) })
    }
    return new RateBook(rows, settings)
  }

  /** Base per 1 unit of `ccy` on `date`, or null when no source has a fresh enough rate. */
  find(ccy: string, base: string, date: string): FoundRate | null {
    if (ccy === base) return { rate: money(1), rateDate: date, source: 'IDENTITY', how: 'direct' }
    const oldest = addDays(date, -this.settings.maxStalenessDays)
    const known = [...new Set(this.rows.map((r) => r.source))]
    const order = [
      ...this.settings.sources.filter((s) => known.includes(s)),
      ...known.filter((s) => !this.settings.sources.includes(s)).sort(),
    ]
    for (const source of order) {
      const days = [
        ...new Set(
          this.rows
            .filter((r) => r.source === source && r.rate_date <= date && r.rate_date >= oldest)
            .map((r) => r.rate_date),
        ),
      ]
        .sort()
        .reverse()
      for (const day of days) {
        const found = this.onDay(source, day, ccy, base)
        if (found) return { ...found, rateDate: day, source }
      }
    }
    return null
  }

  private onDay(
    source: string,
    day: string,
    ccy: string,
    base: string,
  ): Pick<FoundRate, 'rate' | 'how'> | null {
    const rows = this.rows.filter((r) => r.source === source && r.rate_date === day)
    const pair = (from: string, to: string): Decimal | null => {
      const direct = rows.find((r) => r.base_ccy === from && r.quote_ccy === to)
      if (direct) return direct.rate
      const inverse = rows.find((r) => r.base_ccy === to && r.quote_ccy === from)
      return inverse ? money(1).div(inverse.rate) : null
    }
    const direct = rows.find((r) => r.base_ccy === ccy && r.quote_ccy === base)
    if (direct) return { rate: direct.rate, how: 'direct' }
    const inverse = pair(ccy, base)
    if (inverse) return { rate: inverse, how: 'inverse' }
    for (const pivot of PIVOTS) {
      if (pivot === ccy || pivot === base) continue
      const a = pair(ccy, pivot)
      const b = pair(pivot, base)
      if (a && b) return { rate: a.mul(b), how: `cross:${pivot}` }
    }
    return null
  }
}

/** Store rates (one batch): a day re-imported with another value takes the new one (and the new batch). */
export async function upsertRates(
  db: Executor,
  merchantId: string,
  batchId: string,
  quotes: readonly RateQuote[],
): Promise<number> {
  for (const part of chunk(quotes, 500))
    await db
      .insertInto('fx_rates')
      .values(
        part.map((q) => ({
          merchant_id: merchantId,
          source: q.source,
          rate_date: q.rateDate,
          base_ccy: q.baseCcy,
          quote_ccy: q.quoteCcy,
          unit: q.unit,
          quoted: q.quoted,
          rate: q.rate.toFixed(12),
          batch_id: batchId,
        })),
      )
      .onDuplicateKeyUpdate({
        // First, while unit, quoted and rate still hold the stored values: the same rate stored
        // again keeps its batch, so a re-run pull or import leaves the row exactly as it was.
        batch_id: sql<string>`IF(unit = VALUES(unit) AND quoted = VALUES(quoted) AND rate = VALUES(rate), batch_id, VALUES(batch_id))`,
        unit: sql<number>`VALUES(unit)`,
        quoted: sql<string>`VALUES(quoted)`,
        rate: sql<string>`VALUES(rate)`,
      })
      .execute()
  return quotes.length
}
