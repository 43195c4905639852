import { sql, type Kysely } from 'kysely'

// Sync cursors per shop and stream, advanced only after the page they cover is committed; sync
// errors keep what the platform answered verbatim; webhook deliveries keep the raw body and dedupe.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS sync_cursors (
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      stream VARCHAR(16) NOT NULL,
      cursor_at DATETIME(3) NULL,
      last_run_at DATETIME(3) NULL,
      last_ok_at DATETIME(3) NULL,
      last_error TEXT NULL,
      PRIMARY KEY (merchant_id, shop_id, stream)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS sync_errors (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      stream VARCHAR(16) NOT NULL,
      kind VARCHAR(16) NOT NULL,
      message TEXT NOT NULL,
      http_status INT NULL,
      body MEDIUMTEXT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      KEY sync_errors_shop (merchant_id, shop_id, created_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS webhook_deliveries (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      delivery_key VARCHAR(128) NOT NULL,
      topic VARCHAR(64) NULL,
      headers JSON NOT NULL,
      body MEDIUMBLOB NOT NULL,
      status VARCHAR(16) NOT NULL DEFAULT 'received',
      error TEXT NULL,
      received_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      processed_at DATETIME(3) NULL,
      UNIQUE KEY webhook_deliveries_key (merchant_id, shop_id, delivery_key),
      CONSTRAINT webhook_deliveries_status CHECK (status IN ('received','processed','failed'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS webhook_deliveries`.execute(db)
  await sql`DROP TABLE IF EXISTS sync_errors`.execute(db)
  await sql`DROP TABLE IF EXISTS sync_cursors`.execute(db)
}
