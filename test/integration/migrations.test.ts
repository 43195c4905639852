import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { migrateToLatest } from '../../src/db/migrate.js'
import { freshDb, type TestDb } from '../helpers/db.js'

let t: TestDb
beforeAll(async () => {
  t = await freshDb({ migrate: false })
})
afterAll(() => t.drop())

it('applies every migration on an empty database, and a second run applies nothing', async () => {
  const first = await migrateToLatest(t.db)
  const applied = (first.results ?? []).map((r) => r.migrationName)
  expect(applied.length).toBeGreaterThanOrEqual(5)
  expect(applied).toEqual([...applied].sort())
  expect(first.results?.every((r) => r.status === 'Success')).toBe(true)

  const tables = await sql<{
    t: string
  }>`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()`.execute(t.db)
  const names = tables.rows.map((r) => r.t)
  for (const table of ['merchants', 'users', 'api_keys', 'shops', 'warehouses', 'skus', 'audit_log'])
    expect(names).toContain(table)

  const second = await migrateToLatest(t.db)
  expect(second.results).toEqual([])
})
