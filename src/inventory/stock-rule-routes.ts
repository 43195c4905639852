/**
 * The stock-sync rules screen's API: what every mapped platform SKU of a shop would be told it has
 * under proposed rules — beside what the saved rules give and what was last sent — before the
 * rules are saved (PATCH /shops/:id with settings.stockSync saves them), and the push log per
 * platform SKU with the platform's answer. The preview runs the push's own plan (push-plan.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { errorResponses, IdParams, iso, Nullable, Timestamp } from '../api/schemas.js'
import type { AppContext } from '../context.js'
import { getShop } from '../shops/repo.js'
import { checkSettings, mergeSettings, parseSettings } from '../shops/settings.js'
import { listWarehouses } from '../warehouses/repo.js'
import { planLevels } from './push-plan.js'
import { lastPushes, listPushLog, loadPushInputs } from './push-repo.js'
import { locationMap } from './push.js'
import { shopRules } from './shop-rules.js'

const tags = ['inventory']
const NStr = Nullable(Type.String())

const PreviewItem = Type.Object({
  skuId: Type.String(),
  skuCode: Type.String(),
  skuName: Type.String(),
  platformSkuKey: Type.String(),
  platformSkuId: NStr,
  locationId: Type.String({ description: "the platform's location, or empty" }),
  available: Type.Integer({
    description: 'on hand − reserved over the shop’s warehouses (a bundle: what its parts allow)',
  }),
  rule: Type.Enum(['shop', 'sku'] as const, {
    description: "which rule decides: the shop's or the SKU's own",
  }),
  savedQuantity: Type.Integer({ description: 'what the saved rules push now' }),
  quantity: Type.Integer({ description: 'what the proposed rules would push now' }),
  pushes: Type.Boolean({ description: 'false when the proposed rules turn the shop’s stock sync off' }),
  lastPush: Nullable(
    Type.Object({
      quantity: Nullable(Type.Integer()),
      ok: Nullable(Type.Boolean()),
      pushedAt: Nullable(Timestamp),
      error: NStr,
    }),
  ),
})

const LogItem = Type.Object({
  id: Type.String(),
  platformSkuKey: Type.String(),
  locationId: Type.String(),
  quantity: Type.Integer(),
  ok: Type.Boolean(),
  kind: Nullable(Type.Enum(['rate_limited', 'transient', 'auth_expired', 'permanent'] as const)),
  error: Type.Union([Type.String(), Type.Null()], { description: "the platform's answer, verbatim" }),
  pushedAt: Timestamp,
})
const KINDS = new Set(['rate_limited', 'transient', 'auth_expired', 'permanent'])

export async function stockRuleRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post(
    '/shops/:id/stock-rules/preview',
    {
      bodyLimit: 1024 * 1024,
      schema: {
        tags,
        summary:
          'What each mapped platform SKU would be pushed now under proposed stock-sync rules (merged onto the saved ones as PATCH /shops/:id merges them), beside the saved rules’ quantity and the last push; nothing is saved',
        params: IdParams,
        querystring: Type.Object(
          {
            q: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 128,
                description: 'start of the SKU code or platform key',
              }),
            ),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        body: Type.Object(
          {
            stockSync: Type.Optional(
              Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
                maxProperties: 16,
                description:
                  'the settings.stockSync to try: ratio, safetyStock, virtualStock, enabled, overrides; validated as the shop settings are',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(PreviewItem), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const shop = await getShop(ctx.db, merchantId, req.params.id)
      if (!shop) throw notFound('shop', req.params.id)
      const proposed = req.body.stockSync
        ? mergeSettings(shop.settings, { stockSync: req.body.stockSync })
        : shop.settings
      // The same checks a save makes: a preview of rules that cannot be saved is refused the same way.
      if (req.body.stockSync)
        await checkSettings(ctx, merchantId, shop.channel, proposed, { addresses: false })
      const saved = shopRules(shop.parsed.hub)
      const next = shopRules(parseSettings(shop.channel, proposed).hub)
      const limit = req.query.limit ?? DEFAULT_LIMIT
      const after = readCursor(req.query.cursor, ['string'])?.[0]
      const warehouses = (await listWarehouses(ctx.db, merchantId))
        .filter((w) => !saved.warehouseIds || saved.warehouseIds.includes(w.id))
        .map((w) => w.id)
      const inputs = await loadPushInputs(
        ctx.db,
        merchantId,
        shop.id,
        warehouses,
        locationMap(shop.parsed.channel ?? {}),
        {
          limit: limit + 1,
          ...(after !== undefined ? { after } : {}),
          ...(req.query.q ? { q: req.query.q } : {}),
        },
      )
      const page = pageOf(inputs.mappings, limit, (m) => [m.platformSkuKey])
      const shown = { ...inputs, mappings: page.items }
      const cap = ctx.config.sync.virtualStockMax
      const before = planLevels(shown, saved.sync, cap)
      const last = await lastPushes(
        ctx.db,
        merchantId,
        shop.id,
        page.items.map((m) => m.platformSkuKey),
      )
      const items = planLevels(shown, next.sync, cap).map((l, i) => {
        const prev = last.get(`${l.location}|${l.platformSkuKey}`)
        return {
          skuId: l.skuId,
          skuCode: l.code,
          skuName: l.name,
          platformSkuKey: l.platformSkuKey,
          platformSkuId: l.platformSkuId,
          locationId: l.location,
          available: l.available,
          rule: l.rule,
          savedQuantity: before[i]!.quantity,
          quantity: l.quantity,
          pushes: next.sync.enabled,
          lastPush: prev
            ? { quantity: prev.quantity, ok: prev.ok, pushedAt: iso(prev.pushedAt), error: prev.error }
            : null,
        }
      })
      return { items, next: page.next }
    },
  )

  app.get(
    '/shops/:id/stock-pushes',
    {
      schema: {
        tags,
        summary:
          "A shop's stock push log, newest first: every quantity sent and the platform's answer (one platform SKU's with platformSkuKey)",
        params: IdParams,
        querystring: Type.Object(
          {
            platformSkuKey: Type.Optional(Type.String({ minLength: 1, maxLength: 96 })),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(LogItem), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      if (!(await getShop(ctx.db, merchantId, req.params.id))) throw notFound('shop', req.params.id)
      const limit = req.query.limit ?? DEFAULT_LIMIT
      const before = readCursor(req.query.cursor, ['string'])?.[0]
      const rows = await listPushLog(ctx.db, merchantId, req.params.id, {
        limit: limit + 1,
        ...(req.query.platformSkuKey ? { platformSkuKey: req.query.platformSkuKey } : {}),
        ...(before !== undefined ? { before } : {}),
      })
      const page = pageOf(rows, limit, (r) => [r.id])
      return {
        items: page.items.map((r) => ({
          id: r.id,
          platformSkuKey: r.platform_sku_key,
          locationId: r.location_id,
          quantity: r.quantity,
          ok: r.ok === 1,
          kind: r.kind && KINDS.has(r.kind) ? (r.kind as 'permanent') : null,
          error: r.error,
          pushedAt: r.pushed_at.toISOString(),
        })),
        next: page.next,
      }
    },
  )
}
