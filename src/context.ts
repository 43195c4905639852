import type { Redis } from 'ioredis'
import type { Config } from '../config/index.js'
import type { Db } from './db/connect.js'
import type { Clock } from './lib/clock.js'
import type { Logger } from './lib/logger.js'
import type { Queues } from '../jobs/queues.js'

/** Everything an API route, a worker or a CLI command needs; built once by a composition root. */
export interface AppContext {
  config: Readonly<Config>
  db: Db
  /** Producer connection (fails fast); workers open their own blocking connections. */
  redis: Redis
  queues: Queues
  log: Logger
  clock: Clock
}
