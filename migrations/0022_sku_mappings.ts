import { sql, type Kysely } from 'kysely'

// Platform SKU (per shop) → merchant SKU. platform_sku_key is the platform SKU id, or
// `item:<platform item id>` for an item sold without SKUs.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS sku_mappings (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      platform_sku_key VARCHAR(96) NOT NULL,
      platform_item_id VARCHAR(64) NULL,
      platform_sku_id VARCHAR(64) NULL,
      outer_code VARCHAR(128) NULL,
      sku_id CHAR(26) NOT NULL,
      source VARCHAR(16) NOT NULL DEFAULT 'manual',
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY sku_mappings_platform (merchant_id, shop_id, platform_sku_key),
      KEY sku_mappings_sku (merchant_id, sku_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS sku_mappings`.execute(db)
}
