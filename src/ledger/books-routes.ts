/**
 * The accountant's API for currencies and the books: the rate table (import a file, pull a
 * provider), the currency policy, entries waiting for a rate, the period-close checklist and
 * reopening, the journal listing, the trial balance, vouchers for the general ledger, and the
 * channel's default fee plans.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { conflict, invalid, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { Currency, IdParams, Money, Nullable, Timestamp, errorResponses } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { withTx } from '../db/tx.js'
import { newId } from '../lib/ids.js'
import { money } from '../money/index.js'
import { getMerchant } from '../merchants/repo.js'
import { getShop } from '../shops/repo.js'
import { journalPage, trialBalance, voucherTable, vouchers, VOUCHER_FORMATS } from './books.js'
import { checklist, reopenMonth } from './close.js'
import { DEFAULT_PLANS } from './default-plans.js'
import { sendTable } from './export.js'
import { listHeld } from './held.js'
import { PeriodError } from './journal.js'
import { columnLabel, LANGS } from './labels.js'
import { importRates, parseRateFile, RateFileError } from './rate-files.js'
import {
  latestPulls,
  providerDay,
  providerSettings,
  pullRates,
  PULL_SOURCES,
  RatePullError,
} from './rate-pull.js'
import { fxSettings, ymd } from './rates.js'

const tags = ['ledger']
const Period = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', maxLength: 7, description: 'YYYY-MM' })
const DateStr = Type.String({ format: 'date' })
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const ReportSchema = Type.Object({
  batchId: Type.String(),
  rates: Type.Integer(),
  released: Type.Integer({ description: 'held entries posted now that their rate is there' }),
  stillHeld: Type.Integer(),
})
const ChecklistSchema = Type.Array(
  Type.Object({
    code: Type.Enum(['held_entries', 'missing_rates', 'open_exceptions', 'unsettled_past_due']),
    count: Type.Integer(),
    blocking: Type.Boolean({
      description: 'blocking items refuse the close; the others must be acknowledged',
    }),
    detail: Type.Array(Type.String()),
  }),
)
const AccountSchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  externalCode: Type.String(),
  type: Type.String(),
})
const TbAmounts = {
  openingDebit: Money,
  openingCredit: Money,
  periodDebit: Money,
  periodCredit: Money,
  closingDebit: Money,
  closingCredit: Money,
}
const JournalRowSchema = Type.Object({
  lineId: Type.String(),
  entryId: Type.String(),
  at: Timestamp,
  kind: Type.String(),
  postingKey: Type.String(),
  orderExternalId: Nullable(Type.String({ description: 'the platform order number' })),
  shopName: Nullable(Type.String()),
  channel: Nullable(Type.String()),
  skuCode: Nullable(Type.String()),
  skuName: Nullable(Type.String()),
  account: Type.Object({
    code: Type.String(),
    name: Type.String(),
    externalCode: Type.String(),
    type: Type.String(),
  }),
  currency: Type.String(),
  debit: Money,
  credit: Money,
  rate: Nullable(Type.String({ description: 'base per 1 unit of the currency' })),
  baseDebit: Money,
  baseCredit: Money,
  rateOrigin: Nullable(Type.String({ description: 'identity, table, book, document or fx' })),
})
export async function booksRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  // Rate files arrive as the bytes of a CSV or an XLSX, kept raw in this scope.
  fastify.addContentTypeParser(
    ['text/csv', 'application/octet-stream', XLSX, 'application/vnd.ms-excel'],
    { parseAs: 'buffer', bodyLimit: 10 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  )
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/ledger/rates',
    {
      schema: {
        tags,
        summary: 'The rate table: rates as published and normalised, newest first',
        querystring: Type.Object({
          currency: Type.Optional(Currency),
          source: Type.Optional(Type.String({ minLength: 1, maxLength: 24 })),
          ...PageQuery,
        }),
        response: {
          200: Page(
            Type.Object({
              source: Type.String(),
              rateDate: DateStr,
              baseCcy: Type.String(),
              quoteCcy: Type.String(),
              unit: Type.Integer(),
              quoted: Type.String({ description: 'as published, per unit' }),
              rate: Type.String({ description: 'quoteCcy per 1 baseCcy' }),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const after = readCursor(cursor, ['string', 'string', 'string', 'string'])
      let q = ctx.db.selectFrom('fx_rates').selectAll().where('merchant_id', '=', req.auth.merchantId)
      const ccy = req.query.currency
      if (ccy) q = q.where((eb) => eb.or([eb('base_ccy', '=', ccy), eb('quote_ccy', '=', ccy)]))
      if (req.query.source) q = q.where('source', '=', req.query.source)
      if (after)
        q = q.where((eb) =>
          eb.or([
            eb('rate_date', '<', after[0]),
            eb.and([
              eb('rate_date', '=', after[0]),
              eb(
                eb.fn('CONCAT', [
                  eb.ref('source'),
                  eb.val('|'),
                  eb.ref('base_ccy'),
                  eb.val('|'),
                  eb.ref('quote_ccy'),
                ]),
                '>',
                `${after[1]}|${after[2]}|${after[3]}`,
              ),
            ]),
          ]),
        )
      const rows = await q
        .orderBy('rate_date', 'desc')
        .orderBy('source')
        .orderBy('base_ccy')
        .orderBy('quote_ccy')
        .limit(limit + 1)
        .execute()
      const page = pageOf(rows, limit, (r) => [
        ymd(r.rate_date as unknown as Date),
        r.source,
        r.base_ccy,
        r.quote_ccy,
      ])
      return {
        next: page.next,
        items: page.items.map((r) => ({
          source: r.source,
          rateDate: ymd(r.rate_date as unknown as Date),
          baseCcy: r.base_ccy,
          quoteCcy: r.quote_ccy,
          unit: r.unit,
          quoted: r.quoted,
          rate: money(r.rate).toFixed(),
        })),
      }
    },
  )

  app.post(
    '/ledger/rates/import',
    {
      schema: {
        tags,
        summary:
          'Import rates from a CSV or XLSX (rate_date,base_ccy,quote_ccy,unit,rate,source; or the ECB history CSV); the whole file is refused on a bad row; entries waiting for these rates post',
        response: { 200: ReportSchema, ...errorResponses },
      },
    },
    async (req) => {
      if (!Buffer.isBuffer(req.body) || req.body.length === 0)
        throw invalid('send the rate file as the request body (text/csv or the XLSX content type)', {
          field: 'body',
        })
      let quotes
      try {
        quotes = await parseRateFile(req.body)
      } catch (err) {
        if (err instanceof RateFileError)
          throw invalid(`body: ${err.message}`, { field: 'body', problems: err.problems })
        throw err
      }
      return importRates(ctx.db, req.auth.merchantId, quotes, apiActor(req.auth), {
        action: 'rates.import',
        detail: { file: true },
      })
    },
  )

  app.post(
    '/ledger/rates/pull',
    {
      schema: {
        tags,
        summary:
          "Pull today's rates from a provider (ECB reference rates, CFETS central parity) at its configured base URL",
        body: Type.Object({ source: Type.Enum(PULL_SOURCES) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            ...ReportSchema.properties,
            rateDate: Type.String({ format: 'date', description: 'the date the provider published for' }),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const now = ctx.clock.now()
      const { source } = req.body
      try {
        const r = await pullRates(ctx.db, req.auth.merchantId, source, providerDay(source, now), {
          now,
          actor: apiActor(req.auth),
        })
        return {
          batchId: r.batchId,
          rates: r.rates,
          released: r.released,
          stillHeld: r.stillHeld,
          rateDate: r.rateDate,
        }
      } catch (err) {
        if (err instanceof RatePullError)
          throw conflict(err.message, {
            reason: err.kind === 'source' ? 'rate_source_failed' : 'rate_source_unreachable',
          })
        throw err
      }
    },
  )

  const SettingsSchema = Type.Object(
    {
      rateSources: Type.Array(Type.String({ minLength: 1, maxLength: 24 }), { minItems: 1, maxItems: 10 }),
      maxStalenessDays: Type.Integer({ minimum: 0, maximum: 31 }),
      revaluation: Type.Enum(['month_end', 'none']),
      providers: Type.Object(
        { ecb: Type.String({ maxLength: 500 }), cfets: Type.String({ maxLength: 500 }) },
        { additionalProperties: false },
      ),
      dailyPull: Type.Optional(
        Type.Array(Type.Enum(PULL_SOURCES), {
          maxItems: PULL_SOURCES.length,
          uniqueItems: true,
          description:
            'providers pulled every day once they publish (CFETS 09:40 Beijing, ECB 16:45 CET) from the base URLs above; a pull that keeps failing is an alert (rate_pull_failed)',
        }),
      ),
    },
    { additionalProperties: false },
  )
  const PullSchema = Type.Object({
    source: Type.Enum(PULL_SOURCES),
    day: DateStr,
    status: Type.Enum(['ok', 'retrying', 'failed']),
    attempts: Type.Integer({ minimum: 0 }),
    rateDate: Nullable(DateStr),
    error: Nullable(Type.String()),
    at: Timestamp,
  })
  app.get(
    '/ledger/settings',
    {
      schema: {
        tags,
        summary:
          'Currency policy: rate sources in priority order, staleness limit, revaluation, provider base URLs',
        response: {
          200: Type.Object({
            ...SettingsSchema.properties,
            dailyPull: Type.Array(Type.Enum(PULL_SOURCES)),
            baseCurrency: Type.String(),
            lastPulls: Type.Array(PullSchema, { description: 'the latest pull of each provider' }),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const merchant = await getMerchant(ctx.db, req.auth.merchantId)
      if (!merchant) throw notFound('merchant', req.auth.merchantId)
      const s = await fxSettings(ctx.db, req.auth.merchantId)
      const p = await providerSettings(ctx.db, req.auth.merchantId)
      return {
        baseCurrency: merchant.baseCurrency,
        rateSources: s.sources,
        maxStalenessDays: s.maxStalenessDays,
        revaluation: s.revaluation,
        providers: { ecb: p.urls.ECB, cfets: p.urls.CFETS },
        dailyPull: p.daily,
        lastPulls: (await latestPulls(ctx.db, req.auth.merchantId)).map((x) => ({
          ...x,
          at: x.at.toISOString(),
        })),
      }
    },
  )
  app.put(
    '/ledger/settings',
    {
      schema: {
        tags,
        summary: 'Set the currency policy',
        body: SettingsSchema,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      for (const [k, url] of Object.entries(req.body.providers))
        if (!/^https?:\/\/[^\s]+$/.test(url))
          throw invalid(`body/providers/${k} must be an http(s) URL`, { field: `body/providers/${k}` })
      // Left out, the daily pulls stay as they were.
      const dailyPull = req.body.dailyPull ? { daily_pull: JSON.stringify(req.body.dailyPull) } : {}
      await withTx(ctx.db, async (tx) => {
        await tx
          .insertInto('ledger_settings')
          .values({
            merchant_id: req.auth.merchantId,
            rate_sources: JSON.stringify(req.body.rateSources.map((s) => s.toUpperCase())),
            max_staleness_days: req.body.maxStalenessDays,
            revaluation: req.body.revaluation,
            rate_providers: JSON.stringify({ ECB: req.body.providers.ecb, CFETS: req.body.providers.cfets }),
            ...dailyPull,
          })
          .onDuplicateKeyUpdate({
            rate_sources: JSON.stringify(req.body.rateSources.map((s) => s.toUpperCase())),
            max_staleness_days: req.body.maxStalenessDays,
            revaluation: req.body.revaluation,
            rate_providers: JSON.stringify({ ECB: req.body.providers.ecb, CFETS: req.body.providers.cfets }),
            ...dailyPull,
            updated_at: ctx.clock.now(),
          })
          .execute()
        await audit(tx, req.auth.merchantId, {
          ...apiActor(req.auth),
          action: 'ledger.settings',
          entityType: 'merchant',
          entityId: req.auth.merchantId,
          detail: req.body,
        })
      })
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/ledger/held',
    {
      schema: {
        tags,
        summary: 'Entries waiting for an exchange rate, oldest first, with the rate each needs',
        querystring: Type.Object(PageQuery),
        response: {
          200: Page(
            Type.Object({
              postingKey: Type.String(),
              kind: Type.String(),
              orderId: Nullable(Type.String()),
              shopId: Nullable(Type.String()),
              channel: Nullable(Type.String()),
              eventAt: Timestamp,
              currency: Type.String(),
              rateDate: DateStr,
              reason: Type.String(),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const after = readCursor(cursor, ['string', 'string'])
      const at = after ? new Date(after[0]) : null
      if (at && Number.isNaN(at.getTime()))
        throw invalid('querystring/cursor is not a cursor of this list', { field: 'querystring/cursor' })
      const rows = await listHeld(ctx.db, req.auth.merchantId, {
        after: at ? [at, after![1]] : null,
        limit: limit + 1,
      })
      const page = pageOf(rows, limit, (r) => [r.eventAt.toISOString(), r.postingKey])
      return { next: page.next, items: page.items.map((r) => ({ ...r, eventAt: r.eventAt.toISOString() })) }
    },
  )

  app.get(
    '/ledger/periods/:period/checklist',
    {
      schema: {
        tags,
        summary: 'What stands before closing a month, and the revaluation the close would post',
        params: Type.Object({ period: Period }),
        response: {
          200: Type.Object({
            period: Type.String(),
            items: ChecklistSchema,
            revaluation: Type.Array(
              Type.Object({
                account: Type.String(),
                currency: Type.String(),
                balance: Money,
                bookValue: Money,
                closingRate: Type.String(),
                revalued: Money,
                adjustment: Money,
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const c = await checklist(ctx.db, req.auth.merchantId, req.params.period, ctx.clock.now())
      return { period: req.params.period, ...c }
    },
  )

  app.post(
    '/ledger/periods/:period/reopen',
    {
      schema: {
        tags,
        summary:
          'Reopen a closed month (admin): its revaluation is undone and the reason kept in the audit log',
        params: Type.Object({ period: Period }),
        body: Type.Object(
          { reason: Type.String({ minLength: 3, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ period: Type.String(), reopened: Type.Boolean() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      try {
        await reopenMonth(ctx.db, req.auth.merchantId, req.params.period, {
          actor: apiActor(req.auth),
          reason: req.body.reason,
          now: ctx.clock.now(),
        })
      } catch (err) {
        if (err instanceof PeriodError) throw conflict(err.message, { reason: 'period_not_reopenable' })
        throw err
      }
      return { period: req.params.period, reopened: true }
    },
  )

  app.get(
    '/ledger/journal',
    {
      schema: {
        tags,
        summary:
          'The journal lines of a month with business keys, transaction and base amounts; JSON pages, CSV/XLSX the month',
        querystring: Type.Object({
          period: Period,
          format: Type.Optional(Type.Enum(['json', 'csv', 'xlsx'])),
          lang: Type.Optional(Type.Enum(LANGS)),
          ...PageQuery,
        }),
        response: {
          200: {
            description: 'JSON pages the lines; CSV and XLSX carry the month',
            content: {
              'application/json': {
                schema: Type.Object({
                  period: Type.String(),
                  baseCurrency: Type.String(),
                  items: Type.Array(JournalRowSchema),
                  next: Nullable(Type.String()),
                }),
              },
              'text/csv': { schema: Type.String() },
              [XLSX]: { schema: Type.String({ format: 'binary' }) },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const merchant = await getMerchant(ctx.db, req.auth.merchantId)
      if (!merchant) throw notFound('merchant', req.auth.merchantId)
      const { limit = DEFAULT_LIMIT, cursor, format, lang } = req.query
      const after = readCursor(cursor, ['string', 'string'])
      const q = { period: req.query.period, timezone: merchant.timezone, lang }
      if (format === 'csv' || format === 'xlsx') {
        const all = []
        let pos: [string, string] | null = null
        for (;;) {
          const part = await journalPage(ctx.db, merchant.id, { ...q, after: pos, limit: 5000 })
          all.push(...part)
          if (part.length < 5000) break
          const last = part[part.length - 1]!
          pos = [last.at.toISOString(), last.lineId]
        }
        const codes = [
          'date',
          'entryNo',
          'entryKind',
          'orderExternalId',
          'shopName',
          'channel',
          'skuCode',
          'skuName',
          'accountCode',
          'accountName',
          'currency',
          'debit',
          'credit',
          'rate',
          'baseDebit',
          'baseCredit',
          'postingKey',
        ]
        const header = codes.map((c) => columnLabel(c, lang))
        return sendTable(reply, format, {
          name: `journal-${req.query.period}`,
          title: `${merchant.name} — journal ${req.query.period} (${merchant.baseCurrency}, ${merchant.timezone})`,
          sheet: 'Journal',
          header,
          rows: all.map((r) => [
            r.at.toISOString(),
            r.entryId,
            r.kind,
            r.orderExternalId,
            r.shopName,
            r.channel,
            r.skuCode,
            r.skuName,
            r.account.externalCode,
            r.account.name,
            r.currency,
            r.debit,
            r.credit,
            r.rate,
            r.baseDebit,
            r.baseCredit,
            r.postingKey,
          ]),
          amountColumns: new Set(
            ['debit', 'credit', 'baseDebit', 'baseCredit'].map((c) => columnLabel(c, lang)),
          ),
        })
      }
      const rows = await journalPage(ctx.db, merchant.id, {
        ...q,
        after: after ? [after[0], after[1]] : null,
        limit: limit + 1,
      })
      const page = pageOf(rows, limit, (r) => [r.at.toISOString(), r.lineId])
      return {
        period: req.query.period,
        baseCurrency: merchant.baseCurrency,
        next: page.next,
        items: page.items.map((r) => ({ ...r, at: r.at.toISOString() })),
      }
    },
  )

  app.get(
    '/ledger/trial-balance',
    {
      schema: {
        tags,
        summary: 'Trial balance of a month in the base currency: opening, movements and closing per account',
        querystring: Type.Object({
          period: Period,
          format: Type.Optional(Type.Enum(['json', 'csv', 'xlsx'])),
          lang: Type.Optional(Type.Enum(LANGS)),
        }),
        response: {
          200: {
            description: 'JSON, or the file',
            content: {
              'application/json': {
                schema: Type.Object({
                  period: Type.String(),
                  baseCurrency: Type.String(),
                  rows: Type.Array(Type.Object({ account: AccountSchema, ...TbAmounts })),
                  totals: Type.Object(TbAmounts),
                }),
              },
              'text/csv': { schema: Type.String() },
              [XLSX]: { schema: Type.String({ format: 'binary' }) },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const merchant = await getMerchant(ctx.db, req.auth.merchantId)
      if (!merchant) throw notFound('merchant', req.auth.merchantId)
      const { format, lang } = req.query
      const tb = await trialBalance(ctx.db, merchant.id, req.query.period, lang)
      if (format === 'csv' || format === 'xlsx') {
        const amounts = [
          'openingDebit',
          'openingCredit',
          'periodDebit',
          'periodCredit',
          'closingDebit',
          'closingCredit',
        ] as const
        const header = ['accountCode', 'accountName', ...amounts].map((c) => columnLabel(c, lang))
        return sendTable(reply, format, {
          name: `trial-balance-${req.query.period}`,
          title: `${merchant.name} — trial balance ${req.query.period} (${merchant.baseCurrency})`,
          sheet: 'Trial balance',
          header,
          rows: [
            ...tb.rows.map((r) => [r.account.externalCode, r.account.name, ...amounts.map((a) => r[a])]),
            [columnLabel('total', lang), null, ...amounts.map((a) => tb.totals[a])],
          ],
          amountColumns: new Set(amounts.map((c) => columnLabel(c, lang))),
        })
      }
      return { period: req.query.period, baseCurrency: merchant.baseCurrency, ...tb }
    },
  )

  app.get(
    '/ledger/vouchers',
    {
      schema: {
        tags,
        summary:
          'Vouchers of a month for the general ledger — one per day and shop — as a Kingdee (金蝶) or Yonyou (用友) import sheet, or a generic journal CSV for Xero/QuickBooks, under the chart’s external codes',
        querystring: Type.Object({
          period: Period,
          system: Type.Enum(VOUCHER_FORMATS),
          format: Type.Optional(
            Type.Enum(['csv', 'xlsx'], { description: 'default: xlsx for kingdee/yonyou, csv for generic' }),
          ),
        }),
        response: {
          200: {
            description: 'the voucher file',
            content: {
              'text/csv': { schema: Type.String() },
              [XLSX]: { schema: Type.String({ format: 'binary' }) },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const merchant = await getMerchant(ctx.db, req.auth.merchantId)
      if (!merchant) throw notFound('merchant', req.auth.merchantId)
      const system = req.query.system
      const vs = await vouchers(ctx.db, merchant.id, req.query.period, system === 'generic' ? 'en' : 'zh-CN')
      const format = req.query.format ?? (system === 'generic' ? 'csv' : 'xlsx')
      return sendTable(reply, format, {
        name: `vouchers-${system}-${req.query.period}`,
        title: `${merchant.name} — ${req.query.period} (${merchant.baseCurrency})`,
        sheet: 'Vouchers',
        ...voucherTable(system, merchant.baseCurrency, req.query.period, vs),
        // Import sheets start with the header row.
        headerOnly: true,
      })
    },
  )

  app.post(
    '/shops/:id/commission-plans/defaults',
    {
      schema: {
        tags,
        summary:
          "Install the channel's default dated fee plans on a shop (those that do not overlap its own plans)",
        params: IdParams,
        response: {
          200: Type.Object({
            installed: Type.Array(
              Type.Object({ id: Type.String(), name: Type.String(), note: Type.String() }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const shop = await getShop(ctx.db, merchantId, req.params.id)
      if (!shop) throw notFound('shop', req.params.id)
      const defaults = DEFAULT_PLANS[shop.channel] ?? []
      return withTx(ctx.db, async (tx) => {
        const plans = await tx
          .selectFrom('commission_plans')
          .select(['effective_from', 'effective_to'])
          .where('merchant_id', '=', merchantId)
          .where('shop_id', '=', req.params.id)
          .forUpdate()
          .execute()
        const installed: { id: string; name: string; note: string }[] = []
        for (const d of defaults) {
          const clash = plans.some(
            (p) =>
              p.effective_from <= (d.effectiveTo ?? '9999-12-31') &&
              d.effectiveFrom <= (p.effective_to ?? '9999-12-31'),
          )
          if (clash) continue
          const id = newId()
          await tx
            .insertInto('commission_plans')
            .values({
              id,
              merchant_id: merchantId,
              shop_id: req.params.id,
              name: d.name,
              effective_from: d.effectiveFrom,
              effective_to: d.effectiveTo,
              rules: JSON.stringify(d.rules),
            })
            .execute()
          installed.push({ id, name: d.name, note: d.note })
        }
        await audit(tx, merchantId, {
          ...apiActor(req.auth),
          action: 'commission_plan.defaults',
          entityType: 'shop',
          entityId: req.params.id,
          detail: { installed: installed.map((p) => p.id) },
        })
        return { installed }
      })
    },
  )
}
