/**
 * The accountant's API beyond statements: settlement import and lines, reconciliation findings,
 * the chart of accounts, commission plans and period close.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { AppError, conflict, invalid, mustOwn, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, encodeCursor, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import {
  Id,
  IdParams,
  jsonColumn,
  Money,
  NonNegativeAmount,
  Nullable,
  Timestamp,
  errorResponses,
  type Static,
} from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { CHANNELS } from '../db/schema.js'
import { withTx } from '../db/tx.js'
import { newId } from '../lib/ids.js'
import { money, round, toAmount } from '../money/index.js'
import { getMerchant } from '../merchants/repo.js'
import { getShop } from '../shops/repo.js'
import { REFUND_RULES, validateRules, type CommissionRules } from './commission.js'
import { ChecklistError, closeMonth } from './close.js'
import { PeriodError } from './journal.js'
import { defaultAccountName } from './labels.js'
import { ACCOUNTS } from './postings.js'
import { FINDING_KINDS, reconcile } from './reconcile.js'
import { sendTable } from './export.js'
import { importSettlementFile } from './settlements.js'
import {
  addCommissionPlan,
  listClosedPeriods,
  listCommissionPlans,
  listLedgerAccounts,
  listSettlementImports,
  listSettlementLines,
  conversionsPosted,
  saveLedgerAccount,
} from './repo.js'

const FINDING_COLUMNS = [
  'kind',
  'channel',
  'shopId',
  'orderExternalId',
  'orderId',
  'currency',
  'expected',
  'actual',
  'difference',
  'commissionExpected',
  'commissionActual',
  'reason',
  'settlementLineIds',
] as const
const tags = ['ledger']
const Rate = Type.String({
  pattern: '^\\d{1,4}(\\.\\d{1,8})?$',
  maxLength: 13,
  description: 'decimal rate, e.g. "0.05"',
})
/** Rates per category or SKU code, keyed as the catalogue keys them. */
const RateTable = Type.Record(Type.String(), Rate, {
  maxProperties: 5000,
  propertyNames: { minLength: 1, maxLength: 128 },
})
const Rules = Type.Object(
  {
    rate: Type.Optional(Rate),
    byCategory: Type.Optional(RateTable),
    bySku: Type.Optional(RateTable),
    fixedPerOrder: Type.Optional(NonNegativeAmount),
    paymentRate: Type.Optional(Rate),
    refundRule: Type.Optional(
      Type.Enum(REFUND_RULES, { description: 'what the platform gives back of the commission on a refund' }),
    ),
    paymentRefundRule: Type.Optional(Type.Enum(REFUND_RULES)),
  },
  { additionalProperties: false },
)
const DateStr = Type.String({ format: 'date' })
const NStr = Nullable(Type.String())
const Rejected = Type.Array(Type.Object({ row: Type.Integer(), raw: Type.String(), reason: Type.String() }), {
  description: 'rows that could not be read, as they were in the file',
})
const ImportSchema = Type.Object({
  id: Type.String(),
  shopId: Type.String(),
  source: Type.Enum(['file', 'api']),
  filename: NStr,
  lines: Type.Integer(),
  inserted: Type.Integer(),
  rejected: Rejected,
  statedTotal: Nullable(Money),
  parsedTotal: Money,
  totalsAgree: Nullable(Type.Boolean()),
  at: Timestamp,
})
const SettlementLineSchema = Type.Object({
  id: Type.String(),
  shopId: Type.String(),
  channel: Type.String(),
  importId: NStr,
  externalLineId: Type.String(),
  orderExternalId: NStr,
  type: Type.String(),
  platformType: Type.String(),
  amount: Money,
  currency: Type.String(),
  occurredAt: Timestamp,
  payoutId: NStr,
  description: NStr,
  conversion: Nullable(
    Type.Object(
      {
        amount: Money,
        currency: Type.String(),
        impliedRate: Type.String({ description: 'converted amount per 1 unit paid out' }),
        bookValue: Nullable(Money),
        fxRealised: Nullable(Money),
      },
      {
        description:
          'a payout the bank received in another currency: what arrived, the rate it implies, what the platform balance it empties was worth in the books (base) and the exchange difference realised (gain positive)',
      },
    ),
  ),
})
const FindingSchema = Type.Object({
  kind: Type.Enum(FINDING_KINDS),
  shopId: Type.String(),
  channel: Type.String(),
  orderId: NStr,
  orderExternalId: NStr,
  currency: Type.String(),
  expected: Nullable(Money),
  actual: Nullable(Money),
  difference: Nullable(Money),
  commissionExpected: Nullable(Money),
  commissionActual: Nullable(Money),
  settlementLineIds: Type.Array(Type.String()),
  reason: Type.String(),
})
const PlanSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  effectiveFrom: DateStr,
  effectiveTo: Nullable(DateStr),
  rules: Rules,
})

export async function financeRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  // Statement files arrive as the bytes the seller downloaded (GBK, BOMs…): kept raw in this scope.
  fastify.addContentTypeParser(
    [
      'text/csv',
      'application/octet-stream',
      'text/plain',
      'application/vnd.ms-excel',
      'text/tab-separated-values',
    ],
    { parseAs: 'buffer', bodyLimit: 50 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  )
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post(
    '/settlements/import',
    {
      schema: {
        tags,
        summary:
          'Import a settlement statement file exactly as downloaded from the platform (the body is the file); importing it again changes nothing',
        querystring: Type.Object({ shopId: Id, filename: Type.Optional(Type.String({ maxLength: 255 })) }),
        response: {
          200: Type.Object({
            importId: Type.String(),
            duplicateFile: Type.Boolean(),
            lines: Type.Integer(),
            inserted: Type.Integer(),
            alreadyKnown: Type.Integer(),
            rejected: Rejected,
            statedTotal: Nullable(Money),
            parsedTotal: Money,
            totalsAgree: Type.Union([Type.Boolean(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      if (!Buffer.isBuffer(req.body))
        throw invalid(
          'send the statement file as the request body (Content-Type text/csv or application/octet-stream)',
        )
      const report = await importSettlementFile(
        ctx.db,
        req.auth.merchantId,
        req.query.shopId,
        req.body,
        req.query.filename ?? null,
      )
      await audit(ctx.db, req.auth.merchantId, {
        ...apiActor(req.auth),
        action: 'settlement.import',
        entityType: 'shop',
        entityId: req.query.shopId,
        detail: {
          importId: report.importId,
          inserted: report.inserted,
          rejected: report.rejected.length,
          duplicateFile: report.duplicateFile,
        },
      })
      return report
    },
  )

  app.get(
    '/settlements/imports',
    {
      schema: {
        tags,
        summary:
          'Settlement imports and pulls, newest first, with their totals and the rows that could not be read',
        querystring: Type.Object({ shopId: Type.Optional(Id), ...PageQuery }),
        response: { 200: Page(ImportSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor, shopId } = req.query
      const before = readCursor(cursor, ['string'])?.[0]
      const page = pageOf(
        await listSettlementImports(ctx.db, req.auth.merchantId, {
          ...(shopId ? { shopId } : {}),
          ...(before !== undefined ? { before } : {}),
          limit: limit + 1,
        }),
        limit,
        (r) => [r.id],
      )
      return {
        next: page.next,
        items: page.items.map((r) => ({
          id: r.id,
          shopId: r.shop_id,
          source: r.source,
          filename: r.filename,
          lines: r.line_count,
          inserted: r.inserted,
          rejected: jsonColumn<Static<typeof Rejected>>(r.rejected),
          statedTotal: r.stated_total === null ? null : toAmount(money(r.stated_total)),
          parsedTotal: toAmount(money(r.parsed_total)),
          totalsAgree: r.stated_total === null ? null : money(r.stated_total).eq(money(r.parsed_total)),
          at: r.created_at.toISOString(),
        })),
      }
    },
  )

  app.get(
    '/settlements/lines',
    {
      schema: {
        tags,
        querystring: Type.Object({
          shopId: Type.Optional(Id),
          orderExternalId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          type: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
          importId: Type.Optional(Id),
          ...PageQuery,
        }),
        response: { 200: Page(SettlementLineSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const after = readCursor(cursor, ['string', 'string'])
      let at: Date | null = null
      if (after) {
        at = new Date(after[0])
        if (Number.isNaN(at.getTime()))
          throw invalid('querystring/cursor is not a cursor of this list', { field: 'querystring/cursor' })
      }
      const { shopId, orderExternalId, type, importId } = req.query
      const page = pageOf(
        await listSettlementLines(ctx.db, req.auth.merchantId, {
          ...(shopId ? { shopId } : {}),
          ...(orderExternalId ? { orderExternalId } : {}),
          ...(type ? { type } : {}),
          ...(importId ? { importId } : {}),
          after: after && at ? { at, id: after[1] } : null,
          limit: limit + 1,
        }),
        limit,
        (r) => [r.occurred_at.toISOString(), r.id],
      )
      const converted = page.items.filter((r) => r.converted_amount !== null && r.converted_currency !== null)
      const keyOf = (r: { shop_id: string; external_line_id: string }) =>
        `settle.${r.shop_id}.${r.external_line_id}`
      const posted = await conversionsPosted(ctx.db, req.auth.merchantId, converted.map(keyOf))
      return {
        next: page.next,
        items: page.items.map((r) => ({
          id: r.id,
          shopId: r.shop_id,
          channel: r.channel,
          importId: r.import_id,
          externalLineId: r.external_line_id,
          orderExternalId: r.order_external_id,
          type: r.type,
          platformType: r.platform_type,
          amount: toAmount(money(r.amount)),
          currency: r.currency,
          occurredAt: r.occurred_at.toISOString(),
          payoutId: r.payout_id,
          description: r.description,
          conversion:
            r.converted_amount === null || r.converted_currency === null || money(r.amount).isZero()
              ? null
              : {
                  amount: toAmount(money(r.converted_amount)),
                  currency: r.converted_currency,
                  impliedRate: round(money(r.converted_amount).div(money(r.amount).abs()), 6).toFixed(6),
                  bookValue: posted.has(keyOf(r)) ? toAmount(money(posted.get(keyOf(r))!.bookValue)) : null,
                  fxRealised: posted.has(keyOf(r)) ? toAmount(money(posted.get(keyOf(r))!.fx)) : null,
                },
        })),
      }
    },
  )

  app.get(
    '/reconciliation',
    {
      schema: {
        tags,
        summary: 'Settlement lines matched to orders, with every discrepancy and its reason',
        querystring: Type.Object({
          from: DateStr,
          to: Type.String({ format: 'date', description: 'exclusive' }),
          shopId: Type.Optional(Id),
          channel: Type.Optional(Type.Enum(CHANNELS)),
          kind: Type.Optional(Type.Enum(FINDING_KINDS)),
          format: Type.Optional(
            Type.Enum(['json', 'csv', 'xlsx'], {
              description: 'json pages the findings; csv and xlsx export every one of them',
            }),
          ),
          ...PageQuery,
        }),
        response: {
          200: {
            description: 'the findings: JSON pages them, CSV and XLSX carry them all',
            content: {
              'application/json': {
                schema: Type.Object({
                  from: Type.String(),
                  to: Type.String(),
                  timezone: Type.String(),
                  summary: Type.Record(Type.String(), Type.Integer(), { description: 'findings per kind' }),
                  items: Type.Array(FindingSchema),
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
      const r = await reconcile(ctx.db, merchant.id, {
        from: req.query.from,
        to: req.query.to,
        timezone: merchant.timezone,
        shopId: req.query.shopId,
        channel: req.query.channel,
        now: ctx.clock.now(),
      })
      const findings = req.query.kind ? r.findings.filter((f) => f.kind === req.query.kind) : r.findings
      if (req.query.format === 'csv' || req.query.format === 'xlsx') {
        const rows = findings.map((f) =>
          FINDING_COLUMNS.map((c) =>
            c === 'settlementLineIds' ? f.settlementLineIds.join(' ') : (f[c] ?? null),
          ),
        )
        return sendTable(reply, req.query.format, {
          name: `reconciliation-${req.query.from}-${req.query.to}${req.query.kind ? `-${req.query.kind}` : ''}`,
          title: `${merchant.name} — reconciliation ${req.query.from} to ${req.query.to} (${merchant.timezone})`,
          sheet: 'Reconciliation',
          header: FINDING_COLUMNS,
          rows,
          amountColumns: new Set([
            'expected',
            'actual',
            'difference',
            'commissionExpected',
            'commissionActual',
          ]),
        })
      }
      // Findings are computed for the whole period; the cursor is the position in their fixed order.
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const at = readCursor(cursor, ['number'])?.[0] ?? 0
      if (!Number.isInteger(at) || at < 0 || at > findings.length)
        throw invalid('querystring/cursor is not a cursor of this list', { field: 'querystring/cursor' })
      return {
        from: req.query.from,
        to: req.query.to,
        timezone: merchant.timezone,
        summary: r.summary,
        items: findings.slice(at, at + limit),
        next: at + limit < findings.length ? encodeCursor([at + limit]) : null,
      }
    },
  )

  app.get(
    '/ledger/accounts',
    {
      schema: {
        tags,
        summary: "The chart of accounts: defaults with the merchant's names and GL codes",
        querystring: Type.Object(PageQuery),
        response: {
          200: Page(
            Type.Object({
              code: Type.String(),
              name: Type.String(),
              type: Type.String(),
              externalCode: Type.Union([Type.String(), Type.Null()]),
              perShop: Type.Boolean(),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const after = readCursor(cursor, ['string'])?.[0]
      // The chart is fixed in code (postings.ts): its own order, from after the cursor's account.
      const codes = Object.keys(ACCOUNTS)
      const from = after === undefined ? 0 : codes.indexOf(after) + 1
      if (after !== undefined && from === 0)
        throw invalid('querystring/cursor is not a cursor of this list', { field: 'querystring/cursor' })
      const page = pageOf(codes.slice(from, from + limit + 1), limit, (code) => [code])
      const own = new Map((await listLedgerAccounts(ctx.db, req.auth.merchantId)).map((r) => [r.code, r]))
      return {
        next: page.next,
        items: page.items.map((code) => ({
          code,
          name: own.get(code)?.name ?? defaultAccountName(code as keyof typeof ACCOUNTS, 'en'),
          type: ACCOUNTS[code as keyof typeof ACCOUNTS].type,
          externalCode: own.get(code)?.external_code ?? null,
          perShop: code === 'receivable' || code === 'platform_balance',
        })),
      }
    },
  )

  app.put(
    '/ledger/accounts/:code',
    {
      schema: {
        tags,
        summary: 'Rename an account or give it the code of your general ledger',
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 48 }) }),
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            externalCode: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      if (!(req.params.code in ACCOUNTS)) throw notFound('account', req.params.code)
      // The account and its audit row commit together, at the application's time.
      const at = ctx.clock.now()
      await withTx(ctx.db, async (tx) => {
        await saveLedgerAccount(
          tx,
          req.auth.merchantId,
          req.params.code,
          { name: req.body.name, externalCode: req.body.externalCode ?? null },
          at,
        )
        await audit(tx, req.auth.merchantId, {
          ...apiActor(req.auth),
          action: 'ledger.account',
          entityType: 'account',
          entityId: req.params.code,
          detail: req.body,
          at,
        })
      })
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/shops/:id/commission-plans',
    {
      schema: {
        tags,
        summary: "A shop's commission plans by the day they take effect",
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: { 200: Page(PlanSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const after = readCursor(cursor, ['string', 'string'])
      await mustOwn(ctx.db, req.auth.merchantId, 'shops', 'shop', [req.params.id])
      const page = pageOf(
        await listCommissionPlans(ctx.db, req.auth.merchantId, req.params.id, {
          after: after ? [after[0], after[1]] : null,
          limit: limit + 1,
        }),
        limit,
        (r) => [r.effective_from, r.id],
      )
      return {
        next: page.next,
        items: page.items.map((r) => ({
          id: r.id,
          name: r.name,
          effectiveFrom: r.effective_from,
          effectiveTo: r.effective_to,
          rules: jsonColumn<Static<typeof Rules>>(r.rules),
        })),
      }
    },
  )

  app.post(
    '/shops/:id/commission-plans',
    {
      bodyLimit: 1024 * 1024,
      schema: {
        tags,
        summary:
          'Add a commission plan (rates by category or SKU, fixed fee per order, payment rate) effective over a date range',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            effectiveFrom: DateStr,
            effectiveTo: Type.Optional(Type.Union([DateStr, Type.Null()])),
            rules: Rules,
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      if (!(await getShop(ctx.db, merchantId, req.params.id))) throw notFound('shop', req.params.id)
      const problems = validateRules(req.body.rules as CommissionRules)
      if (problems.length > 0)
        throw invalid(`body/rules: ${problems.join('; ')}`, { field: 'body/rules', problems })
      const to = req.body.effectiveTo ?? null
      if (to !== null && to < req.body.effectiveFrom)
        throw invalid('body/effectiveTo: the plan must end on or after it starts', {
          field: 'body/effectiveTo',
        })
      const id = newId()
      const clash = await addCommissionPlan(ctx.db, merchantId, req.params.id, {
        id,
        name: req.body.name,
        effectiveFrom: req.body.effectiveFrom,
        effectiveTo: to,
        rules: req.body.rules,
      })
      if (clash)
        throw conflict(
          `the plan overlaps plan ${clash.id} (${clash.effective_from} – ${clash.effective_to ?? 'open'}); end that one first`,
        )
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'commission_plan.create',
        entityType: 'shop',
        entityId: req.params.id,
        detail: { planId: id },
      })
      return reply.status(201).send({ id })
    },
  )

  app.get(
    '/ledger/periods',
    {
      schema: {
        tags,
        summary: 'Closed months, oldest first',
        querystring: Type.Object(PageQuery),
        response: {
          200: Page(Type.Object({ period: Type.String(), closedAt: Type.String(), closedBy: Type.String() })),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const after = readCursor(cursor, ['string'])?.[0]
      const page = pageOf(
        await listClosedPeriods(ctx.db, req.auth.merchantId, {
          ...(after !== undefined ? { after } : {}),
          limit: limit + 1,
        }),
        limit,
        (r) => [r.period],
      )
      return {
        items: page.items.map((r) => ({
          period: r.period,
          closedAt: r.closed_at.toISOString(),
          closedBy: r.closed_by,
        })),
        next: page.next,
      }
    },
  )

  app.post(
    '/ledger/periods/:period/close',
    {
      schema: {
        tags,
        summary:
          'Close a month after its checklist: revalues open foreign balances (reversed on the 1st of the next month); later postings dated in it are booked in the next open month as adjustments',
        params: Type.Object({ period: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', maxLength: 7 }) }),
        querystring: Type.Object({
          acknowledge: Type.Optional(
            Type.Enum(['true', 'false'], {
              description: 'true: close although open exceptions or unsettled orders remain',
            }),
          ),
        }),
        response: { 200: Type.Object({ period: Type.String(), closedAt: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      let closedAt: Date
      try {
        closedAt = (
          await closeMonth(ctx.db, merchantId, req.params.period, {
            actor: apiActor(req.auth),
            now: ctx.clock.now(),
            acknowledge: req.query.acknowledge === 'true',
          })
        ).closedAt
      } catch (err) {
        if (err instanceof PeriodError) throw new AppError('validation_failed', err.message, 400)
        if (err instanceof ChecklistError)
          throw conflict(err.message, {
            reason: 'period_checklist',
            problems: err.items
              .filter((i) => i.count > 0)
              .map((i) => `${i.code}:${i.count}${i.blocking ? ':blocking' : ''}`),
          })
        throw err
      }
      return { period: req.params.period, closedAt: closedAt.toISOString() }
    },
  )
}
