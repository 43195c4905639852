import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { conflict, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { Id, IdParams, errorResponses } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { CHANNELS } from '../db/schema.js'
import { exceptionRoutes } from './exception-routes.js'
import { setReceiverOverride, type ReceiverPatch } from './manual.js'
import { mappingRoutes } from './mapping-routes.js'
import { manual, shipmentRoutes } from './shipment-routes.js'
import { listOrders, orderDetail } from './queries.js'
import { rerunOrder } from './rerun.js'
import { shopScope } from '../users/scope.js'
import { pickVersion } from './pick-version.js'
import { EXCEPTION_REASONS } from './tables.js'
import { ORDER_STATUSES } from './types.js'
import {
  OrderDetailSchema,
  orderDetailJson,
  OrderSummarySchema,
  orderSummaryJson,
  ReceiverSchema,
  receiverJson,
} from './views.js'

/** The province is also a column (VARCHAR(64)) for allocation by region; the rest live in JSON. */
const RECEIVER_FIELD_LENGTHS = {
  name: 200,
  phone: 64,
  country: 64,
  province: 64,
  city: 64,
  district: 64,
  town: 64,
  address: 300,
  postcode: 16,
}

export async function orderRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['orders']

  app.get(
    '/orders',
    {
      schema: {
        tags,
        summary:
          'The unified order pool, newest first; q is a prefix of the platform order number, the buyer, a seller or SKU code, or the last 4 digits of the phone',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(ORDER_STATUSES)),
          channel: Type.Optional(Type.Enum(CHANNELS)),
          shopId: Type.Optional(Id),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          hasExceptions: Type.Optional(Type.Boolean()),
          exceptionReason: Type.Optional(Type.Enum(EXCEPTION_REASONS)),
          ...PageQuery,
        }),
        response: { 200: Page(OrderSummarySchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor, from, to, ...rest } = req.query
      const before = readCursor(cursor, ['string'])?.[0]
      const rows = await listOrders(ctx.db, req.auth.merchantId, {
        ...rest,
        shopIds: shopScope(req.auth),
        limit: limit + 1,
        ...(before !== undefined ? { before } : {}),
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
      })
      const { items, next } = pageOf(rows, limit, (o) => [o.id])
      return { items: items.map(orderSummaryJson), next }
    },
  )

  app.get(
    '/orders/:id',
    {
      schema: {
        tags,
        summary: 'An order with its lines, raw versions, exceptions, refunds and timeline',
        params: IdParams,
        response: { 200: OrderDetailSchema, ...errorResponses },
      },
    },
    async (req) => {
      const d = await orderDetail(ctx.db, req.auth.merchantId, req.params.id)
      const shops = shopScope(req.auth)
      if (!d || (shops && !shops.includes(d.order.shop_id))) throw notFound('order', req.params.id)
      return orderDetailJson(d)
    },
  )

  app.patch(
    '/orders/:id/receiver',
    {
      schema: {
        tags,
        summary:
          "Fix the receiver by hand (kept over the platform's on every re-run); the order's pipeline re-runs, which clears address_unusable",
        params: IdParams,
        body: Type.Object(
          Object.fromEntries(
            Object.entries(RECEIVER_FIELD_LENGTHS).map(([k, maxLength]) => [
              k,
              Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()])),
            ]),
          ),
          { additionalProperties: false, minProperties: 1 },
        ),
        response: {
          200: Type.Object({
            receiver: ReceiverSchema,
            rerun: Type.String({ description: 'what re-running did' }),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const receiver = await manual(() =>
        setReceiverOverride(ctx.db, merchantId, req.params.id, req.body as ReceiverPatch),
      )
      if (!receiver) throw notFound('order', req.params.id)
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'order.receiver',
        entityType: 'order',
        entityId: req.params.id,
      })
      return { receiver: receiverJson(receiver), rerun: await rerunOrder(ctx, merchantId, req.params.id) }
    },
  )

  app.post(
    '/orders/:id/rerun',
    {
      schema: {
        tags,
        summary: "Re-run the pipeline on the order's newest raw version",
        params: IdParams,
        response: { 200: Type.Object({ outcome: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      const outcome = await rerunOrder(ctx, req.auth.merchantId, req.params.id)
      if (outcome === 'not_found') throw notFound('order', req.params.id)
      return { outcome }
    },
  )

  app.post(
    '/orders/:id/pick-version',
    {
      schema: {
        tags,
        summary:
          'Pick the raw version that wins when two carry the same platform time (conflicting_update): the order is rewritten from it and the conflict resolved',
        params: IdParams,
        body: Type.Object({ versionId: Id }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            rerun: Type.String({ description: 'what re-running did' }),
            resolved: Type.Integer(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const shops = shopScope(req.auth)
      if (shops) {
        const d = await orderDetail(ctx.db, merchantId, req.params.id)
        if (!d || !shops.includes(d.order.shop_id)) throw notFound('order', req.params.id)
      }
      const r = await pickVersion(ctx, merchantId, req.params.id, req.body.versionId, req.auth.apiKeyId)
      if (!r.ok) {
        if (r.why === 'order_not_found') throw notFound('order', req.params.id)
        if (r.why === 'version_not_found') throw notFound('version', req.body.versionId)
        throw conflict('the version is older than the one the order holds', {
          field: 'body/versionId',
          reason: 'version_older',
        })
      }
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'order.pick_version',
        entityType: 'order',
        entityId: req.params.id,
        detail: { versionId: req.body.versionId },
      })
      return { rerun: r.rerun, resolved: r.resolved }
    },
  )

  await shipmentRoutes(fastify, ctx)
  await exceptionRoutes(fastify, ctx)
  await mappingRoutes(fastify, ctx)
}
