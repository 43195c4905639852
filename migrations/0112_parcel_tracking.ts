import { sql, type Kysely } from 'kysely'

// Tracking numbers of shipped parcels, by number: the pack station finds an order from its waybill,
// and a number is never given to two parcels of one merchant.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS parcel_tracking (
      merchant_id CHAR(26) NOT NULL,
      tracking_number VARCHAR(64) NOT NULL,
      order_id CHAR(26) NOT NULL,
      shipment_id CHAR(26) NOT NULL,
      parcel_no INT NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, tracking_number, shipment_id, parcel_no),
      KEY parcel_tracking_shipment (merchant_id, shipment_id, parcel_no)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS parcel_tracking`.execute(db)
}
