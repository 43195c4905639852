import { sql, type Kysely } from 'kysely'

// Every quantity sent to a shop and the platform's answer, appended per platform SKU and location:
// the push log a merchant reads per SKU (stock_push_state keeps only the latest). Ids are
// time-ordered, so the newest-first page is the key's order.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS stock_push_log (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      platform_sku_key VARCHAR(96) NOT NULL,
      location_id VARCHAR(64) NOT NULL DEFAULT '',
      quantity INT NOT NULL,
      ok TINYINT(1) NOT NULL,
      kind VARCHAR(16) NULL,
      error VARCHAR(2000) NULL,
      pushed_at DATETIME(3) NOT NULL,
      KEY stock_push_log_sku (merchant_id, shop_id, platform_sku_key, id),
      KEY stock_push_log_shop (merchant_id, shop_id, id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS stock_push_log`.execute(db)
}
