import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { Type } from 'typebox'
import type { AppContext } from '../context.js'
import { ADMIN, ALL_ROLES } from '../api/auth.js'
import { AppError, notFound } from '../api/errors.js'
import { Amount, Id, IdParams, errorResponses, toJson } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { allocateOrder } from './allocate.js'
import { retryWaitingOrders } from './events.js'
import { receive, restockReturn, ReturnRefused, stocktake, transfer, StockError } from './operations.js'
import { pushShopStock } from './push.js'
import { schedulePush } from './schedule-push.js'

const STAFF = ['admin', 'warehouse'] as const
const Row = Type.Record(Type.String(), Type.Unknown())
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
  const afterChange = async (merchantId: string, skuIds: string[]) => {
    await retryWaitingOrders(ctx.db, merchantId, skuIds)
    await schedulePush(ctx, merchantId)
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
      config: { roles: ALL_ROLES },
      schema: {
        tags,
        summary: 'Stock levels per warehouse and SKU (available = on hand − reserved), with bin and cost',
        querystring: Type.Object({
          skuId: Type.Optional(Id),
          warehouseId: Type.Optional(Id),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Row) }), ...errorResponses },
      },
    },
    async (req) => {
      let q = ctx.db
        .selectFrom('stock as s')
        .innerJoin('skus as k', 'k.id', 's.sku_id')
        .innerJoin('warehouses as w', 'w.id', 's.warehouse_id')
        .leftJoin('bin_locations as b', (j) =>
          j
            .onRef('b.merchant_id', '=', 's.merchant_id')
            .onRef('b.warehouse_id', '=', 's.warehouse_id')
            .onRef('b.sku_id', '=', 's.sku_id'),
        )
        .leftJoin('sku_costs as c', (j) =>
          j.onRef('c.merchant_id', '=', 's.merchant_id').onRef('c.sku_id', '=', 's.sku_id'),
        )
        .select([
          's.warehouse_id',
          'w.code as warehouse_code',
          's.sku_id',
          'k.code as sku_code',
          'k.name as sku_name',
          's.on_hand',
          's.reserved',
          sql<number>`s.on_hand - s.reserved`.as('available'),
          'b.bin',
          'c.avg_cost',
          'c.currency',
        ])
        .where('s.merchant_id', '=', req.auth.merchantId)
      if (req.query.skuId) q = q.where('s.sku_id', '=', req.query.skuId)
      if (req.query.warehouseId) q = q.where('s.warehouse_id', '=', req.query.warehouseId)
      return {
        items: (
          await q
            .orderBy('k.code')
            .orderBy('w.code')
            .limit(req.query.limit ?? 500)
            .execute()
        ).map(toJson),
      }
    },
  )

  app.post(
    '/stock/receipts',
    {
      config: { roles: STAFF },
      schema: {
        tags,
        summary: 'Receive stock at a unit cost (updates the moving-average cost)',
        body: Type.Object(
          {
            warehouseId: Id,
            skuId: Id,
            quantity: Qty,
            unitCost: Amount,
            currency: Type.String({ pattern: '^[A-Z]{3}$' }),
            reference: Type.Optional(Type.String({ maxLength: 64 })),
            idempotencyKey: IdemKey,
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ avgCost: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      const { idempotencyKey, ...input } = req.body
      await ownSku(merchantId, input.skuId, [input.warehouseId])
      const r = await guard(() =>
        receive(ctx.db, merchantId, input, { actor: req.auth.apiKeyId, idempotencyKey }),
      )
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'stock.receipt',
        entityType: 'sku',
        entityId: input.skuId,
        detail: { ...input },
      })
      await afterChange(merchantId, [input.skuId])
      return reply.status(201).send(r)
    },
  )

  app.post(
    '/stock/stocktakes',
    {
      config: { roles: STAFF },
      schema: {
        tags,
        summary:
          'Record a count; the difference becomes an adjustment (refused if on hand changed since it was read)',
        body: Type.Object(
          {
            warehouseId: Id,
            skuId: Id,
            counted: Type.Integer({ minimum: 0 }),
            expectedOnHand: Type.Integer({ minimum: 0 }),
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
      const r = await guard(() => stocktake(ctx.db, merchantId, req.body, { actor: req.auth.apiKeyId }))
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'stock.stocktake',
        entityType: 'sku',
        entityId: req.body.skuId,
        detail: { ...req.body, ...r },
      })
      await afterChange(merchantId, [req.body.skuId])
      return r
    },
  )

  app.post(
    '/stock/transfers',
    {
      config: { roles: STAFF },
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
      await guard(() => transfer(ctx.db, merchantId, input, { actor: req.auth.apiKeyId, idempotencyKey }))
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'stock.transfer',
        entityType: 'sku',
        entityId: input.skuId,
        detail: { ...input },
      })
      await afterChange(merchantId, [input.skuId])
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/stock/returns',
    {
      config: { roles: STAFF },
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
      const { skuId } = await restockReturn(ctx.db, merchantId, input, {
        actor: req.auth.apiKeyId,
        idempotencyKey,
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
      await afterChange(merchantId, [skuId])
      return reply.status(204).send(null)
    },
  )

  app.put(
    '/stock/bins',
    {
      config: { roles: STAFF },
      schema: {
        tags,
        summary: 'Set bin locations (库位)',
        body: Type.Object({
          items: Type.Array(
            Type.Object(
              { warehouseId: Id, skuId: Id, bin: Type.String({ minLength: 1, maxLength: 64 }) },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 1000 },
          ),
        }),
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
      config: { roles: STAFF },
      schema: {
        tags,
        summary: 'Try to allocate a paid order now (manual re-allocation)',
        params: IdParams,
        response: { 200: Type.Object({ outcome: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      const outcome = await allocateOrder(ctx.db, req.auth.merchantId, req.params.id)
      if (outcome === 'allocated') await schedulePush(ctx, req.auth.merchantId)
      return { outcome }
    },
  )

  app.get(
    '/stock/pushes',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags,
        summary: 'Last pushed quantity, time and error per shop and platform SKU',
        querystring: Type.Object({ shopId: Type.Optional(Id) }),
        response: { 200: Type.Object({ items: Type.Array(Row) }), ...errorResponses },
      },
    },
    async (req) => {
      let q = ctx.db.selectFrom('stock_push_state').selectAll().where('merchant_id', '=', req.auth.merchantId)
      if (req.query.shopId) q = q.where('shop_id', '=', req.query.shopId)
      return {
        items: (await q.orderBy('shop_id').orderBy('platform_sku_key').limit(5000).execute()).map(toJson),
      }
    },
  )

  app.post(
    '/shops/:id/stock-push',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Push every mapped SKU of a shop now (full resync)',
        params: IdParams,
        response: { 200: Row, ...errorResponses },
      },
    },
    async (req) => ({ ...(await pushShopStock(ctx, req.auth.merchantId, req.params.id, true)) }),
  )

  app.put(
    '/stock/thresholds',
    {
      config: { roles: STAFF },
      schema: {
        tags,
        summary: 'Low-stock alert thresholds per SKU',
        body: Type.Object({
          items: Type.Array(
            Type.Object(
              { skuId: Id, threshold: Type.Integer({ minimum: 0 }) },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 1000 },
          ),
        }),
        response: { 200: Type.Object({ saved: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const own = await ctx.db
        .selectFrom('skus')
        .select('id')
        .where('merchant_id', '=', merchantId)
        .where(
          'id',
          'in',
          req.body.items.map((i) => i.skuId),
        )
        .execute()
      const known = new Set(own.map((s) => s.id))
      const rows = req.body.items
        .filter((i) => known.has(i.skuId))
        .map((i) => ({ merchant_id: merchantId, sku_id: i.skuId, threshold: i.threshold }))
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
      config: { roles: ALL_ROLES },
      schema: {
        tags,
        summary:
          'SKUs at or under their low-stock threshold, with days of cover from the last 30 days of shipments',
        response: { 200: Type.Object({ items: Type.Array(Row) }), ...errorResponses },
      },
    },
    async (req) => {
      // Movements are stamped by the database's clock: the 30 days are counted on it too.
      const rows = await sql<{
        sku_id: string
        code: string
        available: string
        threshold: number | null
        shipped_30d: string
      }>`
        SELECT k.id AS sku_id, k.code, COALESCE(SUM(s.on_hand - s.reserved), 0) AS available, t.threshold AS threshold,
          (SELECT COALESCE(-SUM(mv.quantity), 0) FROM stock_movements mv WHERE mv.merchant_id = k.merchant_id AND mv.sku_id = k.id AND mv.kind = 'shipment' AND mv.created_at >= NOW(3) - INTERVAL 30 DAY) AS shipped_30d
        FROM skus k
        LEFT JOIN stock s ON s.merchant_id = k.merchant_id AND s.sku_id = k.id
        JOIN stock_thresholds t ON t.merchant_id = k.merchant_id AND t.sku_id = k.id
        WHERE k.merchant_id = ${req.auth.merchantId} AND k.active = 1
        GROUP BY k.id, k.code, t.threshold, k.merchant_id
        HAVING available <= t.threshold
        ORDER BY k.code LIMIT 1000`.execute(ctx.db)
      return {
        items: rows.rows.map((r) => {
          const perDay = Number(r.shipped_30d) / 30
          return {
            skuId: r.sku_id,
            code: r.code,
            available: Number(r.available),
            threshold: r.threshold,
            shippedLast30Days: Number(r.shipped_30d),
            daysOfCover: perDay > 0 ? Math.floor(Number(r.available) / perDay) : null,
          }
        }),
      }
    },
  )
}
