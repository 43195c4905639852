import { sql, type Kysely } from 'kysely'

// Stock per warehouse and SKU. The invariant 0 <= reserved <= on_hand is the database's to keep.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS stock (
      merchant_id CHAR(26) NOT NULL,
      warehouse_id CHAR(26) NOT NULL,
      sku_id CHAR(26) NOT NULL,
      on_hand INT NOT NULL DEFAULT 0,
      reserved INT NOT NULL DEFAULT 0,
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, warehouse_id, sku_id),
      KEY stock_sku (merchant_id, sku_id),
      CONSTRAINT stock_reserved_range CHECK (reserved >= 0 AND reserved <= on_hand)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS stock`.execute(db)
}
