import { sql, type Kysely } from 'kysely'

// Double-entry journal: entries with a unique posting key (a replayed event posts nothing twice)
// and their lines; lines carry order, shop, channel and SKU so statements drill down.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS journal_entries (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      posting_key VARCHAR(190) NOT NULL,
      kind VARCHAR(32) NOT NULL,
      order_id CHAR(26) NULL,
      shop_id CHAR(26) NULL,
      channel VARCHAR(32) NULL,
      currency CHAR(3) NOT NULL,
      event_at DATETIME(3) NOT NULL,
      input_hash CHAR(64) NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY journal_entries_key (merchant_id, posting_key),
      KEY journal_entries_order (merchant_id, order_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS journal_lines (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      entry_id CHAR(26) NOT NULL,
      account VARCHAR(48) NOT NULL,
      debit DECIMAL(18,4) NOT NULL DEFAULT 0,
      credit DECIMAL(18,4) NOT NULL DEFAULT 0,
      currency CHAR(3) NOT NULL,
      event_at DATETIME(3) NOT NULL,
      channel VARCHAR(32) NULL,
      shop_id CHAR(26) NULL,
      order_id CHAR(26) NULL,
      sku_id CHAR(26) NULL,
      KEY journal_lines_statement (merchant_id, event_at, channel, account),
      KEY journal_lines_entry (merchant_id, entry_id),
      KEY journal_lines_order (merchant_id, order_id),
      CONSTRAINT journal_lines_side CHECK (debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS journal_lines`.execute(db)
  await sql`DROP TABLE IF EXISTS journal_entries`.execute(db)
}
