import { Redis, type RedisOptions } from 'ioredis'

/**
 * Workers need maxRetriesPerRequest: null (BullMQ throws otherwise); producers in the HTTP path
 * fail fast instead, so a Redis outage answers 503 rather than hanging a request.
 */
export function workerConnection(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra })
}

export function producerConnection(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5000, ...extra })
}
