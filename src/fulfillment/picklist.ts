/**
 * The unified pick list of a wave (pure): items aggregated by bin location (walking order) then SKU,
 * each with its total quantity and the per-order slots it splits into. Orders put on hold after
 * the wave was built stay visible, flagged, so the picker does not pick them.
 */
import { compareBins } from './walk-order.js'

export interface PickSource {
  orderId: string
  /** The order's shipment group when it is split (拆单); null = the order's own lines. */
  shipmentGroupId?: string | null
  /** The reservation to confirm the pick against (none for a held order's lines). */
  allocationId?: string | null
  /** Slot number of the order in the wave (the tote / basket the picker drops it in). */
  slot: number
  orderLabel: string
  channel: string
  onHold: boolean
  skuId: string
  skuCode: string
  skuName: string
  barcode: string | null
  bin: string | null
  quantity: number
  picked: number
}

export interface PickSlot {
  slot: number
  orderId: string
  /** A split order has one slot (one parcel) per shipment group. */
  shipmentGroupId: string | null
  allocationIds: string[]
  orderLabel: string
  channel: string
  quantity: number
  picked: number
  onHold: boolean
}

export interface PickItem {
  seq: number
  bin: string | null
  skuId: string
  skuCode: string
  skuName: string
  barcode: string | null
  /** Quantity to pick, excluding orders on hold. */
  totalQuantity: number
  picked: number
  slots: PickSlot[]
}

export interface PickList {
  waveId: string
  warehouseCode: string
  createdAt: string
  orderCount: number
  unitCount: number
  heldOrders: number
  items: PickItem[]
}

export function buildPickList(
  head: { waveId: string; warehouseCode: string; createdAt: Date },
  sources: readonly PickSource[],
): PickList {
  const byKey = new Map<string, PickItem>()
  for (const s of sources) {
    const key = `${s.bin ?? ''}\u0000${s.skuId}`
    let item = byKey.get(key)
    if (!item) {
      item = {
        seq: 0,
        bin: s.bin,
        skuId: s.skuId,
        skuCode: s.skuCode,
        skuName: s.skuName,
        barcode: s.barcode,
        totalQuantity: 0,
        picked: 0,
        slots: [],
      }
      byKey.set(key, item)
    }
    if (!s.onHold) {
      item.totalQuantity += s.quantity
      item.picked += s.picked
    }
    // One slot per order, or per shipment group of a split order (each has its own slot number).
    const existing = item.slots.find((x) => x.slot === s.slot)
    const allocationIds = s.allocationId ? [s.allocationId] : []
    if (existing) {
      existing.quantity += s.quantity
      existing.picked += s.picked
      existing.allocationIds.push(...allocationIds)
    } else {
      item.slots.push({
        slot: s.slot,
        orderId: s.orderId,
        shipmentGroupId: s.shipmentGroupId ?? null,
        allocationIds,
        orderLabel: s.orderLabel,
        channel: s.channel,
        quantity: s.quantity,
        picked: s.picked,
        onHold: s.onHold,
      })
    }
  }
  const items = [...byKey.values()].sort(
    (a, b) => compareBins(a.bin, b.bin) || (a.skuCode < b.skuCode ? -1 : a.skuCode > b.skuCode ? 1 : 0),
  )
  items.forEach((item, i) => {
    item.seq = i + 1
    item.slots.sort((a, b) => a.slot - b.slot)
  })
  const orders = new Map(sources.map((s) => [s.orderId, s.onHold]))
  return {
    waveId: head.waveId,
    warehouseCode: head.warehouseCode,
    createdAt: head.createdAt.toISOString(),
    orderCount: [...orders.values()].filter((held) => !held).length,
    unitCount: items.reduce((n, i) => n + i.totalQuantity, 0),
    heldOrders: [...orders.values()].filter((held) => held).length,
    items,
  }
}
