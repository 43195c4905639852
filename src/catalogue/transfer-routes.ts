/**
 * SKU mappings as a file: GET /sku-mappings/export (XLSX or CSV) and POST /sku-mappings/import
 * (the XLSX edited; per row, with a report; `dryRun=true` checks without saving).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { AppError, invalid, notFound } from '../api/errors.js'
import { errorResponses, Id } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import type { AppContext } from '../context.js'
import { withTx } from '../db/tx.js'
import { sendTable } from '../ledger/export.js'
import { chunk } from '../lib/collections.js'
import { rerunWaiting } from '../orders/rerun.js'
import { getShop } from '../shops/repo.js'
import { linkByHand, pushSoon } from './mapping.js'
import {
  EXPORT_HEADER,
  EXPORT_ROWS_MAX,
  exportRows,
  IMPORT_ROWS_MAX,
  loadTargets,
  planImport,
  readSheet,
  SheetError,
  TooManyRows,
} from './transfer.js'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const tags = ['catalogue']

const ImportReport = Type.Object({
  dryRun: Type.Boolean(),
  rows: Type.Integer(),
  saved: Type.Integer(),
  unchanged: Type.Integer(),
  skipped: Type.Integer(),
  rejected: Type.Array(
    Type.Object({
      row: Type.Integer(),
      shopId: Type.String(),
      platformSkuKey: Type.String(),
      merchantSkuCode: Type.String(),
      reason: Type.String(),
    }),
    { maxItems: IMPORT_ROWS_MAX },
  ),
})

export async function catalogueTransferRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  // The import body is the workbook's bytes, kept raw in this scope.
  fastify.addContentTypeParser(
    [XLSX, 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: 10 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  )
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/sku-mappings/export',
    {
      schema: {
        tags,
        summary: `Every listing SKU with its merchant SKU code (and every link whose listing was not pulled), as XLSX or CSV; at most ${EXPORT_ROWS_MAX} rows`,
        querystring: Type.Object(
          { format: Type.Optional(Type.Enum(['xlsx', 'csv'])), shopId: Type.Optional(Id) },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'the file',
            content: {
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                schema: Type.String({ format: 'binary' }),
              },
              'text/csv': { schema: Type.String() },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      const shop = req.query.shopId ? await getShop(ctx.db, merchantId, req.query.shopId) : null
      if (req.query.shopId && !shop) throw notFound('shop', req.query.shopId)
      let rows
      try {
        rows = await exportRows(ctx.db, merchantId, req.query.shopId)
      } catch (err) {
        if (err instanceof TooManyRows)
          throw new AppError(
            'validation_failed',
            `more than ${EXPORT_ROWS_MAX} rows: export one shop at a time (querystring/shopId)`,
            422,
            { field: 'querystring/shopId' },
          )
        throw err
      }
      return sendTable(reply, req.query.format ?? 'xlsx', {
        name: shop ? `sku-mappings-${shop.id}` : 'sku-mappings',
        title: `SKU mappings${shop ? ` — ${shop.name}` : ''}: fill in merchantSkuCode and import the file again`,
        sheet: 'mappings',
        header: EXPORT_HEADER,
        rows,
        amountColumns: new Set(),
      })
    },
  )

  app.post(
    '/sku-mappings/import',
    {
      schema: {
        tags,
        summary:
          'Import the edited export (XLSX body): each row with a merchantSkuCode links its listing SKU; bad rows are reported and change nothing; dryRun=true only checks',
        querystring: Type.Object({ dryRun: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: ImportReport, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      if (!Buffer.isBuffer(req.body))
        throw invalid(`send the workbook as the request body (Content-Type ${XLSX})`, { field: 'body' })
      let rows
      try {
        rows = await readSheet(req.body)
      } catch (err) {
        if (err instanceof SheetError) throw invalid(`body: ${err.message}`, { field: 'body' })
        throw err
      }
      const shopIds = [...new Set(rows.map((r) => r.shopId).filter(Boolean))]
      const shops = new Set(
        shopIds.length
          ? (
              await ctx.db
                .selectFrom('shops')
                .select('id')
                .where('merchant_id', '=', merchantId)
                .where('id', 'in', shopIds)
                .execute()
            ).map((s) => s.id)
          : [],
      )
      const codes = [...new Set(rows.map((r) => r.merchantSkuCode).filter(Boolean))]
      const skuByCode = new Map<string, string>()
      for (const part of chunk(codes, 1000))
        for (const s of await ctx.db
          .selectFrom('skus')
          .select(['id', 'code'])
          .where('merchant_id', '=', merchantId)
          .where('code', 'in', part)
          .execute()) {
          skuByCode.set(s.code, s.id)
          // SKU codes compare without case in the database: a code typed in another case finds its SKU.
          skuByCode.set(s.code.toLowerCase(), s.id)
        }
      const plan = planImport(
        rows,
        shops,
        await loadTargets(ctx.db, merchantId, rows),
        (code) => skuByCode.get(code) ?? skuByCode.get(code.toLowerCase()),
      )
      const byRow = new Map(rows.map((r) => [r.row, r]))
      const saves = plan.flatMap((o) => (o.action === 'save' ? [o] : []))
      const dryRun = req.query.dryRun === true
      if (!dryRun && saves.length > 0) {
        await withTx(ctx.db, (tx) =>
          linkByHand(
            tx,
            merchantId,
            saves.map((o) => ({
              listingSkuId: o.target.listingSkuId,
              shopId: o.shopId,
              platformSkuKey: o.platformSkuKey,
              platformItemId: o.target.platformItemId,
              platformSkuId: o.target.platformSkuId,
              code: o.target.code,
              skuId: o.skuId,
            })),
            'bulk',
            ctx.clock.now(),
          ),
        )
        for (const shopId of new Set(saves.map((o) => o.shopId))) {
          await rerunWaiting(ctx, merchantId, ['sku_unmapped'], shopId)
          await pushSoon(ctx, merchantId, shopId)
        }
      }
      const report = {
        dryRun,
        rows: rows.length,
        saved: saves.length,
        unchanged: plan.filter((o) => o.action === 'unchanged').length,
        skipped: plan.filter((o) => o.action === 'skipped').length,
        rejected: plan.flatMap((o) => {
          if (o.action !== 'reject') return []
          const r = byRow.get(o.row)!
          return [
            {
              row: o.row,
              shopId: r.shopId,
              platformSkuKey: r.platformSkuKey,
              merchantSkuCode: r.merchantSkuCode,
              reason: o.reason,
            },
          ]
        }),
      }
      if (!dryRun)
        await audit(ctx.db, merchantId, {
          ...apiActor(req.auth),
          action: 'sku_mapping.import',
          entityType: 'sku_mapping',
          entityId: '*',
          detail: { rows: report.rows, saved: report.saved, rejected: report.rejected.length },
        })
      return report
    },
  )
}
