/** SKU mappings (platform SKU → merchant SKU): list, bulk upsert, delete, auto-map by seller code; bundle definitions. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { invalid, mustOwn, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { Id, IdParams, NonNegativeAmount, errorResponses } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { withTx } from '../db/tx.js'
import { autoMap, deleteMapping, listMappings, upsertMappings } from './mappings.js'
import { rerunWaiting } from './rerun.js'

const MappingSchema = Type.Object({
  id: Type.String(),
  shopId: Type.String(),
  platformSkuKey: Type.String({ description: 'the platform SKU id, or item:<platform item id>' }),
  platformItemId: Type.Union([Type.String(), Type.Null()]),
  platformSkuId: Type.Union([Type.String(), Type.Null()]),
  source: Type.Enum(['manual', 'auto', 'bulk']),
  skuCode: Type.String({ description: 'the merchant SKU it maps to' }),
})

export async function mappingRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.put(
    '/skus/:id/bundle',
    {
      schema: {
        tags: ['skus'],
        summary:
          'Define a bundle (组合装): the component SKUs, their quantities and the value that splits its revenue; an empty list makes it a plain SKU again',
        params: IdParams,
        body: Type.Object(
          {
            components: Type.Array(
              Type.Object(
                {
                  skuCode: Type.String({ minLength: 1, maxLength: 128 }),
                  quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
                  unitValue: NonNegativeAmount,
                },
                { additionalProperties: false },
              ),
              { maxItems: 50 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ components: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const bundle = await ctx.db
        .selectFrom('skus')
        .select(['id', 'code'])
        .where('merchant_id', '=', merchantId)
        .where('id', '=', req.params.id)
        .executeTakeFirst()
      if (!bundle) throw notFound('SKU', req.params.id)
      const codes = req.body.components.map((c) => c.skuCode)
      const parts = codes.length
        ? await ctx.db
            .selectFrom('skus')
            .select(['id', 'code'])
            .where('merchant_id', '=', merchantId)
            .where('code', 'in', codes)
            .execute()
        : []
      const byCode = new Map(parts.map((p) => [p.code, p.id]))
      const unknown = codes.filter((c) => !byCode.has(c))
      if (unknown.length > 0)
        throw invalid(`body/components: unknown SKU codes ${unknown.join(', ')}`, {
          field: 'body/components',
          unknown,
        })
      if (byCode.get(bundle.code) !== undefined)
        throw invalid('body/components: a bundle cannot contain itself', { field: 'body/components' })
      await withTx(ctx.db, async (tx) => {
        await tx
          .deleteFrom('sku_bundle_components')
          .where('merchant_id', '=', merchantId)
          .where('bundle_sku_id', '=', bundle.id)
          .execute()
        if (req.body.components.length > 0) {
          await tx
            .insertInto('sku_bundle_components')
            .values(
              req.body.components.map((c) => ({
                merchant_id: merchantId,
                bundle_sku_id: bundle.id,
                component_sku_id: byCode.get(c.skuCode)!,
                quantity: c.quantity,
                unit_value: c.unitValue,
              })),
            )
            .execute()
        }
      })
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'sku.bundle',
        entityType: 'sku',
        entityId: bundle.id,
        detail: { components: req.body.components },
      })
      return { components: req.body.components.length }
    },
  )

  app.get(
    '/sku-mappings',
    {
      schema: {
        tags: ['skus'],
        summary: 'SKU mappings by shop and platform SKU',
        querystring: Type.Object({ shopId: Type.Optional(Id), ...PageQuery }),
        response: { 200: Page(MappingSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor, shopId } = req.query
      const after = readCursor(cursor, ['string', 'string'])
      const rows = await listMappings(ctx.db, req.auth.merchantId, {
        limit: limit + 1,
        ...(shopId ? { shopId } : {}),
        ...(after ? { after } : {}),
      })
      const { items, next } = pageOf(rows, limit, (r) => [r.shop_id, r.platform_sku_key])
      return {
        items: items.map((r) => ({
          id: r.id,
          shopId: r.shop_id,
          platformSkuKey: r.platform_sku_key,
          platformItemId: r.platform_item_id,
          platformSkuId: r.platform_sku_id,
          source: r.source,
          skuCode: r.sku_code,
        })),
        next,
      }
    },
  )

  app.post(
    '/sku-mappings/bulk',
    {
      bodyLimit: 1024 * 1024,
      schema: {
        tags: ['skus'],
        summary:
          'Map platform SKUs (or items without SKUs) to merchant SKU codes; orders waiting on them re-run',
        body: Type.Object(
          {
            items: Type.Array(
              Type.Object(
                {
                  shopId: Id,
                  platformSkuId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
                  platformItemId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
                  skuCode: Type.String({ minLength: 1, maxLength: 128 }),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 1000 },
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            saved: Type.Integer(),
            rerun: Type.Integer(),
            unknownCodes: Type.Array(Type.String(), { description: 'SKU codes the merchant does not have' }),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      req.body.items.forEach((it, i) => {
        if (!it.platformSkuId && !it.platformItemId)
          throw invalid(`body/items/${i} needs platformSkuId or platformItemId`, { field: `body/items/${i}` })
      })
      await mustOwn(
        ctx.db,
        req.auth.merchantId,
        'shops',
        'shop',
        req.body.items.map((i) => i.shopId),
      )
      const { unknownShops: _none, ...r } = await withTx(ctx.db, (tx) =>
        upsertMappings(tx, req.auth.merchantId, req.body.items, 'bulk'),
      )
      await audit(ctx.db, req.auth.merchantId, {
        ...apiActor(req.auth),
        action: 'sku_mapping.bulk',
        entityType: 'sku_mapping',
        entityId: '*',
        detail: { saved: r.saved },
      })
      const rerun = await rerunWaiting(ctx, req.auth.merchantId, ['sku_unmapped'])
      return { ...r, rerun }
    },
  )

  app.post(
    '/sku-mappings/auto',
    {
      schema: {
        tags: ['skus'],
        summary: "Map a shop's platform SKUs whose seller code equals a merchant SKU code",
        body: Type.Object({ shopId: Id }, { additionalProperties: false }),
        response: { 200: Type.Object({ mapped: Type.Integer(), rerun: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      await mustOwn(ctx.db, req.auth.merchantId, 'shops', 'shop', [req.body.shopId])
      const mapped = await withTx(ctx.db, (tx) => autoMap(tx, req.auth.merchantId, req.body.shopId))
      const rerun = await rerunWaiting(ctx, req.auth.merchantId, ['sku_unmapped'], req.body.shopId)
      return { mapped, rerun }
    },
  )

  app.delete(
    '/sku-mappings/:id',
    {
      schema: {
        tags: ['skus'],
        summary: 'Delete a mapping (orders already mapped keep their SKUs until re-run)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      if (!(await deleteMapping(ctx.db, req.auth.merchantId, req.params.id)))
        throw notFound('SKU mapping', req.params.id)
      await audit(ctx.db, req.auth.merchantId, {
        ...apiActor(req.auth),
        action: 'sku_mapping.delete',
        entityType: 'sku_mapping',
        entityId: req.params.id,
      })
      return reply.status(204).send(null)
    },
  )
}
