import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { errorResponses, IdParams, iso, Role } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyInfo } from './repo.js'

const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  prefix: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
})

const toJson = (k: ApiKeyInfo) => ({
  ...k,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: iso(k.lastUsedAt),
  revokedAt: iso(k.revokedAt),
})

export async function merchantRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api-keys',
    {
      schema: {
        tags: ['merchant'],
        querystring: Type.Object(PageQuery),
        response: { 200: Page(ApiKey), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const after = readCursor(cursor, ['string'])?.[0]
      const rows = await listApiKeys(ctx.db, req.auth.merchantId, {
        limit: limit + 1,
        ...(after !== undefined ? { after } : {}),
      })
      const { items, next } = pageOf(rows, limit, (k) => [k.id])
      return { items: items.map(toJson), next }
    },
  )

  app.post(
    '/api-keys',
    {
      schema: {
        tags: ['merchant'],
        summary: 'Create an API key; the token is shown only in this response',
        body: Type.Object(
          { role: Role, name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ key: ApiKey, token: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { key, token } = await createApiKey(ctx.db, req.auth.merchantId, req.body, ctx.clock.now())
      await audit(ctx.db, req.auth.merchantId, {
        ...apiActor(req.auth),
        action: 'api_key.create',
        entityType: 'api_key',
        entityId: key.id,
        detail: { role: key.role, name: key.name },
      })
      return reply.status(201).send({ key: toJson(key), token })
    },
  )

  app.delete(
    '/api-keys/:id',
    {
      schema: { tags: ['merchant'], params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
    },
    async (req, reply) => {
      if (!(await revokeApiKey(ctx.db, req.auth.merchantId, req.params.id, ctx.clock.now())))
        throw notFound('API key', req.params.id)
      await audit(ctx.db, req.auth.merchantId, {
        ...apiActor(req.auth),
        action: 'api_key.revoke',
        entityType: 'api_key',
        entityId: req.params.id,
      })
      return reply.status(204).send(null)
    },
  )
}
