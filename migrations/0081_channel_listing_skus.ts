import { sql, type Kysely } from 'kysely'

// The SKUs of a shop's listings (catalogue-and-purchasing.md §A.8.1): the code as read and
// normalised, what the platform shows (price, stock, on/off sale, stock mode) and what the last
// auto-mapping found (issue, the SKU the code points to, how it matched). The link itself lives in
// sku_mappings (keyed the same way), so that a manual mapping survives every re-pull.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS channel_listing_skus (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      listing_id CHAR(26) NOT NULL,
      platform_item_id VARCHAR(64) NOT NULL,
      platform_sku_key VARCHAR(96) NOT NULL,
      platform_sku_id VARCHAR(64) NULL,
      inventory_item_id VARCHAR(64) NULL,
      code_raw VARCHAR(255) NULL,
      code_norm VARCHAR(255) NULL,
      item_code VARCHAR(255) NULL,
      barcode VARCHAR(128) NULL,
      spec_text VARCHAR(500) NULL,
      price DECIMAL(18,4) NULL,
      currency CHAR(3) NULL,
      platform_qty INT NULL,
      platform_held_qty INT NULL,
      status VARCHAR(16) NOT NULL,
      platform_status VARCHAR(64) NULL,
      stock_mode VARCHAR(16) NOT NULL DEFAULT 'normal',
      platform_updated_at DATETIME(3) NULL,
      last_seen_at DATETIME(3) NOT NULL,
      last_pull_id CHAR(26) NOT NULL,
      deleted_at DATETIME(3) NULL,
      issue VARCHAR(32) NULL,
      suggested_sku_id CHAR(26) NULL,
      match_method VARCHAR(32) NULL,
      matched_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY channel_listing_skus_platform (merchant_id, shop_id, platform_sku_key),
      KEY channel_listing_skus_listing (merchant_id, listing_id),
      KEY channel_listing_skus_code (merchant_id, shop_id, code_norm),
      KEY channel_listing_skus_issue (merchant_id, shop_id, issue)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS channel_listing_skus`.execute(db)
}
