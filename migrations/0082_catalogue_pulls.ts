import { sql, type Kysely } from 'kysely'

// One row per catalogue pull of a shop: when and why it ran, what it found and linked, and how it
// ended — what the merchant is shown after linking a shop (§A.8.4).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS catalogue_pulls (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      reason VARCHAR(16) NOT NULL,
      status VARCHAR(16) NOT NULL,
      started_at DATETIME(3) NOT NULL,
      finished_at DATETIME(3) NULL,
      listings INT NOT NULL DEFAULT 0,
      skus INT NOT NULL DEFAULT 0,
      unreadable INT NOT NULL DEFAULT 0,
      linked INT NOT NULL DEFAULT 0,
      removed INT NOT NULL DEFAULT 0,
      error VARCHAR(2000) NULL,
      KEY catalogue_pulls_shop (merchant_id, shop_id, started_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS catalogue_pulls`.execute(db)
}
