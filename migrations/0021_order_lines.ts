import { sql, type Kysely } from 'kysely'

// Lines per platform sub-order, with apportioned amounts (paid_amount sums exactly to the order's),
// and order_line_skus: the stock view of each line (bundles expanded into components).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS order_lines (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      order_id CHAR(26) NOT NULL,
      line_no INT NOT NULL,
      external_line_id VARCHAR(64) NOT NULL,
      platform_item_id VARCHAR(64) NULL,
      platform_sku_id VARCHAR(64) NULL,
      outer_code VARCHAR(128) NULL,
      title VARCHAR(500) NOT NULL,
      sku_properties VARCHAR(500) NULL,
      quantity INT NOT NULL,
      unit_price DECIMAL(18,4) NOT NULL,
      goods_amount DECIMAL(18,4) NOT NULL,
      platform_discount DECIMAL(18,4) NOT NULL,
      merchant_discount DECIMAL(18,4) NOT NULL,
      shipping_share DECIMAL(18,4) NOT NULL DEFAULT 0,
      tax_amount DECIMAL(18,4) NOT NULL DEFAULT 0,
      paid_amount DECIMAL(18,4) NOT NULL,
      sku_id CHAR(26) NULL,
      is_bundle TINYINT(1) NOT NULL DEFAULT 0,
      platform_status VARCHAR(64) NULL,
      refund_state VARCHAR(16) NOT NULL DEFAULT 'none',
      refunded_quantity INT NOT NULL DEFAULT 0,
      refunded_amount DECIMAL(18,4) NOT NULL DEFAULT 0,
      UNIQUE KEY order_lines_external (merchant_id, order_id, external_line_id),
      KEY order_lines_sku (merchant_id, sku_id),
      CONSTRAINT order_lines_qty CHECK (quantity > 0),
      CONSTRAINT order_lines_paid CHECK (paid_amount >= 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS order_line_skus (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      order_id CHAR(26) NOT NULL,
      order_line_id CHAR(26) NOT NULL,
      sku_id CHAR(26) NOT NULL,
      quantity INT NOT NULL,
      revenue_share DECIMAL(18,4) NOT NULL,
      UNIQUE KEY order_line_skus_line (merchant_id, order_line_id, sku_id),
      KEY order_line_skus_order (merchant_id, order_id),
      KEY order_line_skus_sku (merchant_id, sku_id),
      CONSTRAINT order_line_skus_qty CHECK (quantity > 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS order_line_skus`.execute(db)
  await sql`DROP TABLE IF EXISTS order_lines`.execute(db)
}
