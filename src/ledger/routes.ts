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
import { heldWithin } from './held.js'
import { businessKeys, type RowRef } from './keys.js'
import { channelName, columnLabel, LANGS } from './labels.js'
import {
  CursorError,
  statementByKey,
  statementByOrder,
  statementByOrderPage,
  statementBySku,
  type BaseFigures,
  zonedMidnight,
} from './statements.js'

/** Statement columns; the ones after `suspense` came with accruals and currencies, appended so older readers keep their positions. */
export const COLUMNS = [
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
  'commissionsExpected',
  'commissionsSettled',
  'commissionsDifference',
  'paymentFeesExpected',
  'paymentFeesSettled',
  'paymentFeesDifference',
  'fxRealised',
  'fxUnrealised',
] as const
export const AMOUNT_COLUMNS = new Set<string>(
  COLUMNS.filter((c) => c !== 'currency' && c !== 'marginPercent'),
)
const FigureProps = {
  ...Object.fromEntries(COLUMNS.map((c) => [c, AMOUNT_COLUMNS.has(c) ? Money : Type.String()])),
  marginPercent: Nullable(Type.String({ description: 'gross margin over net sales, in percent' })),
}
const RefSchema = Type.Object(
  {
    skuCode: Nullable(Type.String()),
    skuName: Nullable(Type.String()),
    orderExternalId: Nullable(Type.String({ description: 'the platform order number' })),
    shopId: Nullable(Type.String()),
    shopName: Nullable(Type.String()),
    channel: Nullable(Type.String()),
  },
  { description: 'business keys of the row (by sku, order, shop or channel)' },
)
const StatementRowSchema = Type.Object({
  key: Nullable(
    Type.String({
      description:
        'the SKU id (by=sku), order id (by=order), shop id (by=shop) or channel (by=channel); null for totals',
    }),
  ),
  ...FigureProps,
  ref: Type.Optional(RefSchema),
  original: Type.Optional(
    Type.Array(Type.Object(FigureProps), {
      description: 'basis=base: the figures in each other transaction currency the row converts',
    }),
  ),
})
const BY = ['total', 'sku', 'order', 'shop', 'channel'] as const

/** A statement row's place: its SKU or order (none for totals), then its currency. */
const rowKey = (r: { key: string | null; currency: string }): [string, string] => [
  r.key ?? '',
  r.currency ?? '',
]
const compareKeys = (a: readonly [string, string], b: readonly [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0

const KEY_COLUMNS: Record<(typeof BY)[number], readonly string[]> = {
  total: [],
  sku: ['skuCode', 'skuName', 'skuId'],
  order: ['orderExternalId', 'shopName', 'channelName', 'orderId'],
  shop: ['shopName', 'channelName', 'shopId'],
  channel: ['channelName'],
}

export async function ledgerRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get(
    '/statements',
    {
      schema: {
        tags: ['ledger'],
        summary:
          'Statement for a period in the merchant time zone: totals, or by SKU, order, shop or channel (all in one call); in transaction currencies or in the base currency with the originals beside; JSON, CSV or XLSX',
        querystring: Type.Object({
          from: Type.String({ format: 'date' }),
          to: Type.String({ format: 'date', description: 'exclusive' }),
          channel: Type.Optional(Type.Enum(CHANNELS)),
          shopId: Type.Optional(Id),
          by: Type.Optional(Type.Enum(BY)),
          basis: Type.Optional(
            Type.Enum(['transaction', 'base'], {
              description:
                'transaction (default): a row per transaction currency; base: one row in the base currency, with the originals beside',
            }),
          ),
          format: Type.Optional(
            Type.Enum(['json', 'csv', 'xlsx'], {
              description: 'json pages the rows; csv and xlsx export every one of them',
            }),
          ),
          lang: Type.Optional(
            Type.Enum(LANGS, {
              description: 'csv/xlsx headers in this language (default: the column codes)',
            }),
          ),
          layout: Type.Optional(
            Type.Enum(['rows', 'columns'], {
              description:
                'csv/xlsx by shop or channel: columns = one column per shop or channel, figures as rows',
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
                  by: Type.Enum(BY),
                  basis: Type.Enum(['transaction', 'base']),
                  baseCurrency: Type.String(),
                  held: Type.Object(
                    {
                      entries: Type.Integer({ minimum: 0 }),
                      byCurrency: Type.Array(
                        Type.Object({ currency: Type.String(), entries: Type.Integer({ minimum: 0 }) }),
                      ),
                    },
                    {
                      description:
                        'entries of the period (within the channel or shop asked for) that wait for an exchange rate and are not in these figures yet (GET /ledger/held lists them)',
                    },
                  ),
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
      const basis = req.query.basis ?? 'transaction'
      const q = {
        from: req.query.from,
        to: req.query.to,
        timezone: merchant.timezone,
        channel: req.query.channel,
        shopId: req.query.shopId,
        basis,
      }
      const by = req.query.by ?? 'total'
      const json = req.query.format !== 'csv' && req.query.format !== 'xlsx'
      const held = await heldWithin(ctx.db, merchant.id, {
        from: zonedMidnight(q.from, q.timezone),
        to: zonedMidnight(q.to, q.timezone),
        channel: q.channel,
        shopId: q.shopId,
      })
      const head = {
        from: q.from,
        to: q.to,
        timezone: q.timezone,
        by,
        basis,
        baseCurrency: merchant.baseCurrency,
        held,
      }
      // By order a month can hold a million orders: JSON reads one page of them, exports read all.
      if (by === 'order' && json) {
        try {
          const page = await statementByOrderPage(ctx.db, merchant.id, q, {
            cursor: req.query.cursor,
            limit: req.query.limit ?? DEFAULT_LIMIT,
          })
          const refs = await businessKeys(
            ctx.db,
            merchant.id,
            by,
            page.rows.map((r) => r.key),
          )
          return {
            ...head,
            items: page.rows.map(({ firstEntryAt: _f, ...r }) => withRef(r, refs)),
            next: page.nextCursor,
          }
        } catch (err) {
          if (err instanceof CursorError)
            throw new AppError('validation_failed', err.message, 400, { field: 'querystring/cursor' })
          throw err
        }
      }
      const rows = (
        by === 'sku'
          ? await statementBySku(ctx.db, merchant.id, q)
          : by === 'order'
            ? await statementByOrder(ctx.db, merchant.id, q)
            : await statementByKey(ctx.db, merchant.id, q, by === 'total' ? null : by)
      ).sort((a, b) => compareKeys(rowKey(a), rowKey(b)))
      if (!json) {
        const refs = await businessKeys(
          ctx.db,
          merchant.id,
          by,
          rows.map((r) => r.key),
        )
        const lang = req.query.lang
        const name = `statement-${q.from}-${q.to}${q.channel ? `-${q.channel}` : ''}-${by}${basis === 'base' ? '-base' : ''}`
        const title = `${merchant.name} — ${q.from} to ${q.to} (${merchant.timezone})${q.channel ? ` — ${q.channel}` : ''}${basis === 'base' ? ` — ${merchant.baseCurrency}` : ''}${held.entries > 0 ? ` — not included: ${held.entries} entries awaiting a ${held.byCurrency.map((c) => c.currency).join('/')} rate` : ''}`
        const table =
          req.query.layout === 'columns' && (by === 'shop' || by === 'channel')
            ? pivot(rows, refs, by, lang)
            : flat(rows, refs, by, basis, lang)
        return sendTable(reply, req.query.format as 'csv' | 'xlsx', {
          name,
          title,
          sheet: 'Statement',
          ...table,
        })
      }
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const after = readCursor(cursor, ['string', 'string'])
      const page = pageOf(after ? rows.filter((r) => compareKeys(rowKey(r), after) > 0) : rows, limit, rowKey)
      const refs =
        by === 'total'
          ? new Map<string, RowRef>()
          : await businessKeys(
              ctx.db,
              merchant.id,
              by,
              page.items.map((r) => r.key),
            )
      return {
        ...head,
        items: page.items.map((r) => withRef(r, by === 'total' ? null : refs)),
        next: page.next,
      }
    },
  )
}

type Row = { key: string | null } & BaseFigures

function withRef(r: Row, refs: Map<string, RowRef> | null): Static<typeof StatementRowSchema> {
  const out: Record<string, unknown> = { ...r, key: r.key ?? null }
  if (refs) out.ref = (r.key ? refs.get(r.key) : undefined) ?? emptyRef
  if (r.original === undefined) delete out.original
  // Rows carry every column of COLUMNS (StatementFigures); the schema lists them from the same array.
  return out as Static<typeof StatementRowSchema>
}

const emptyRef: RowRef = {
  skuCode: null,
  skuName: null,
  orderExternalId: null,
  shopId: null,
  shopName: null,
  channel: null,
}

function keyCells(
  by: (typeof BY)[number],
  r: Row,
  refs: Map<string, RowRef>,
  lang: (typeof LANGS)[number] | undefined,
) {
  const ref = (r.key ? refs.get(r.key) : undefined) ?? emptyRef
  const cell: Record<string, string | null> = {
    skuCode: ref.skuCode,
    skuName: ref.skuName,
    skuId: by === 'sku' ? r.key : null,
    orderExternalId: ref.orderExternalId,
    shopName: ref.shopName,
    channelName: channelName(by === 'channel' ? r.key : ref.channel, lang),
    orderId: by === 'order' ? r.key : null,
    shopId: by === 'shop' ? r.key : ref.shopId,
  }
  return keyColumns(by, lang).map((c) => cell[c] ?? null)
}

/**
 * Key columns of a file: for a reader (a language asked for) the business keys first and the id
 * last; in the code layout the id first (where older readers find it), the business keys after it.
 */
function keyColumns(by: (typeof BY)[number], lang: (typeof LANGS)[number] | undefined): readonly string[] {
  const cols = KEY_COLUMNS[by]
  if (lang || cols.length < 2) return cols
  return [cols[cols.length - 1]!, ...cols.slice(0, -1)]
}

/** One line per row (and, in base, a line per original currency after it), key columns first. */
function flat(
  rows: readonly Row[],
  refs: Map<string, RowRef>,
  by: (typeof BY)[number],
  basis: 'transaction' | 'base',
  lang: (typeof LANGS)[number] | undefined,
) {
  const codes = [...(basis === 'base' ? ['basis'] : []), ...keyColumns(by, lang), ...COLUMNS]
  const figureCells = (f: BaseFigures) =>
    COLUMNS.map((c) => (f as unknown as Record<string, string | null>)[c] ?? null)
  const out: (string | null)[][] = []
  for (const r of rows) {
    const keys = keyCells(by, r, refs, lang)
    if (basis !== 'base') {
      out.push([...keys, ...figureCells(r)])
      continue
    }
    out.push([lang === 'zh-CN' ? '本位币' : 'base', ...keys, ...figureCells(r)])
    for (const o of r.original ?? [])
      out.push([lang === 'zh-CN' ? '原币' : 'original', ...keys, ...figureCells(o)])
  }
  const header = codes.map((c) =>
    c === 'basis' ? (lang === 'zh-CN' ? '口径' : 'basis') : columnLabel(c, lang),
  )
  return { header, rows: out, amountColumns: new Set([...AMOUNT_COLUMNS].map((c) => columnLabel(c, lang))) }
}

/** Figures as rows, one column per shop or channel, then the total (the sheet an accountant lays out by hand). */
function pivot(
  rows: readonly Row[],
  refs: Map<string, RowRef>,
  by: 'shop' | 'channel',
  lang: (typeof LANGS)[number] | undefined,
) {
  const heads = rows.map((r) => {
    const name = by === 'channel' ? channelName(r.key, lang) : r.key ? refs.get(r.key)?.shopName : null
    return `${name ?? r.key ?? ''} (${r.currency})`
  })
  const header = [columnLabel('figure', lang), ...heads]
  const out = COLUMNS.filter((c) => c !== 'currency').map((c) => [
    columnLabel(c, lang),
    ...rows.map((r) => (r as unknown as Record<string, string | null>)[c] ?? null),
  ])
  return { header, rows: out, amountColumns: new Set(heads) }
}
