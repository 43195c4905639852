import { sql, type Kysely } from 'kysely'

// Count sheets (盘点单): lines with the expected quantity (hidden from the counter), the counted
// one, and who counted; approved by a second person, the variance posted as adjustments.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS stock_counts (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      number VARCHAR(32) NOT NULL,
      warehouse_id CHAR(26) NOT NULL,
      status VARCHAR(16) NOT NULL DEFAULT 'counting',
      bin_from VARCHAR(64) NULL,
      bin_to VARCHAR(64) NULL,
      note VARCHAR(500) NULL,
      created_by VARCHAR(64) NULL,
      submitted_by VARCHAR(64) NULL,
      submitted_at DATETIME(3) NULL,
      decided_by VARCHAR(64) NULL,
      decided_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY stock_counts_number (merchant_id, number),
      KEY stock_counts_list (merchant_id, created_at),
      CONSTRAINT stock_counts_status CHECK (status IN ('counting','submitted','approved','cancelled'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS stock_count_lines (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      count_id CHAR(26) NOT NULL,
      sku_id CHAR(26) NOT NULL,
      bin VARCHAR(64) NULL,
      expected INT NOT NULL,
      counted INT NULL,
      counted_by VARCHAR(64) NULL,
      counted_at DATETIME(3) NULL,
      UNIQUE KEY stock_count_lines_sku (merchant_id, count_id, sku_id),
      CONSTRAINT stock_count_lines_counted CHECK (counted IS NULL OR counted >= 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS stock_count_lines`.execute(db)
  await sql`DROP TABLE IF EXISTS stock_counts`.execute(db)
}
