import { sql, type Kysely } from 'kysely'

// Barcodes of a SKU (EAN-13, Code128, a platform's item code): several per SKU, each unique within
// the merchant so that a scan names one SKU. The old single skus.barcode is carried over.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS sku_barcodes (
      merchant_id CHAR(26) NOT NULL,
      code VARCHAR(128) NOT NULL,
      sku_id CHAR(26) NOT NULL,
      kind VARCHAR(16) NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, code),
      KEY sku_barcodes_sku (merchant_id, sku_id),
      CONSTRAINT sku_barcodes_kind CHECK (kind IN ('ean13','code128','platform'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    INSERT IGNORE INTO sku_barcodes (merchant_id, code, sku_id, kind)
    SELECT merchant_id, barcode, id, 'code128' FROM skus WHERE barcode IS NOT NULL AND barcode <> ''`.execute(
    db,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS sku_barcodes`.execute(db)
}
