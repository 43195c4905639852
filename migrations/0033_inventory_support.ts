import { sql, type Kysely } from 'kysely'

// Bin locations, moving-average cost per SKU, processed inventory event keys, stock push state.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS bin_locations (
      merchant_id CHAR(26) NOT NULL,
      warehouse_id CHAR(26) NOT NULL,
      sku_id CHAR(26) NOT NULL,
      bin VARCHAR(64) NOT NULL,
      PRIMARY KEY (merchant_id, warehouse_id, sku_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS sku_costs (
      merchant_id CHAR(26) NOT NULL,
      sku_id CHAR(26) NOT NULL,
      avg_cost DECIMAL(18,4) NOT NULL,
      currency CHAR(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, sku_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS inventory_event_keys (
      merchant_id CHAR(26) NOT NULL,
      event_key VARCHAR(190) NOT NULL,
      processed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, event_key)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS stock_push_state (
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      platform_sku_key VARCHAR(96) NOT NULL,
      location_id VARCHAR(64) NOT NULL DEFAULT '',
      quantity INT NULL,
      pushed_at DATETIME(3) NULL,
      ok TINYINT(1) NULL,
      error TEXT NULL,
      PRIMARY KEY (merchant_id, shop_id, platform_sku_key, location_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS stock_push_state`.execute(db)
  await sql`DROP TABLE IF EXISTS inventory_event_keys`.execute(db)
  await sql`DROP TABLE IF EXISTS sku_costs`.execute(db)
  await sql`DROP TABLE IF EXISTS bin_locations`.execute(db)
}
