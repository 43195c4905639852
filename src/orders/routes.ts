import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { ADMIN, ALL_ROLES } from '../api/auth.js'
import { invalid, notFound } from '../api/errors.js'
import { Amount, Id, IdParams, errorResponses, toJson } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { CHANNELS } from '../db/schema.js'
import { withTx } from '../db/tx.js'
import { resolveExceptions } from './exceptions.js'
import { autoMap, listMappings, upsertMappings } from './mappings.js'
import { mergeOrders, MergeError, unmergeOrder } from './merge.js'
import { AppError } from '../api/errors.js'
import { listExceptions, listOrders, orderDetail } from './queries.js'
import { rerunOrder, rerunWaiting } from './rerun.js'
import { EXCEPTION_REASONS } from './tables.js'
import { ORDER_STATUSES } from './types.js'

const Row = Type.Record(Type.String(), Type.Unknown())
const List = Type.Object({ items: Type.Array(Row), nextCursor: Type.Union([Type.String(), Type.Null()]) })
const READ = ALL_ROLES

export async function orderRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['orders']

  app.get(
    '/orders',
    {
      config: { roles: READ },
      schema: {
        tags,
        summary: 'The unified order pool, newest first; q matches external id, buyer and SKU code',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(ORDER_STATUSES)),
          channel: Type.Optional(Type.Enum(CHANNELS)),
          shopId: Type.Optional(Id),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          hasExceptions: Type.Optional(Type.Boolean()),
          cursor: Type.Optional(Id),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        }),
        response: { 200: List, ...errorResponses },
      },
    },
    async (req) => {
      const { limit = 50, cursor, from, to, ...rest } = req.query
      const rows = await listOrders(ctx.db, req.auth.merchantId, {
        ...rest,
        limit: limit + 1,
        ...(cursor ? { before: cursor } : {}),
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
      })
      const items = rows.slice(0, limit)
      return { items: items.map(toJson), nextCursor: rows.length > limit ? items.at(-1)!.id : null }
    },
  )

  app.get(
    '/orders/:id',
    { config: { roles: READ }, schema: { tags, summary: 'An order with its lines, raw versions, exceptions, refunds and timeline', params: IdParams, response: { 200: Row, ...errorResponses } } },
    async (req) => {
      const d = await orderDetail(ctx.db, req.auth.merchantId, req.params.id)
      if (!d) throw notFound('order', req.params.id)
      return {
        ...toJson(d.order),
        lines: d.lines.map((l) => ({ ...toJson(l), skus: d.lineSkus.filter((s) => s.order_line_id === l.id).map(toJson) })),
        versions: d.versions.map(toJson),
        exceptions: d.exceptions.map(toJson),
        refunds: d.refunds.map(toJson),
        timeline: d.history.map(toJson),
      }
    },
  )

  app.get(
    '/exceptions',
    {
      config: { roles: READ },
      schema: {
        tags,
        summary: 'Exception orders (异常单) with machine-readable reasons',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(['open', 'resolved'])),
          reason: Type.Optional(Type.Enum(EXCEPTION_REASONS)),
          orderId: Type.Optional(Id),
          cursor: Type.Optional(Id),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        }),
        response: { 200: List, ...errorResponses },
      },
    },
    async (req) => {
      const { limit = 50, cursor, ...rest } = req.query
      const rows = await listExceptions(ctx.db, req.auth.merchantId, { ...rest, limit: limit + 1, ...(cursor ? { before: cursor } : {}) })
      const items = rows.slice(0, limit)
      return { items: items.map(toJson), nextCursor: rows.length > limit ? items.at(-1)!.id : null }
    },
  )

  app.post(
    '/exceptions/:id/resolve',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Resolve an exception and re-run the pipeline for its order',
        params: IdParams,
        body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ resolved: Type.Boolean(), rerun: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const ex = await ctx.db.selectFrom('order_exceptions').select(['id', 'order_id', 'status']).where('merchant_id', '=', merchantId).where('id', '=', req.params.id).executeTakeFirst()
      if (!ex) throw notFound('exception', req.params.id)
      const n = await resolveExceptions(ctx.db, merchantId, { id: ex.id, ...(ex.order_id ? { orderId: ex.order_id } : {}) }, req.auth.apiKeyId, req.body.note ?? 'resolved by hand')
      await audit(ctx.db, merchantId, { ...apiActor(req.auth), action: 'exception.resolve', entityType: 'order_exception', entityId: ex.id })
      const rerun = ex.order_id ? await rerunOrder(ctx, merchantId, ex.order_id) : 'not_found'
      return { resolved: n > 0, rerun }
    },
  )

  app.post(
    '/orders/merge',
    {
      config: { roles: ['admin', 'warehouse'] },
      schema: {
        tags,
        summary: 'Merge (合单) paid orders of one shop for the same buyer and receiver into one shipment; the platform orders stay distinct',
        body: Type.Object({ orderIds: Type.Array(Id, { minItems: 2, maxItems: 50 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ mergeGroupId: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      try {
        return { mergeGroupId: await mergeOrders(ctx.db, req.auth.merchantId, req.body.orderIds) }
      } catch (err) {
        if (err instanceof MergeError) throw new AppError('conflict', err.message, 409)
        throw err
      }
    },
  )

  app.delete(
    '/orders/:id/merge',
    { config: { roles: ['admin', 'warehouse'] }, schema: { tags, summary: 'Take an order out of its merge group (拆单)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (req, reply) => {
      if (!(await unmergeOrder(ctx.db, req.auth.merchantId, req.params.id))) throw new AppError('conflict', 'order not found, or already in picking', 409)
      return reply.status(204).send(null)
    },
  )

  app.put(
    '/skus/:id/bundle',
    {
      config: { roles: ADMIN },
      schema: {
        tags: ['skus'],
        summary: 'Define a bundle (组合装): the component SKUs, their quantities and the value that splits its revenue; an empty list makes it a plain SKU again',
        params: IdParams,
        body: Type.Object({ components: Type.Array(Type.Object({ skuCode: Type.String({ minLength: 1, maxLength: 128 }), quantity: Type.Integer({ minimum: 1, maximum: 10_000 }), unitValue: Amount }, { additionalProperties: false }), { maxItems: 50 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ components: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const bundle = await ctx.db.selectFrom('skus').select(['id', 'code']).where('merchant_id', '=', merchantId).where('id', '=', req.params.id).executeTakeFirst()
      if (!bundle) throw notFound('SKU', req.params.id)
      const codes = req.body.components.map((c) => c.skuCode)
      const parts = codes.length ? await ctx.db.selectFrom('skus').select(['id', 'code']).where('merchant_id', '=', merchantId).where('code', 'in', codes).execute() : []
      const byCode = new Map(parts.map((p) => [p.code, p.id]))
      const unknown = codes.filter((c) => !byCode.has(c))
      if (unknown.length > 0) throw invalid(`body/components: unknown SKU codes ${unknown.join(', ')}`, { field: 'body/components', unknown })
      if (byCode.get(bundle.code) !== undefined) throw invalid('body/components: a bundle cannot contain itself', { field: 'body/components' })
      await withTx(ctx.db, async (tx) => {
        await tx.deleteFrom('sku_bundle_components').where('merchant_id', '=', merchantId).where('bundle_sku_id', '=', bundle.id).execute()
        if (req.body.components.length > 0) {
          await tx.insertInto('sku_bundle_components').values(req.body.components.map((c) => ({ merchant_id: merchantId, bundle_sku_id: bundle.id, component_sku_id: byCode.get(c.skuCode)!, quantity: c.quantity, unit_value: c.unitValue }))).execute()
        }
      })
      await audit(ctx.db, merchantId, { ...apiActor(req.auth), action: 'sku.bundle', entityType: 'sku', entityId: bundle.id, detail: { components: req.body.components } })
      return { components: req.body.components.length }
    },
  )

  app.get(
    '/sku-mappings',
    { config: { roles: READ }, schema: { tags: ['skus'], querystring: Type.Object({ shopId: Type.Optional(Id) }), response: { 200: Type.Object({ items: Type.Array(Row) }), ...errorResponses } } },
    async (req) => ({ items: (await listMappings(ctx.db, req.auth.merchantId, req.query.shopId)).map(toJson) }),
  )

  app.post(
    '/sku-mappings/bulk',
    {
      config: { roles: ADMIN },
      schema: {
        tags: ['skus'],
        summary: 'Map platform SKUs (or items without SKUs) to merchant SKU codes; orders waiting on them re-run',
        body: Type.Object({
          items: Type.Array(
            Type.Object(
              { shopId: Id, platformSkuId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), platformItemId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), skuCode: Type.String({ minLength: 1, maxLength: 128 }) },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 1000 },
          ),
        }),
        response: { 200: Type.Object({ saved: Type.Integer(), rerun: Type.Integer(), unknownCodes: Type.Array(Type.String()), unknownShops: Type.Array(Type.String()) }), ...errorResponses },
      },
    },
    async (req) => {
      req.body.items.forEach((it, i) => {
        if (!it.platformSkuId && !it.platformItemId) throw invalid(`body/items/${i} needs platformSkuId or platformItemId`, { field: `body/items/${i}` })
      })
      const r = await withTx(ctx.db, (tx) => upsertMappings(tx, req.auth.merchantId, req.body.items, 'bulk'))
      await audit(ctx.db, req.auth.merchantId, { ...apiActor(req.auth), action: 'sku_mapping.bulk', entityType: 'sku_mapping', entityId: '*', detail: { saved: r.saved } })
      const rerun = await rerunWaiting(ctx, req.auth.merchantId, ['sku_unmapped'])
      return { ...r, rerun }
    },
  )

  app.post(
    '/sku-mappings/auto',
    {
      config: { roles: ADMIN },
      schema: {
        tags: ['skus'],
        summary: "Map a shop's platform SKUs whose seller code equals a merchant SKU code",
        body: Type.Object({ shopId: Id }, { additionalProperties: false }),
        response: { 200: Type.Object({ mapped: Type.Integer(), rerun: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      const mapped = await withTx(ctx.db, (tx) => autoMap(tx, req.auth.merchantId, req.body.shopId))
      const rerun = await rerunWaiting(ctx, req.auth.merchantId, ['sku_unmapped'], req.body.shopId)
      return { mapped, rerun }
    },
  )
}
