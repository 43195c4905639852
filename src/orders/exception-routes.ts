/** Exception orders (异常单): list with filters, resolve by hand (which re-runs the order's pipeline). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { Id, IdParams, errorResponses } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { resolveExceptions } from './exceptions.js'
import { listExceptions } from './queries.js'
import { rerunEntry, rerunOrder } from './rerun.js'
import { EXCEPTION_REASONS } from './tables.js'
import { ExceptionSchema, exceptionJson } from './views.js'

export async function exceptionRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['orders']

  app.get(
    '/exceptions',
    {
      schema: {
        tags,
        summary: 'Exception orders (异常单) with machine-readable reasons',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(['open', 'resolved'])),
          reason: Type.Optional(Type.Enum(EXCEPTION_REASONS)),
          orderId: Type.Optional(Id),
          shopId: Type.Optional(Id),
          ...PageQuery,
        }),
        response: { 200: Page(ExceptionSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor, ...rest } = req.query
      const before = readCursor(cursor, ['string'])?.[0]
      const rows = await listExceptions(ctx.db, req.auth.merchantId, {
        ...rest,
        limit: limit + 1,
        ...(before !== undefined ? { before } : {}),
      })
      const { items, next } = pageOf(rows, limit, (e) => [e.id])
      return { items: items.map(exceptionJson), next }
    },
  )

  app.post(
    '/exceptions/:id/resolve',
    {
      schema: {
        tags,
        summary: 'Resolve an exception and re-run the pipeline for its order',
        params: IdParams,
        body: Type.Object(
          { note: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ resolved: Type.Boolean(), rerun: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const ex = await ctx.db
        .selectFrom('order_exceptions')
        .select(['id', 'order_id', 'raw_inbox_id', 'status'])
        .where('merchant_id', '=', merchantId)
        .where('id', '=', req.params.id)
        .executeTakeFirst()
      if (!ex) throw notFound('exception', req.params.id)
      const n = await resolveExceptions(
        ctx.db,
        merchantId,
        { id: ex.id, ...(ex.order_id ? { orderId: ex.order_id } : {}) },
        req.auth.apiKeyId,
        req.body.note ?? 'resolved by hand',
      )
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'exception.resolve',
        entityType: 'order_exception',
        entityId: ex.id,
      })
      const rerun = ex.order_id
        ? await rerunOrder(ctx, merchantId, ex.order_id)
        : ex.raw_inbox_id
          ? await rerunEntry(ctx, merchantId, ex.raw_inbox_id)
          : 'not_found'
      return { resolved: n > 0, rerun }
    },
  )
}
