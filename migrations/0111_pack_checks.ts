import { sql, type Kysely } from 'kysely'

// Verify and pack (验货打包): per shipment unit (an order, or one group of a split order) the units
// scanned per SKU, kept on the server so a reload or another station carries on, and the packed mark.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS pack_checks (
      merchant_id CHAR(26) NOT NULL,
      order_id CHAR(26) NOT NULL,
      shipment_group_id CHAR(26) NOT NULL DEFAULT '',
      status VARCHAR(16) NOT NULL DEFAULT 'verifying',
      packed_by CHAR(26) NULL,
      packed_at DATETIME(3) NULL,
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, order_id, shipment_group_id),
      CONSTRAINT pack_checks_status CHECK (status IN ('verifying','packed'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS pack_check_lines (
      merchant_id CHAR(26) NOT NULL,
      order_id CHAR(26) NOT NULL,
      shipment_group_id CHAR(26) NOT NULL DEFAULT '',
      sku_id CHAR(26) NOT NULL,
      expected INT NOT NULL,
      scanned INT NOT NULL DEFAULT 0,
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, order_id, shipment_group_id, sku_id),
      CONSTRAINT pack_check_lines_qty CHECK (scanned >= 0 AND scanned <= expected)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS pack_check_lines`.execute(db)
  await sql`DROP TABLE IF EXISTS pack_checks`.execute(db)
}
