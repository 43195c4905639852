/**
 * One real database per test file: created, migrated, dropped. Names carry the pid and random
 * bytes so parallel files, repeated runs and a running demo never meet.
 */
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { loadConfig } from '../../config/index.js'
import { createDb, withDatabase, type Db } from '../../src/db/connect.js'
import { migrateToLatest } from '../../src/db/migrate.js'

export const TEST_DB_URL_BASE =
  process.env.TEST_DATABASE_URL ?? loadConfig({ ...process.env, NODE_ENV: 'test' }).db.url

export interface TestDb {
  db: Db
  name: string
  url: string
  drop(): Promise<void>
}

export async function freshDb(opts: { migrate?: boolean } = {}): Promise<TestDb> {
  const name = `entrepot_t_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = createDb({ url: withDatabase(TEST_DB_URL_BASE, null), poolSize: 1 })
  await sql`CREATE DATABASE ${sql.id(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`.execute(admin)
  const url = withDatabase(TEST_DB_URL_BASE, name)
  const db = createDb({ url, poolSize: 8 })
  if (opts.migrate !== false) await migrateToLatest(db)
  return {
    db,
    name,
    url,
    async drop() {
      await db.destroy()
      await sql`DROP DATABASE IF EXISTS ${sql.id(name)}`.execute(admin)
      await admin.destroy()
    },
  }
}
