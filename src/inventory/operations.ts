/**
 * Warehouse stock operations: receipts (updating the moving-average cost), stocktakes, transfers
 * and restocked returns. Each is one transaction; each change of on_hand is a movement row.
 */
import { sql } from 'kysely'
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { money, round, toDb, type Decimal } from '../money/index.js'
import { changeOnHand, recordMovement } from './stock-repo.js'

export class StockError extends Error {
  override name = 'StockError'
}

export interface Actor {
  actor: string
  idempotencyKey?: string | undefined
}

/** Moving average: (Q_before × avg_before + q × cost) / (Q_before + q), 4 dp (pure). */
export function movingAverage(qtyBefore: number, avgBefore: Decimal, qty: number, cost: Decimal): Decimal {
  const total = qtyBefore + qty
  if (total <= 0) return cost
  const before = Math.max(qtyBefore, 0)
  return round(
    avgBefore
      .mul(before)
      .plus(cost.mul(qty))
      .div(before + qty),
    4,
  )
}

async function totalOnHand(db: Executor, merchantId: string, skuId: string): Promise<number> {
  const rows = await db
    .selectFrom('stock')
    .select('on_hand')
    .where('merchant_id', '=', merchantId)
    .where('sku_id', '=', skuId)
    .forUpdate()
    .execute()
  return rows.reduce((n, r) => n + r.on_hand, 0)
}

async function alreadyDone(db: Executor, merchantId: string, key: string | undefined): Promise<boolean> {
  if (!key) return false
  const row = await db
    .selectFrom('stock_movements')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst()
  return row !== undefined
}

export async function receive(
  db: Db,
  merchantId: string,
  input: {
    warehouseId: string
    skuId: string
    quantity: number
    unitCost: string
    currency: string
    reference?: string
  },
  by: Actor,
): Promise<{ avgCost: string }> {
  if (input.quantity <= 0) throw new StockError('quantity must be positive')
  const cost = money(input.unitCost)
  return withTx(db, async (tx) => {
    const current = await tx
      .selectFrom('sku_costs')
      .select(['avg_cost', 'currency'])
      .where('merchant_id', '=', merchantId)
      .where('sku_id', '=', input.skuId)
      .forUpdate()
      .executeTakeFirst()
    if (await alreadyDone(tx, merchantId, by.idempotencyKey))
      return { avgCost: current?.avg_cost ?? toDb(cost) }
    if (current && current.currency !== input.currency)
      throw new StockError(
        `SKU cost is kept in ${current.currency}; a receipt in ${input.currency} needs converting first`,
      )
    const before = await totalOnHand(tx, merchantId, input.skuId)
    const avg = current ? movingAverage(before, money(current.avg_cost), input.quantity, cost) : cost
    await changeOnHand(tx, { merchantId, warehouseId: input.warehouseId, skuId: input.skuId }, input.quantity)
    await recordMovement(tx, {
      merchantId,
      warehouseId: input.warehouseId,
      skuId: input.skuId,
      kind: 'receipt',
      quantity: input.quantity,
      unitCost: toDb(cost),
      currency: input.currency,
      refType: 'receipt',
      refId: input.reference ?? null,
      actor: by.actor,
      idempotencyKey: by.idempotencyKey ?? null,
    })
    await tx
      .insertInto('sku_costs')
      .values({ merchant_id: merchantId, sku_id: input.skuId, avg_cost: toDb(avg), currency: input.currency })
      .onDuplicateKeyUpdate({ avg_cost: toDb(avg), updated_at: new Date() })
      .execute()
    return { avgCost: toDb(avg) }
  })
}

/** Stocktake: the counted quantity replaces on_hand, conditional on the on_hand the counter saw. */
export async function stocktake(
  db: Db,
  merchantId: string,
  input: { warehouseId: string; skuId: string; counted: number; expectedOnHand: number; reason?: string },
  by: Actor,
): Promise<{ delta: number }> {
  return withTx(db, async (tx) => {
    const delta = input.counted - input.expectedOnHand
    if (delta === 0) return { delta }
    await changeOnHand(tx, { merchantId, warehouseId: input.warehouseId, skuId: input.skuId }, 0) // make sure the row exists
    const r = await sql`UPDATE stock SET on_hand = ${input.counted}, updated_at = CURRENT_TIMESTAMP(3)
      WHERE merchant_id = ${merchantId} AND warehouse_id = ${input.warehouseId} AND sku_id = ${input.skuId} AND on_hand = ${input.expectedOnHand} AND reserved <= ${input.counted}`.execute(
      tx,
    )
    if (r.numAffectedRows !== 1n)
      throw new StockError(
        'on_hand changed since it was read, or the count is below what is reserved; count again',
      )
    await recordMovement(tx, {
      merchantId,
      warehouseId: input.warehouseId,
      skuId: input.skuId,
      kind: 'adjustment',
      quantity: delta,
      reason: input.reason ?? 'stocktake',
      refType: 'stocktake',
      actor: by.actor,
    })
    return { delta }
  })
}

export async function adjust(
  db: Executor,
  merchantId: string,
  input: {
    warehouseId: string
    skuId: string
    delta: number
    reason: string
    refType?: string
    refId?: string
  },
  by: Actor,
): Promise<void> {
  await withTx(db, async (tx) => {
    if (
      !(await changeOnHand(
        tx,
        { merchantId, warehouseId: input.warehouseId, skuId: input.skuId },
        input.delta,
      ))
    )
      throw new StockError('not enough unreserved stock to take out')
    await recordMovement(tx, {
      merchantId,
      warehouseId: input.warehouseId,
      skuId: input.skuId,
      kind: 'adjustment',
      quantity: input.delta,
      reason: input.reason,
      refType: input.refType ?? null,
      refId: input.refId ?? null,
      actor: by.actor,
    })
  })
}

export async function transfer(
  db: Db,
  merchantId: string,
  input: { fromWarehouseId: string; toWarehouseId: string; skuId: string; quantity: number },
  by: Actor,
): Promise<void> {
  if (input.quantity <= 0 || input.fromWarehouseId === input.toWarehouseId)
    throw new StockError('a transfer moves a positive quantity between two different warehouses')
  await withTx(db, async (tx) => {
    if (await alreadyDone(tx, merchantId, by.idempotencyKey)) return
    if (
      !(await changeOnHand(
        tx,
        { merchantId, warehouseId: input.fromWarehouseId, skuId: input.skuId },
        -input.quantity,
      ))
    )
      throw new StockError('not enough unreserved stock in the source warehouse')
    await changeOnHand(
      tx,
      { merchantId, warehouseId: input.toWarehouseId, skuId: input.skuId },
      input.quantity,
    )
    const ref = `${input.fromWarehouseId}>${input.toWarehouseId}`
    await recordMovement(tx, {
      merchantId,
      warehouseId: input.fromWarehouseId,
      skuId: input.skuId,
      kind: 'transfer_out',
      quantity: -input.quantity,
      refType: 'transfer',
      refId: ref,
      actor: by.actor,
      idempotencyKey: by.idempotencyKey ?? null,
    })
    await recordMovement(tx, {
      merchantId,
      warehouseId: input.toWarehouseId,
      skuId: input.skuId,
      kind: 'transfer_in',
      quantity: input.quantity,
      refType: 'transfer',
      refId: ref,
      actor: by.actor,
    })
  })
}

export async function restockReturn(
  db: Db,
  merchantId: string,
  input: { warehouseId: string; skuId: string; quantity: number; orderId?: string },
  by: Actor,
): Promise<void> {
  if (input.quantity <= 0) throw new StockError('quantity must be positive')
  await withTx(db, async (tx) => {
    if (await alreadyDone(tx, merchantId, by.idempotencyKey)) return
    const cost = await tx
      .selectFrom('sku_costs')
      .select(['avg_cost', 'currency'])
      .where('merchant_id', '=', merchantId)
      .where('sku_id', '=', input.skuId)
      .executeTakeFirst()
    await changeOnHand(tx, { merchantId, warehouseId: input.warehouseId, skuId: input.skuId }, input.quantity)
    await recordMovement(tx, {
      merchantId,
      warehouseId: input.warehouseId,
      skuId: input.skuId,
      kind: 'return',
      quantity: input.quantity,
      unitCost: cost?.avg_cost ?? null,
      currency: cost?.currency ?? null,
      refType: input.orderId ? 'order' : null,
      refId: input.orderId ?? null,
      actor: by.actor,
      idempotencyKey: by.idempotencyKey ?? null,
    })
  })
}
