import { sql, type Kysely } from 'kysely'

// Receipts (入库单) as documents: a draft with many lines, posted once into stock movements.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS stock_receipts (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      number VARCHAR(32) NOT NULL,
      warehouse_id CHAR(26) NOT NULL,
      status VARCHAR(16) NOT NULL DEFAULT 'draft',
      currency CHAR(3) NOT NULL,
      supplier_ref VARCHAR(64) NULL,
      note VARCHAR(500) NULL,
      created_by VARCHAR(64) NULL,
      posted_by VARCHAR(64) NULL,
      posted_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY stock_receipts_number (merchant_id, number),
      KEY stock_receipts_list (merchant_id, created_at),
      CONSTRAINT stock_receipts_status CHECK (status IN ('draft','posted'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS stock_receipt_lines (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      receipt_id CHAR(26) NOT NULL,
      line_no INT NOT NULL,
      sku_id CHAR(26) NOT NULL,
      quantity INT NOT NULL,
      unit_cost DECIMAL(18,4) NOT NULL,
      bin VARCHAR(64) NULL,
      UNIQUE KEY stock_receipt_lines_no (merchant_id, receipt_id, line_no),
      CONSTRAINT stock_receipt_lines_qty CHECK (quantity > 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS stock_receipt_lines`.execute(db)
  await sql`DROP TABLE IF EXISTS stock_receipts`.execute(db)
}
