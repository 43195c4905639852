/**
 * SQL behind the accountant's routes (finance-routes.ts): settlement imports and lines, the
 * merchant's names for the accounts, commission plans, closed months. Every query is the merchant's.
 */
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { money } from '../money/index.js'

/** Settlement imports and pulls, newest first (ids are ULIDs made when stored), before `before`. */
export function listSettlementImports(
  db: Executor,
  merchantId: string,
  f: { shopId?: string; before?: string; limit: number },
) {
  let q = db.selectFrom('settlement_imports').selectAll().where('merchant_id', '=', merchantId)
  if (f.shopId) q = q.where('shop_id', '=', f.shopId)
  if (f.before !== undefined) q = q.where('id', '<', f.before)
  return q.orderBy('id', 'desc').limit(f.limit).execute()
}

/** Settlement lines in time order, after (time, id). */
export function listSettlementLines(
  db: Executor,
  merchantId: string,
  f: {
    shopId?: string
    orderExternalId?: string
    type?: string
    importId?: string
    after: { at: Date; id: string } | null
    limit: number
  },
) {
  let q = db
    .selectFrom('settlement_lines')
    .select([
      'id',
      'shop_id',
      'channel',
      'import_id',
      'external_line_id',
      'order_external_id',
      'type',
      'platform_type',
      'amount',
      'currency',
      'occurred_at',
      'payout_id',
      'description',
      'converted_amount',
      'converted_currency',
    ])
    .where('merchant_id', '=', merchantId)
  if (f.shopId) q = q.where('shop_id', '=', f.shopId)
  if (f.orderExternalId) q = q.where('order_external_id', '=', f.orderExternalId)
  if (f.type) q = q.where('type', '=', f.type)
  if (f.importId) q = q.where('import_id', '=', f.importId)
  const after = f.after
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('occurred_at', '>', after.at),
        eb.and([eb('occurred_at', '=', after.at), eb('id', '>', after.id)]),
      ]),
    )
  return q.orderBy('occurred_at').orderBy('id').limit(f.limit).execute()
}

/** The merchant's own names and general-ledger codes for the accounts. */
export function listLedgerAccounts(db: Executor, merchantId: string) {
  return db.selectFrom('ledger_accounts').selectAll().where('merchant_id', '=', merchantId).execute()
}

export async function saveLedgerAccount(
  db: Executor,
  merchantId: string,
  code: string,
  a: { name: string; externalCode: string | null },
  at: Date,
): Promise<void> {
  await db
    .insertInto('ledger_accounts')
    .values({ merchant_id: merchantId, code, name: a.name, external_code: a.externalCode })
    .onDuplicateKeyUpdate({ name: a.name, external_code: a.externalCode, updated_at: at })
    .execute()
}

/** A shop's commission plans by the day they take effect, after (effective_from, id). */
export function listCommissionPlans(
  db: Executor,
  merchantId: string,
  shopId: string,
  f: { after: readonly [string, string] | null; limit: number },
) {
  let q = db
    .selectFrom('commission_plans')
    .select(['id', 'name', 'effective_from', 'effective_to', 'rules'])
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
  const after = f.after
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('effective_from', '>', after[0]),
        eb.and([eb('effective_from', '=', after[0]), eb('id', '>', after[1])]),
      ]),
    )
  return q.orderBy('effective_from').orderBy('id').limit(f.limit).execute()
}

/**
 * Add a plan unless it overlaps one of the shop's plans (which would make "the plan in force"
 * ambiguous): the shop's plans are locked while it is checked. Returns the plan it overlaps, if any.
 */
export async function addCommissionPlan(
  db: Db,
  merchantId: string,
  shopId: string,
  plan: { id: string; name: string; effectiveFrom: string; effectiveTo: string | null; rules: unknown },
): Promise<{ id: string; effective_from: string; effective_to: string | null } | null> {
  return withTx(db, async (tx) => {
    const plans = await tx
      .selectFrom('commission_plans')
      .select(['id', 'effective_from', 'effective_to'])
      .where('merchant_id', '=', merchantId)
      .where('shop_id', '=', shopId)
      .forUpdate()
      .execute()
    const clash = plans.find(
      (p) =>
        p.effective_from <= (plan.effectiveTo ?? '9999-12-31') &&
        plan.effectiveFrom <= (p.effective_to ?? '9999-12-31'),
    )
    if (clash) return clash
    await tx
      .insertInto('commission_plans')
      .values({
        id: plan.id,
        merchant_id: merchantId,
        shop_id: shopId,
        name: plan.name,
        effective_from: plan.effectiveFrom,
        effective_to: plan.effectiveTo,
        rules: JSON.stringify(plan.rules),
      })
      .execute()
    return null
  })
}

/** Closed months, oldest first, after `after`. */
export function listClosedPeriods(db: Executor, merchantId: string, f: { after?: string; limit: number }) {
  let q = db.selectFrom('ledger_periods').selectAll().where('merchant_id', '=', merchantId)
  if (f.after !== undefined) q = q.where('period', '>', f.after)
  return q.orderBy('period').limit(f.limit).execute()
}

/**
 * What the journal made of converted payouts (by their posting keys): the base value of the platform
 * balance they relieved and the realised exchange difference (gain positive, as statements show it).
 */
export async function conversionsPosted(
  db: Executor,
  merchantId: string,
  postingKeys: readonly string[],
): Promise<Map<string, { bookValue: string; fx: string }>> {
  const out = new Map<string, { bookValue: string; fx: string }>()
  if (postingKeys.length === 0) return out
  const rows = await db
    .selectFrom('journal_entries as e')
    .innerJoin('journal_lines as l', 'l.entry_id', 'e.id')
    .select(['e.posting_key', 'l.account', 'l.base_debit', 'l.base_credit'])
    .where('e.merchant_id', '=', merchantId)
    .where('e.posting_key', 'in', [...postingKeys])
    .where((eb) =>
      eb.or([eb('l.account', 'like', 'platform_balance:%'), eb('l.account', '=', 'fx_realised')]),
    )
    .execute()
  for (const r of rows) {
    const o = out.get(r.posting_key) ?? { bookValue: '0', fx: '0' }
    // fx_realised is an expense account (a loss is a debit): a gain is its credit.
    if (r.account === 'fx_realised') o.fx = money(r.base_credit).minus(money(r.base_debit)).toFixed()
    else o.bookValue = r.base_credit
    out.set(r.posting_key, o)
  }
  return out
}
