/**
 * The mapping screen's API: a shop's listing SKUs (conflicts and unmapped first, search, cursor),
 * its catalogue summary and last pull, a pull on demand, and linking one listing SKU by hand.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { getConnector } from '../../connectors/index.js'
import { invalid, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { errorResponses, Id, IdParams, iso } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import type { AppContext } from '../context.js'
import { withTx } from '../db/tx.js'
import { rerunWaiting } from '../orders/rerun.js'
import { getShop } from '../shops/repo.js'
import { enqueueCataloguePull } from './enqueue.js'
import { linkByHand, pushSoon, unlink } from './mapping.js'
import {
  catalogueCounts,
  getListingSku,
  listListingSkus,
  sameCodeOthers,
  STATES,
  type ListingSkuRow,
} from './queries.js'
import { CatalogueSummarySchema, listingSkuJson, ListingSkuSchema, type ListingSkuJson } from './schemas.js'

const tags = ['catalogue']

export async function catalogueRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  const shopOf = async (merchantId: string, id: string) => {
    const shop = await getShop(ctx.db, merchantId, id)
    if (!shop) throw notFound('shop', id)
    return shop
  }
  /** Rows → JSON, with the other listings sharing each duplicate code loaded in one query. */
  const withDuplicates = async (merchantId: string, rows: readonly ListingSkuRow[]) => {
    const byShop = new Map<string, Set<string>>()
    for (const r of rows)
      if (r.issue === 'duplicate_code' && r.code_norm)
        byShop.set(r.shop_id, (byShop.get(r.shop_id) ?? new Set()).add(r.code_norm))
    const others = new Map<string, ListingSkuJson['duplicates']>()
    for (const [shopId, codes] of byShop)
      for (const o of await sameCodeOthers(ctx.db, merchantId, shopId, [...codes])) {
        const k = `${shopId}|${o.code_norm}`
        others.set(k, [
          ...(others.get(k) ?? []),
          {
            id: o.id,
            platformItemId: o.platform_item_id,
            platformSkuKey: o.platform_sku_key,
            title: o.title,
            specText: o.spec_text,
          },
        ])
      }
    return rows.map((r) =>
      listingSkuJson(
        r,
        r.issue === 'duplicate_code'
          ? (others.get(`${r.shop_id}|${r.code_norm}`) ?? []).filter((o) => o.id !== r.id)
          : [],
      ),
    )
  }

  app.get(
    '/shops/:id/listings',
    {
      schema: {
        tags,
        summary:
          "A shop's platform SKUs from its catalogue pull: conflicts first, then unmapped, then mapped (deleted ones only with state=deleted)",
        params: IdParams,
        querystring: Type.Object(
          {
            state: Type.Optional(Type.Enum(STATES)),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Page(ListingSkuSchema),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await shopOf(merchantId, req.params.id)
      const limit = req.query.limit ?? DEFAULT_LIMIT
      const c = readCursor(req.query.cursor, ['number', 'string'])
      const rows = await listListingSkus(ctx.db, merchantId, req.params.id, {
        limit: limit + 1,
        ...(req.query.state ? { state: req.query.state } : {}),
        ...(req.query.q ? { q: req.query.q } : {}),
        ...(c ? { after: { rank: c[0], id: c[1] } } : {}),
      })
      const page = pageOf(rows, limit, (last) => [Number(last.rank), last.id])
      return { items: await withDuplicates(merchantId, page.items), next: page.next }
    },
  )

  app.get(
    '/listings/:id',
    {
      schema: { tags, params: IdParams, response: { 200: ListingSkuSchema, ...errorResponses } },
    },
    async (req) => {
      const row = await getListingSku(ctx.db, req.auth.merchantId, req.params.id)
      if (!row) throw notFound('listing SKU', req.params.id)
      return (await withDuplicates(req.auth.merchantId, [row]))[0]!
    },
  )

  app.get(
    '/shops/:id/catalogue',
    {
      schema: {
        tags,
        summary:
          "What the shop's catalogue pull found: the last pull, SKUs by state, issue, how they were matched and stock mode",
        params: IdParams,
        response: { 200: CatalogueSummarySchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const shop = await shopOf(merchantId, req.params.id)
      const last = await ctx.db
        .selectFrom('catalogue_pulls')
        .selectAll()
        .where('merchant_id', '=', merchantId)
        .where('shop_id', '=', shop.id)
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst()
      const counts = await catalogueCounts(ctx.db, merchantId, shop.id)
      const skus = { total: 0, mapped: 0, unmapped: 0, conflict: 0, deleted: 0 }
      const issues: Record<string, number> = {}
      const matchMethods: Record<string, number> = {}
      const stockModes: Record<string, number> = {}
      const add = (m: Record<string, number>, k: string | null, n: number) => {
        if (k !== null) m[k] = (m[k] ?? 0) + n
      }
      for (const r of counts.rows) {
        const n = Number(r.n)
        const state = STATES[Number(r.rank)] ?? 'unmapped'
        skus[state] += n
        if (state === 'deleted') continue
        skus.total += n
        add(issues, r.issue === 'mapping_differs' && r.source === null ? null : r.issue, n)
        if (state === 'mapped') add(matchMethods, r.match_method ?? r.source, n)
        add(stockModes, r.stock_mode, n)
      }
      return {
        shopId: shop.id,
        supported: getConnector(shop.channel).pullCatalogue !== undefined,
        lastPull: last
          ? {
              id: last.id,
              reason: last.reason,
              status: last.status,
              startedAt: last.started_at.toISOString(),
              finishedAt: iso(last.finished_at),
              listings: last.listings,
              skus: last.skus,
              unreadable: last.unreadable,
              linked: last.linked,
              removed: last.removed,
              error: last.error,
            }
          : null,
        listings: counts.listings,
        unreadableListings: counts.unreadable,
        skus,
        issues,
        matchMethods,
        stockModes,
      }
    },
  )

  app.post(
    '/shops/:id/catalogue/pull',
    {
      schema: {
        tags,
        summary:
          "Pull the shop's catalogue now and auto-map it (a job; the same minute's request is queued once)",
        params: IdParams,
        response: { 202: Type.Object({ queued: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      const shop = await shopOf(merchantId, req.params.id)
      const queued = await enqueueCataloguePull(ctx, shop, 'manual')
      if (!queued)
        throw invalid(`${shop.channel} shops have no catalogue call`, {
          field: 'params/id',
          channel: shop.channel,
        })
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'shop.catalogue_pull',
        entityType: 'shop',
        entityId: shop.id,
        detail: { job: queued },
      })
      return reply.status(202).send({ queued })
    },
  )

  app.put(
    '/listings/:id/mapping',
    {
      schema: {
        tags,
        summary:
          'Map a listing SKU to a merchant SKU by hand (replaces its link; a later pull keeps it unless the listing code changes)',
        params: IdParams,
        body: Type.Object(
          {
            skuId: Type.Optional(Id),
            skuCode: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          },
          { additionalProperties: false, minProperties: 1, maxProperties: 1 },
        ),
        response: { 200: ListingSkuSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const row = await getListingSku(ctx.db, merchantId, req.params.id)
      if (!row) throw notFound('listing SKU', req.params.id)
      let q = ctx.db.selectFrom('skus').select(['id', 'code']).where('merchant_id', '=', merchantId)
      q = req.body.skuId ? q.where('id', '=', req.body.skuId) : q.where('code', '=', req.body.skuCode!)
      const sku = await q.executeTakeFirst()
      if (!sku)
        throw invalid(`body/${req.body.skuId ? 'skuId' : 'skuCode'}: no such merchant SKU`, {
          field: `body/${req.body.skuId ? 'skuId' : 'skuCode'}`,
        })
      await withTx(ctx.db, (tx) =>
        linkByHand(
          tx,
          merchantId,
          [
            {
              listingSkuId: row.id,
              shopId: row.shop_id,
              platformSkuKey: row.platform_sku_key,
              platformItemId: row.platform_item_id,
              platformSkuId: row.platform_sku_id,
              code: row.code_raw,
              skuId: sku.id,
            },
          ],
          'manual',
          ctx.clock.now(),
        ),
      )
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'sku_mapping.manual',
        entityType: 'listing_sku',
        entityId: row.id,
        detail: { shopId: row.shop_id, platformSkuKey: row.platform_sku_key, skuCode: sku.code },
      })
      await rerunWaiting(ctx, merchantId, ['sku_unmapped'], row.shop_id)
      await pushSoon(ctx, merchantId, row.shop_id)
      return (await withDuplicates(merchantId, [(await getListingSku(ctx.db, merchantId, row.id))!]))[0]!
    },
  )

  app.delete(
    '/listings/:id/mapping',
    {
      schema: {
        tags,
        summary:
          "Remove a listing SKU's link (its stock is no longer pushed; orders already mapped keep their SKU)",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      const row = await getListingSku(ctx.db, merchantId, req.params.id)
      if (!row) throw notFound('listing SKU', req.params.id)
      if (!(await unlink(ctx.db, merchantId, row.shop_id, row.platform_sku_key)))
        throw notFound('mapping of listing SKU', req.params.id)
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'sku_mapping.unlink',
        entityType: 'listing_sku',
        entityId: row.id,
        detail: { shopId: row.shop_id, platformSkuKey: row.platform_sku_key },
      })
      return reply.status(204).send(null)
    },
  )
}
