import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { AppContext } from '../context.js'
import { CHANNELS } from '../db/schema.js'
import { AppError } from '../api/errors.js'
import { Id, errorResponses } from '../api/schemas.js'
import { receiveWebhook } from './service.js'

export async function webhookRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  // The signature covers the exact bytes: keep every body raw in this scope only.
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  )
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.post(
    '/webhooks/:channel/:shopId',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Platform webhooks: verified against the raw body, stored once, processed asynchronously',
        params: Type.Object({ channel: Type.Enum(CHANNELS), shopId: Id }),
        response: { 200: Type.Object({ ok: Type.Boolean(), duplicate: Type.Boolean() }), ...errorResponses },
      },
    },
    async (req) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]),
      )
      const r = await receiveWebhook(ctx, req.params.channel, req.params.shopId, {
        headers,
        rawBody,
        query: req.query as Record<string, string>,
      })
      if (r.status === 409) throw new AppError('conflict', r.reason, 409)
      if (r.status !== 200)
        throw r.status === 401
          ? new AppError('unauthorized', r.reason, 401)
          : new AppError('not_found', r.reason, 404)
      return { ok: true, duplicate: !r.stored && !r.ping }
    },
  )
}
