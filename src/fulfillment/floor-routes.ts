/**
 * The warehouse floor's routes: the waves list and a wave's preview, scan picking on the handheld,
 * verify and pack (验货打包), and correcting a shipped parcel's tracking number.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { CARRIERS } from '../../connectors/types.js'
import { enqueueBulk, jobId } from '../../jobs/queues.js'
import type { Auth } from '../api/auth.js'
import { AppError, conflict, mustOwn, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { Id, IdParams, Nullable, Timestamp, errorResponses } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import type { AppContext } from '../context.js'
import { CHANNELS } from '../db/schema.js'
import { withTx } from '../db/tx.js'
import { allocateOrder } from '../inventory/allocate.js'
import { schedulePush } from '../inventory/schedule-push.js'
import { newId } from '../lib/ids.js'
import { warehouseScope } from '../users/scope.js'
import { findByCode, packUnit, PackError, resetCheck, scanPackItem, verification } from './pack.js'
import { PickScanError, scanPick, shortPick } from './pick-scan.js'
import { correctTracking, TrackingError } from './tracking.js'
import { listWaves, WAVE_STAGES } from './wave-list.js'
import { previewWave } from './waves.js'

const NStr = Nullable(Type.String())
const Code = Type.String({ minLength: 1, maxLength: 128, description: 'what the scanner read' })
const GroupQuery = Type.Optional(Id)

const WaveFilterBody = Type.Object(
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
)

const WaveSchema = Type.Object({
  id: Type.String(),
  number: Nullable(Type.Integer()),
  code: Type.String({ description: '波次号, W000012' }),
  warehouseId: Type.String(),
  warehouseCode: Type.String(),
  warehouseName: Type.String(),
  status: Type.Enum(['open', 'closed', 'cancelled']),
  stage: Type.Enum(WAVE_STAGES, { description: 'where picking and shipping stand' }),
  createdAt: Timestamp,
  createdBy: NStr,
  closedAt: Nullable(Timestamp),
  orders: Type.Integer({ description: 'orders in the wave (not counting those taken out)' }),
  heldOrders: Type.Integer({ description: 'orders taken out (held, cancelled, short)' }),
  shippedOrders: Type.Integer(),
  units: Type.Integer(),
  pickedUnits: Type.Integer(),
  filters: Type.Partial(Type.Omit(WaveFilterBody, ['warehouseId']), {
    description: 'the filter the wave was made from',
  }),
})

const ParcelSchema = Type.Object({
  carrier: Type.String(),
  carrierName: NStr,
  trackingNumber: Type.String(),
  lineExternalIds: Type.Array(Type.String()),
})

const VerificationSchema = Type.Object({
  orderId: Type.String(),
  shipmentGroupId: NStr,
  status: Type.Enum(['verifying', 'packed', 'shipped']),
  blocked: Nullable(Type.Enum(['on_hold', 'cancelled', 'refunded', 'not_allocated'])),
  complete: Type.Boolean({ description: 'every line scanned complete' }),
  order: Type.Object({
    externalId: Type.String(),
    channel: Type.String(),
    shopName: Type.String(),
    status: Type.String(),
    buyerNick: NStr,
    buyerNote: NStr,
    sellerNote: NStr,
    paidAt: Nullable(Timestamp),
  }),
  wave: Nullable(
    Type.Object({
      id: Type.String(),
      code: Type.String(),
      slot: Type.Integer(),
      slotCode: Type.String(),
      status: Type.String(),
    }),
  ),
  lines: Type.Array(
    Type.Object({
      skuId: Type.String(),
      skuCode: Type.String(),
      skuName: Type.String(),
      barcode: NStr,
      bin: NStr,
      expected: Type.Integer(),
      scanned: Type.Integer(),
    }),
  ),
  packedAt: Nullable(Timestamp),
  shipments: Type.Array(
    Type.Object({ id: Type.String(), shippedAt: Timestamp, parcels: Type.Array(ParcelSchema) }),
  ),
})

/** Refusals on the floor answer 409 with a reason the console translates (wrong item, one too many…). */
function refused(err: unknown): never {
  if (err instanceof PickScanError || err instanceof PackError)
    throw conflict(err.message, { reason: err.reason })
  if (err instanceof TrackingError) throw conflict(err.message)
  throw err
}

export async function floorRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['fulfillment']

  /** A wave of the merchant, in the caller's warehouses: else 404. */
  async function ownWave(auth: Auth, waveId: string): Promise<void> {
    const w = await ctx.db
      .selectFrom('waves')
      .select('warehouse_id')
      .where('merchant_id', '=', auth.merchantId)
      .where('id', '=', waveId)
      .executeTakeFirst()
    const scope = warehouseScope(auth)
    if (!w || (scope && !scope.includes(w.warehouse_id))) throw notFound('wave', waveId)
  }

  app.get(
    '/waves',
    {
      schema: {
        tags,
        summary: 'Waves (波次), newest first, with their progress',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(['open', 'closed', 'cancelled'])),
          warehouseId: Type.Optional(Id),
          ...PageQuery,
        }),
        response: { 200: Page(WaveSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const rows = await listWaves(ctx.db, req.auth.merchantId, {
        status: req.query.status,
        warehouseId: req.query.warehouseId,
        warehouseIds: warehouseScope(req.auth),
        before: readCursor(cursor, ['string'])?.[0],
        limit,
      })
      return pageOf(rows, limit, (w) => [w.id])
    },
  )

  app.post(
    '/waves/preview',
    {
      schema: {
        tags,
        summary: 'How many orders and units a wave with these filters would take now (nothing is written)',
        body: WaveFilterBody,
        response: { 200: Type.Object({ orders: Type.Integer(), units: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await mustOwn(ctx.db, merchantId, 'warehouses', 'warehouse', [req.body.warehouseId])
      if (req.body.shopId) await mustOwn(ctx.db, merchantId, 'shops', 'shop', [req.body.shopId])
      const { paidBefore, ...rest } = req.body
      return previewWave(ctx.db, merchantId, {
        ...rest,
        ...(paidBefore ? { paidBefore: new Date(paidBefore) } : {}),
      })
    },
  )

  app.post(
    '/waves/:id/scans',
    {
      schema: {
        tags,
        summary:
          'Pick one unit by scan: the item (SKU code or barcode), at the bin scanned before it; answers the slot it goes to',
        params: IdParams,
        body: Type.Object(
          { code: Code, bin: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            skuId: Type.String(),
            skuCode: Type.String(),
            skuName: Type.String(),
            bin: NStr,
            slot: Type.Integer({ description: 'the sorting-wall slot (tote) the unit goes to' }),
            orderId: Type.String(),
            slotPicked: Type.Integer(),
            slotQuantity: Type.Integer(),
            itemPicked: Type.Integer(),
            itemQuantity: Type.Integer(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      await ownWave(req.auth, req.params.id)
      return scanPick(
        ctx.db,
        req.auth.merchantId,
        req.params.id,
        req.body.code,
        req.body.bin ?? null,
        req.auth.actorId,
        ctx.clock.now(),
      ).catch(refused)
    },
  )

  app.post(
    '/waves/:id/shorts',
    {
      schema: {
        tags,
        summary:
          'The shelf is short of a SKU: every slot of it not picked in full goes through the shortage flow (adjustment, exception, re-allocation)',
        params: IdParams,
        body: Type.Object(
          { skuId: Id, bin: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            orders: Type.Array(
              Type.Object({
                orderId: Type.String(),
                slot: Type.Integer(),
                shortage: Type.Integer(),
                reallocation: NStr,
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await ownWave(req.auth, req.params.id)
      await mustOwn(ctx.db, merchantId, 'skus', 'sku', [req.body.skuId])
      const shorts = await shortPick(
        ctx.db,
        merchantId,
        req.params.id,
        req.body.skuId,
        req.body.bin ?? null,
        req.auth.actorId,
        ctx.clock.now(),
      )
      const orders = []
      for (const s of shorts) {
        const reallocation = s.shortage > 0 ? await allocateOrder(ctx, merchantId, s.orderId) : null
        orders.push({ ...s, reallocation })
      }
      if (shorts.length > 0) {
        await audit(ctx.db, merchantId, {
          ...apiActor(req.auth),
          action: 'wave.short',
          entityType: 'wave',
          entityId: req.params.id,
          detail: { skuId: req.body.skuId, bin: req.body.bin ?? null, orders },
        })
        await schedulePush(ctx, merchantId)
      }
      return { orders }
    },
  )

  app.get(
    '/packing/lookup',
    {
      schema: {
        tags,
        summary:
          'The order a pack-station scan names: its hub id, platform order number, sorting-wall slot (W000012-03) or tracking number',
        querystring: Type.Object({ code: Code }),
        response: {
          200: Type.Object({ orderId: Type.String(), shipmentGroupId: NStr }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const found = await findByCode(ctx.db, req.auth.merchantId, req.query.code)
      if (!found)
        throw new AppError('not_found', `nothing matches ${req.query.code}`, 404, { reason: 'no_order' })
      return found
    },
  )

  app.get(
    '/orders/:id/verification',
    {
      schema: {
        tags,
        summary:
          'Verify and pack (验货打包): the lines of the order (or its shipment group) and what is scanned',
        params: IdParams,
        querystring: Type.Object({ shipmentGroupId: GroupQuery }),
        response: { 200: VerificationSchema, ...errorResponses },
      },
    },
    async (req) => {
      const v = await verification(
        ctx.db,
        req.auth.merchantId,
        req.params.id,
        req.query.shipmentGroupId ?? null,
      )
      if (!v) throw notFound('order', req.params.id)
      return v
    },
  )

  app.post(
    '/orders/:id/verification/scans',
    {
      schema: {
        tags,
        summary: 'One item scanned into the parcel; a wrong item or one too many is refused (409)',
        params: IdParams,
        body: Type.Object({ code: Code, shipmentGroupId: GroupQuery }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            skuId: Type.String(),
            skuCode: Type.String(),
            scanned: Type.Integer(),
            expected: Type.Integer(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await mustOwn(ctx.db, merchantId, 'orders', 'order', [req.params.id])
      return scanPackItem(
        ctx.db,
        merchantId,
        req.params.id,
        req.body.shipmentGroupId ?? null,
        req.body.code,
      ).catch(refused)
    },
  )

  app.post(
    '/orders/:id/verification/reset',
    {
      schema: {
        tags,
        summary: 'Start verifying again (the items were taken out of the box)',
        params: IdParams,
        body: Type.Object({ shipmentGroupId: GroupQuery }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      await mustOwn(ctx.db, merchantId, 'orders', 'order', [req.params.id])
      await resetCheck(ctx.db, merchantId, req.params.id, req.body.shipmentGroupId ?? null).catch(refused)
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'order.verify_reset',
        entityType: 'order',
        entityId: req.params.id,
        detail: { shipmentGroupId: req.body.shipmentGroupId ?? null },
      })
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/orders/:id/pack',
    {
      schema: {
        tags,
        summary: 'Pack the order (or its shipment group): only when every line is scanned complete',
        params: IdParams,
        body: Type.Object({ shipmentGroupId: GroupQuery }, { additionalProperties: false }),
        response: { 200: VerificationSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await mustOwn(ctx.db, merchantId, 'orders', 'order', [req.params.id])
      const group = req.body.shipmentGroupId ?? null
      await withTx(ctx.db, async (tx) => {
        await packUnit(tx, merchantId, req.params.id, group, req.auth.actorId, ctx.clock.now())
        await audit(tx, merchantId, {
          ...apiActor(req.auth),
          action: 'order.pack',
          entityType: 'order',
          entityId: req.params.id,
          detail: { shipmentGroupId: group },
        })
      }).catch(refused)
      return (await verification(ctx.db, merchantId, req.params.id, group))!
    },
  )

  app.post(
    '/shipments/:id/tracking',
    {
      schema: {
        tags,
        summary:
          "Correct a shipped parcel's tracking number (audited with the reason); its writeback is sent again",
        params: IdParams,
        body: Type.Object(
          {
            parcelNo: Type.Optional(Type.Integer({ minimum: 0, maximum: 19 })),
            carrier: Type.Optional(Type.Enum(CARRIERS)),
            trackingNumber: Type.String({ minLength: 4, maxLength: 64 }),
            reason: Type.String({ minLength: 2, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ changed: Type.Boolean(), writebacksQueued: Type.Integer() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const s = await ctx.db
        .selectFrom('shipments')
        .select('id')
        .where('merchant_id', '=', merchantId)
        .where('id', '=', req.params.id)
        .executeTakeFirst()
      if (!s) throw notFound('shipment', req.params.id)
      const r = await correctTracking(
        ctx.db,
        merchantId,
        req.params.id,
        {
          parcelNo: req.body.parcelNo ?? 0,
          trackingNumber: req.body.trackingNumber,
          carrier: req.body.carrier,
          reason: req.body.reason,
        },
        apiActor(req.auth),
        ctx.clock.now(),
      ).catch(refused)
      // A correction is a new send: a job id of its own, so the finished first send does not block it.
      const fix = newId()
      await enqueueBulk(
        ctx.queues,
        'shipment-writeback',
        r.writebackIds.map((id) => ({
          data: { merchantId, writebackId: id },
          id: jobId('wb', id, 'fix', fix),
        })),
      )
      return { changed: r.changed, writebacksQueued: r.writebackIds.length }
    },
  )
}
