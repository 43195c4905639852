/**
 * Schema probes for migrations that change existing tables. MySQL 8 has no
 * `ADD COLUMN IF NOT EXISTS` (MariaDB does), so a migration asks first: every migration must apply
 * on any schema state, whichever server runs it.
 */
import { sql, type Kysely } from 'kysely'

export async function hasColumn(db: Kysely<unknown>, table: string, column: string): Promise<boolean> {
  const r = await sql<{ n: number }>`
    SELECT COUNT(*) AS n FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = ${table} AND column_name = ${column}`.execute(db)
  return Number(r.rows[0]?.n ?? 0) > 0
}

/** ALTER TABLE … ADD COLUMN, unless the column is there already. */
export async function addColumn(
  db: Kysely<unknown>,
  table: string,
  column: string,
  definition: string,
): Promise<void> {
  if (!(await hasColumn(db, table, column)))
    await sql`ALTER TABLE ${sql.id(table)} ADD COLUMN ${sql.id(column)} ${sql.raw(definition)}`.execute(db)
}

/** ALTER TABLE … DROP COLUMN, if the column is there. */
export async function dropColumn(db: Kysely<unknown>, table: string, column: string): Promise<void> {
  if (await hasColumn(db, table, column))
    await sql`ALTER TABLE ${sql.id(table)} DROP COLUMN ${sql.id(column)}`.execute(db)
}
