import { sql, type Kysely } from 'kysely'

// Entries that cannot be posted yet because a rate they need is missing or stale: kept whole, with
// the reason, visible to the accountant, and posted by the import or pull that brings the rate.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS ledger_held_entries (
      merchant_id CHAR(26) NOT NULL,
      posting_key VARCHAR(190) NOT NULL,
      kind VARCHAR(32) NOT NULL,
      order_id CHAR(26) NULL,
      shop_id CHAR(26) NULL,
      channel VARCHAR(32) NULL,
      event_at DATETIME(3) NOT NULL,
      currency CHAR(3) NOT NULL,
      rate_date DATE NOT NULL,
      reason VARCHAR(300) NOT NULL,
      entry JSON NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, posting_key),
      KEY ledger_held_time (merchant_id, event_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS ledger_held_entries`.execute(db)
}
