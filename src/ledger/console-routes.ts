/**
 * What the accountant's console screens read beyond the books routes: the months of the books with
 * their state (open, closed — by whom and when — the last reopening with its reason, entries waiting
 * for a rate) and the journal of a month as entries with their lines, filtered, with a count per kind.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { invalid, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { Currency, Id, Money, Nullable, Timestamp, errorResponses } from '../api/schemas.js'
import { getMerchant } from '../merchants/repo.js'
import { shopScope } from '../users/scope.js'
import { entriesPage, months } from './console-repo.js'
import { periodOf } from './journal.js'
import { defaultAccountName, LANGS } from './labels.js'
import { ACCOUNTS } from './postings.js'
import { listLedgerAccounts } from './repo.js'

const tags = ['ledger']
const Period = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', maxLength: 7, description: 'YYYY-MM' })
const AccountSchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  externalCode: Type.String(),
  type: Type.String(),
})

/** `n` months before a YYYY-MM. */
const monthsBefore = (period: string, n: number): string => {
  const [y, m] = period.split('-').map(Number) as [number, number]
  const i = y * 12 + (m - 1) - n
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`
}

export async function ledgerConsoleRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/ledger/months',
    {
      schema: {
        tags,
        summary:
          'The months of the books, newest first: open or closed (when, by whom), the last reopening and its reason, base-currency movements, entries waiting for a rate',
        querystring: Type.Object({
          from: Type.Optional(Period),
          to: Type.Optional(Period),
        }),
        response: {
          200: Type.Object({
            current: Type.String({ description: "this month in the merchant's zone" }),
            baseCurrency: Type.String(),
            items: Type.Array(
              Type.Object({
                period: Type.String(),
                state: Type.Enum(['current', 'open', 'closed'], {
                  description: 'current: not ended yet, cannot close',
                }),
                baseDebit: Money,
                baseCredit: Money,
                held: Type.Integer({ description: 'entries of the month waiting for a rate' }),
                closedAt: Nullable(Timestamp),
                closedBy: Nullable(Type.String({ description: 'who closed it (name)' })),
                lastReopen: Nullable(
                  Type.Object({ at: Timestamp, by: Nullable(Type.String()), reason: Type.String() }),
                ),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const merchant = await getMerchant(ctx.db, req.auth.merchantId)
      if (!merchant) throw notFound('merchant', req.auth.merchantId)
      const current = periodOf(ctx.clock.now(), merchant.timezone)
      const to = req.query.to ?? current
      const from = req.query.from ?? monthsBefore(to, 11)
      if (from > to) throw invalid('querystring/from must not be after to', { field: 'querystring/from' })
      if (monthsBefore(to, 35) > from)
        throw invalid('querystring/from: at most 36 months at once', { field: 'querystring/from' })
      const rows = await months(ctx.db, merchant.id, { from, to, timezone: merchant.timezone })
      return {
        current,
        baseCurrency: merchant.baseCurrency,
        items: rows.map((r) => ({
          ...r,
          state: r.closedAt
            ? ('closed' as const)
            : r.period >= current
              ? ('current' as const)
              : ('open' as const),
          closedAt: r.closedAt?.toISOString() ?? null,
          lastReopen: r.lastReopen ? { ...r.lastReopen, at: r.lastReopen.at.toISOString() } : null,
        })),
      }
    },
  )

  app.get(
    '/ledger/entries',
    {
      schema: {
        tags,
        summary:
          'The journal of a month as entries with their lines (transaction currency, rate and base amounts), in posting order; filters by kind, shop, account, currency and platform order number; the count per kind',
        querystring: Type.Object({
          period: Period,
          kind: Type.Optional(Type.String({ pattern: '^[a-z_]{1,32}$', maxLength: 32 })),
          shopId: Type.Optional(Id),
          account: Type.Optional(Type.String({ pattern: '^[a-z_]{1,48}$', maxLength: 48 })),
          currency: Type.Optional(Currency),
          order: Type.Optional(
            Type.String({ minLength: 1, maxLength: 64, description: 'platform order no. or its beginning' }),
          ),
          lang: Type.Optional(Type.Enum(LANGS)),
          ...PageQuery,
        }),
        response: {
          200: Type.Object({
            period: Type.String(),
            baseCurrency: Type.String(),
            kinds: Type.Array(Type.Object({ kind: Type.String(), count: Type.Integer() }), {
              description: 'entries per kind under the other filters',
            }),
            ...Page(
              Type.Object({
                entryId: Type.String(),
                at: Timestamp,
                kind: Type.String(),
                postingKey: Type.String(),
                orderExternalId: Nullable(Type.String({ description: 'the platform order number' })),
                shopName: Nullable(Type.String()),
                channel: Nullable(Type.String()),
                currency: Type.String(),
                baseDebit: Money,
                baseCredit: Money,
                lines: Type.Array(
                  Type.Object({
                    lineId: Type.String(),
                    account: AccountSchema,
                    currency: Type.String(),
                    debit: Money,
                    credit: Money,
                    rate: Nullable(Type.String({ description: 'base per 1 unit of the currency' })),
                    rateDate: Nullable(Type.String({ format: 'date' })),
                    rateSource: Nullable(Type.String()),
                    rateOrigin: Nullable(Type.String()),
                    baseDebit: Money,
                    baseCredit: Money,
                    skuCode: Nullable(Type.String()),
                    skuName: Nullable(Type.String()),
                  }),
                ),
              }),
            ).properties,
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const merchant = await getMerchant(ctx.db, req.auth.merchantId)
      if (!merchant) throw notFound('merchant', req.auth.merchantId)
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const after = readCursor(cursor, ['string', 'string'])
      const afterAt = after ? new Date(after[0]) : null
      if (afterAt && Number.isNaN(afterAt.getTime()))
        throw invalid('querystring/cursor is not a cursor of this list', { field: 'querystring/cursor' })
      const { entries, kinds } = await entriesPage(ctx.db, merchant.id, {
        period: req.query.period,
        timezone: merchant.timezone,
        kind: req.query.kind,
        shopId: req.query.shopId,
        account: req.query.account,
        currency: req.query.currency,
        order: req.query.order,
        shops: shopScope(req.auth),
        lang: req.query.lang,
        after: afterAt ? [afterAt, after![1]] : null,
        limit: limit + 1,
      })
      const page = pageOf(entries, limit, (e) => [e.at.toISOString(), e.entryId])
      return {
        period: req.query.period,
        baseCurrency: merchant.baseCurrency,
        kinds,
        next: page.next,
        items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })),
      }
    },
  )

  app.get(
    '/ledger/chart',
    {
      schema: {
        tags,
        summary:
          "The chart of accounts as a person reads it: each account's default name in the reader's language, the merchant's own name and the code of their general ledger (null where not set)",
        querystring: Type.Object({ lang: Type.Optional(Type.Enum(LANGS)) }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                code: Type.String(),
                name: Type.String({ description: 'the merchant’s name, else the default' }),
                defaultName: Type.String(),
                customName: Nullable(Type.String()),
                type: Type.String(),
                externalCode: Nullable(Type.String()),
                perShop: Type.Boolean({
                  description: 'one account per shop (receivables, platform balances)',
                }),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const own = new Map((await listLedgerAccounts(ctx.db, req.auth.merchantId)).map((r) => [r.code, r]))
      return {
        items: (Object.keys(ACCOUNTS) as (keyof typeof ACCOUNTS)[]).map((code) => {
          const defaultName = defaultAccountName(code, req.query.lang ?? 'en')
          const mine = own.get(code)
          return {
            code,
            name: mine?.name ?? defaultName,
            defaultName,
            customName: mine?.name ?? null,
            type: ACCOUNTS[code].type,
            externalCode: mine?.external_code ?? null,
            perShop: code === 'receivable' || code === 'platform_balance',
          }
        }),
      }
    },
  )
}
