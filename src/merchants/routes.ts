import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { ADMIN } from '../api/auth.js'
import { notFound } from '../api/errors.js'
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
      config: { roles: ADMIN },
      schema: {
        tags: ['merchant'],
        response: { 200: Type.Object({ items: Type.Array(ApiKey) }), ...errorResponses },
      },
    },
    async (req) => ({ items: (await listApiKeys(ctx.db, req.auth.merchantId)).map(toJson) }),
  )

  app.post(
    '/api-keys',
    {
      config: { roles: ADMIN },
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
      const { key, token } = await createApiKey(ctx.db, req.auth.merchantId, req.body)
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
      config: { roles: ADMIN },
      schema: { tags: ['merchant'], params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
    },
    async (req, reply) => {
      if (!(await revokeApiKey(ctx.db, req.auth.merchantId, req.params.id)))
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
