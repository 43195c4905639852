import { sql, type Kysely } from 'kysely'

// Shipments with their parcels, the carrier chosen per order, and shipment writebacks (发货回传)
// to each platform order. shipments.idempotency_key makes a repeated ship request a no-op.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS order_carriers (
      merchant_id CHAR(26) NOT NULL,
      order_id CHAR(26) NOT NULL,
      carrier VARCHAR(16) NOT NULL,
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, order_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS shipments (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      order_id CHAR(26) NOT NULL,
      warehouse_id CHAR(26) NOT NULL,
      idempotency_key VARCHAR(128) NOT NULL,
      parcels JSON NOT NULL,
      cogs_amount DECIMAL(18,4) NOT NULL,
      cogs_currency CHAR(3) NOT NULL,
      shipped_by CHAR(26) NULL,
      shipped_at DATETIME(3) NOT NULL,
      UNIQUE KEY shipments_idempotency (merchant_id, idempotency_key),
      KEY shipments_order (merchant_id, order_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS shipment_writebacks (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shipment_id CHAR(26) NOT NULL,
      order_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      parcel_no INT NOT NULL,
      status VARCHAR(16) NOT NULL DEFAULT 'pending',
      attempts INT NOT NULL DEFAULT 0,
      last_error TEXT NULL,
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      done_at DATETIME(3) NULL,
      UNIQUE KEY writebacks_parcel (merchant_id, shipment_id, parcel_no),
      KEY writebacks_status (merchant_id, status, updated_at),
      CONSTRAINT writebacks_status_check CHECK (status IN ('pending','done','failed'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS shipment_writebacks`.execute(db)
  await sql`DROP TABLE IF EXISTS shipments`.execute(db)
  await sql`DROP TABLE IF EXISTS order_carriers`.execute(db)
}
