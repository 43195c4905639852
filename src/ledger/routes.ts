import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { AppError, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { Id, Money, Nullable, errorResponses, type Static } from '../api/schemas.js'
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
const StatementRowSchema = Type.Object({
  key: Nullable(
    Type.String({ description: 'the SKU id (by=sku) or order id (by=order) of the row; null for totals' }),
  ),
  ...Object.fromEntries(COLUMNS.map((c) => [c, AMOUNT_COLUMNS.has(c) ? Money : Type.String()])),
  marginPercent: Nullable(Type.String({ description: 'gross margin over net sales, in percent' })),
})

/** A statement row's place: its SKU or order (none for totals), then its currency. */
const rowKey = (r: Record<string, string | null>): [string, string] => [r.key ?? '', r.currency ?? '']
const compareKeys = (a: readonly [string, string], b: readonly [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0

export async function ledgerRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get(
    '/statements',
    {
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
          format: Type.Optional(
            Type.Enum(['json', 'csv', 'xlsx'], {
              description: 'json pages the rows; csv and xlsx export every one of them',
            }),
          ),
          ...PageQuery,
        }),
        response: {
          200: {
            description: 'the statement: JSON pages its rows, CSV and XLSX carry them all',
            content: {
              'application/json': {
                schema: Type.Object({
                  from: Type.String(),
                  to: Type.String(),
                  timezone: Type.String(),
                  by: Type.Enum(['total', 'sku', 'order']),
                  items: Type.Array(StatementRowSchema),
                  next: Nullable(Type.String()),
                }),
              },
              'text/csv': { schema: Type.String() },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                schema: Type.String({ format: 'binary' }),
              },
            },
          },
          ...errorResponses,
        },
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
      // By order a month can hold a million orders: JSON reads one page of them, exports read all.
      if (by === 'order' && json) {
        try {
          const page = await statementByOrderPage(ctx.db, merchant.id, q, {
            cursor: req.query.cursor,
            limit: req.query.limit ?? DEFAULT_LIMIT,
          })
          return { from: q.from, to: q.to, timezone: q.timezone, by, items: page.rows, next: page.nextCursor }
        } catch (err) {
          if (err instanceof CursorError)
            throw new AppError('validation_failed', err.message, 400, { field: 'querystring/cursor' })
          throw err
        }
      }
      const rows = (
        (by === 'sku'
          ? await statementBySku(ctx.db, merchant.id, q)
          : by === 'order'
            ? await statementByOrder(ctx.db, merchant.id, q)
            : await statement(ctx.db, merchant.id, q)) as unknown as Record<string, string | null>[]
      ).sort((a, b) => compareKeys(rowKey(a), rowKey(b)))
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
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const after = readCursor(cursor, ['string', 'string'])
      const page = pageOf(after ? rows.filter((r) => compareKeys(rowKey(r), after) > 0) : rows, limit, rowKey)
      return {
        from: q.from,
        to: q.to,
        timezone: q.timezone,
        by,
        // Rows carry every column of COLUMNS (StatementFigures); the schema lists them from the same array.
        items: page.items.map((r) => ({ ...r, key: r.key ?? null }) as Static<typeof StatementRowSchema>),
        next: page.next,
      }
    },
  )
}
