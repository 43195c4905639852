/**
 * Pulling a rate provider (reference ledger-currency-and-fees §3.5): the merchant names the
 * providers to pull every day (ledger settings `dailyPull`) and where from (`providers`: the
 * published site, a mirror or a sandbox). The schedule (jobs/schedules.ts) ticks once a day per
 * provider after it publishes — CFETS at 09:15 Beijing, the ECB around 16:00 CET — and the tick
 * fans out one pull per merchant, keyed by merchant, provider and day.
 *
 * A pull stores the rates (the same rates again change nothing), posts the entries that waited for
 * them and records how it went (fx_rate_pulls), with its audit record, in one transaction. A pull
 * that fails is retried by its queue; the last failure is recorded `failed`, which is an alert
 * (rate_pull_failed) until a later pull of that provider succeeds.
 */
import { RATE_SOURCES, RateSourceError, type PublishedRate } from '../../connectors/rates/index.js'
import { audit, type AuditEntry } from '../audit/repo.js'
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { applyRates, fromPublished, type RateImportReport } from './rate-files.js'
import { ymd } from './rates.js'
import { localDate } from './statements.js'

export const PULL_SOURCES = ['ECB', 'CFETS'] as const
export type PullSource = (typeof PULL_SOURCES)[number]

export const DEFAULT_PROVIDERS: Record<PullSource, string> = {
  ECB: 'https://www.ecb.europa.eu',
  CFETS: 'https://www.chinamoney.com.cn',
}

/**
 * When each provider's day is published, in its own zone: the daily pull runs a little after
 * (CFETS 09:15 Beijing; ECB about 16:00 CET, later on busy days). Its day is the date there.
 */
export const PUBLICATION: Record<PullSource, { cron: string; timezone: string }> = {
  CFETS: { cron: '40 9 * * *', timezone: 'Asia/Shanghai' },
  ECB: { cron: '45 16 * * *', timezone: 'Europe/Berlin' },
}

/** The provider's day a moment falls on (the day a pull at that moment is for). */
export const providerDay = (source: PullSource, at: Date): string =>
  localDate(at, PUBLICATION[source].timezone)

const isSource = (s: unknown): s is PullSource => PULL_SOURCES.includes(s as PullSource)
const parsed = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v)

export interface ProviderSettings {
  urls: Record<PullSource, string>
  /** The providers pulled every day. */
  daily: PullSource[]
}

export async function providerSettings(db: Executor, merchantId: string): Promise<ProviderSettings> {
  const row = await db
    .selectFrom('ledger_settings')
    .select(['rate_providers', 'daily_pull'])
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
  const urls = (row?.rate_providers ? parsed(row.rate_providers) : {}) as Partial<Record<PullSource, string>>
  const daily = row?.daily_pull ? parsed(row.daily_pull) : []
  return {
    urls: { ECB: urls.ECB || DEFAULT_PROVIDERS.ECB, CFETS: urls.CFETS || DEFAULT_PROVIDERS.CFETS },
    daily: Array.isArray(daily) ? daily.filter(isSource) : [],
  }
}

/** The merchants that pull a provider every day. */
export async function merchantsPulling(db: Executor, source: PullSource): Promise<string[]> {
  const rows = await db
    .selectFrom('ledger_settings')
    .select(['merchant_id', 'daily_pull'])
    .where('daily_pull', 'is not', null)
    .orderBy('merchant_id')
    .execute()
  return rows
    .filter((r) => {
      const daily = parsed(r.daily_pull)
      return Array.isArray(daily) && daily.includes(source)
    })
    .map((r) => r.merchant_id)
}

/** A pull that did not bring rates: the provider's document was not one (`source`), or no answer (`unreachable`). */
export class RatePullError extends Error {
  override name = 'RatePullError'
  constructor(
    readonly kind: 'source' | 'unreachable',
    message: string,
  ) {
    super(message)
  }
}

export interface PullReport extends RateImportReport {
  source: PullSource
  day: string
  /** The date the provider's document is for (the last business day's on a weekend or holiday). */
  rateDate: string
}

export interface PullOptions {
  now: Date
  actor: Pick<AuditEntry, 'actorType' | 'actorId'>
  /** Record a failure (scheduled pulls): `final` when no retry follows, which raises the alert. */
  recordFailure?: { final: boolean } | null
}

/** Pull one provider's published day for one merchant, store it and post what waited for it. */
export async function pullRates(
  db: Db,
  merchantId: string,
  source: PullSource,
  day: string,
  opts: PullOptions,
): Promise<PullReport> {
  const { urls } = await providerSettings(db, merchantId)
  let published: PublishedRate[]
  try {
    published = await RATE_SOURCES[source].fetchDaily(urls[source])
  } catch (err) {
    const failure =
      err instanceof RateSourceError
        ? new RatePullError('source', `${source}: ${err.message}`)
        : new RatePullError(
            'unreachable',
            `${source} could not be reached: ${err instanceof Error ? err.message : String(err)}`,
          )
    if (opts.recordFailure)
      await recordPull(db, merchantId, source, day, opts.now, {
        status: opts.recordFailure.final ? 'failed' : 'retrying',
        error: failure.message,
      })
    throw failure
  }
  const rateDate = published.map((p) => p.rateDate).sort()[published.length - 1]!
  return withTx(db, async (tx) => {
    const report = await applyRates(tx, merchantId, fromPublished(source, published))
    await recordPull(tx, merchantId, source, day, opts.now, {
      status: 'ok',
      error: null,
      rateDate,
      rates: report.rates,
      released: report.released,
    })
    await audit(tx, merchantId, {
      ...opts.actor,
      action: 'rates.pull',
      entityType: 'rates',
      entityId: report.batchId,
      detail: {
        source,
        day,
        rateDate,
        rates: report.rates,
        released: report.released,
        stillHeld: report.stillHeld,
      },
    })
    return { ...report, source, day, rateDate }
  })
}

async function recordPull(
  db: Executor,
  merchantId: string,
  source: PullSource,
  day: string,
  now: Date,
  r: {
    status: 'ok' | 'retrying' | 'failed'
    error: string | null
    rateDate?: string
    rates?: number
    released?: number
  },
): Promise<void> {
  const outcome = {
    status: r.status,
    error: r.error?.slice(0, 1000) ?? null,
    updated_at: now,
    ...(r.rateDate !== undefined ? { rate_date: r.rateDate } : {}),
    ...(r.rates !== undefined ? { rates: r.rates } : {}),
    ...(r.released !== undefined ? { released: r.released } : {}),
  }
  await db
    .insertInto('fx_rate_pulls')
    .values({
      merchant_id: merchantId,
      source,
      day,
      attempts: 1,
      rate_date: r.rateDate ?? null,
      rates: r.rates ?? 0,
      released: r.released ?? 0,
      ...outcome,
    })
    .onDuplicateKeyUpdate((eb) => ({ ...outcome, attempts: eb('attempts', '+', 1) }))
    .execute()
}

export interface PullStatus {
  source: PullSource
  day: string
  status: 'ok' | 'retrying' | 'failed'
  attempts: number
  rateDate: string | null
  error: string | null
  at: Date
}

/** The latest pull of each provider (the settings show them; a failed one is an alert). */
export async function latestPulls(db: Executor, merchantId: string): Promise<PullStatus[]> {
  const rows = await db
    .selectFrom('fx_rate_pulls')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .orderBy('day', 'desc')
    .orderBy('updated_at', 'desc')
    .limit(60)
    .execute()
  const out: PullStatus[] = []
  for (const r of rows) {
    if (!isSource(r.source) || out.some((o) => o.source === r.source)) continue
    out.push({
      source: r.source,
      day: ymd(r.day as unknown as Date | string),
      status: r.status,
      attempts: r.attempts,
      rateDate: r.rate_date === null ? null : ymd(r.rate_date as unknown as Date | string),
      error: r.error,
      at: r.updated_at,
    })
  }
  return out
}

/** The providers pulled every day whose latest pull failed for good. */
export async function failedPulls(db: Executor, merchantId: string): Promise<PullStatus[]> {
  const { daily } = await providerSettings(db, merchantId)
  return (await latestPulls(db, merchantId)).filter((p) => p.status === 'failed' && daily.includes(p.source))
}
