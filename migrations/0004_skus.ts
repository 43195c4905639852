import { sql, type Kysely } from 'kysely'

// The merchant's own SKUs (商家编码). Platform SKUs map onto these (order pool migrations).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS skus (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      code VARCHAR(128) NOT NULL,
      name VARCHAR(500) NOT NULL,
      barcode VARCHAR(128) NULL,
      category VARCHAR(128) NULL,
      unit VARCHAR(16) NOT NULL DEFAULT 'pcs',
      weight_g INT NULL,
      active TINYINT(1) NOT NULL DEFAULT 1,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY skus_merchant_code (merchant_id, code),
      KEY skus_merchant_barcode (merchant_id, barcode),
      KEY skus_merchant_name (merchant_id, name(64))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS skus`.execute(db)
}
