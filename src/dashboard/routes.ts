/**
 * The dashboards' reads: one summary for the home pages and the office wall (today's orders and
 * GMV per channel, exceptions by reason, sync health per shop, stock alerts, after-sales and
 * writebacks waiting, open alerts), and the margin trend per channel from the journal's daily
 * totals. Shop-scoped users see their shops only.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { invalid, notFound } from '../api/errors.js'
import { Money, Nullable, Timestamp, errorResponses } from '../api/schemas.js'
import { countOpen } from '../alerts/repo.js'
import { listLowStock } from '../inventory/repo.js'
import { figures, localDate, zonedMidnight } from '../ledger/statements.js'
import { money, type Decimal } from '../money/index.js'
import { getMerchant } from '../merchants/repo.js'
import { shopScope } from '../users/scope.js'
import {
  dailyTotals,
  lowStockCount,
  openExceptionsByReason,
  paidByChannel,
  paidByHour,
  pendingAfterSales,
  shopHealth,
  skuLabels,
  writebackCounts,
} from './repo.js'

type Sums = Map<string, { debit: Decimal; credit: Decimal }>

const tags = ['dashboard']
const DAY_MS = 86_400_000
/** A shop whose last good pull is older than this is shown as lagging on the wall. */
const LAGGING_MINUTES = 30

const HEALTH = ['ok', 'lagging', 'failing', 'never', 'disabled'] as const
const Summary = Type.Object({
  date: Type.String({ description: "today in the merchant's zone" }),
  timezone: Type.String(),
  at: Timestamp,
  today: Type.Array(
    Type.Object({ channel: Type.String(), currency: Type.String(), orders: Type.Integer(), gmv: Money }),
  ),
  yesterday: Type.Array(
    Type.Object({ channel: Type.String(), currency: Type.String(), orders: Type.Integer(), gmv: Money }),
  ),
  hourly: Type.Array(Type.Object({ hour: Type.Integer(), orders: Type.Integer() })),
  exceptionsByReason: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() })),
  shops: Type.Array(
    Type.Object({
      shopId: Type.String(),
      name: Type.String(),
      channel: Type.String(),
      health: Type.Enum(HEALTH),
      lastOkAt: Nullable(Timestamp),
      lagMinutes: Nullable(Type.Integer()),
      errors24h: Type.Integer(),
      lastError: Nullable(Type.String()),
    }),
  ),
  lowStock: Type.Object({
    count: Type.Integer(),
    items: Type.Array(
      Type.Object({
        skuId: Type.String(),
        code: Type.String(),
        name: Type.String(),
        available: Type.Integer(),
        threshold: Type.Integer(),
      }),
    ),
  }),
  afterSalesPending: Type.Integer(),
  writebacks: Type.Object({ pending: Type.Integer(), failed: Type.Integer() }),
  alertsOpen: Type.Integer(),
})

export async function dashboardRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/dashboard/summary',
    {
      schema: {
        tags,
        summary:
          "Today at a glance (the merchant's day): orders and GMV per channel, exceptions by reason, sync health per shop, stock alerts, after-sales and writebacks waiting",
        response: { 200: Summary, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const merchant = await getMerchant(ctx.db, merchantId)
      if (!merchant) throw notFound('merchant', merchantId)
      const shops = shopScope(req.auth)
      const now = ctx.clock.now()
      const tz = merchant.timezone
      const date = localDate(now, tz)
      const start = zonedMidnight(date, tz)
      const end = zonedMidnight(localDate(new Date(start.getTime() + DAY_MS + 3_600_000 * 3), tz), tz)
      const yStart = zonedMidnight(localDate(new Date(start.getTime() - 3_600_000 * 3), tz), tz)
      const [today, yesterday, hourly, reasons, health, low, lowCount, afterSales, writebacks, alerts] =
        await Promise.all([
          paidByChannel(ctx.db, merchantId, start, end, shops),
          paidByChannel(ctx.db, merchantId, yStart, start, shops),
          paidByHour(ctx.db, merchantId, start, end, shops),
          openExceptionsByReason(ctx.db, merchantId, shops),
          shopHealth(ctx.db, merchantId, new Date(now.getTime() - DAY_MS), shops),
          listLowStock(ctx.db, merchantId, { limit: 10 }),
          lowStockCount(ctx.db, merchantId),
          pendingAfterSales(ctx.db, merchantId, shops),
          writebackCounts(ctx.db, merchantId, shops),
          countOpen(ctx.db, merchantId),
        ])
      const labels = await skuLabels(
        ctx.db,
        merchantId,
        low.map((l) => l.sku_id),
      )
      return {
        date,
        timezone: tz,
        at: now.toISOString(),
        today,
        yesterday,
        hourly,
        exceptionsByReason: reasons,
        shops: health.map((s) => {
          const lag = s.last_ok_at
            ? Math.max(0, Math.floor((now.getTime() - s.last_ok_at.getTime()) / 60_000))
            : null
          const state =
            s.status === 'disabled'
              ? 'disabled'
              : s.last_run_at === null && s.last_ok_at === null
                ? 'never'
                : s.last_error !== null && (lag === null || lag > LAGGING_MINUTES)
                  ? 'failing'
                  : lag === null || lag > LAGGING_MINUTES
                    ? 'lagging'
                    : 'ok'
          return {
            shopId: s.shop_id,
            name: s.name,
            channel: s.channel,
            health: state,
            lastOkAt: s.last_ok_at?.toISOString() ?? null,
            lagMinutes: lag,
            errors24h: s.errors_24h,
            lastError: s.last_error,
          } as const
        }),
        lowStock: {
          count: lowCount,
          items: low.map((l) => ({
            skuId: l.sku_id,
            code: l.code,
            name: labels.get(l.sku_id)?.name ?? '',
            available: Number(l.available),
            threshold: l.threshold,
          })),
        },
        afterSalesPending: afterSales,
        writebacks,
        alertsOpen: Object.values(alerts).reduce((a, b) => a + b, 0),
      }
    },
  )

  app.get(
    '/dashboard/margin',
    {
      schema: {
        tags,
        summary:
          "Net sales and gross margin per channel and day (merchant's days, from the journal's daily totals), per currency",
        querystring: Type.Object({
          from: Type.String({ format: 'date' }),
          to: Type.String({ format: 'date', description: 'exclusive; at most 92 days after from' }),
          basis: Type.Optional(
            Type.Enum(['transaction', 'base'], {
              description:
                'transaction (default): a row per transaction currency; base: every currency at its booked value in the base currency, one row per channel and day',
            }),
          ),
        }),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            timezone: Type.String(),
            items: Type.Array(
              Type.Object({
                day: Type.String(),
                channel: Type.String(),
                currency: Type.String(),
                netSales: Money,
                grossMargin: Money,
                marginPercent: Nullable(Type.String()),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { from, to } = req.query
      const days = (Date.parse(to) - Date.parse(from)) / DAY_MS
      if (!(days > 0)) throw invalid('querystring/to must be after from', { field: 'querystring/to' })
      if (days > 92) throw invalid('querystring/to: at most 92 days at a time', { field: 'querystring/to' })
      const merchant = await getMerchant(ctx.db, req.auth.merchantId)
      if (!merchant) throw notFound('merchant', req.auth.merchantId)
      const base = req.query.basis === 'base' ? merchant.baseCurrency : undefined
      const rows = await dailyTotals(ctx.db, merchant.id, from, to, shopScope(req.auth), base)
      const groups = new Map<string, Sums>()
      for (const r of rows) {
        const k = `${r.day}|${r.channel}|${r.currency}`
        const g: Sums = groups.get(k) ?? new Map<string, { debit: Decimal; credit: Decimal }>()
        g.set(r.account_group, { debit: money(r.debit), credit: money(r.credit) })
        groups.set(k, g)
      }
      return {
        from,
        to,
        timezone: merchant.timezone,
        items: [...groups].map(([k, sums]) => {
          const [day, channel, currency] = k.split('|') as [string, string, string]
          const f = figures(currency, sums)
          return {
            day,
            channel,
            currency,
            netSales: f.netSales,
            grossMargin: f.grossMargin,
            marginPercent: f.marginPercent,
          }
        }),
      }
    },
  )
}
