import { Migrator, sql, type MigrationResultSet } from 'kysely'
import { MIGRATIONS } from '../../migrations/index.js'
import { createDb, databaseName, withDatabase, type Db, type DbConfig } from './connect.js'

export function migrator(db: Db): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'kysely_migration',
    migrationLockTableName: 'kysely_migration_lock',
    // A module's migration numbered inside its range may land after a later range's: every
    // migration is written to apply on any schema state (IF NOT EXISTS), so order by name suffices.
    allowUnorderedMigrations: true,
  })
}

/** Apply every pending migration; a second run applies nothing. Throws with the failing name. */
export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const result = await migrator(db).migrateToLatest()
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')
    const cause = result.error instanceof Error ? result.error : new Error(JSON.stringify(result.error))
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause.message}`, { cause })
  }
  return result
}

/** CREATE DATABASE IF NOT EXISTS for the database named in the URL. */
export async function ensureDatabase(cfg: DbConfig): Promise<void> {
  const name = databaseName(cfg.url)
  if (!name) throw new Error('DATABASE_URL must name a database, e.g. mysql://root@127.0.0.1:3306/entrepot')
  const admin = createDb({ url: withDatabase(cfg.url, null), poolSize: 1 })
  try {
    await sql`CREATE DATABASE IF NOT EXISTS ${sql.id(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`.execute(
      admin,
    )
  } finally {
    await admin.destroy()
  }
}
