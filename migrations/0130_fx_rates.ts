import { sql, type Kysely } from 'kysely'

// Exchange rates per merchant (imported files, provider pulls, manual entries), normalised to
// "quote_ccy per 1 base_ccy" with the value as published kept beside it, and the merchant's
// currency policy (sources in priority order, staleness limit, period-end revaluation).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS fx_rates (
      merchant_id CHAR(26) NOT NULL,
      source VARCHAR(24) NOT NULL,
      rate_date DATE NOT NULL,
      base_ccy CHAR(3) NOT NULL,
      quote_ccy CHAR(3) NOT NULL,
      unit INT NOT NULL DEFAULT 1,
      quoted VARCHAR(32) NOT NULL,
      rate DECIMAL(24,12) NOT NULL,
      batch_id CHAR(26) NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, source, base_ccy, quote_ccy, rate_date),
      KEY fx_rates_date (merchant_id, rate_date),
      CONSTRAINT fx_rates_positive CHECK (rate > 0 AND unit > 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS ledger_settings (
      merchant_id CHAR(26) NOT NULL PRIMARY KEY,
      rate_sources JSON NOT NULL,
      max_staleness_days INT NOT NULL DEFAULT 5,
      revaluation VARCHAR(16) NOT NULL DEFAULT 'month_end',
      rate_providers JSON NULL,
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS ledger_settings`.execute(db)
  await sql`DROP TABLE IF EXISTS fx_rates`.execute(db)
}
