import { sql, type Kysely } from 'kysely'

// One row per merchant, provider and day of the daily rate pull: how it went (ok, retrying, failed),
// the attempts, the error the provider gave, the rate date it published and what the pull stored and
// released. A failed pull is an alert until a later pull of the provider succeeds.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS fx_rate_pulls (
      merchant_id CHAR(26) NOT NULL,
      source VARCHAR(24) NOT NULL,
      day DATE NOT NULL,
      status VARCHAR(16) NOT NULL,
      attempts INT NOT NULL DEFAULT 0,
      rate_date DATE NULL,
      rates INT NOT NULL DEFAULT 0,
      released INT NOT NULL DEFAULT 0,
      error VARCHAR(1000) NULL,
      updated_at DATETIME(3) NOT NULL,
      PRIMARY KEY (merchant_id, source, day),
      CONSTRAINT fx_rate_pulls_status CHECK (status IN ('ok', 'retrying', 'failed'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS fx_rate_pulls`.execute(db)
}
