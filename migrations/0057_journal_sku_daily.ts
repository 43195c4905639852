import { sql, type Kysely } from 'kysely'

// Daily totals of the journal per SKU (lines without a SKU under ''), kept by every posting in the
// same transaction as journal_daily: a month's statement by SKU reads one row per day, shop, SKU
// and account group instead of every journal line. Filled for existing journals by 0058.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS journal_sku_daily (
      merchant_id CHAR(26) NOT NULL,
      day DATE NOT NULL,
      channel VARCHAR(32) NOT NULL DEFAULT '',
      shop_id VARCHAR(26) NOT NULL DEFAULT '',
      sku_id VARCHAR(26) NOT NULL DEFAULT '',
      account_group VARCHAR(48) NOT NULL,
      currency CHAR(3) NOT NULL,
      debit DECIMAL(20,4) NOT NULL DEFAULT 0,
      credit DECIMAL(20,4) NOT NULL DEFAULT 0,
      PRIMARY KEY (merchant_id, day, channel, shop_id, sku_id, account_group, currency)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS journal_sku_daily`.execute(db)
}
