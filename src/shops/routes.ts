import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { CHANNELS } from '../db/schema.js'
import { notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { errorResponses, IdParams } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { withTx } from '../db/tx.js'
import {
  createShop,
  getShop,
  listShops,
  lockShopSettings,
  setShopCredentials,
  updateShop,
  type Shop,
} from './repo.js'
import { checkLink } from './link.js'
import { shopScope } from '../users/scope.js'
import { pullCatalogueOnLink } from '../catalogue/enqueue.js'
import { scheduleShopPush } from '../inventory/schedule-push.js'
import { checkAddresses, checkSettings, mergeSettings } from './settings.js'

export const ChannelSchema = Type.Enum(CHANNELS)
const Settings = Type.Record(Type.String(), Type.Unknown(), {
  description: 'channel-specific settings (baseUrl, warehouses, stock sync rules…)',
})
/** Write-only: accepted on create and on PUT /credentials, never returned. */
const Credentials = Type.Record(Type.String(), Type.String({ maxLength: 8192 }), {
  maxProperties: 32,
  propertyNames: { minLength: 1, maxLength: 64 },
  description: 'write-only secrets: tokens, app keys',
})
/** Shop bodies carry settings (per-SKU overrides can be many) but never files. */
const SHOP_BODY_LIMIT = 1024 * 1024

export const ShopSchema = Type.Object({
  id: Type.String(),
  channel: ChannelSchema,
  name: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  settings: Settings,
  hasCredentials: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

/** The API view of a shop: no credentials, ever (the response schema strips anything else too). */
export const shopJson = (s: Shop) => ({
  id: s.id,
  channel: s.channel,
  name: s.name,
  status: s.status,
  settings: s.settings,
  hasCredentials: s.hasCredentials,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
})

export async function shopRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['shops']

  app.post(
    '/shops',
    {
      bodyLimit: SHOP_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Link a shop (credentials are write-only and stored encrypted)',
        body: Type.Object(
          {
            channel: ChannelSchema,
            name: Type.String({ minLength: 1, maxLength: 200 }),
            settings: Type.Optional(Settings),
            credentials: Type.Optional(Credentials),
          },
          { additionalProperties: false },
        ),
        response: { 201: ShopSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      await checkLink(
        ctx,
        req.auth.merchantId,
        req.body.channel,
        req.body.settings ?? {},
        req.body.credentials,
      )
      const shop = await createShop(ctx, ctx.config.secretKey, req.auth.merchantId, req.body)
      await audit(ctx.db, req.auth.merchantId, {
        ...apiActor(req.auth),
        action: 'shop.create',
        entityType: 'shop',
        entityId: shop.id,
        detail: {
          channel: shop.channel,
          name: shop.name,
          credentials: req.body.credentials ? 'set' : 'none',
        },
      })
      await pullCatalogueOnLink(ctx, shop, req.body.credentials)
      return reply.status(201).send(shopJson(shop))
    },
  )

  app.get(
    '/shops',
    {
      schema: {
        tags,
        querystring: Type.Object({
          channel: Type.Optional(ChannelSchema),
          status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
          ...PageQuery,
        }),
        response: { 200: Page(ShopSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor, ...filter } = req.query
      const after = readCursor(cursor, ['string'])?.[0]
      const rows = await listShops(ctx.db, req.auth.merchantId, {
        ...filter,
        ids: shopScope(req.auth),
        limit: limit + 1,
        ...(after !== undefined ? { after } : {}),
      })
      const { items, next } = pageOf(rows, limit, (s) => [s.id])
      return { items: items.map(shopJson), next }
    },
  )

  app.get(
    '/shops/:id',
    {
      schema: { tags, params: IdParams, response: { 200: ShopSchema, ...errorResponses } },
    },
    async (req) => {
      const shop = await getShop(ctx.db, req.auth.merchantId, req.params.id)
      if (!shop) throw notFound('shop', req.params.id)
      return shopJson(shop)
    },
  )

  app.patch(
    '/shops/:id',
    {
      bodyLimit: SHOP_BODY_LIMIT,
      schema: {
        tags,
        summary:
          'Rename a shop or change its settings: objects merge, arrays replace, null removes a key; the result is validated like POST',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            settings: Type.Optional(Settings),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ShopSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const { name, settings: patch } = req.body
      // URLs are resolved before the row is locked; the rest is checked on the merge under the lock.
      const before = patch && (await getShop(ctx.db, merchantId, req.params.id))
      if (before) await checkAddresses(ctx, before.channel, mergeSettings(before.settings, patch))
      const found = await withTx(ctx.db, async (tx) => {
        const current = await lockShopSettings(tx, merchantId, req.params.id)
        if (!current) return false
        const settings = patch ? mergeSettings(current.settings, patch) : undefined
        if (settings)
          await checkSettings({ ...ctx, db: tx }, merchantId, current.channel, settings, { addresses: false })
        return updateShop(tx, merchantId, req.params.id, { name, settings })
      })
      if (!found) throw notFound('shop', req.params.id)
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'shop.update',
        entityType: 'shop',
        entityId: req.params.id,
        detail: { fields: Object.keys(req.body) },
      })
      // New stock rules show on the shop at once, not at the next stock change.
      if (patch && 'stockSync' in patch) await scheduleShopPush(ctx, merchantId, req.params.id)
      return shopJson((await getShop(ctx.db, merchantId, req.params.id))!)
    },
  )

  app.put(
    '/shops/:id/credentials',
    {
      bodyLimit: 64 * 1024,
      schema: {
        tags,
        summary: 'Replace the shop credentials (write-only)',
        params: IdParams,
        body: Credentials,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      if (!(await setShopCredentials(ctx.db, ctx.config.secretKey, merchantId, req.params.id, req.body))) {
        throw notFound('shop', req.params.id)
      }
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'shop.credentials',
        entityType: 'shop',
        entityId: req.params.id,
      })
      const shop = await getShop(ctx.db, merchantId, req.params.id)
      if (shop) await pullCatalogueOnLink(ctx, shop, req.body)
      return reply.status(204).send(null)
    },
  )

  for (const [path, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    app.post(
      `/shops/:id/${path}`,
      {
        schema: { tags, params: IdParams, response: { 200: ShopSchema, ...errorResponses } },
      },
      async (req) => {
        const { merchantId } = req.auth
        if (!(await updateShop(ctx.db, merchantId, req.params.id, { status })))
          throw notFound('shop', req.params.id)
        await audit(ctx.db, merchantId, {
          ...apiActor(req.auth),
          action: `shop.${path}`,
          entityType: 'shop',
          entityId: req.params.id,
        })
        return shopJson((await getShop(ctx.db, merchantId, req.params.id))!)
      },
    )
  }
}
