import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { conflict, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { errorResponses, IdParams } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { isDuplicateKey } from '../db/errors.js'
import { createWarehouse, getWarehouse, listWarehouses, updateWarehouse, type Warehouse } from './repo.js'
import { warehouseScope } from '../users/scope.js'

const Fields = {
  code: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  priority: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'lower is preferred' }),
  regions: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
    maxItems: 100,
    description: 'provinces/regions served first, e.g. 浙江省',
  }),
  address: Type.Record(Type.String(), Type.String({ maxLength: 300 }), {
    maxProperties: 20,
    propertyNames: { minLength: 1, maxLength: 64 },
    description: 'free-form address parts, e.g. { "province": "浙江省", "city": "杭州市" }',
  }),
}

const WarehouseSchema = Type.Object({
  id: Type.String(),
  ...Fields,
  active: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

const json = (w: Warehouse) => ({
  id: w.id,
  code: w.code,
  name: w.name,
  priority: w.priority,
  regions: w.regions,
  address: w.address,
  active: w.active,
  createdAt: w.createdAt.toISOString(),
  updatedAt: w.updatedAt.toISOString(),
})

const duplicateCode = (err: unknown, code: string | undefined): never => {
  if (isDuplicateKey(err)) throw conflict(`warehouse code ${code} is already used`, { field: 'code' })
  throw err
}

export async function warehouseRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['warehouses']

  app.post(
    '/warehouses',
    {
      schema: {
        tags,
        body: Type.Object(
          {
            code: Fields.code,
            name: Fields.name,
            priority: Type.Optional(Fields.priority),
            regions: Type.Optional(Fields.regions),
            address: Type.Optional(Fields.address),
          },
          { additionalProperties: false },
        ),
        response: { 201: WarehouseSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const w = await createWarehouse(ctx.db, req.auth.merchantId, req.body).catch((e: unknown) =>
        duplicateCode(e, req.body.code),
      )
      await audit(ctx.db, req.auth.merchantId, {
        ...apiActor(req.auth),
        action: 'warehouse.create',
        entityType: 'warehouse',
        entityId: w.id,
        detail: { code: w.code },
      })
      return reply.status(201).send(json(w))
    },
  )

  app.get(
    '/warehouses',
    {
      schema: {
        tags,
        summary: 'Warehouses in order of preference (priority, then code)',
        querystring: Type.Object({ includeInactive: Type.Optional(Type.Boolean()), ...PageQuery }),
        response: { 200: Page(WarehouseSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor, includeInactive } = req.query
      const after = readCursor(cursor, ['number', 'string'])
      const rows = await listWarehouses(ctx.db, req.auth.merchantId, {
        limit: limit + 1,
        ids: warehouseScope(req.auth),
        ...(includeInactive !== undefined ? { includeInactive } : {}),
        ...(after ? { after } : {}),
      })
      const { items, next } = pageOf(rows, limit, (w) => [w.priority, w.code])
      return { items: items.map(json), next }
    },
  )

  app.get(
    '/warehouses/:id',
    {
      schema: { tags, params: IdParams, response: { 200: WarehouseSchema, ...errorResponses } },
    },
    async (req) => {
      const w = await getWarehouse(ctx.db, req.auth.merchantId, req.params.id)
      if (!w) throw notFound('warehouse', req.params.id)
      return json(w)
    },
  )

  app.patch(
    '/warehouses/:id',
    {
      schema: {
        tags,
        params: IdParams,
        body: Type.Object(
          {
            code: Type.Optional(Fields.code),
            name: Type.Optional(Fields.name),
            priority: Type.Optional(Fields.priority),
            regions: Type.Optional(Fields.regions),
            address: Type.Optional(Fields.address),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: WarehouseSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const ok = await updateWarehouse(ctx.db, merchantId, req.params.id, req.body).catch((e: unknown) =>
        duplicateCode(e, req.body.code),
      )
      if (!ok) throw notFound('warehouse', req.params.id)
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'warehouse.update',
        entityType: 'warehouse',
        entityId: req.params.id,
        detail: { fields: Object.keys(req.body) },
      })
      return json((await getWarehouse(ctx.db, merchantId, req.params.id))!)
    },
  )

  app.delete(
    '/warehouses/:id',
    {
      schema: {
        tags,
        summary: 'Deactivate a warehouse (its history and stock records stay)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      if (!(await updateWarehouse(ctx.db, merchantId, req.params.id, { active: false })))
        throw notFound('warehouse', req.params.id)
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'warehouse.deactivate',
        entityType: 'warehouse',
        entityId: req.params.id,
      })
      return reply.status(204).send(null)
    },
  )
}
