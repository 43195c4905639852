import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { CARRIERS } from '../../connectors/types.js'
import { enqueue, jobId } from '../../jobs/queues.js'
import type { AppContext } from '../context.js'
import { AppError, mustOwn, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { ErrorBody, Id, IdParams, Int, Money, Nullable, Timestamp, errorResponses } from '../api/schemas.js'
import { CHANNELS } from '../db/schema.js'
import { allocateOrder } from '../inventory/allocate.js'
import { schedulePush } from '../inventory/schedule-push.js'
import { faultPoint } from '../lib/fault.js'
import { emitOrderEvents } from '../orders/events.js'
import { confirmPick, PickError } from './picking.js'
import { pickListCsv, pickListHtml } from './render.js'
import { shipOrder, ShipError } from './ship.js'
import { createWave, pickList } from './waves.js'
import { enqueueWritebacks } from './writeback.js'
import { listWritebacks } from './writeback-list.js'
import { apiActor, audit } from '../audit/repo.js'
import { withTx } from '../db/tx.js'
import { shopScope, warehouseScope } from '../users/scope.js'
import type { Parcel } from './tables.js'
import { parcelOfWaybill, WaybillError } from '../waybills/service.js'

const NStr = Nullable(Type.String())
const WritebackSchema = Type.Object({
  id: Type.String(),
  shipmentId: Type.String(),
  orderId: Type.String(),
  shopId: Type.String(),
  parcelNo: Type.Integer(),
  status: Type.Enum(['pending', 'done', 'failed']),
  attempts: Type.Integer(),
  lastError: NStr,
  note: Nullable(Type.String({ description: 'why it was recorded without being sent, when it was' })),
  updatedAt: Timestamp,
  doneAt: Nullable(Timestamp),
  orderExternalId: Type.String({ description: "the platform's order number" }),
  channel: Type.String(),
  shopName: Type.String(),
  carrier: NStr,
  trackingNumber: NStr,
  shippedAt: Nullable(Timestamp),
})
const PickListSchema = Type.Object({
  waveId: Type.String(),
  number: Nullable(Type.Integer()),
  code: Type.String({ description: '波次号 as printed and scanned' }),
  status: Type.String(),
  warehouseId: Type.String(),
  warehouseName: Type.String(),
  legend: Type.Array(
    Type.Object({
      slot: Type.Integer(),
      slotCode: Type.String({
        description: 'the slot as printed and scanned at the pack station, W000012-03',
      }),
      orderId: Type.String(),
      shipmentGroupId: NStr,
      externalId: Type.String(),
      channel: Type.String(),
      shopName: Type.String(),
      buyerNick: NStr,
      onHold: Type.Boolean(),
    }),
    { description: 'the sorting wall: which order (and buyer) each slot holds' },
  ),
  warehouseCode: Type.String(),
  createdAt: Timestamp,
  orderCount: Type.Integer(),
  unitCount: Type.Integer(),
  heldOrders: Type.Integer(),
  items: Type.Array(
    Type.Object({
      seq: Type.Integer({ description: 'walking order through the bins' }),
      bin: NStr,
      skuId: Type.String(),
      skuCode: Type.String(),
      skuName: Type.String(),
      barcode: NStr,
      totalQuantity: Type.Integer({ description: 'to pick, excluding orders on hold' }),
      picked: Type.Integer(),
      slots: Type.Array(
        Type.Object({
          slot: Type.Integer(),
          orderId: Type.String(),
          shipmentGroupId: NStr,
          allocationIds: Type.Array(Type.String()),
          orderLabel: Type.String(),
          channel: Type.String(),
          quantity: Type.Integer(),
          picked: Type.Integer(),
          onHold: Type.Boolean(),
        }),
      ),
    }),
  ),
})
const ShipSchema = Type.Object({
  shipments: Type.Array(
    Type.Object({
      orderId: Type.String(),
      shipmentId: Type.String(),
      shipmentGroupId: NStr,
      cogs: Money,
      currency: Type.String(),
      orderShipped: Type.Boolean(),
    }),
  ),
  repeated: Type.Boolean({ description: 'the Idempotency-Key was used before: nothing shipped twice' }),
})

export async function fulfillmentRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['fulfillment']
  const conflict = (err: unknown): never => {
    if (err instanceof ShipError)
      throw new AppError('conflict', err.message, 409, err.reason ? { reason: err.reason } : undefined)
    if (err instanceof PickError) throw new AppError('conflict', err.message, 409)
    throw err
  }

  app.post(
    '/waves',
    {
      schema: {
        tags,
        summary: 'Create a wave (波次) of allocated orders for one warehouse',
        body: Type.Object(
          {
            warehouseId: Id,
            channel: Type.Optional(Type.Enum(CHANNELS)),
            shopId: Type.Optional(Id),
            carrier: Type.Optional(Type.Enum(CARRIERS)),
            singleItemOnly: Type.Optional(Type.Boolean()),
            paidBefore: Type.Optional(Type.String({ format: 'date-time' })),
            maxOrders: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            waveId: Type.String(),
            number: Type.Integer(),
            code: Type.String({ description: '波次号 as printed and scanned, W000012' }),
            orders: Type.Integer(),
          }),
          ...errorResponses,
          422: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      const wh = await ctx.db
        .selectFrom('warehouses')
        .select('id')
        .where('merchant_id', '=', merchantId)
        .where('id', '=', req.body.warehouseId)
        .executeTakeFirst()
      if (!wh) throw notFound('warehouse', req.body.warehouseId)
      if (req.body.shopId) await mustOwn(ctx.db, merchantId, 'shops', 'shop', [req.body.shopId])
      const { paidBefore, ...rest } = req.body
      const wave = await createWave(
        ctx.db,
        merchantId,
        { ...rest, ...(paidBefore ? { paidBefore: new Date(paidBefore) } : {}) },
        apiActor(req.auth),
        ctx.clock.now(),
      )
      if (!wave) throw new AppError('validation_failed', 'no allocated order matches these filters', 422)
      return reply.status(201).send(wave)
    },
  )

  app.get(
    '/waves/:id/picklist',
    {
      schema: {
        tags,
        summary: 'The pick list: JSON, CSV or printable HTML (A4)',
        params: IdParams,
        querystring: Type.Object({ format: Type.Optional(Type.Enum(['json', 'csv', 'html'])) }),
        response: {
          200: {
            description: 'the pick list',
            content: {
              'application/json': { schema: PickListSchema },
              'text/csv': { schema: Type.String() },
              'text/html': { schema: Type.String() },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const list = await pickList(ctx.db, req.auth.merchantId, req.params.id)
      // A user kept to some warehouses prints only their waves (console.md §4.7: prints follow scope).
      const scope = warehouseScope(req.auth)
      if (!list || (scope && !scope.includes(list.warehouseId))) throw notFound('wave', req.params.id)
      switch (req.query.format ?? 'json') {
        case 'csv':
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="picklist-${list.waveId}.csv"`)
            .send(pickListCsv(list))
        case 'html': {
          const merchant = await ctx.db
            .selectFrom('merchants')
            .select('timezone')
            .where('id', '=', req.auth.merchantId)
            .executeTakeFirstOrThrow()
          return reply.type('text/html; charset=utf-8').send(pickListHtml(list, merchant.timezone))
        }
        case 'json':
          return list
      }
    },
  )

  app.post(
    '/waves/:id/picks',
    {
      schema: {
        tags,
        summary: 'Confirm a pick; fewer than asked is a shortage (adjustment + exception + re-allocation)',
        params: IdParams,
        body: Type.Object({ allocationId: Id, picked: Int() }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            shortage: Type.Integer(),
            reallocation: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await mustOwn(ctx.db, merchantId, 'waves', 'wave', [req.params.id])
      await mustOwn(ctx.db, merchantId, 'stock_allocations', 'allocation', [req.body.allocationId])
      const r = await confirmPick(
        ctx.db,
        merchantId,
        req.params.id,
        req.body.allocationId,
        req.body.picked,
        req.auth.apiKeyId,
        ctx.clock.now(),
      ).catch(conflict)
      const reallocation = r.shortage > 0 ? await allocateOrder(ctx, merchantId, r.orderId) : null
      if (r.shortage > 0) await schedulePush(ctx, merchantId)
      return { shortage: r.shortage, reallocation }
    },
  )

  app.post(
    '/orders/:id/ship',
    {
      schema: {
        tags,
        summary:
          'Ship an order (its merge group too), or one shipment group of a split order, in one or more parcels; repeat-safe with Idempotency-Key',
        params: IdParams,
        headers: Type.Object({
          'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        }),
        body: Type.Object(
          {
            withoutWave: Type.Optional(
              Type.Object(
                {
                  reason: Type.String({
                    minLength: 2,
                    maxLength: 200,
                    description: 'why this order ships without being picked through a wave (audited)',
                  }),
                },
                { additionalProperties: false },
              ),
            ),
            /** A split order (拆单) ships group by group: a group id, or null for the order's own lines. */
            shipmentGroupId: Type.Optional(Type.Union([Id, Type.Null()])),
            parcels: Type.Array(
              Type.Union([
                Type.Object(
                  {
                    carrier: Type.Enum(CARRIERS),
                    carrierName: Type.Optional(Type.String({ maxLength: 64 })),
                    trackingNumber: Type.String({ minLength: 4, maxLength: 64 }),
                    lineExternalIds: Type.Optional(
                      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 500 }),
                    ),
                  },
                  { additionalProperties: false },
                ),
                Type.Object(
                  {
                    /** A parcel with an e-waybill (POST /shipments/waybills): its carrier and number come from the waybill. */
                    waybillId: Id,
                    lineExternalIds: Type.Optional(
                      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 500 }),
                    ),
                  },
                  { additionalProperties: false },
                ),
              ]),
              { minItems: 1, maxItems: 20 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: ShipSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await mustOwn(ctx.db, merchantId, 'orders', 'order', [req.params.id])
      const parcels: Parcel[] = []
      for (const p of req.body.parcels)
        parcels.push(
          'waybillId' in p
            ? await parcelOfWaybill(
                ctx.db,
                merchantId,
                req.params.id,
                p.waybillId,
                p.lineExternalIds ?? [],
              ).catch((err: unknown) => {
                if (err instanceof WaybillError)
                  throw new AppError(
                    err.status === 404 ? 'not_found' : 'conflict',
                    err.message,
                    err.status === 404 ? 404 : 409,
                    {
                      reason: err.reason,
                    },
                  )
                throw err
              })
            : {
                carrier: p.carrier,
                carrierName: p.carrierName ?? null,
                trackingNumber: p.trackingNumber,
                lineExternalIds: p.lineExternalIds ?? [],
              },
        )
      const key = req.headers['idempotency-key'] ?? `ship.${req.params.id}`
      const r = await shipOrder(
        ctx.db,
        merchantId,
        req.params.id,
        parcels,
        key,
        req.auth.apiKeyId,
        req.body.shipmentGroupId,
        ctx.clock.now(),
        {
          actor: apiActor(req.auth),
          requireWave: true,
          ...(req.body.withoutWave ? { withoutWaveReason: req.body.withoutWave.reason } : {}),
        },
      ).catch(conflict)
      // A request that dies after the commit is repeated with its Idempotency-Key: the repeat queues
      // the pending writebacks and the unsent events again (and the scheduler's sweeps take them).
      faultPoint('ship.committed')
      await enqueueWritebacks(ctx, merchantId, r.writebackIds)
      faultPoint('ship.writebacks.queued')
      await emitOrderEvents(ctx, r.events)
      return { shipments: r.shipments, repeated: r.repeated }
    },
  )

  app.get(
    '/writebacks',
    {
      schema: {
        tags,
        summary: 'Shipment writebacks by status (failed ones can be retried by hand)',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(['pending', 'done', 'failed'])),
          orderId: Type.Optional(Id),
          ...PageQuery,
        }),
        response: { 200: Page(WritebackSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const before = readCursor(cursor, ['string'])?.[0]
      const { items, next } = pageOf(
        await listWritebacks(ctx.db, req.auth.merchantId, {
          status: req.query.status,
          orderId: req.query.orderId,
          shopIds: shopScope(req.auth),
          before,
          limit,
        }),
        limit,
        (w) => [w.id],
      )
      return { items, next }
    },
  )

  app.post(
    '/writebacks/:id/retry',
    {
      schema: {
        tags,
        params: IdParams,
        response: { 202: Type.Object({ queued: Type.Boolean() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      const wb = await ctx.db
        .selectFrom('shipment_writebacks')
        .select(['id', 'status', 'attempts'])
        .where('merchant_id', '=', merchantId)
        .where('id', '=', req.params.id)
        .executeTakeFirst()
      if (!wb) throw notFound('writeback', req.params.id)
      if (wb.status === 'done') return reply.status(202).send({ queued: false })
      await withTx(ctx.db, async (tx) => {
        await tx
          .updateTable('shipment_writebacks')
          .set({ status: 'pending', updated_at: ctx.clock.now() })
          .where('id', '=', wb.id)
          .execute()
        await audit(tx, merchantId, {
          ...apiActor(req.auth),
          action: 'writeback.retry',
          entityType: 'writeback',
          entityId: wb.id,
          detail: { previousStatus: wb.status, attempts: wb.attempts },
        })
      })
      await enqueue(
        ctx.queues,
        'shipment-writeback',
        { merchantId, writebackId: wb.id },
        jobId('wb', wb.id, 'retry', wb.attempts),
      )
      return reply.status(202).send({ queued: true })
    },
  )
}
