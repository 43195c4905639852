import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { invalid, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { errorResponses, IdParams, Int, Money } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { bundleComponents, bundleIds, getSku, listSkus, upsertSkus, type Sku } from './repo.js'

const SkuFields = {
  code: Type.String({ minLength: 1, maxLength: 128 }),
  name: Type.String({ minLength: 1, maxLength: 500 }),
  barcode: Type.Optional(Type.Union([Type.String({ maxLength: 128 }), Type.Null()])),
  category: Type.Optional(Type.Union([Type.String({ maxLength: 128 }), Type.Null()])),
  unit: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
  weightG: Type.Optional(Type.Union([Int(), Type.Null()])),
  active: Type.Optional(Type.Boolean()),
}

const SkuSchema = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  barcode: Type.Union([Type.String(), Type.Null()]),
  category: Type.Union([Type.String(), Type.Null()]),
  unit: Type.String(),
  weightG: Type.Union([Type.Integer(), Type.Null()]),
  active: Type.Boolean(),
  isBundle: Type.Boolean({ description: 'a bundle (组合装): see GET /skus/:id/bundle' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

const json = (s: Sku, bundles: ReadonlySet<string>) => ({
  id: s.id,
  code: s.code,
  name: s.name,
  barcode: s.barcode,
  category: s.category,
  unit: s.unit,
  weightG: s.weightG,
  active: s.active,
  isBundle: bundles.has(s.id),
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
})

export async function skuRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['skus']

  app.post(
    '/skus/bulk',
    {
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Insert or update up to 1,000 SKUs by merchant code',
        body: Type.Object(
          {
            items: Type.Array(Type.Object(SkuFields, { additionalProperties: false }), {
              minItems: 1,
              maxItems: 1000,
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ created: Type.Integer(), updated: Type.Integer() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const seen = new Set<string>()
      req.body.items.forEach((item, i) => {
        if (seen.has(item.code))
          throw invalid(`body/items/${i}/code repeats "${item.code}"`, { field: `body/items/${i}/code` })
        seen.add(item.code)
      })
      const result = await upsertSkus(ctx.db, req.auth.merchantId, req.body.items)
      await audit(ctx.db, req.auth.merchantId, {
        ...apiActor(req.auth),
        action: 'sku.bulk_upsert',
        entityType: 'sku',
        entityId: '*',
        detail: { ...result, count: req.body.items.length },
      })
      return result
    },
  )

  app.get(
    '/skus',
    {
      schema: {
        tags,
        summary: 'List SKUs ordered by code; q searches code, barcode (prefix) and name',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          ...PageQuery,
        }),
        response: { 200: Page(SkuSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor, q } = req.query
      const after = readCursor(cursor, ['string'])?.[0]
      const rows = await listSkus(ctx.db, req.auth.merchantId, {
        limit: limit + 1,
        ...(after !== undefined ? { after } : {}),
        ...(q ? { q } : {}),
      })
      const { items, next } = pageOf(rows, limit, (s) => [s.code])
      const bundles = await bundleIds(
        ctx.db,
        req.auth.merchantId,
        items.map((s) => s.id),
      )
      return { items: items.map((s) => json(s, bundles)), next }
    },
  )

  app.get(
    '/skus/:id',
    {
      schema: { tags, params: IdParams, response: { 200: SkuSchema, ...errorResponses } },
    },
    async (req) => {
      const sku = await getSku(ctx.db, req.auth.merchantId, req.params.id)
      if (!sku) throw notFound('SKU', req.params.id)
      return json(sku, await bundleIds(ctx.db, req.auth.merchantId, [sku.id]))
    },
  )

  app.get(
    '/skus/:id/bundle',
    {
      schema: {
        tags,
        summary: "A bundle's components (组合装), by SKU code; empty for a plain SKU",
        params: IdParams,
        response: {
          200: Type.Object({
            components: Type.Array(
              Type.Object({
                skuId: Type.String(),
                skuCode: Type.String(),
                skuName: Type.String(),
                quantity: Type.Integer(),
                unitValue: Money,
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const sku = await getSku(ctx.db, req.auth.merchantId, req.params.id)
      if (!sku) throw notFound('SKU', req.params.id)
      const rows = await bundleComponents(ctx.db, req.auth.merchantId, sku.id)
      return {
        components: rows.map((c) => ({
          skuId: c.component_sku_id,
          skuCode: c.code,
          skuName: c.name,
          quantity: c.quantity,
          unitValue: c.unit_value,
        })),
      }
    },
  )
}
