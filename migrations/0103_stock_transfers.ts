import { sql, type Kysely } from 'kysely'

// Transfers (调拨单) as documents: shipped from the source (in transit, available nowhere), then
// received at the destination, partly if need be, with the discrepancy recorded per line.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS stock_transfers (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      number VARCHAR(32) NOT NULL,
      from_warehouse_id CHAR(26) NOT NULL,
      to_warehouse_id CHAR(26) NOT NULL,
      status VARCHAR(16) NOT NULL DEFAULT 'draft',
      note VARCHAR(500) NULL,
      discrepancy_note VARCHAR(500) NULL,
      created_by VARCHAR(64) NULL,
      shipped_by VARCHAR(64) NULL,
      shipped_at DATETIME(3) NULL,
      received_by VARCHAR(64) NULL,
      received_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY stock_transfers_number (merchant_id, number),
      KEY stock_transfers_list (merchant_id, created_at),
      KEY stock_transfers_open (merchant_id, status, to_warehouse_id),
      CONSTRAINT stock_transfers_status CHECK (status IN ('draft','in_transit','received','cancelled'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS stock_transfer_lines (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      transfer_id CHAR(26) NOT NULL,
      line_no INT NOT NULL,
      sku_id CHAR(26) NOT NULL,
      quantity INT NOT NULL,
      received INT NOT NULL DEFAULT 0,
      UNIQUE KEY stock_transfer_lines_no (merchant_id, transfer_id, line_no),
      CONSTRAINT stock_transfer_lines_qty CHECK (quantity > 0 AND received >= 0 AND received <= quantity)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS stock_transfer_lines`.execute(db)
  await sql`DROP TABLE IF EXISTS stock_transfers`.execute(db)
}
