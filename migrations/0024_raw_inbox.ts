import { sql, type Kysely } from 'kysely'

// Every platform payload received, verbatim and append-only; the same payload twice is stored once.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS raw_inbox (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      channel VARCHAR(32) NOT NULL,
      kind VARCHAR(16) NOT NULL,
      external_id VARCHAR(64) NOT NULL,
      platform_updated_at DATETIME(3) NOT NULL,
      content_hash CHAR(64) NOT NULL,
      payload LONGTEXT NOT NULL,
      source VARCHAR(16) NOT NULL,
      received_at DATETIME(3) NOT NULL,
      outcome VARCHAR(24) NULL,
      error TEXT NULL,
      UNIQUE KEY raw_inbox_content (merchant_id, shop_id, kind, external_id, content_hash),
      KEY raw_inbox_shop_time (merchant_id, shop_id, received_at),
      KEY raw_inbox_external (merchant_id, shop_id, kind, external_id, platform_updated_at),
      CONSTRAINT raw_inbox_kind CHECK (kind IN ('order','refund'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS raw_inbox`.execute(db)
}
