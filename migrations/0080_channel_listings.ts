import { sql, type Kysely } from 'kysely'

// A shop's platform listings (item / ware / goods / product) as its catalogue pull found them: the
// raw payload verbatim (the newest version wins), what the merchant sees of it, and when it was
// last seen — a listing the pull no longer finds is marked deleted, never removed.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS channel_listings (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      platform_item_id VARCHAR(64) NOT NULL,
      title VARCHAR(500) NOT NULL DEFAULT '',
      item_code VARCHAR(255) NULL,
      status VARCHAR(16) NOT NULL,
      platform_status VARCHAR(64) NULL,
      currency CHAR(3) NULL,
      payload LONGTEXT NOT NULL,
      content_hash CHAR(64) NOT NULL,
      map_error VARCHAR(1000) NULL,
      platform_updated_at DATETIME(3) NULL,
      last_seen_at DATETIME(3) NOT NULL,
      last_pull_id CHAR(26) NOT NULL,
      deleted_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY channel_listings_platform (merchant_id, shop_id, platform_item_id),
      KEY channel_listings_seen (merchant_id, shop_id, last_seen_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS channel_listings`.execute(db)
}
