import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import ExcelJS from 'exceljs'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { notFound } from '../api/errors.js'
import { Id, errorResponses } from '../api/schemas.js'
import { CHANNELS } from '../db/schema.js'
import { csvSafe } from '../fulfillment/render.js'
import { getMerchant } from '../merchants/repo.js'
import { stringify } from 'csv-stringify/sync'
import { statement, statementByOrder, statementBySku } from './statements.js'

const FINANCE = ['admin', 'accountant'] as const
const COLUMNS = ['currency', 'grossSales', 'merchantDiscounts', 'platformDiscounts', 'shippingIncome', 'refunds', 'netSales', 'commissions', 'paymentFees', 'otherFees', 'cogs', 'grossMargin', 'marginPercent', 'contributionMargin', 'expectedReceivable', 'settled', 'paidOut', 'difference', 'suspense'] as const
const AMOUNT_COLUMNS = new Set<string>(COLUMNS.filter((c) => c !== 'currency' && c !== 'marginPercent'))

export async function ledgerRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get(
    '/statements',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['ledger'],
        summary: 'Per-channel statement for a period in the merchant time zone: totals, or drill-down by SKU or order; JSON, CSV or XLSX',
        querystring: Type.Object({
          from: Type.String({ format: 'date' }),
          to: Type.String({ format: 'date', description: 'exclusive' }),
          channel: Type.Optional(Type.Enum(CHANNELS)),
          shopId: Type.Optional(Id),
          by: Type.Optional(Type.Enum(['total', 'sku', 'order'])),
          format: Type.Optional(Type.Enum(['json', 'csv', 'xlsx'])),
        }),
        response: { 200: Type.Unknown(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const merchant = await getMerchant(ctx.db, req.auth.merchantId)
      if (!merchant) throw notFound('merchant', req.auth.merchantId)
      const q = { from: req.query.from, to: req.query.to, timezone: merchant.timezone, channel: req.query.channel, shopId: req.query.shopId }
      const by = req.query.by ?? 'total'
      const rows = (by === 'sku' ? await statementBySku(ctx.db, merchant.id, q) : by === 'order' ? await statementByOrder(ctx.db, merchant.id, q) : await statement(ctx.db, merchant.id, q)) as unknown as Record<string, string | null>[]
      const header = by === 'total' ? [...COLUMNS] : [by === 'sku' ? 'skuId' : 'orderId', ...COLUMNS]
      const cells = rows.map((r) => header.map((h) => (h === 'skuId' || h === 'orderId' ? r.key ?? null : r[h] ?? null)))
      const name = `statement-${q.from}-${q.to}${q.channel ? `-${q.channel}` : ''}-${by}`
      if (req.query.format === 'csv') {
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(`\uFEFF${stringify([header, ...cells.map((r) => r.map(csvSafe))])}`)
      }
      if (req.query.format === 'xlsx') {
        const wb = new ExcelJS.Workbook()
        const ws = wb.addWorksheet('Statement')
        ws.addRow([`${merchant.name} — ${q.from} to ${q.to} (${merchant.timezone})${q.channel ? ` — ${q.channel}` : ''}`])
        ws.addRow(header)
        // XLSX numbers are IEEE doubles by the file format; amounts of up to 15 significant digits keep their exact 2-dp value.
        // eslint-disable-next-line no-restricted-syntax -- the XLSX cell is the export edge
        for (const r of cells) ws.addRow(r.map((v, i) => (v !== null && AMOUNT_COLUMNS.has(header[i]!) ? Number(v) : v)))
        header.forEach((h, i) => {
          if (AMOUNT_COLUMNS.has(h)) ws.getColumn(i + 1).numFmt = '#,##0.00'
        })
        const buf = Buffer.from(await wb.xlsx.writeBuffer())
        return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="${name}.xlsx"`).send(buf)
      }
      return { from: q.from, to: q.to, timezone: q.timezone, by, rows }
    },
  )
}
