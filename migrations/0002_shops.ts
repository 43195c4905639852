import { sql, type Kysely } from 'kysely'

// Linked shop accounts. Credentials are sealed with AES-256-GCM by the app; the key is not here.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS shops (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      channel VARCHAR(32) NOT NULL,
      name VARCHAR(200) NOT NULL,
      status VARCHAR(16) NOT NULL DEFAULT 'active',
      settings JSON NOT NULL,
      credentials_enc VARBINARY(8192) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      KEY shops_merchant (merchant_id, channel, name),
      CONSTRAINT shops_status CHECK (status IN ('active','disabled'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS shops`.execute(db)
}
