/**
 * The API's view of the order pool: one TypeBox schema per shape (the OpenAPI document and the
 * serializer both use them) and the mapper from stored rows to it. camelCase, dates as ISO strings,
 * amounts as exact decimal strings; internal bookkeeping (receiver hashes, markers) stays inside.
 */
import type { Selectable } from 'kysely'
import { Type, type Static } from 'typebox'
import { FreeForm, jsonColumn, Money, Nullable, Timestamp } from '../api/schemas.js'
import { CHANNELS } from '../db/schema.js'
import type { listOrders, orderDetail } from './queries.js'
import type { Parcel } from '../fulfillment/tables.js'
import type { OrderExceptionTable } from './tables.js'
import { EXCEPTION_REASONS } from './tables.js'
import { ORDER_STATUSES, REFUND_STATES, type Receiver } from './types.js'

const Str = Type.String()
const NStr = Nullable(Type.String())
const NTime = Nullable(Timestamp)
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null)

export const OrderSummarySchema = Type.Object({
  id: Str,
  shopId: Str,
  channel: Type.Enum(CHANNELS),
  externalId: Str,
  status: Type.Enum(ORDER_STATUSES),
  platformStatus: Str,
  refundState: Type.Enum(REFUND_STATES),
  currency: Str,
  buyerNick: NStr,
  receiverProvince: NStr,
  buyerPaid: Money,
  paidAt: NTime,
  placedAt: NTime,
  platformUpdatedAt: Timestamp,
  openExceptions: Type.Integer(),
  mergeGroupId: NStr,
})

type OrderSummaryRow = Awaited<ReturnType<typeof listOrders>>[number]
export const orderSummaryJson = (o: OrderSummaryRow): Static<typeof OrderSummarySchema> => ({
  id: o.id,
  shopId: o.shop_id,
  channel: o.channel as Static<typeof OrderSummarySchema>['channel'],
  externalId: o.external_id,
  status: o.status,
  platformStatus: o.platform_status,
  refundState: o.refund_state,
  currency: o.currency,
  buyerNick: o.buyer_nick,
  receiverProvince: o.receiver_province,
  buyerPaid: o.buyer_paid,
  paidAt: iso(o.paid_at),
  placedAt: iso(o.placed_at),
  platformUpdatedAt: o.platform_updated_at.toISOString(),
  openExceptions: o.open_exceptions,
  mergeGroupId: o.merge_group_id,
})

export const ReceiverSchema = Type.Object({
  name: NStr,
  phone: NStr,
  country: NStr,
  province: NStr,
  city: NStr,
  district: NStr,
  town: NStr,
  address: NStr,
  postcode: NStr,
  masked: Type.Boolean({ description: 'the platform gave masked or encrypted values' }),
  privacyRef: Nullable(Type.Record(Type.String(), Type.String())),
})

/** A stored receiver with every field present (older rows may lack some). */
export const receiverJson = (r: Partial<Receiver>): Static<typeof ReceiverSchema> => ({
  name: r.name ?? null,
  phone: r.phone ?? null,
  country: r.country ?? null,
  province: r.province ?? null,
  city: r.city ?? null,
  district: r.district ?? null,
  town: r.town ?? null,
  address: r.address ?? null,
  postcode: r.postcode ?? null,
  masked: r.masked ?? false,
  privacyRef: r.privacyRef ?? null,
})

export const ExceptionSchema = Type.Object({
  id: Str,
  shopId: NStr,
  orderId: NStr,
  orderExternalId: Nullable(
    Type.String({ description: "the platform's order number, when there is an order" }),
  ),
  rawInboxId: NStr,
  reason: Type.Enum(EXCEPTION_REASONS),
  detail: FreeForm,
  status: Type.Enum(['open', 'resolved']),
  assigneeId: Nullable(Type.String({ description: 'the user who handles it' })),
  createdAt: Timestamp,
  resolvedAt: NTime,
  resolvedBy: NStr,
  resolution: NStr,
})

type ExceptionRow = Selectable<OrderExceptionTable> & { order_external_id?: string | null }
export const exceptionJson = (e: ExceptionRow): Static<typeof ExceptionSchema> => ({
  id: e.id,
  shopId: e.shop_id,
  orderId: e.order_id,
  orderExternalId: e.order_external_id ?? null,
  rawInboxId: e.raw_inbox_id,
  reason: e.reason,
  detail: jsonColumn(e.detail),
  status: e.status,
  assigneeId: e.assignee_id,
  createdAt: e.created_at.toISOString(),
  resolvedAt: iso(e.resolved_at),
  resolvedBy: e.resolved_by,
  resolution: e.resolution,
})

const LineSchema = Type.Object({
  id: Str,
  lineNo: Type.Integer(),
  externalLineId: Str,
  platformItemId: NStr,
  platformSkuId: NStr,
  outerCode: NStr,
  title: Str,
  skuProperties: NStr,
  quantity: Type.Integer(),
  unitPrice: Money,
  goodsAmount: Money,
  platformDiscount: Money,
  merchantDiscount: Money,
  shippingShare: Money,
  taxAmount: Money,
  paidAmount: Money,
  skuId: Nullable(Type.String({ description: 'the merchant SKU; null while unmapped and for bundles' })),
  isBundle: Type.Boolean(),
  platformStatus: NStr,
  refundState: Type.Enum(REFUND_STATES),
  refundedQuantity: Type.Integer(),
  refundedAmount: Money,
  shipmentGroupId: Nullable(Type.String({ description: 'set when the line was split (拆单) off' })),
  skus: Type.Array(Type.Object({ skuId: Str, code: Str, quantity: Type.Integer(), revenueShare: Money }), {
    description: 'the merchant SKUs the line consumes (bundles expanded)',
  }),
})

const VersionSchema = Type.Object({
  id: Str,
  source: Str,
  platformUpdatedAt: Timestamp,
  receivedAt: Timestamp,
  contentHash: Str,
  outcome: NStr,
  error: NStr,
  payload: Type.String({ description: 'the raw platform payload, verbatim JSON text' }),
})

const RefundSchema = Type.Object({
  id: Str,
  externalRefundId: Str,
  status: Type.Enum(['requested', 'approved', 'refunded', 'rejected', 'cancelled']),
  platformStatus: Str,
  amount: Money,
  currency: Str,
  reason: NStr,
  returnGoods: Type.Boolean(),
  lines: Type.Array(Type.Object({ externalLineId: Str, quantity: Type.Integer(), amount: Money })),
  platformUpdatedAt: Timestamp,
  createdAt: Timestamp,
})

const TimelineSchema = Type.Object({
  id: Str,
  fromStatus: NStr,
  toStatus: Str,
  source: Str,
  note: NStr,
  at: Timestamp,
})

const AllocationSchema = Type.Object({
  id: Str,
  warehouseId: Str,
  warehouseCode: Str,
  warehouseName: Str,
  skuId: Str,
  skuCode: Str,
  skuName: Str,
  quantity: Type.Integer(),
  status: Type.Enum(['open', 'released', 'shipped']),
  createdAt: Timestamp,
})

const ShipmentSchema = Type.Object({
  id: Str,
  shipmentGroupId: Type.String({ description: "'' = the order's own lines" }),
  warehouseId: Str,
  warehouseName: Str,
  shippedAt: Timestamp,
  parcels: Type.Array(
    Type.Object({ carrier: Str, carrierName: NStr, trackingNumber: Str, lineExternalIds: Type.Array(Str) }),
  ),
  writeback: Nullable(
    Type.Enum(['pending', 'done', 'failed'], { description: 'shipment writeback (发货回传)' }),
  ),
})

export const OrderDetailSchema = Type.Object({
  ...OrderSummarySchema.properties,
  shippedAt: NTime,
  buyerId: NStr,
  buyerEmail: NStr,
  receiver: ReceiverSchema,
  buyerNote: NStr,
  sellerNote: NStr,
  goodsAmount: Money,
  platformDiscount: Money,
  merchantDiscount: Money,
  shippingAmount: Money,
  taxAmount: Money,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lines: Type.Array(LineSchema),
  currentVersionId: Nullable(Type.String({ description: 'the raw version the order was last written from' })),
  versions: Type.Array(VersionSchema, { description: 'every raw version received, oldest first' }),
  exceptions: Type.Array(ExceptionSchema),
  refunds: Type.Array(RefundSchema),
  timeline: Type.Array(TimelineSchema),
  allocations: Type.Array(AllocationSchema, { description: 'stock reserved (and shipped) for the order' }),
  shipments: Type.Array(ShipmentSchema),
})

type Detail = NonNullable<Awaited<ReturnType<typeof orderDetail>>>
export const orderDetailJson = (d: Detail): Static<typeof OrderDetailSchema> => {
  const o = d.order
  return {
    ...orderSummaryJson(o),
    shippedAt: iso(o.shipped_at),
    buyerId: o.buyer_id,
    buyerEmail: o.buyer_email,
    receiver: receiverJson(jsonColumn<Partial<Receiver>>(o.receiver)),
    buyerNote: o.buyer_note,
    sellerNote: o.seller_note,
    goodsAmount: o.goods_amount,
    platformDiscount: o.platform_discount,
    merchantDiscount: o.merchant_discount,
    shippingAmount: o.shipping_amount,
    taxAmount: o.tax_amount,
    createdAt: o.created_at.toISOString(),
    updatedAt: o.updated_at.toISOString(),
    lines: d.lines.map((l) => ({
      id: l.id,
      lineNo: l.line_no,
      externalLineId: l.external_line_id,
      platformItemId: l.platform_item_id,
      platformSkuId: l.platform_sku_id,
      outerCode: l.outer_code,
      title: l.title,
      skuProperties: l.sku_properties,
      quantity: l.quantity,
      unitPrice: l.unit_price,
      goodsAmount: l.goods_amount,
      platformDiscount: l.platform_discount,
      merchantDiscount: l.merchant_discount,
      shippingShare: l.shipping_share,
      taxAmount: l.tax_amount,
      paidAmount: l.paid_amount,
      skuId: l.sku_id,
      isBundle: l.is_bundle === 1,
      platformStatus: l.platform_status,
      refundState: l.refund_state,
      refundedQuantity: l.refunded_quantity,
      refundedAmount: l.refunded_amount,
      shipmentGroupId: d.lineGroups.get(l.id) ?? null,
      skus: d.lineSkus
        .filter((s) => s.order_line_id === l.id)
        .map((s) => ({ skuId: s.sku_id, code: s.code, quantity: s.quantity, revenueShare: s.revenue_share })),
    })),
    currentVersionId: o.raw_inbox_id,
    versions: d.versions.map((v) => ({
      id: v.id,
      source: v.source,
      platformUpdatedAt: v.platform_updated_at.toISOString(),
      receivedAt: v.received_at.toISOString(),
      contentHash: v.content_hash,
      outcome: v.outcome,
      error: v.error,
      payload: v.payload,
    })),
    exceptions: d.exceptions.map((e) => exceptionJson({ ...e, order_external_id: o.external_id })),
    allocations: d.allocations.map((a) => ({
      id: a.id,
      warehouseId: a.warehouse_id,
      warehouseCode: a.warehouse_code,
      warehouseName: a.warehouse_name,
      skuId: a.sku_id,
      skuCode: a.sku_code,
      skuName: a.sku_name,
      quantity: a.quantity,
      status: a.status,
      createdAt: a.created_at.toISOString(),
    })),
    shipments: d.shipments.map((sh) => ({
      id: sh.id,
      shipmentGroupId: sh.shipment_group_id,
      warehouseId: sh.warehouse_id,
      warehouseName: sh.warehouse_name,
      shippedAt: sh.shipped_at.toISOString(),
      parcels: jsonColumn<Parcel[]>(sh.parcels).map((p) => ({
        carrier: p.carrier,
        carrierName: p.carrierName,
        trackingNumber: p.trackingNumber,
        lineExternalIds: p.lineExternalIds,
      })),
      writeback: (sh.writeback_status as 'pending' | 'done' | 'failed' | null) ?? null,
    })),
    refunds: d.refunds.map((r) => ({
      id: r.id,
      externalRefundId: r.external_refund_id,
      status: r.status,
      platformStatus: r.platform_status,
      amount: r.amount,
      currency: r.currency,
      reason: r.reason,
      returnGoods: r.return_goods === 1,
      lines: jsonColumn(r.refund_lines),
      platformUpdatedAt: r.platform_updated_at.toISOString(),
      createdAt: r.created_at.toISOString(),
    })),
    timeline: d.history.map((h) => ({
      id: h.id,
      fromStatus: h.from_status,
      toStatus: h.to_status,
      source: h.source,
      note: h.note,
      at: h.at.toISOString(),
    })),
  }
}
