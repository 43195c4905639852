import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { AppError, mustOwn, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import {
  Currency,
  Id,
  IdParams,
  Int,
  Money,
  NonNegativeAmount,
  Nullable,
  Timestamp,
  errorResponses,
} from '../api/schemas.js'
import { apiActor, audit, type AuditEntry } from '../audit/repo.js'
import type { Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { newId } from '../lib/ids.js'
import { sha256Hex } from '../lib/crypto.js'
import { faultPoint } from '../lib/fault.js'
import { flushDocumentChanges, recordStockChange } from './stock-outbox.js'
import { allocateOrder } from './allocate.js'
import {
  alreadyDone,
  receive,
  restockReturn,
  ReturnRefused,
  stocktake,
  transfer,
  StockError,
} from './operations.js'
import { PushBusy, pushShopNow } from './push.js'
import { inTransit } from './documents.js'
import { listLowStock, listPushStates, listStock, skuPace } from './repo.js'
import { warehouseScope } from '../users/scope.js'
import { schedulePush } from './schedule-push.js'

const NStr = Nullable(Type.String())
const StockSchema = Type.Object({
  warehouseId: Type.String(),
  warehouseCode: Type.String(),
  skuId: Type.String(),
  skuCode: Type.String(),
  skuName: Type.String(),
  onHand: Type.Integer(),
  reserved: Type.Integer(),
  available: Type.Integer({ description: 'on hand − reserved' }),
  bin: NStr,
  avgCost: Nullable(Money),
  currency: NStr,
  warehouseName: Type.String(),
  inTransit: Type.Integer({
    description: 'shipped to this warehouse by transfers and not yet received: counted in no available',
  }),
  threshold: Nullable(Type.Integer({ description: 'the SKU’s low-stock threshold' })),
  low: Type.Boolean({ description: 'available over every warehouse is at or under the threshold' }),
  daysOfCover: Nullable(
    Type.Integer({
      description:
        'available over every warehouse at the last 30 days’ shipping pace; null when nothing shipped',
    }),
  ),
  updatedAt: Timestamp,
})
const PushStateSchema = Type.Object({
  shopId: Type.String(),
  platformSkuKey: Type.String(),
  locationId: Type.String({ description: "the platform's location, or empty" }),
  quantity: Nullable(Type.Integer()),
  pushedAt: Nullable(Timestamp),
  ok: Nullable(Type.Boolean()),
  error: NStr,
})
const LowStockSchema = Type.Object({
  skuId: Type.String(),
  code: Type.String(),
  available: Type.Integer(),
  threshold: Type.Integer(),
  shippedLast30Days: Type.Integer(),
  daysOfCover: Nullable(
    Type.Integer({ description: 'at the last 30 days’ pace; null when nothing shipped' }),
  ),
})
const PushReportSchema = Type.Object({
  considered: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  skipped: Nullable(Type.Enum(['disabled', 'not_linked'])),
})
const Qty = Type.Integer({ minimum: 1, maximum: 10_000_000 })
const IdemKey = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 128,
    description: 'repeat-safe key: a retried request with the same key does nothing twice',
  }),
)

export async function inventoryRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['inventory']
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn()
    } catch (err) {
      if (err instanceof StockError) throw new AppError('insufficient_stock', err.message, 409)
      throw err
    }
  }
  /**
   * A direct stock operation: its movement, its audit row and the stock change (event outbox, see
   * stock-outbox.ts) commit in one transaction; the change is sent after the commit (orders waiting
   * on the SKU retried, the shops' pushes asked for). A process dying in between leaves the change
   * unsent: a repeat of the request (same idempotency key, so the same outbox key) changes and
   * records nothing again but sends it; without a key the scheduler's sweep does.
   */
  const stockOperation = async <T>(
    merchantId: string,
    idempotencyKey: string | undefined,
    work: (tx: Executor, at: Date) => Promise<{ result: T; skuIds: string[]; audit: Omit<AuditEntry, 'at'> }>,
  ): Promise<T> => {
    const ref = idempotencyKey ? `op-${sha256Hex(idempotencyKey).slice(0, 40)}` : newId()
    const at = ctx.clock.now()
    const result = await withTx(ctx.db, async (tx) => {
      const repeated = await alreadyDone(tx, merchantId, idempotencyKey)
      const r = await work(tx, at)
      if (!repeated) {
        await audit(tx, merchantId, { ...r.audit, at })
        await recordStockChange(tx, merchantId, ref, r.skuIds)
      }
      return r.result
    })
    faultPoint('stock-op.committed')
    await flushDocumentChanges(ctx, merchantId, ref)
    return result
  }
  const ownSku = async (merchantId: string, skuId: string, warehouseIds: string[]) => {
    const [sku, whs] = await Promise.all([
      ctx.db
        .selectFrom('skus')
        .select('id')
        .where('merchant_id', '=', merchantId)
        .where('id', '=', skuId)
        .executeTakeFirst(),
      ctx.db
        .selectFrom('warehouses')
        .select('id')
        .where('merchant_id', '=', merchantId)
        .where('id', 'in', warehouseIds)
        .execute(),
    ])
    if (!sku) throw notFound('SKU', skuId)
    if (whs.length !== new Set(warehouseIds).size) throw notFound('warehouse', warehouseIds.join(','))
  }

  app.get(
    '/stock',
    {
      schema: {
        tags,
        summary: 'Stock levels per warehouse and SKU (available = on hand − reserved), with bin and cost',
        querystring: Type.Object({
          skuId: Type.Optional(Id),
          warehouseId: Type.Optional(Id),
          q: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 128,
              description: 'SKU code or barcode (prefix), or part of the name',
            }),
          ),
          low: Type.Optional(
            Type.Boolean({ description: 'only SKUs at or under their low-stock threshold' }),
          ),
          ...PageQuery,
        }),
        response: { 200: Page(StockSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor, skuId, warehouseId, q, low } = req.query
      const after = readCursor(cursor, ['string', 'string'])
      const rows = await listStock(ctx.db, req.auth.merchantId, {
        limit: limit + 1,
        ...(skuId ? { skuId } : {}),
        ...(warehouseId ? { warehouseId } : {}),
        ...(q ? { q } : {}),
        ...(low ? { lowOnly: true } : {}),
        warehouseIds: warehouseScope(req.auth),
        ...(after ? { after } : {}),
      })
      const { items, next } = pageOf(rows, limit, (r) => [r.sku_code, r.warehouse_code])
      const skuIds = items.map((r) => r.sku_id)
      const [pace, transit] = await Promise.all([
        skuPace(ctx.db, req.auth.merchantId, skuIds),
        inTransit(ctx.db, req.auth.merchantId, skuIds),
      ])
      return {
        items: items.map((r) => ({
          warehouseName: r.warehouse_name,
          inTransit: transit.get(`${r.warehouse_id}.${r.sku_id}`) ?? 0,
          threshold: r.threshold,
          low: r.threshold !== null && (pace.get(r.sku_id)?.available ?? 0) <= r.threshold,
          daysOfCover: daysOfCover(pace.get(r.sku_id)),
          updatedAt: r.updated_at.toISOString(),
          warehouseId: r.warehouse_id,
          warehouseCode: r.warehouse_code,
          skuId: r.sku_id,
          skuCode: r.sku_code,
          skuName: r.sku_name,
          onHand: r.on_hand,
          reserved: r.reserved,
          available: Number(r.available),
          bin: r.bin,
          avgCost: r.avg_cost,
          currency: r.currency,
        })),
        next,
      }
    },
  )

  app.post(
    '/stock/receipts',
    {
      schema: {
        tags,
        summary: 'Receive stock at a unit cost (updates the moving-average cost)',
        body: Type.Object(
          {
            warehouseId: Id,
            skuId: Id,
            quantity: Qty,
            unitCost: NonNegativeAmount,
            currency: Currency,
            reference: Type.Optional(Type.String({ maxLength: 64 })),
            idempotencyKey: IdemKey,
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            avgCost: Type.String({ description: 'the moving-average unit cost after it' }),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      const { idempotencyKey, ...input } = req.body
      await ownSku(merchantId, input.skuId, [input.warehouseId])
      const r = await guard(() =>
        stockOperation(merchantId, idempotencyKey, async (tx, at) => ({
          result: await receive(tx, merchantId, input, { actor: req.auth.apiKeyId, idempotencyKey, at }),
          skuIds: [input.skuId],
          audit: {
            ...apiActor(req.auth),
            action: 'stock.receipt',
            entityType: 'sku',
            entityId: input.skuId,
            detail: { ...input },
          },
        })),
      )
      return reply.status(201).send(r)
    },
  )

  app.post(
    '/stock/stocktakes',
    {
      schema: {
        tags,
        summary:
          'Record a count; the difference becomes an adjustment (refused if on hand changed since it was read)',
        body: Type.Object(
          {
            warehouseId: Id,
            skuId: Id,
            counted: Int(),
            expectedOnHand: Int(),
            reason: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ delta: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await ownSku(merchantId, req.body.skuId, [req.body.warehouseId])
      return guard(() =>
        stockOperation(merchantId, undefined, async (tx, at) => {
          const r = await stocktake(tx, merchantId, req.body, { actor: req.auth.apiKeyId, at })
          return {
            result: r,
            skuIds: [req.body.skuId],
            audit: {
              ...apiActor(req.auth),
              action: 'stock.stocktake',
              entityType: 'sku',
              entityId: req.body.skuId,
              detail: { ...req.body, ...r },
            },
          }
        }),
      )
    },
  )

  app.post(
    '/stock/transfers',
    {
      schema: {
        tags,
        body: Type.Object(
          { fromWarehouseId: Id, toWarehouseId: Id, skuId: Id, quantity: Qty, idempotencyKey: IdemKey },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      const { idempotencyKey, ...input } = req.body
      await ownSku(merchantId, input.skuId, [input.fromWarehouseId, input.toWarehouseId])
      await guard(() =>
        stockOperation(merchantId, idempotencyKey, async (tx, at) => ({
          result: await transfer(tx, merchantId, input, { actor: req.auth.apiKeyId, idempotencyKey, at }),
          skuIds: [input.skuId],
          audit: {
            ...apiActor(req.auth),
            action: 'stock.transfer',
            entityType: 'sku',
            entityId: input.skuId,
            detail: { ...input },
          },
        })),
      )
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/stock/returns',
    {
      schema: {
        tags,
        summary: 'Restock returned goods of a shipped order line',
        description:
          'The line must have shipped; at most its shipped quantity less what came back before is accepted. A bundle line names the component SKU that came back (`skuId`); for any other line `skuId` may be left out.',
        body: Type.Object(
          {
            warehouseId: Id,
            orderId: Id,
            orderLineId: Id,
            skuId: Type.Optional(Id),
            quantity: Qty,
            idempotencyKey: IdemKey,
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      const { idempotencyKey, ...input } = req.body
      await stockOperation(merchantId, idempotencyKey, async (tx, at) => {
        const { skuId } = await restockReturn(tx, merchantId, input, {
          actor: req.auth.apiKeyId,
          idempotencyKey,
          at,
        })
        return {
          result: skuId,
          skuIds: [skuId],
          audit: {
            ...apiActor(req.auth),
            action: 'stock.return',
            entityType: 'order',
            entityId: input.orderId,
            detail: { ...input, skuId },
          },
        }
      }).catch((err: unknown) => {
        if (err instanceof ReturnRefused)
          throw new AppError(
            err.status === 404 ? 'not_found' : err.status === 409 ? 'conflict' : 'validation_failed',
            err.message,
            err.status,
            {
              field: `body/${err.field}`,
              ...err.details,
            },
          )
        throw err
      })
      return reply.status(204).send(null)
    },
  )

  app.put(
    '/stock/bins',
    {
      bodyLimit: 1024 * 1024,
      schema: {
        tags,
        summary: 'Set bin locations (库位)',
        body: Type.Object(
          {
            items: Type.Array(
              Type.Object(
                { warehouseId: Id, skuId: Id, bin: Type.String({ minLength: 1, maxLength: 64 }) },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 1000 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ saved: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      for (const it of req.body.items) await ownSku(merchantId, it.skuId, [it.warehouseId])
      await ctx.db
        .insertInto('bin_locations')
        .values(
          req.body.items.map((i) => ({
            merchant_id: merchantId,
            warehouse_id: i.warehouseId,
            sku_id: i.skuId,
            bin: i.bin,
          })),
        )
        .onDuplicateKeyUpdate({ bin: sql`VALUES(bin)` })
        .execute()
      return { saved: req.body.items.length }
    },
  )

  app.post(
    '/orders/:id/allocate',
    {
      schema: {
        tags,
        summary: 'Try to allocate a paid order now (manual re-allocation)',
        params: IdParams,
        response: { 200: Type.Object({ outcome: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      await mustOwn(ctx.db, req.auth.merchantId, 'orders', 'order', [req.params.id])
      const outcome = await allocateOrder(ctx, req.auth.merchantId, req.params.id)
      if (outcome === 'allocated') await schedulePush(ctx, req.auth.merchantId)
      return { outcome }
    },
  )

  app.get(
    '/stock/pushes',
    {
      schema: {
        tags,
        summary: 'Last pushed quantity, time and error per shop and platform SKU',
        querystring: Type.Object({ shopId: Type.Optional(Id), ...PageQuery }),
        response: { 200: Page(PushStateSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor, shopId } = req.query
      const after = readCursor(cursor, ['string', 'string', 'string'])
      const rows = await listPushStates(ctx.db, req.auth.merchantId, {
        limit: limit + 1,
        ...(shopId ? { shopId } : {}),
        ...(after ? { after } : {}),
      })
      const { items, next } = pageOf(rows, limit, (r) => [r.shop_id, r.platform_sku_key, r.location_id])
      return {
        items: items.map((r) => ({
          shopId: r.shop_id,
          platformSkuKey: r.platform_sku_key,
          locationId: r.location_id,
          quantity: r.quantity,
          pushedAt: r.pushed_at ? r.pushed_at.toISOString() : null,
          ok: r.ok === null ? null : r.ok === 1,
          error: r.error,
        })),
        next,
      }
    },
  )

  app.post(
    '/shops/:id/stock-push',
    {
      schema: {
        tags,
        summary:
          'Push every mapped SKU of a shop now (full resync); it waits for a push of the shop that is running, and answers 409 push_running if that takes longer than 10 s',
        params: IdParams,
        response: { 200: PushReportSchema, ...errorResponses },
      },
    },
    async (req) => {
      await mustOwn(ctx.db, req.auth.merchantId, 'shops', 'shop', [req.params.id])
      return pushShopNow(ctx, req.auth.merchantId, req.params.id).catch((err: unknown) => {
        if (err instanceof PushBusy)
          throw new AppError('conflict', err.message, 409, {
            reason: 'push_running',
            retryAfterSeconds: Math.max(1, Math.ceil(err.retryAfterMs / 1000)),
          })
        throw err
      })
    },
  )

  app.put(
    '/stock/thresholds',
    {
      bodyLimit: 256 * 1024,
      schema: {
        tags,
        summary: 'Low-stock alert thresholds per SKU',
        body: Type.Object(
          {
            items: Type.Array(Type.Object({ skuId: Id, threshold: Int() }, { additionalProperties: false }), {
              minItems: 1,
              maxItems: 1000,
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ saved: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await mustOwn(
        ctx.db,
        merchantId,
        'skus',
        'SKU',
        req.body.items.map((i) => i.skuId),
      )
      const rows = req.body.items.map((i) => ({
        merchant_id: merchantId,
        sku_id: i.skuId,
        threshold: i.threshold,
      }))
      if (rows.length > 0)
        await ctx.db
          .insertInto('stock_thresholds')
          .values(rows)
          .onDuplicateKeyUpdate({ threshold: sql`VALUES(threshold)` })
          .execute()
      return { saved: rows.length }
    },
  )

  app.get(
    '/stock/low',
    {
      schema: {
        tags,
        summary:
          'SKUs at or under their low-stock threshold, with days of cover from the last 30 days of shipments',
        querystring: Type.Object(PageQuery),
        response: { 200: Page(LowStockSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const after = readCursor(cursor, ['string'])?.[0]
      const rows = await listLowStock(ctx.db, req.auth.merchantId, {
        limit: limit + 1,
        ...(after !== undefined ? { after } : {}),
      })
      const page = pageOf(rows, limit, (r) => [r.code])
      return {
        next: page.next,
        items: page.items.map((r) => {
          return {
            skuId: r.sku_id,
            code: r.code,
            available: Number(r.available),
            threshold: r.threshold,
            shippedLast30Days: Number(r.shipped_30d),
            daysOfCover: daysOfCover({ available: Number(r.available), shipped30d: Number(r.shipped_30d) }),
          }
        }),
      }
    },
  )
}

/** Days the available stock lasts at the last 30 days' shipping pace; null when nothing shipped. */
function daysOfCover(p: { available: number; shipped30d: number } | undefined): number | null {
  if (!p || p.shipped30d <= 0) return null
  return Math.max(0, Math.floor((p.available * 30) / p.shipped30d))
}
