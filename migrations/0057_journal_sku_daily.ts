import { sql, type Kysely } from 'kysely'

// Totals of the journal per SKU (lines without a SKU under ''), per merchant-local day and per
// month, kept by every posting in the same transaction as journal_daily: a statement by SKU reads
// one row per month, shop, SKU and account group for its whole months, and per day for the days
// either side, instead of every journal line. Filled for existing journals by 0058.
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
  await sql`
    CREATE TABLE IF NOT EXISTS journal_sku_monthly (
      merchant_id CHAR(26) NOT NULL,
      month CHAR(7) NOT NULL,
      channel VARCHAR(32) NOT NULL DEFAULT '',
      shop_id VARCHAR(26) NOT NULL DEFAULT '',
      sku_id VARCHAR(26) NOT NULL DEFAULT '',
      account_group VARCHAR(48) NOT NULL,
      currency CHAR(3) NOT NULL,
      debit DECIMAL(20,4) NOT NULL DEFAULT 0,
      credit DECIMAL(20,4) NOT NULL DEFAULT 0,
      PRIMARY KEY (merchant_id, month, channel, shop_id, sku_id, account_group, currency)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS journal_sku_monthly`.execute(db)
  await sql`DROP TABLE IF EXISTS journal_sku_daily`.execute(db)
}
