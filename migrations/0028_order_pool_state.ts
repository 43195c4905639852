import { sql, type Kysely } from 'kysely'

// What the order pool keeps about each order beyond the platform's data: the hash of the last
// normalized write (so re-running an unchanged version writes nothing) and a receiver fixed by hand
// (which a re-run of the platform's version must not overwrite).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS order_pool_state (
      merchant_id CHAR(26) NOT NULL,
      order_id CHAR(26) NOT NULL,
      pool_hash CHAR(64) NOT NULL,
      receiver_override JSON NULL,
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, order_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS order_pool_state`.execute(db)
}
