import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { invalid, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { AppError } from '../api/errors.js'
import { errorResponses, IdParams, Int, Money } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { BARCODE_KINDS } from '../inventory/tables.js'
import {
  barcodeProblem,
  barcodesOf,
  BarcodeTaken,
  resolveScan,
  setBarcodes,
  type Barcode,
} from './barcodes.js'
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

const BarcodeSchema = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 128 }),
  kind: Type.Enum(BARCODE_KINDS, {
    description: 'ean13 (13 digits, check digit validated), code128, or platform (a platform item code)',
  }),
})

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
  barcodes: Type.Array(BarcodeSchema, { description: 'every barcode a scan of this SKU may read' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

const json = (s: Sku, bundles: ReadonlySet<string>, barcodes: Barcode[] = []) => ({
  id: s.id,
  code: s.code,
  name: s.name,
  barcode: s.barcode,
  category: s.category,
  unit: s.unit,
  weightG: s.weightG,
  active: s.active,
  isBundle: bundles.has(s.id),
  barcodes,
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
      const result = await upsertSkus(ctx, req.auth.merchantId, req.body.items)
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
      const codes = await barcodesOf(
        ctx.db,
        req.auth.merchantId,
        items.map((s) => s.id),
      )
      return { items: items.map((s) => json(s, bundles, codes.get(s.id))), next }
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
      const codes = await barcodesOf(ctx.db, req.auth.merchantId, [sku.id])
      return json(sku, await bundleIds(ctx.db, req.auth.merchantId, [sku.id]), codes.get(sku.id))
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

  app.get(
    '/skus/resolve',
    {
      schema: {
        tags,
        summary: 'What a scan names: the SKU whose code it is, else the SKU holding it as a barcode',
        description:
          'Every scan field of the console calls this. A 12-digit UPC-A is also tried as its EAN-13. An unknown scan is a 404 with details.reason `scan_unknown`.',
        querystring: Type.Object(
          { code: Type.String({ minLength: 1, maxLength: 128 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            sku: SkuSchema,
            matchedBy: Type.Enum(['sku_code', ...BARCODE_KINDS]),
            barcode: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const hit = await resolveScan(ctx.db, req.auth.merchantId, req.query.code)
      if (!hit)
        throw new AppError('not_found', `no SKU code or barcode is "${req.query.code}"`, 404, {
          field: 'querystring/code',
          reason: 'scan_unknown',
        })
      const codes = await barcodesOf(ctx.db, req.auth.merchantId, [hit.sku.id])
      return {
        sku: json(hit.sku, await bundleIds(ctx.db, req.auth.merchantId, [hit.sku.id]), codes.get(hit.sku.id)),
        matchedBy: hit.matchedBy,
        barcode: hit.barcode,
      }
    },
  )

  app.put(
    '/skus/:id/barcodes',
    {
      schema: {
        tags,
        summary: 'Replace the barcodes of a SKU (EAN-13 check digit validated; unique within the merchant)',
        params: IdParams,
        body: Type.Object(
          {
            items: Type.Array(Type.Object({ ...BarcodeSchema.properties }, { additionalProperties: false }), {
              maxItems: 50,
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: SkuSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const sku = await getSku(ctx.db, merchantId, req.params.id)
      if (!sku) throw notFound('SKU', req.params.id)
      const seen = new Set<string>()
      req.body.items.forEach((b, i) => {
        const problem = barcodeProblem(b.kind, b.code)
        if (problem)
          throw invalid(`body/items/${i}/code ${b.code}: ${problem}`, {
            field: `body/items/${i}/code`,
            reason: b.kind === 'ean13' ? 'ean13_invalid' : 'barcode_invalid',
          })
        if (seen.has(b.code))
          throw invalid(`body/items/${i}/code repeats "${b.code}"`, { field: `body/items/${i}/code` })
        seen.add(b.code)
      })
      try {
        await setBarcodes(ctx.db, merchantId, sku.id, req.body.items)
      } catch (err) {
        if (err instanceof BarcodeTaken)
          throw new AppError('conflict', `body/items/${err.index}/code: ${err.message}`, 409, {
            field: `body/items/${err.index}/code`,
            reason: 'barcode_taken',
          })
        throw err
      }
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'sku.barcodes',
        entityType: 'sku',
        entityId: sku.id,
        detail: { barcodes: req.body.items.map((b) => b.code) },
      })
      const codes = await barcodesOf(ctx.db, merchantId, [sku.id])
      return json(sku, await bundleIds(ctx.db, merchantId, [sku.id]), codes.get(sku.id))
    },
  )
}
