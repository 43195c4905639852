import { sql, type Kysely } from 'kysely'
import { addColumn } from './columns.js'

// People sign in to the console: a password (argon2id PHC string), an optional phone as a second
// login, a status, per-user scopes (warehouses, shops; NULL = all) and a session epoch that a
// password change or deactivation bumps to end every session at once. A login (email or phone)
// names one account in the whole installation, so the sign-in form needs no merchant.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users MODIFY email VARCHAR(320) NULL`.execute(db)
  await addColumn(db, 'users', 'phone', 'VARCHAR(32) NULL AFTER email')
  await addColumn(db, 'users', 'password_hash', 'VARCHAR(255) NULL')
  await addColumn(db, 'users', 'must_change_password', 'TINYINT(1) NOT NULL DEFAULT 1')
  await addColumn(db, 'users', 'status', "VARCHAR(16) NOT NULL DEFAULT 'active'")
  await addColumn(db, 'users', 'locale', 'VARCHAR(8) NULL')
  await addColumn(db, 'users', 'warehouse_ids', 'JSON NULL')
  await addColumn(db, 'users', 'shop_ids', 'JSON NULL')
  await addColumn(db, 'users', 'session_epoch', 'INT NOT NULL DEFAULT 0')
  await addColumn(db, 'users', 'last_login_at', 'DATETIME(3) NULL')
  await addColumn(
    db,
    'users',
    'updated_at',
    'DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)',
  )
  if (!(await hasIndex(db, 'users', 'users_email')))
    await sql`CREATE UNIQUE INDEX users_email ON users (email)`.execute(db)
  if (!(await hasIndex(db, 'users', 'users_phone')))
    await sql`CREATE UNIQUE INDEX users_phone ON users (phone)`.execute(db)
}

async function hasIndex(db: Kysely<unknown>, table: string, index: string): Promise<boolean> {
  const r = await sql<{ n: number }>`
    SELECT COUNT(*) AS n FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = ${table} AND index_name = ${index}`.execute(db)
  return Number(r.rows[0]?.n ?? 0) > 0
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX users_phone ON users`.execute(db)
  await sql`DROP INDEX users_email ON users`.execute(db)
  for (const c of [
    'updated_at',
    'last_login_at',
    'session_epoch',
    'shop_ids',
    'warehouse_ids',
    'locale',
    'status',
    'must_change_password',
    'password_hash',
    'phone',
  ])
    await sql`ALTER TABLE users DROP COLUMN ${sql.id(c)}`.execute(db)
}
