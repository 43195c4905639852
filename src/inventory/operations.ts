/**
 * Warehouse stock operations: receipts (updating the moving-average cost), stocktakes, transfers
 * and restocked returns. Each is one transaction; each change of on_hand is a movement row.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { money, round, toDb, type Decimal } from '../money/index.js'
import { changeOnHand, recordMovement } from './stock-repo.js'

export class StockError extends Error {
  override name = 'StockError'
}

export interface Actor {
  actor: string
  idempotencyKey?: string | undefined
  /** The application's time of the operation (ctx.clock); absent: the database's time. */
  at?: Date | undefined
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

/** Whether a movement with this idempotency key exists: the operation was done before. */
export async function alreadyDone(
  db: Executor,
  merchantId: string,
  key: string | undefined,
): Promise<boolean> {
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
  db: Executor,
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
      at: by.at,
    })
    await tx
      .insertInto('sku_costs')
      .values({ merchant_id: merchantId, sku_id: input.skuId, avg_cost: toDb(avg), currency: input.currency })
      .onDuplicateKeyUpdate({ avg_cost: toDb(avg), updated_at: by.at ?? sql<Date>`CURRENT_TIMESTAMP(3)` })
      .execute()
    return { avgCost: toDb(avg) }
  })
}

/** Stocktake: the counted quantity replaces on_hand, conditional on the on_hand the counter saw. */
export async function stocktake(
  db: Executor,
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
      at: by.at,
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
      at: by.at,
    })
  })
}

export async function transfer(
  db: Executor,
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
      at: by.at,
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
      at: by.at,
    })
  })
}

/** A return that does not match what was shipped; `field` names the request field at fault. */
export class ReturnRefused extends Error {
  override name = 'ReturnRefused'
  constructor(
    readonly field: 'orderId' | 'orderLineId' | 'skuId' | 'quantity' | 'warehouseId',
    message: string,
    readonly status: 404 | 409 | 422,
    readonly details: {
      skuId?: string
      skuIds?: string[]
      shipped?: number
      returned?: number
      returnable?: number
    } = {},
  ) {
    super(`body/${field}: ${message}`)
  }
}

/**
 * Restock returned goods of an order line: the line must have shipped, and a SKU of it (a
 * bundle's component) comes back at most as many times as it shipped less what came back before.
 * Checked and written in one transaction, under a lock on the line's SKU row so two returns of
 * the same goods take turns; a refusal writes nothing. The movement refers to the order line.
 */
export async function restockReturn(
  db: Executor,
  merchantId: string,
  input: { warehouseId: string; orderId: string; orderLineId: string; skuId?: string; quantity: number },
  by: Actor,
): Promise<{ skuId: string }> {
  if (input.quantity <= 0) throw new StockError('quantity must be positive')
  return withTx(db, async (tx) => {
    const done = by.idempotencyKey
      ? await tx
          .selectFrom('stock_movements')
          .select('sku_id')
          .where('merchant_id', '=', merchantId)
          .where('idempotency_key', '=', by.idempotencyKey)
          .executeTakeFirst()
      : undefined
    if (done) return { skuId: done.sku_id }
    const [order, warehouse] = await Promise.all([
      tx
        .selectFrom('orders')
        .select('id')
        .where('merchant_id', '=', merchantId)
        .where('id', '=', input.orderId)
        .executeTakeFirst(),
      tx
        .selectFrom('warehouses')
        .select('id')
        .where('merchant_id', '=', merchantId)
        .where('id', '=', input.warehouseId)
        .executeTakeFirst(),
    ])
    if (!order) throw new ReturnRefused('orderId', `order ${input.orderId} not found`, 404)
    if (!warehouse) throw new ReturnRefused('warehouseId', `warehouse ${input.warehouseId} not found`, 404)
    const skus = await tx
      .selectFrom('order_line_skus')
      .select(['id', 'sku_id'])
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', input.orderId)
      .where('order_line_id', '=', input.orderLineId)
      .orderBy('sku_id')
      .forUpdate()
      .execute()
    if (skus.length === 0) {
      const line = await tx
        .selectFrom('order_lines')
        .select('id')
        .where('merchant_id', '=', merchantId)
        .where('order_id', '=', input.orderId)
        .where('id', '=', input.orderLineId)
        .executeTakeFirst()
      throw line
        ? new ReturnRefused(
            'orderLineId',
            `line ${input.orderLineId} has no SKU mapped: nothing of it shipped`,
            422,
          )
        : new ReturnRefused(
            'orderLineId',
            `line ${input.orderLineId} is not a line of order ${input.orderId}`,
            422,
          )
    }
    const onLine = skus.map((s) => s.sku_id)
    if (input.skuId === undefined && skus.length > 1)
      throw new ReturnRefused(
        'skuId',
        `line ${input.orderLineId} is a bundle: name which of its SKUs came back (${onLine.join(', ')})`,
        422,
        { skuIds: onLine },
      )
    const lineSku = input.skuId === undefined ? skus[0]! : skus.find((s) => s.sku_id === input.skuId)
    if (!lineSku)
      throw new ReturnRefused(
        'skuId',
        `SKU ${input.skuId} is not on line ${input.orderLineId} (it holds ${onLine.join(', ')})`,
        422,
        { skuIds: onLine },
      )
    const [shippedRow, returnedRow] = await Promise.all([
      tx
        .selectFrom('stock_allocations')
        .select(sql<string>`COALESCE(SUM(quantity), 0)`.as('n'))
        .where('merchant_id', '=', merchantId)
        .where('order_line_sku_id', '=', lineSku.id)
        .where('status', '=', 'shipped')
        .executeTakeFirstOrThrow(),
      tx
        .selectFrom('stock_movements')
        .select(sql<string>`COALESCE(SUM(quantity), 0)`.as('n'))
        .where('merchant_id', '=', merchantId)
        .where('ref_type', '=', 'order_line')
        .where('ref_id', '=', input.orderLineId)
        .where('sku_id', '=', lineSku.sku_id)
        .where('kind', '=', 'return')
        .executeTakeFirstOrThrow(),
    ])
    const shipped = Number(shippedRow.n)
    const returned = Number(returnedRow.n)
    const counts = { skuId: lineSku.sku_id, shipped, returned, returnable: Math.max(0, shipped - returned) }
    if (shipped === 0)
      throw new ReturnRefused(
        'orderLineId',
        `line ${input.orderLineId} has not shipped: there is nothing to return`,
        409,
        counts,
      )
    if (input.quantity > shipped - returned)
      throw new ReturnRefused(
        'quantity',
        `at most ${counts.returnable} of SKU ${lineSku.sku_id} can come back on line ${input.orderLineId} (${shipped} shipped, ${returned} returned before)`,
        422,
        counts,
      )
    const cost = await tx
      .selectFrom('sku_costs')
      .select(['avg_cost', 'currency'])
      .where('merchant_id', '=', merchantId)
      .where('sku_id', '=', lineSku.sku_id)
      .executeTakeFirst()
    await changeOnHand(
      tx,
      { merchantId, warehouseId: input.warehouseId, skuId: lineSku.sku_id },
      input.quantity,
    )
    await recordMovement(tx, {
      merchantId,
      warehouseId: input.warehouseId,
      skuId: lineSku.sku_id,
      kind: 'return',
      quantity: input.quantity,
      unitCost: cost?.avg_cost ?? null,
      currency: cost?.currency ?? null,
      refType: 'order_line',
      refId: input.orderLineId,
      actor: by.actor,
      idempotencyKey: by.idempotencyKey ?? null,
      at: by.at,
    })
    return { skuId: lineSku.sku_id }
  })
}
