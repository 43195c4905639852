import { sql, type Kysely } from 'kysely'

// Alerts (low stock, a shop that stopped syncing, aged exceptions, failed writebacks, settlement
// differences): per merchant the rules, one webhook (WeCom / DingTalk robot or plain JSON), and the
// alerts raised. One open alert per condition: open_marker is 1 while open and NULL once cleared,
// so the unique key holds one open row per condition and any number of cleared ones.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS alert_rules (
      merchant_id CHAR(26) NOT NULL,
      kind VARCHAR(32) NOT NULL,
      enabled TINYINT NOT NULL DEFAULT 1,
      threshold INT NULL,
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, kind)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS alert_webhooks (
      merchant_id CHAR(26) NOT NULL PRIMARY KEY,
      url VARCHAR(1000) NOT NULL,
      format VARCHAR(16) NOT NULL,
      secret_enc VARBINARY(512) NULL,
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS alerts (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      kind VARCHAR(32) NOT NULL,
      condition_key VARCHAR(191) NOT NULL,
      subject VARCHAR(500) NOT NULL,
      detail JSON NOT NULL,
      status VARCHAR(16) NOT NULL,
      open_marker TINYINT NULL,
      opened_at DATETIME(3) NOT NULL,
      cleared_at DATETIME(3) NULL,
      delivery VARCHAR(16) NOT NULL,
      delivery_attempts INT NOT NULL DEFAULT 0,
      delivery_error VARCHAR(1000) NULL,
      delivered_at DATETIME(3) NULL,
      UNIQUE KEY alerts_open_condition (merchant_id, condition_key, open_marker),
      KEY alerts_by_status (merchant_id, status, opened_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS alerts`.execute(db)
  await sql`DROP TABLE IF EXISTS alert_webhooks`.execute(db)
  await sql`DROP TABLE IF EXISTS alert_rules`.execute(db)
}
