import { sql, type Kysely } from 'kysely'
import { addColumn, dropColumn } from './columns.js'

// Chart-of-accounts overrides, commission plans, settlement imports and lines, and closed periods.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The default chart lives in code (src/ledger/accounts.ts); a merchant renames accounts or gives
  // them the code of their own general ledger here.
  await sql`
    CREATE TABLE IF NOT EXISTS ledger_accounts (
      merchant_id CHAR(26) NOT NULL,
      code VARCHAR(48) NOT NULL,
      name VARCHAR(200) NOT NULL,
      external_code VARCHAR(64) NULL,
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, code)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS commission_plans (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      name VARCHAR(200) NOT NULL,
      effective_from CHAR(10) NOT NULL,
      effective_to CHAR(10) NULL,
      rules JSON NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      KEY commission_plans_shop (merchant_id, shop_id, effective_from)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS settlement_imports (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      source VARCHAR(16) NOT NULL,
      filename VARCHAR(255) NULL,
      sha256 CHAR(64) NOT NULL,
      line_count INT NOT NULL,
      inserted INT NOT NULL,
      rejected JSON NOT NULL,
      stated_total DECIMAL(18,4) NULL,
      parsed_total DECIMAL(18,4) NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY settlement_imports_file (merchant_id, shop_id, sha256)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS settlement_lines (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      channel VARCHAR(32) NOT NULL,
      import_id CHAR(26) NULL,
      external_line_id VARCHAR(190) NOT NULL,
      order_external_id VARCHAR(64) NULL,
      type VARCHAR(32) NOT NULL,
      platform_type VARCHAR(128) NOT NULL,
      amount DECIMAL(18,4) NOT NULL,
      currency CHAR(3) NOT NULL,
      occurred_at DATETIME(3) NOT NULL,
      payout_id VARCHAR(64) NULL,
      description VARCHAR(500) NULL,
      raw JSON NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY settlement_lines_key (merchant_id, shop_id, external_line_id),
      KEY settlement_lines_order (merchant_id, shop_id, order_external_id),
      KEY settlement_lines_time (merchant_id, occurred_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS ledger_periods (
      merchant_id CHAR(26) NOT NULL,
      period CHAR(7) NOT NULL,
      closed_at DATETIME(3) NOT NULL,
      closed_by VARCHAR(64) NOT NULL,
      PRIMARY KEY (merchant_id, period)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  // An entry whose event fell in a closed period is booked at the start of the next open one;
  // the original time is kept for the audit trail.
  await addColumn(db, 'journal_entries', 'original_event_at', 'DATETIME(3) NULL')
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropColumn(db, 'journal_entries', 'original_event_at')
  for (const t of [
    'ledger_periods',
    'settlement_lines',
    'settlement_imports',
    'commission_plans',
    'ledger_accounts',
  ])
    await sql`DROP TABLE IF EXISTS ${sql.raw(t)}`.execute(db)
}
