/**
 * Starts one BullMQ Worker per queue in this process. Each worker gets its own blocking
 * connection; errors are logged with the job id and left to BullMQ's attempts + backoff.
 */
import { Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { AppContext } from '../src/context.js'
import { workerConnection } from './connection.js'
import { JOINED_CONCURRENCY, QUEUE_NAMES, type QueueName } from './queues.js'
import { PROCESSORS, type Processor } from './workers/index.js'

export interface Workers {
  workers: Worker[]
  close(): Promise<void>
}

export function startWorkers(ctx: AppContext, only: readonly QueueName[] = QUEUE_NAMES): Workers {
  const log = ctx.log.child({ subsystem: 'jobs' })
  const connections: Redis[] = []
  const workers = only.map((name) => {
    const connection = workerConnection(ctx.config.redis.url)
    connections.push(connection)
    const processor = (PROCESSORS[name] as (c: AppContext) => Processor<typeof name>)(ctx)
    const worker = new Worker(name, processor, {
      connection,
      prefix: ctx.config.redis.prefix,
      concurrency: ctx.config.workers.concurrency * (JOINED_CONCURRENCY[name] ?? 1),
      autorun: true,
    })
    worker.on('failed', (job, err) =>
      log.warn({ queue: name, jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed'),
    )
    worker.on('error', (err) => log.error({ queue: name, err }, 'worker error'))
    return worker
  })
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()))
      await Promise.all(connections.map((c) => c.quit().catch(() => undefined)))
    },
  }
}
