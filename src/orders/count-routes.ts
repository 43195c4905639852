/** GET /orders/counts: how many orders of the pool are in each status, for the same filters as GET /orders. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { errorResponses, Id } from '../api/schemas.js'
import type { AppContext } from '../context.js'
import { CHANNELS } from '../db/schema.js'
import { shopScope } from '../users/scope.js'
import { countOrdersByStatus } from './queries.js'
import { EXCEPTION_REASONS } from './tables.js'
import { ORDER_STATUSES } from './types.js'

export async function orderCountRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get(
    '/orders/counts',
    {
      schema: {
        tags: ['orders'],
        summary: 'Orders per status (and in all) for the filters of GET /orders, without status and paging',
        querystring: Type.Object({
          channel: Type.Optional(Type.Enum(CHANNELS)),
          shopId: Type.Optional(Id),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          hasExceptions: Type.Optional(Type.Boolean()),
          exceptionReason: Type.Optional(Type.Enum(EXCEPTION_REASONS)),
        }),
        response: {
          200: Type.Object({
            total: Type.Integer(),
            byStatus: Type.Object(
              Object.fromEntries(ORDER_STATUSES.map((s) => [s, Type.Integer()])) as Record<
                (typeof ORDER_STATUSES)[number],
                ReturnType<typeof Type.Integer>
              >,
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { from, to, ...rest } = req.query
      const counts = await countOrdersByStatus(ctx.db, req.auth.merchantId, {
        ...rest,
        shopIds: shopScope(req.auth),
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
      })
      const byStatus = Object.fromEntries(ORDER_STATUSES.map((s) => [s, counts[s] ?? 0])) as Record<
        (typeof ORDER_STATUSES)[number],
        number
      >
      return { total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus }
    },
  )
}
