/**
 * The statement drill-down's last steps, read-only: the journal lines behind a figure (by period,
 * channel or shop, order, SKU and account), and the business keys of statement rows (SKU codes and
 * names, platform order numbers and shop names) so people never read internal ids.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { invalid, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { Id, Money, Nullable, Timestamp, errorResponses } from '../api/schemas.js'
import { CHANNELS } from '../db/schema.js'
import { getMerchant } from '../merchants/repo.js'
import { money, toAmount } from '../money/index.js'
import { shopScope } from '../users/scope.js'
import { journalLines, orderLabels, skuLabels } from './drill-repo.js'
import { zonedMidnight } from './statements.js'

const tags = ['ledger']
const IdList = Type.String({
  pattern: '^[0-9A-HJKMNP-TV-Z]{26}(,[0-9A-HJKMNP-TV-Z]{26}){0,199}$',
  maxLength: 200 * 27,
  description: 'up to 200 ids, comma-separated',
})

const LineSchema = Type.Object({
  id: Type.String(),
  entryId: Type.String(),
  kind: Type.String({ description: 'what posted it: sale, refund, cogs, settlement…' }),
  postingKey: Type.String(),
  account: Type.String(),
  debit: Money,
  credit: Money,
  currency: Type.String(),
  eventAt: Timestamp,
  channel: Nullable(Type.String()),
  shopId: Nullable(Type.String()),
  orderId: Nullable(Type.String()),
  orderExternalId: Nullable(Type.String()),
  skuId: Nullable(Type.String()),
  skuCode: Nullable(Type.String()),
  skuName: Nullable(Type.String()),
})

export async function ledgerDrillRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/ledger/journal-lines',
    {
      schema: {
        tags,
        summary:
          'The journal lines behind a statement figure, oldest first: a period in the merchant zone, narrowed by channel, shop, order, SKU and account',
        querystring: Type.Object({
          from: Type.String({ format: 'date' }),
          to: Type.String({ format: 'date', description: 'exclusive' }),
          channel: Type.Optional(Type.Enum(CHANNELS)),
          shopId: Type.Optional(Id),
          orderId: Type.Optional(Id),
          skuId: Type.Optional(Id),
          account: Type.Optional(Type.String({ pattern: '^[a-z_]{1,48}$', maxLength: 48 })),
          ...PageQuery,
        }),
        response: { 200: Page(LineSchema), ...errorResponses },
      },
    },
    async (req) => {
      const merchant = await getMerchant(ctx.db, req.auth.merchantId)
      if (!merchant) throw notFound('merchant', req.auth.merchantId)
      const { limit = DEFAULT_LIMIT, cursor, from, to } = req.query
      const after = readCursor(cursor, ['string', 'string'])
      const afterAt = after ? new Date(after[0]) : undefined
      if (afterAt && Number.isNaN(afterAt.getTime()))
        throw invalid('querystring/cursor is not a cursor of this list', { field: 'querystring/cursor' })
      const rows = await journalLines(ctx.db, merchant.id, {
        from: zonedMidnight(from, merchant.timezone),
        to: zonedMidnight(to, merchant.timezone),
        channel: req.query.channel,
        shopId: req.query.shopId,
        orderId: req.query.orderId,
        skuId: req.query.skuId,
        account: req.query.account,
        shops: shopScope(req.auth),
        after: after && afterAt ? [afterAt, after[1]] : undefined,
        limit,
      })
      const page = pageOf(rows, limit, (r) => [r.event_at.toISOString(), r.id])
      return {
        next: page.next,
        items: page.items.map((r) => ({
          id: r.id,
          entryId: r.entry_id,
          kind: r.kind,
          postingKey: r.posting_key,
          account: r.account,
          debit: toAmount(money(r.debit)),
          credit: toAmount(money(r.credit)),
          currency: r.currency,
          eventAt: r.event_at.toISOString(),
          channel: r.channel,
          shopId: r.shop_id,
          orderId: r.order_id,
          orderExternalId: r.order_external_id,
          skuId: r.sku_id,
          skuCode: r.sku_code,
          skuName: r.sku_name,
        })),
      }
    },
  )

  app.get(
    '/ledger/labels',
    {
      schema: {
        tags,
        summary:
          'Business keys of statement rows: SKU code and name per SKU id, platform order number and shop per order id',
        querystring: Type.Object({ skuIds: Type.Optional(IdList), orderIds: Type.Optional(IdList) }),
        response: {
          200: Type.Object({
            skus: Type.Record(Type.String(), Type.Object({ code: Type.String(), name: Type.String() })),
            orders: Type.Record(
              Type.String(),
              Type.Object({
                externalId: Type.String(),
                shopId: Type.String(),
                shopName: Type.String(),
                channel: Type.String(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const split = (s: string | undefined) => (s ? [...new Set(s.split(','))] : [])
      const shops = shopScope(req.auth)
      const skus = await skuLabels(ctx.db, req.auth.merchantId, split(req.query.skuIds))
      const orders = (await orderLabels(ctx.db, req.auth.merchantId, split(req.query.orderIds))).filter(
        (o) => shops === null || shops.includes(o.shop_id),
      )
      return {
        skus: Object.fromEntries(skus.map((s) => [s.id, { code: s.code, name: s.name }])),
        orders: Object.fromEntries(
          orders.map((o) => [
            o.id,
            { externalId: o.external_id, shopId: o.shop_id, shopName: o.shop_name, channel: o.channel },
          ]),
        ),
      }
    },
  )
}
