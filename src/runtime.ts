/**
 * Composition root shared by the API, the workers and the CLI: config → db, redis, queues, logger.
 */
import type { Config } from '../config/index.js'
import { setOutboundPolicy } from '../connectors/outbound.js'
import { producerConnection } from '../jobs/connection.js'
import { closeQueues, createQueues } from '../jobs/queues.js'
import type { AppContext } from './context.js'
import { createDb } from './db/connect.js'
import { systemClock, type Clock } from './lib/clock.js'
import { createLogger, type Logger } from './lib/logger.js'

export interface RuntimeOptions {
  log?: Logger
  clock?: Clock
}

export function createContext(config: Readonly<Config>, opts: RuntimeOptions = {}): AppContext {
  const log = opts.log ?? createLogger(config.log.level, config.log.pretty)
  setOutboundPolicy({ allowPrivate: config.outbound.allowPrivate })
  const redis = producerConnection(config.redis.url, { lazyConnect: false })
  redis.on('error', (err) => log.warn({ subsystem: 'jobs', err: err.message }, 'redis connection error'))
  return {
    config,
    db: createDb(config.db),
    redis,
    queues: createQueues(redis, config.redis.prefix),
    log,
    clock: opts.clock ?? systemClock,
  }
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await closeQueues(ctx.queues)
  await ctx.redis.quit().catch(() => undefined)
  await ctx.db.destroy()
}
