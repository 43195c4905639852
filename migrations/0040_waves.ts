import { sql, type Kysely } from 'kysely'

// Waves (波次) and the orders in them. open_marker is 1 while the order sits in an open wave and
// NULL otherwise, so the unique key lets an order be in at most one open wave at a time.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS waves (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      warehouse_id CHAR(26) NOT NULL,
      status VARCHAR(16) NOT NULL DEFAULT 'open',
      filters JSON NOT NULL,
      created_by CHAR(26) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      closed_at DATETIME(3) NULL,
      KEY waves_merchant (merchant_id, warehouse_id, status, created_at),
      CONSTRAINT waves_status CHECK (status IN ('open','closed','cancelled'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS wave_orders (
      merchant_id CHAR(26) NOT NULL,
      wave_id CHAR(26) NOT NULL,
      order_id CHAR(26) NOT NULL,
      slot INT NOT NULL,
      status VARCHAR(16) NOT NULL DEFAULT 'in_wave',
      open_marker TINYINT NULL DEFAULT 1,
      added_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, wave_id, order_id),
      UNIQUE KEY wave_orders_one_open (merchant_id, order_id, open_marker),
      CONSTRAINT wave_orders_status CHECK (status IN ('in_wave','removed','shipped','closed'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS pick_confirmations (
      merchant_id CHAR(26) NOT NULL,
      wave_id CHAR(26) NOT NULL,
      allocation_id CHAR(26) NOT NULL,
      picked INT NOT NULL,
      short INT NOT NULL DEFAULT 0,
      confirmed_by CHAR(26) NULL,
      confirmed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, wave_id, allocation_id),
      CONSTRAINT pick_confirmations_qty CHECK (picked >= 0 AND short >= 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS pick_confirmations`.execute(db)
  await sql`DROP TABLE IF EXISTS wave_orders`.execute(db)
  await sql`DROP TABLE IF EXISTS waves`.execute(db)
}
