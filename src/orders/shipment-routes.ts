/** Shipments of orders: merge (合单) orders of one buyer and receiver, split (拆单) an order's lines. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { conflict, mustOwn, notFound } from '../api/errors.js'
import { Id, IdParams, errorResponses } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { ManualChangeError, splitLines, unsplitOrder } from './manual.js'
import { mergeOrders, MergeError, unmergeOrder } from './merge.js'

/** Changes refused by the order's state answer 409. */
export async function manual<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof ManualChangeError || err instanceof MergeError) throw conflict(err.message)
    throw err
  }
}

export async function shipmentRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['orders']

  app.post(
    '/orders/merge',
    {
      schema: {
        tags,
        summary:
          'Merge (合单) paid orders of one shop for the same buyer and receiver into one shipment; the platform orders stay distinct',
        body: Type.Object(
          { orderIds: Type.Array(Id, { minItems: 2, maxItems: 50 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ mergeGroupId: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      await mustOwn(ctx.db, req.auth.merchantId, 'orders', 'order', req.body.orderIds)
      return { mergeGroupId: await manual(() => mergeOrders(ctx.db, req.auth.merchantId, req.body.orderIds)) }
    },
  )

  app.delete(
    '/orders/:id/merge',
    {
      schema: {
        tags,
        summary: 'Take an order out of its merge group (拆单)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const exists = await ctx.db
        .selectFrom('orders')
        .select('id')
        .where('merchant_id', '=', req.auth.merchantId)
        .where('id', '=', req.params.id)
        .executeTakeFirst()
      if (!exists) throw notFound('order', req.params.id)
      if (!(await unmergeOrder(ctx.db, req.auth.merchantId, req.params.id)))
        throw conflict('the order is already in picking or beyond')
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/orders/:id/split',
    {
      schema: {
        tags,
        summary:
          'Split (拆单): move lines into a new shipment group; the platform order stays one order for money and writeback',
        params: IdParams,
        body: Type.Object(
          { lineIds: Type.Array(Id, { minItems: 1, maxItems: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ shipmentGroupId: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      await mustOwn(ctx.db, req.auth.merchantId, 'order_lines', 'order line', req.body.lineIds)
      const groupId = await manual(() =>
        splitLines(ctx.db, req.auth.merchantId, req.params.id, req.body.lineIds),
      )
      if (!groupId) throw notFound('order', req.params.id)
      await audit(ctx.db, req.auth.merchantId, {
        ...apiActor(req.auth),
        action: 'order.split',
        entityType: 'order',
        entityId: req.params.id,
        detail: { lineIds: req.body.lineIds, groupId },
      })
      return { shipmentGroupId: groupId }
    },
  )

  app.delete(
    '/orders/:id/split',
    {
      schema: {
        tags,
        summary: 'Undo the splits of an order: all its lines ship together again',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      if (!(await manual(() => unsplitOrder(ctx.db, req.auth.merchantId, req.params.id))))
        throw notFound('order', req.params.id)
      return reply.status(204).send(null)
    },
  )
}
