import { sql, type Kysely } from 'kysely'

// Append-only record of every change of on_hand; on_hand always equals the sum of its movements.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS stock_movements (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      warehouse_id CHAR(26) NOT NULL,
      sku_id CHAR(26) NOT NULL,
      kind VARCHAR(16) NOT NULL,
      quantity INT NOT NULL,
      unit_cost DECIMAL(18,4) NULL,
      currency CHAR(3) NULL,
      reason VARCHAR(200) NULL,
      ref_type VARCHAR(32) NULL,
      ref_id VARCHAR(64) NULL,
      actor VARCHAR(64) NULL,
      idempotency_key VARCHAR(128) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      KEY movements_stock (merchant_id, warehouse_id, sku_id, created_at),
      KEY movements_ref (merchant_id, ref_type, ref_id),
      KEY movements_kind_time (merchant_id, kind, created_at),
      UNIQUE KEY movements_idempotency (merchant_id, idempotency_key),
      CONSTRAINT movements_kind CHECK (kind IN ('receipt','adjustment','shipment','return','transfer_out','transfer_in'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS stock_movements`.execute(db)
}
