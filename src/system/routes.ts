import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Object({ database: Type.String(), redis: Type.String() }),
})

async function check(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<string> {
  try {
    await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), timeoutMs).unref())])
    return 'ok'
  } catch (err) {
    return `error: ${err instanceof Error ? err.message : String(err)}`
  }
}

export async function systemRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: { tags: ['system'], summary: 'Checks the database and Redis', response: { 200: Health, 503: Health } },
      logLevel: 'warn',
    },
    async (_req, reply) => {
      const [database, redis] = await Promise.all([
        check(() => sql`SELECT 1`.execute(ctx.db)),
        check(() => ctx.redis.ping()),
      ])
      const ok = database === 'ok' && redis === 'ok'
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks: { database, redis } })
    },
  )

  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const httpDuration = new Histogram({
    name: 'entrepot_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  new Gauge({
    name: 'entrepot_queue_jobs',
    help: 'BullMQ jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const [name, queue] of Object.entries(ctx.queues)) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed')
        for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n)
      }
    },
  })
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url
    if (!route || route === '/metrics') return
    httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000)
  })

  app.get(
    '/metrics',
    { config: { public: true }, schema: { tags: ['system'], summary: 'Prometheus metrics', hide: false }, logLevel: 'warn' },
    async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  )
}
