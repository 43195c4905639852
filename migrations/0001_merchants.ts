import { sql, type Kysely } from 'kysely'

// Merchants (tenants), their users, and the API keys that carry a merchant and a role.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS merchants (
      id CHAR(26) NOT NULL PRIMARY KEY,
      name VARCHAR(200) NOT NULL,
      timezone VARCHAR(64) NOT NULL DEFAULT 'Asia/Shanghai',
      base_currency CHAR(3) NOT NULL DEFAULT 'CNY',
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS users (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      email VARCHAR(320) NOT NULL,
      name VARCHAR(200) NOT NULL,
      role VARCHAR(16) NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY users_merchant_email (merchant_id, email),
      CONSTRAINT users_role CHECK (role IN ('admin','warehouse','accountant'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS api_keys (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      user_id CHAR(26) NULL,
      name VARCHAR(200) NOT NULL,
      role VARCHAR(16) NOT NULL,
      key_hash CHAR(64) NOT NULL,
      key_prefix VARCHAR(16) NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      last_used_at DATETIME(3) NULL,
      revoked_at DATETIME(3) NULL,
      UNIQUE KEY api_keys_hash (key_hash),
      KEY api_keys_merchant (merchant_id, created_at),
      CONSTRAINT api_keys_role CHECK (role IN ('admin','warehouse','accountant'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS api_keys`.execute(db)
  await sql`DROP TABLE IF EXISTS users`.execute(db)
  await sql`DROP TABLE IF EXISTS merchants`.execute(db)
}
