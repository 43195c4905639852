import { sql, type Kysely } from 'kysely'

// A statement by order pages through a period's orders in the order of their first entry in the
// period: the entries by (time, order) give the page, by (order, time) tell whether an order had an
// earlier entry in the period. Both carry channel and shop so the filters need no row lookups.
// (merchant_id, order_id, event_at, …) takes over from the plain (merchant_id, order_id) key.
export async function up(db: Kysely<unknown>): Promise<void> {
  const has = async (name: string) =>
    Number(
      (
        await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.statistics
          WHERE table_schema = DATABASE() AND table_name = 'journal_entries' AND index_name = ${name}`.execute(
          db,
        )
      ).rows[0]?.n ?? 0,
    ) > 0
  if (!(await has('journal_entries_time')))
    await sql`ALTER TABLE journal_entries ADD KEY journal_entries_time (merchant_id, event_at, order_id, channel, shop_id)`.execute(
      db,
    )
  if (!(await has('journal_entries_order_time')))
    await sql`ALTER TABLE journal_entries ADD KEY journal_entries_order_time (merchant_id, order_id, event_at, channel, shop_id)`.execute(
      db,
    )
  if (await has('journal_entries_order'))
    await sql`ALTER TABLE journal_entries DROP KEY journal_entries_order`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE journal_entries ADD KEY journal_entries_order (merchant_id, order_id)`.execute(db)
  await sql`ALTER TABLE journal_entries DROP KEY journal_entries_order_time, DROP KEY journal_entries_time`.execute(
    db,
  )
}
