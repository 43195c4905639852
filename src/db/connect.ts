/**
 * Every mysql2 driver decision lives here. The pool comes from 'mysql2' (callback API): a
 * 'mysql2/promise' pool type-checks under Kysely but hangs on the first query.
 */
import { Kysely, MysqlDialect, type Transaction } from 'kysely'
import { createPool, format, type Pool, type PoolOptions } from 'mysql2'
import type { DB } from './schema.js'

export type Db = Kysely<DB>
export type Tx = Transaction<DB>
/** An executor: the database or a transaction on it. Repository functions take one of these. */
export type Executor = Kysely<DB> | Transaction<DB>

export interface DbConfig {
  url: string
  poolSize: number
}

/** How mysql2 writes a Date into SQL and reads one back: as UTC (DATETIME columns hold UTC). */
export const DRIVER_TIMEZONE = 'Z'

export function poolOptions(cfg: DbConfig): PoolOptions {
  const u = new URL(cfg.url)
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: databaseName(cfg.url) ?? undefined,
    connectionLimit: cfg.poolSize,
    timezone: DRIVER_TIMEZONE,
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: false,
    multipleStatements: false,
    // mysql2's own formatting, but a statement without parameters goes as it is: the default scans
    // all of it for placeholders to fill with nothing, and insertRows' statements are tens of kB.
    queryFormat: (query: string, values: unknown) =>
      Array.isArray(values) && values.length === 0
        ? query
        : format(query, values as Parameters<typeof format>[1], false, DRIVER_TIMEZONE),
  }
}

export function databaseName(url: string): string | null {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''))
  return name === '' ? null : name
}

export function withDatabase(url: string, name: string | null): string {
  const u = new URL(url)
  u.pathname = name ? `/${encodeURIComponent(name)}` : '/'
  return u.toString()
}

export function createPoolFor(cfg: DbConfig): Pool {
  const pool = createPool(poolOptions(cfg))
  // Every session speaks UTC; DATETIME columns hold UTC.
  pool.on('connection', (conn) => {
    conn.query("SET time_zone = '+00:00'")
  })
  return pool
}

const poolSizes = new WeakMap<Db, number>()

export function createDb(cfg: DbConfig): Db {
  const db = new Kysely<DB>({ dialect: new MysqlDialect({ pool: createPoolFor(cfg) }) })
  poolSizes.set(db, cfg.poolSize)
  return db
}

/** How many connections the database's pool holds at most (0 for one not made by createDb). */
export const poolSize = (db: Db): number => poolSizes.get(db) ?? 0
