import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Object({ database: Type.String(), redis: Type.String() }),
})

async function check(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<string> {
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), timeoutMs).unref()),
    ])
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
      schema: {
        tags: ['system'],
        summary: 'Checks the database and Redis',
        response: { 200: Health, 503: Health },
      },
      logLevel: 'warn',
    },
    async (_req, reply) => {
      const [database, redis] = await Promise.all([
        check(() => sql`SELECT 1`.execute(ctx.db)),
        check(() => ctx.redis.ping()),
      ])
      const ok = database === 'ok' && redis === 'ok'
      return reply
        .status(ok ? 200 : 503)
        .send({ status: ok ? 'ok' : 'degraded', checks: { database, redis } })
    },
  )

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics',
        response: {
          200: {
            description: 'metrics in the Prometheus text format',
            content: { 'text/plain': { schema: Type.String() } },
          },
        },
      },
      logLevel: 'warn',
    },
    async (_req, reply) =>
      reply.type(fastify.metrics.registry.contentType).send(await fastify.metrics.registry.metrics()),
  )
}
