import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { AppError, notFound } from '../api/errors.js'
import { Id, errorResponses } from '../api/schemas.js'
import { CHANNELS } from '../db/schema.js'
import { getMerchant } from '../merchants/repo.js'
import { sendTable } from './export.js'
import {
  CursorError,
  statement,
  statementByOrder,
  statementByOrderPage,
  statementBySku,
} from './statements.js'

const FINANCE = ['admin', 'accountant'] as const
const COLUMNS = [
  'currency',
  'grossSales',
  'merchantDiscounts',
  'platformDiscounts',
  'shippingIncome',
  'refunds',
  'netSales',
  'commissions',
  'paymentFees',
  'otherFees',
  'cogs',
  'grossMargin',
  'marginPercent',
  'contributionMargin',
  'expectedReceivable',
  'settled',
  'paidOut',
  'difference',
  'suspense',
] as const
const AMOUNT_COLUMNS = new Set<string>(COLUMNS.filter((c) => c !== 'currency' && c !== 'marginPercent'))

export async function ledgerRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get(
    '/statements',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['ledger'],
        summary:
          'Per-channel statement for a period in the merchant time zone: totals, or drill-down by SKU or order; JSON, CSV or XLSX',
        querystring: Type.Object({
          from: Type.String({ format: 'date' }),
          to: Type.String({ format: 'date', description: 'exclusive' }),
          channel: Type.Optional(Type.Enum(CHANNELS)),
          shopId: Type.Optional(Id),
          by: Type.Optional(Type.Enum(['total', 'sku', 'order'])),
          format: Type.Optional(Type.Enum(['json', 'csv', 'xlsx'])),
          cursor: Type.Optional(
            Type.String({
              maxLength: 200,
              description: 'by=order in JSON: the nextCursor of the page before',
            }),
          ),
          limit: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 1000, description: 'by=order in JSON: orders a page (100)' }),
          ),
        }),
        response: { 200: Type.Unknown(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const merchant = await getMerchant(ctx.db, req.auth.merchantId)
      if (!merchant) throw notFound('merchant', req.auth.merchantId)
      const q = {
        from: req.query.from,
        to: req.query.to,
        timezone: merchant.timezone,
        channel: req.query.channel,
        shopId: req.query.shopId,
      }
      const by = req.query.by ?? 'total'
      const json = req.query.format !== 'csv' && req.query.format !== 'xlsx'
      // By order a month can hold a million orders: JSON gives them a page at a time, exports all.
      if (by === 'order' && json) {
        try {
          const page = await statementByOrderPage(ctx.db, merchant.id, q, req.query)
          return { from: q.from, to: q.to, timezone: q.timezone, by, ...page }
        } catch (err) {
          if (err instanceof CursorError) throw new AppError('validation_failed', err.message, 400)
          throw err
        }
      }
      const rows = (by === 'sku'
        ? await statementBySku(ctx.db, merchant.id, q)
        : by === 'order'
          ? await statementByOrder(ctx.db, merchant.id, q)
          : await statement(ctx.db, merchant.id, q)) as unknown as Record<string, string | null>[]
      const header = by === 'total' ? [...COLUMNS] : [by === 'sku' ? 'skuId' : 'orderId', ...COLUMNS]
      const cells = rows.map((r) =>
        header.map((h) => (h === 'skuId' || h === 'orderId' ? (r.key ?? null) : (r[h] ?? null))),
      )
      const name = `statement-${q.from}-${q.to}${q.channel ? `-${q.channel}` : ''}-${by}`
      const title = `${merchant.name} — ${q.from} to ${q.to} (${merchant.timezone})${q.channel ? ` — ${q.channel}` : ''}`
      if (req.query.format === 'csv' || req.query.format === 'xlsx')
        return sendTable(reply, req.query.format, {
          name,
          title,
          sheet: 'Statement',
          header,
          rows: cells,
          amountColumns: AMOUNT_COLUMNS,
        })
      return { from: q.from, to: q.to, timezone: q.timezone, by, rows }
    },
  )
}
