/**
 * A whole test environment: its own database, its own Redis key prefix, a context, the API app,
 * and a log capture (to prove secrets never reach a log line).
 */
import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { loadConfig, type Config } from '../../config/index.js'
import { setOutboundPolicy } from '../../connectors/outbound.js'
import { producerConnection } from '../../jobs/connection.js'
import { closeQueues, createQueues } from '../../jobs/queues.js'
import { buildApp } from '../../src/app.js'
import type { AppContext } from '../../src/context.js'
import type { Role } from '../../src/db/schema.js'
import { fixedClock, systemClock, type Clock } from '../../src/lib/clock.js'
import { createLogger } from '../../src/lib/logger.js'
import { createApiKey, createMerchant } from '../../src/merchants/repo.js'
import { upsertSkus } from '../../src/skus/repo.js'
import { freshDb, type TestDb } from './db.js'

export interface TestEnv {
  ctx: AppContext
  app: FastifyInstance
  testDb: TestDb
  logs: string[]
  prefix: string
  close(): Promise<void>
}

export async function testEnv(
  opts: { clock?: Clock; config?: Record<string, string> } = {},
): Promise<TestEnv> {
  const testDb = await freshDb()
  const prefix = `{entrepot-test-${process.pid}-${randomBytes(3).toString('hex')}}`
  const config: Readonly<Config> = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: testDb.url,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'info',
    ...opts.config,
  })
  setOutboundPolicy({ allowPrivate: config.outbound.allowPrivate })
  const logs: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'))
      cb()
    },
  })
  const redis = producerConnection(config.redis.url)
  const ctx: AppContext = {
    config,
    db: testDb.db,
    redis,
    queues: createQueues(redis, prefix),
    log: createLogger('info', false, sink),
    clock: opts.clock ?? systemClock,
  }
  const app = await buildApp(ctx)
  await app.ready()
  return {
    ctx,
    app,
    testDb,
    logs,
    prefix,
    async close() {
      await app.close()
      await closeQueues(ctx.queues)
      await clearPrefix(config.redis.url, prefix)
      await redis.quit()
      await testDb.drop()
    },
  }
}

/** Delete every Redis key under a test prefix. */
export async function clearPrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis(url)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      if (keys.length) await r.del(...keys)
      cursor = next
    } while (cursor !== '0')
  } finally {
    await r.quit()
  }
}

export interface TestMerchant {
  id: string
  keys: Record<Role, string>
}

/** A merchant with one API key per role. */
export async function seedMerchant(ctx: AppContext, name = 'Test Merchant'): Promise<TestMerchant> {
  const m = await createMerchant(ctx.db, { name })
  const keys = {} as Record<Role, string>
  for (const role of ['admin', 'warehouse', 'accountant'] as const) {
    keys[role] = (await createApiKey(ctx.db, m.id, { role }, ctx.clock.now())).token
  }
  return { id: m.id, keys }
}

/** SKUs of a merchant by code (named `<code> name` unless given), and their ids by code. */
export async function seedSkus(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  merchantId: string,
  codes: readonly (string | { code: string; name: string })[],
): Promise<Record<string, string>> {
  const items = codes.map((c) => (typeof c === 'string' ? { code: c, name: `${c} name` } : c))
  await upsertSkus(ctx, merchantId, items)
  const rows = await ctx.db
    .selectFrom('skus')
    .select(['id', 'code'])
    .where('merchant_id', '=', merchantId)
    .where(
      'code',
      'in',
      items.map((i) => i.code),
    )
    .execute()
  return Object.fromEntries(rows.map((r) => [r.code, r.id]))
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

export { fixedClock }
