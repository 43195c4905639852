import { sql, type Kysely } from 'kysely'

// Reservations of stock for order lines; reserved = Σ open allocations per warehouse and SKU.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS stock_allocations (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      order_id CHAR(26) NOT NULL,
      order_line_sku_id CHAR(26) NOT NULL,
      warehouse_id CHAR(26) NOT NULL,
      sku_id CHAR(26) NOT NULL,
      quantity INT NOT NULL,
      status VARCHAR(16) NOT NULL DEFAULT 'open',
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      KEY allocations_order (merchant_id, order_id),
      KEY allocations_stock (merchant_id, warehouse_id, sku_id, status),
      CONSTRAINT allocations_qty CHECK (quantity > 0),
      CONSTRAINT allocations_status CHECK (status IN ('open','released','shipped'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS stock_allocations`.execute(db)
}
