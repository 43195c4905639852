/**
 * Closing and reopening a month. The checklist first: entries held for a missing rate and foreign
 * balances without a closing rate block the close; open exceptions and orders shipped long ago and
 * never settled must be acknowledged. The close then revalues every open foreign monetary balance
 * (receivables from the platforms, platform balances, a foreign bank, accrued fees) at the closing
 * rate of the month's last day — an entry on its last instant, reversed on the first instant of the
 * next month (reference §1.5 A5/A6, "reverse next day") — and records the period, all in one
 * transaction under the merchant row's lock (postings in flight hold it shared). Reopening (admin,
 * with a reason) undoes that revaluation and its reversal, in one transaction with its audit record.
 */
import { sql } from 'kysely'
import { CONNECTORS } from '../../connectors/index.js'
import { hubSettings } from '../../connectors/settings.js'
import { audit, type AuditEntry } from '../audit/repo.js'

type AuditActor = Pick<AuditEntry, 'actorType' | 'actorId'>
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { money, round, toAmount, ZERO, type Decimal } from '../money/index.js'
import { nextPeriod, periodOf, postEntries, PeriodError, type EntryHead } from './journal.js'
import type { AccountCode, Posting } from './postings.js'
import { addDays, fxSettings, minorUnits, RateBook } from './rates.js'
import { zonedMidnight } from './statements.js'

export interface ChecklistItem {
  code: 'held_entries' | 'missing_rates' | 'open_exceptions' | 'unsettled_past_due'
  count: number
  blocking: boolean
  detail: string[]
}

export interface Revaluation {
  account: string
  currency: string
  balance: string
  bookValue: string
  closingRate: string
  revalued: string
  adjustment: string
}

const MONETARY = (account: string) =>
  account.startsWith('receivable:') ||
  account.startsWith('platform_balance:') ||
  account === 'bank' ||
  account === 'accrued_commission' ||
  account === 'accrued_payment_fees'

const bounds = (period: string, timezone: string) => {
  const next = nextPeriod(period)
  const end = zonedMidnight(`${next}-01`, timezone)
  return { start: zonedMidnight(`${period}-01`, timezone), end, next, lastDay: addDays(`${next}-01`, -1) }
}

/** Foreign monetary balances at the end of a period, and what the closing rate makes of them. */
async function revaluations(
  db: Executor,
  merchantId: string,
  base: string,
  period: string,
  timezone: string,
): Promise<{ rows: Revaluation[]; missing: string[] }> {
  const { end, lastDay } = bounds(period, timezone)
  const balances = (
    await db
      .selectFrom('journal_lines')
      .select([
        'account',
        'currency',
        sql<string>`SUM(debit) - SUM(credit)`.as('txn'),
        sql<string>`SUM(base_debit) - SUM(base_credit)`.as('base'),
      ])
      .where('merchant_id', '=', merchantId)
      .where('currency', '<>', base)
      .where('event_at', '<', end)
      .groupBy(['account', 'currency'])
      .execute()
  ).filter((b) => MONETARY(b.account) && !(money(b.txn).isZero() && money(b.base).isZero()))
  if (balances.length === 0) return { rows: [], missing: [] }
  const settings = await fxSettings(db, merchantId)
  const rates = await RateBook.load(
    db,
    merchantId,
    settings,
    balances.map((b) => ({ ccy: b.currency, date: lastDay })),
    base,
  )
  const rows: Revaluation[] = []
  const missing = new Set<string>()
  for (const b of balances) {
    const rate = rates.find(b.currency, base, lastDay)
    if (!rate) {
      missing.add(`${b.currency}→${base} ${lastDay}`)
      continue
    }
    const revalued = round(money(b.txn).mul(rate.rate), minorUnits(base))
    rows.push({
      account: b.account,
      currency: b.currency,
      balance: toAmount(money(b.txn)),
      bookValue: toAmount(money(b.base)),
      closingRate: rate.rate.toFixed(),
      revalued: toAmount(revalued),
      adjustment: toAmount(revalued.minus(money(b.base))),
    })
  }
  return { rows, missing: [...missing] }
}

export async function checklist(
  db: Executor,
  merchantId: string,
  period: string,
  now: Date,
): Promise<{ items: ChecklistItem[]; revaluation: Revaluation[] }> {
  const m = await db
    .selectFrom('merchants')
    .select(['timezone', 'base_currency'])
    .where('id', '=', merchantId)
    .executeTakeFirstOrThrow()
  const { end } = bounds(period, m.timezone)
  const held = await db
    .selectFrom('ledger_held_entries')
    .select(['posting_key', 'reason'])
    .where('merchant_id', '=', merchantId)
    .where('event_at', '<', end)
    .orderBy('event_at')
    .limit(1000)
    .execute()
  const reval = await revaluations(db, merchantId, m.base_currency, period, m.timezone)
  const exceptions = await db
    .selectFrom('order_exceptions')
    .select(['subject', 'reason'])
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'open')
    .where('created_at', '<', end)
    .limit(1000)
    .execute()
  const unsettled = await unsettledPastDue(db, merchantId, end, now)
  return {
    items: [
      {
        code: 'held_entries',
        count: held.length,
        blocking: true,
        detail: held.map((h) => `${h.posting_key}: ${h.reason}`),
      },
      { code: 'missing_rates', count: reval.missing.length, blocking: true, detail: reval.missing },
      {
        code: 'open_exceptions',
        count: exceptions.length,
        blocking: false,
        detail: exceptions.map((e) => `${e.reason}: ${e.subject}`),
      },
      { code: 'unsettled_past_due', count: unsettled.length, blocking: false, detail: unsettled },
    ],
    revaluation: reval.rows,
  }
}

/** Orders shipped before the end, due for settlement by now (shop setting settlementDueDays), with no settlement line. */
async function unsettledPastDue(db: Executor, merchantId: string, end: Date, now: Date): Promise<string[]> {
  const shops = await db
    .selectFrom('shops')
    .select(['id', 'channel', 'settings'])
    .where('merchant_id', '=', merchantId)
    .execute()
  const out: string[] = []
  for (const shop of shops) {
    const connector = CONNECTORS[shop.channel as keyof typeof CONNECTORS]
    if (!connector?.parseSettlementFile && !connector?.pullSettlements) continue
    const due = new Date(now.getTime() - hubSettings(shop.settings).settlementDueDays * 86_400_000)
    const rows = await db
      .selectFrom('orders as o')
      .select('o.external_id')
      .where('o.merchant_id', '=', merchantId)
      .where('o.shop_id', '=', shop.id)
      .where('o.status', 'in', ['shipped', 'completed'])
      .where('o.shipped_at', '<', end < due ? end : due)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('settlement_lines as s')
              .select(sql`1`.as('one'))
              .where('s.merchant_id', '=', merchantId)
              .where('s.shop_id', '=', shop.id)
              .whereRef('s.order_external_id', '=', 'o.external_id'),
          ),
        ),
      )
      .limit(1000)
      .execute()
    out.push(...rows.map((r) => r.external_id))
  }
  return out
}

export class ChecklistError extends Error {
  override name = 'ChecklistError'
  constructor(
    message: string,
    readonly items: ChecklistItem[],
  ) {
    super(message)
  }
}

/**
 * Close a month (idempotent: closing it again keeps the first close). Refuses a month that has not
 * ended, a blocking checklist item, and warnings not acknowledged.
 */
export async function closeMonth(
  db: Db,
  merchantId: string,
  period: string,
  opts: { actor: AuditActor; now: Date; acknowledge: boolean },
): Promise<{ closedAt: Date; revaluation: Revaluation[]; checklist: ChecklistItem[] }> {
  return withTx(db, async (tx) => {
    const m = await tx
      .selectFrom('merchants')
      .select(['timezone', 'base_currency'])
      .where('id', '=', merchantId)
      .forUpdate()
      .executeTakeFirst()
    if (!m) throw new PeriodError(`merchant ${merchantId} not found`)
    if (period >= periodOf(opts.now, m.timezone))
      throw new PeriodError(`${period} has not ended yet in ${m.timezone}`)
    const done = await tx
      .selectFrom('ledger_periods')
      .select('closed_at')
      .where('merchant_id', '=', merchantId)
      .where('period', '=', period)
      .executeTakeFirst()
    if (done) return { closedAt: done.closed_at, revaluation: [], checklist: [] }
    const check = await checklist(tx, merchantId, period, opts.now)
    const blocking = check.items.filter((i) => i.count > 0 && i.blocking)
    if (blocking.length > 0)
      throw new ChecklistError(
        `${period} cannot close: ${blocking.map((i) => `${i.code} (${i.count})`).join(', ')}`,
        check.items,
      )
    const warnings = check.items.filter((i) => i.count > 0 && !i.blocking)
    if (warnings.length > 0 && !opts.acknowledge)
      throw new ChecklistError(
        `${period} has ${warnings.map((i) => `${i.code} (${i.count})`).join(', ')}: acknowledge them to close`,
        check.items,
      )
    const settings = await fxSettings(tx, merchantId)
    if (settings.revaluation === 'month_end')
      await postRevaluation(tx, merchantId, m.base_currency, period, m.timezone, check.revaluation, opts.now)
    await tx
      .insertInto('ledger_periods')
      .values({
        merchant_id: merchantId,
        period,
        closed_at: opts.now,
        closed_by: opts.actor.actorId ?? 'system',
      })
      .execute()
    await audit(tx, merchantId, {
      ...opts.actor,
      action: 'ledger.close',
      entityType: 'period',
      entityId: period,
      detail: {
        acknowledged: warnings.map((w) => ({ code: w.code, count: w.count })),
        revaluation: check.revaluation.map((r) => ({
          account: r.account,
          currency: r.currency,
          adjustment: r.adjustment,
        })),
      },
    })
    return { closedAt: opts.now, revaluation: check.revaluation, checklist: check.items }
  })
}

/** The period-end revaluation per account and currency, and its reversal on the first instant of the next month. */
async function postRevaluation(
  db: Executor,
  merchantId: string,
  base: string,
  period: string,
  timezone: string,
  rows: readonly Revaluation[],
  now: Date,
): Promise<void> {
  const { end } = bounds(period, timezone)
  const shops = new Map(
    (
      await db.selectFrom('shops').select(['id', 'channel']).where('merchant_id', '=', merchantId).execute()
    ).map((s) => [s.id, s.channel]),
  )
  const items: { head: EntryHead; postings: Posting[] }[] = []
  for (const r of rows) {
    const adj = money(r.adjustment)
    if (adj.isZero()) continue
    const shopId = r.account.includes(':') ? r.account.split(':')[1]! : null
    const lines = (sign: 1 | -1): Posting[] => {
      const up = sign === 1 ? adj.gt(0) : adj.lt(0)
      return [
        {
          account: r.account as AccountCode,
          side: up ? 'debit' : 'credit',
          amount: ZERO,
          currency: r.currency,
          value: { base: adj.abs() },
        },
        {
          account: 'fx_unrealised',
          side: up ? 'credit' : 'debit',
          amount: ZERO,
          currency: base,
          value: { base: adj.abs() },
        },
      ]
    }
    const head = (key: string, at: Date): EntryHead => ({
      merchantId,
      postingKey: key,
      kind: 'revaluation',
      orderId: null,
      shopId: shopId && shops.has(shopId) ? shopId : null,
      channel: shopId ? (shops.get(shopId) ?? null) : null,
      eventAt: at,
    })
    const id = `${period}.${now.getTime()}.${r.account}.${r.currency}`
    items.push({ head: head(`reval.${id}`, new Date(end.getTime() - 1)), postings: lines(1) })
    items.push({ head: head(`reval.rev.${id}`, end), postings: lines(-1) })
  }
  if (items.length > 0) await postEntries(db, items)
}

/**
 * Reopen a closed month (admin, with a reason): the revaluation of its close and that
 * revaluation's reversal are undone, the period opens, and the audit log keeps the reason — one
 * transaction. A later closed month must be reopened first.
 */
export async function reopenMonth(
  db: Db,
  merchantId: string,
  period: string,
  opts: { actor: AuditActor; reason: string; now: Date },
): Promise<void> {
  await withTx(db, async (tx) => {
    await tx.selectFrom('merchants').select('id').where('id', '=', merchantId).forUpdate().executeTakeFirst()
    const closed = await tx
      .selectFrom('ledger_periods')
      .select(['period', 'closed_at', 'closed_by'])
      .where('merchant_id', '=', merchantId)
      .where('period', '>=', period)
      .execute()
    const row = closed.find((p) => p.period === period)
    if (!row) throw new PeriodError(`${period} is not closed`)
    const later = closed.filter((p) => p.period > period).map((p) => p.period)
    if (later.length > 0) throw new PeriodError(`reopen ${later.sort().reverse().join(', ')} first`)
    await tx
      .deleteFrom('ledger_periods')
      .where('merchant_id', '=', merchantId)
      .where('period', '=', period)
      .execute()
    const reval = await tx
      .selectFrom('journal_entries as e')
      .innerJoin('journal_lines as l', 'l.entry_id', 'e.id')
      .select([
        'e.posting_key',
        'e.shop_id',
        'e.channel',
        'e.event_at',
        'l.account',
        'l.currency',
        'l.base_debit',
        'l.base_credit',
      ])
      .where('e.merchant_id', '=', merchantId)
      .where('e.kind', '=', 'revaluation')
      .where((eb) =>
        eb.or([
          eb('e.posting_key', 'like', `reval.${period}.%`),
          eb('e.posting_key', 'like', `reval.rev.${period}.%`),
        ]),
      )
      .execute()
    const undone = new Set(
      (
        await tx
          .selectFrom('journal_entries')
          .select('posting_key')
          .where('merchant_id', '=', merchantId)
          .where('posting_key', 'like', `undo.reval.%${period}.%`)
          .execute()
      ).map((r) => r.posting_key.slice('undo.'.length)),
    )
    const byEntry = new Map<string, typeof reval>()
    for (const l of reval)
      if (!undone.has(l.posting_key)) byEntry.set(l.posting_key, [...(byEntry.get(l.posting_key) ?? []), l])
    await postEntries(
      tx,
      [...byEntry].map(([key, lines]) => ({
        head: {
          merchantId,
          postingKey: `undo.${key}`,
          kind: 'revaluation',
          orderId: null,
          shopId: lines[0]!.shop_id,
          channel: lines[0]!.channel,
          eventAt: lines[0]!.event_at,
        },
        postings: lines.map((l) => {
          const d: Decimal = money(l.base_debit)
          return {
            account: l.account as AccountCode,
            side: d.gt(0) ? ('credit' as const) : ('debit' as const),
            amount: ZERO,
            currency: l.currency,
            value: { base: d.gt(0) ? d : money(l.base_credit) },
          }
        }),
      })),
    )
    await audit(tx, merchantId, {
      ...opts.actor,
      action: 'ledger.reopen',
      entityType: 'period',
      entityId: period,
      // When it was reopened, as the console's month shows it: the business clock's time.
      at: opts.now,
      detail: {
        reason: opts.reason,
        closedAt: row.closed_at.toISOString(),
        closedBy: row.closed_by,
        undone: [...byEntry.keys()],
      },
    })
  })
}
