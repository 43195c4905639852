import { sql, type Kysely } from 'kysely'
import { addColumn } from './columns.js'

// Every posting of a shop and day adds to the same journal_daily rows, and holds their locks to its
// commit: postings in flight add to one of a few slots of a row instead (statements sum them), so
// they seldom wait on each other. Existing totals stay in slot 0.
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumn(db, 'journal_daily', 'slot', 'TINYINT UNSIGNED NOT NULL DEFAULT 0')
  const pk = await sql<{ c: string }>`
    SELECT column_name AS c FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'journal_daily' AND index_name = 'PRIMARY'`.execute(db)
  if (!pk.rows.some((r) => r.c.toLowerCase() === 'slot'))
    await sql`ALTER TABLE journal_daily DROP PRIMARY KEY, ADD PRIMARY KEY (merchant_id, day, channel, shop_id, account_group, currency, slot)`.execute(
      db,
    )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`INSERT INTO journal_daily (merchant_id, day, channel, shop_id, account_group, currency, slot, debit, credit)
    SELECT merchant_id, day, channel, shop_id, account_group, currency, 0, SUM(debit), SUM(credit)
    FROM journal_daily WHERE slot <> 0 GROUP BY merchant_id, day, channel, shop_id, account_group, currency
    ON DUPLICATE KEY UPDATE debit = journal_daily.debit + VALUES(debit), credit = journal_daily.credit + VALUES(credit)`.execute(
    db,
  )
  await sql`DELETE FROM journal_daily WHERE slot <> 0`.execute(db)
  await sql`ALTER TABLE journal_daily DROP PRIMARY KEY, ADD PRIMARY KEY (merchant_id, day, channel, shop_id, account_group, currency), DROP COLUMN slot`.execute(
    db,
  )
}
