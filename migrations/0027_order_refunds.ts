import { sql, type Kysely } from 'kysely'

// After-sales / refunds per platform refund id; order_id is NULL until the order is known.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS order_refunds (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      order_id CHAR(26) NULL,
      external_refund_id VARCHAR(64) NOT NULL,
      order_external_id VARCHAR(64) NOT NULL,
      status VARCHAR(16) NOT NULL,
      platform_status VARCHAR(64) NOT NULL,
      amount DECIMAL(18,4) NOT NULL,
      currency CHAR(3) NOT NULL,
      reason VARCHAR(500) NULL,
      return_goods TINYINT(1) NOT NULL DEFAULT 0,
      refund_lines JSON NOT NULL,
      platform_updated_at DATETIME(3) NOT NULL,
      created_at DATETIME(3) NOT NULL,
      UNIQUE KEY order_refunds_external (merchant_id, shop_id, external_refund_id),
      KEY order_refunds_order (merchant_id, order_id),
      KEY order_refunds_pending (merchant_id, shop_id, order_external_id),
      CONSTRAINT order_refunds_status CHECK (status IN ('requested','approved','refunded','rejected','cancelled'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS order_refunds`.execute(db)
}
