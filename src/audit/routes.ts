import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { errorResponses, Id } from '../api/schemas.js'
import type { AppContext } from '../context.js'
import { ACTOR_TYPES, listAudit } from './query.js'

const Token = Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w.:-]+$' })

export async function auditRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/audit-log',
    {
      schema: {
        tags: ['merchant'],
        summary: 'Who changed what, newest first; action may be exact (user.create) or a family (user.)',
        querystring: Type.Object({
          actorType: Type.Optional(Type.Enum(ACTOR_TYPES)),
          actorId: Type.Optional(Id),
          action: Type.Optional(Token),
          entityType: Type.Optional(Token),
          entityId: Type.Optional(Token),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          cursor: Type.Optional(Id),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                at: Type.String(),
                actorType: Type.Enum(ACTOR_TYPES),
                actorId: Type.Union([Type.String(), Type.Null()]),
                actorName: Type.Union([Type.String(), Type.Null()]),
                actorLogin: Type.Union([Type.String(), Type.Null()]),
                action: Type.String(),
                entityType: Type.String(),
                entityId: Type.String(),
                detail: Type.Record(Type.String(), Type.Unknown()),
              }),
            ),
            next: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { limit = 50, cursor, from, to, ...rest } = req.query
      const rows = await listAudit(ctx.db, req.auth.merchantId, {
        ...rest,
        limit: limit + 1,
        ...(cursor ? { before: cursor } : {}),
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
      })
      const items = rows.slice(0, limit)
      return {
        items: items.map((r) => ({ ...r, at: r.at.toISOString() })),
        next: rows.length > limit ? items.at(-1)!.id : null,
      }
    },
  )
}
