import { sql, type Kysely } from 'kysely'

// Low-stock alert threshold per SKU (available across warehouses at or under it → alert).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS stock_thresholds (
      merchant_id CHAR(26) NOT NULL,
      sku_id CHAR(26) NOT NULL,
      threshold INT NOT NULL,
      PRIMARY KEY (merchant_id, sku_id),
      CONSTRAINT stock_thresholds_min CHECK (threshold >= 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS stock_thresholds`.execute(db)
}
