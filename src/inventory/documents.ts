/**
 * Stock documents: receipts (入库单), count sheets (盘点单) and transfers (调拨单). Each step is one
 * transaction that moves the document's status with a conditional UPDATE, writes the stock
 * movements it causes (timed by the application's clock), its audit row and, when stock changed,
 * the outbox row that asks for the follow-ups (stock-outbox.ts): all commit together or not at
 * all, and a repeated call (a double click, a retried request) changes nothing twice. Every
 * movement carries the document's number as its reference.
 */
import { sql, type Expression, type Selectable, type SqlBool } from 'kysely'
import { audit, type AuditEntry } from '../audit/repo.js'
import type { Executor, Tx } from '../db/connect.js'
import { isDuplicateKey } from '../db/errors.js'
import { withTx } from '../db/tx.js'
import { compareBins } from '../fulfillment/walk-order.js'
import { faultPoint } from '../lib/fault.js'
import { newId } from '../lib/ids.js'
import { money, toDb } from '../money/index.js'
import { movingAverage, receive, StockError } from './operations.js'
import { recordStockChange } from './stock-outbox.js'
import { changeOnHand, recordMovement } from './stock-repo.js'
import type { StockCountTable, StockReceiptTable, StockTransferTable, TransferStatus } from './tables.js'

/** A refusal of a document step; the route turns it into the API's error. */
export class DocError extends Error {
  override name = 'DocError'
  constructor(
    readonly status: 403 | 404 | 409 | 422,
    readonly code: 'not_found' | 'conflict' | 'insufficient_stock' | 'validation_failed' | 'forbidden',
    readonly reason: string,
    message: string,
    readonly field?: string,
  ) {
    super(message)
  }
}

const PREFIX = { receipt: 'RK', count: 'PD', transfer: 'DB' } as const
type DocKind = keyof typeof PREFIX
const TABLE = { receipt: 'stock_receipts', count: 'stock_counts', transfer: 'stock_transfers' } as const
const LABEL = { receipt: 'receipt', count: 'count sheet', transfer: 'transfer' } as const
interface Heads {
  receipt: Selectable<StockReceiptTable>
  count: Selectable<StockCountTable>
  transfer: Selectable<StockTransferTable>
}

/** Who takes a step, and when by the application's clock. */
export interface DocActor {
  actorType: 'api_key' | 'user'
  actorId: string
  at: Date
}

/** A document's header row; `lock` takes it FOR UPDATE, so the steps of one document queue up. */
async function header<K extends DocKind>(
  db: Executor,
  kind: K,
  merchantId: string,
  id: string,
  lock = false,
): Promise<Heads[K]> {
  let q = db
    .selectFrom(TABLE[kind] as 'stock_receipts')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
  if (lock) q = q.forUpdate()
  const row = await q.executeTakeFirst()
  if (!row) throw new DocError(404, 'not_found', 'not_found', `${LABEL[kind]} ${id} not found`)
  return row as unknown as Heads[K]
}

const needStatus = (what: string, number: string, status: string, want: string) =>
  new DocError(409, 'conflict', `status_${status}`, `${what} ${number} is ${status}, not ${want}`)

/**
 * A step of a document in one transaction: the header locked (the steps of one document queue
 * up), a step already taken answered `already` with nothing changed, a step from any state but
 * `from` refused.
 */
async function docStep<K extends DocKind>(
  db: Executor,
  kind: K,
  merchantId: string,
  id: string,
  from: Heads[K]['status'],
  done: readonly Heads[K]['status'][],
  fn: (tx: Tx, head: Heads[K]) => Promise<void>,
): Promise<{ already: boolean }> {
  return withTx(db, async (tx) => {
    const head = await header(tx, kind, merchantId, id, true)
    if (done.includes(head.status)) return { already: true }
    if (head.status !== from) throw needStatus(LABEL[kind], head.number, head.status, from)
    await fn(tx, head)
    return { already: false }
  })
}

/**
 * The record of a step, in the step's transaction: its audit row and, when it changed the stock of
 * some SKUs, the outbox row of that change (the caller sends it after the commit).
 */
async function recordStep(
  tx: Tx,
  merchantId: string,
  by: DocActor,
  step: {
    kind: DocKind
    id: string
    action: string
    detail?: Record<string, unknown>
    skuIds?: readonly string[]
  },
): Promise<void> {
  const { kind, id, action, detail, skuIds = [] } = step
  if (skuIds.length > 0) faultPoint('stock-doc.moved')
  const entry: AuditEntry = {
    actorType: by.actorType,
    actorId: by.actorId,
    at: by.at,
    action,
    entityType: kind,
    entityId: id,
    ...(detail ? { detail } : {}),
  }
  await audit(tx, merchantId, entry)
  await recordStockChange(tx, merchantId, id, skuIds)
}

/** The day in the merchant's zone as YYYYMMDD. */
function day(now: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
    .format(now)
    .replaceAll('-', '')
}

async function merchantZone(db: Executor, merchantId: string): Promise<string> {
  const m = await db
    .selectFrom('merchants')
    .select('timezone')
    .where('id', '=', merchantId)
    .executeTakeFirst()
  return m?.timezone ?? 'Asia/Shanghai'
}

/** The next readable number of a kind for the day: RK20261207-0001. */
async function nextNumber(tx: Executor, merchantId: string, kind: DocKind, now: Date): Promise<string> {
  const prefix = `${PREFIX[kind]}${day(now, await merchantZone(tx, merchantId))}-`
  const row = await tx
    .selectFrom(TABLE[kind])
    .select(sql<string | null>`MAX(number)`.as('last'))
    .where('merchant_id', '=', merchantId)
    .where('number', 'like', `${prefix}%`)
    .executeTakeFirst()
  const last = row?.last ? Number(row.last.slice(prefix.length)) : 0
  return `${prefix}${String(last + 1).padStart(4, '0')}`
}

/** Create a document under a fresh number; two creators racing for one number: the loser retries. */
async function createNumbered(
  db: Executor,
  merchantId: string,
  kind: DocKind,
  now: Date,
  insert: (tx: Tx, number: string) => Promise<void>,
): Promise<{ number: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTx(db, async (tx) => {
        const number = await nextNumber(tx, merchantId, kind, now)
        await insert(tx, number)
        return { number }
      })
    } catch (err) {
      if (!isDuplicateKey(err) || attempt >= 5) throw err
    }
  }
}

async function onHandOf(
  db: Executor,
  merchantId: string,
  warehouseId: string,
  skuIds: readonly string[],
): Promise<Map<string, number>> {
  if (skuIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('stock')
    .select(['sku_id', 'on_hand'])
    .where('merchant_id', '=', merchantId)
    .where('warehouse_id', '=', warehouseId)
    .where('sku_id', 'in', [...new Set(skuIds)])
    .execute()
  return new Map(rows.map((r) => [r.sku_id, r.on_hand]))
}

async function skuInfo(db: Executor, merchantId: string, skuIds: readonly string[]) {
  if (skuIds.length === 0) return new Map<string, { code: string; name: string }>()
  const rows = await db
    .selectFrom('skus')
    .select(['id', 'code', 'name'])
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', [...new Set(skuIds)])
    .execute()
  return new Map(rows.map((r) => [r.id, { code: r.code, name: r.name }]))
}

async function warehouseInfo(db: Executor, merchantId: string, ids: readonly string[]) {
  const rows = await db
    .selectFrom('warehouses')
    .select(['id', 'code', 'name'])
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', [...new Set(ids), ''])
    .execute()
  return new Map(rows.map((r) => [r.id, { code: r.code, name: r.name }]))
}

// ───────────────────────────── receipts ─────────────────────────────

export interface ReceiptLineInput {
  skuId: string
  quantity: number
  unitCost: string
  bin?: string | null | undefined
}

export interface ReceiptInput {
  warehouseId: string
  currency: string
  supplierRef?: string | null | undefined
  note?: string | null | undefined
  lines: readonly ReceiptLineInput[]
}

async function writeReceiptLines(
  tx: Tx,
  merchantId: string,
  receiptId: string,
  lines: readonly ReceiptLineInput[],
) {
  await tx
    .deleteFrom('stock_receipt_lines')
    .where('merchant_id', '=', merchantId)
    .where('receipt_id', '=', receiptId)
    .execute()
  if (lines.length > 0)
    await tx
      .insertInto('stock_receipt_lines')
      .values(
        lines.map((l, i) => ({
          id: newId(),
          merchant_id: merchantId,
          receipt_id: receiptId,
          line_no: i + 1,
          sku_id: l.skuId,
          quantity: l.quantity,
          unit_cost: toDb(money(l.unitCost)),
          bin: l.bin ?? null,
        })),
      )
      .execute()
}

export async function createReceipt(
  db: Executor,
  merchantId: string,
  input: ReceiptInput,
  by: DocActor,
): Promise<{ id: string; number: string }> {
  const now = by.at
  const id = newId(now.getTime())
  const { number } = await createNumbered(db, merchantId, 'receipt', now, async (tx, number) => {
    await tx
      .insertInto('stock_receipts')
      .values({
        id,
        merchant_id: merchantId,
        number,
        warehouse_id: input.warehouseId,
        status: 'draft',
        currency: input.currency,
        supplier_ref: input.supplierRef ?? null,
        note: input.note ?? null,
        created_by: by.actorId,
        posted_by: null,
        posted_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute()
    await writeReceiptLines(tx, merchantId, id, input.lines)
    await recordStep(tx, merchantId, by, {
      kind: 'receipt',
      id,
      action: 'receipt.create',
      detail: {
        number,
        lines: input.lines.length,
      },
    })
  })
  return { id, number }
}

export async function updateReceipt(
  db: Executor,
  merchantId: string,
  id: string,
  input: ReceiptInput,
  now: Date,
): Promise<void> {
  await withTx(db, async (tx) => {
    const r = await tx
      .updateTable('stock_receipts')
      .set({
        warehouse_id: input.warehouseId,
        currency: input.currency,
        supplier_ref: input.supplierRef ?? null,
        note: input.note ?? null,
        updated_at: now,
      })
      .where('merchant_id', '=', merchantId)
      .where('id', '=', id)
      .where('status', '=', 'draft')
      .executeTakeFirst()
    if (r.numUpdatedRows !== 1n) {
      await header(tx, 'receipt', merchantId, id) // 404 when missing
      throw new DocError(
        409,
        'conflict',
        'already_posted',
        `receipt ${id} is posted: it can no longer change`,
      )
    }
    await writeReceiptLines(tx, merchantId, id, input.lines)
  })
}

export async function getReceipt(db: Executor, merchantId: string, id: string) {
  const head = await header(db, 'receipt', merchantId, id)
  const lines = await db
    .selectFrom('stock_receipt_lines')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('receipt_id', '=', id)
    .orderBy('line_no')
    .execute()
  const skuIds = lines.map((l) => l.sku_id)
  const [skus, whs] = await Promise.all([
    skuInfo(db, merchantId, skuIds),
    warehouseInfo(db, merchantId, [head.warehouse_id]),
  ])
  // The moving-average cost each line leads to, in line order, from the stock and cost of now: what
  // posting would do (shown before posting; after it, the cost each line was received at).
  const preview = new Map<
    string,
    { avgBefore: string | null; avgAfter: string | null; onHandBefore: number }
  >()
  if (head.status === 'draft' && skuIds.length > 0) {
    const [costs, totals] = await Promise.all([
      db
        .selectFrom('sku_costs')
        .select(['sku_id', 'avg_cost', 'currency'])
        .where('merchant_id', '=', merchantId)
        .where('sku_id', 'in', [...new Set(skuIds)])
        .execute(),
      db
        .selectFrom('stock')
        .select(['sku_id', sql<string>`SUM(on_hand)`.as('n')])
        .where('merchant_id', '=', merchantId)
        .where('sku_id', 'in', [...new Set(skuIds)])
        .groupBy('sku_id')
        .execute(),
    ])
    const cost = new Map(costs.map((c) => [c.sku_id, c]))
    const qty = new Map(totals.map((t) => [t.sku_id, Number(t.n)]))
    for (const l of lines) {
      const c = cost.get(l.sku_id)
      const before = qty.get(l.sku_id) ?? 0
      const comparable = !c || c.currency === head.currency
      const after = !comparable
        ? null
        : c
          ? movingAverage(before, money(c.avg_cost), l.quantity, money(l.unit_cost))
          : money(l.unit_cost)
      preview.set(l.id, {
        avgBefore: c ? c.avg_cost : null,
        avgAfter: after ? toDb(after) : null,
        onHandBefore: before,
      })
      if (after) {
        cost.set(l.sku_id, { sku_id: l.sku_id, avg_cost: toDb(after), currency: head.currency })
        qty.set(l.sku_id, before + l.quantity)
      }
    }
  }
  return { head, lines, skus, warehouse: whs.get(head.warehouse_id), preview }
}

/**
 * Post a draft receipt: every line into stock at its unit cost (moving average), its bin recorded.
 * Posting a posted receipt changes nothing and says so.
 */
export async function postReceipt(
  db: Executor,
  merchantId: string,
  id: string,
  by: DocActor,
): Promise<{ already: boolean }> {
  const { actorId: actor, at: now } = by
  return docStep(db, 'receipt', merchantId, id, 'draft', ['posted'], async (tx, head) => {
    const lines = await tx
      .selectFrom('stock_receipt_lines')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('receipt_id', '=', id)
      .orderBy('line_no')
      .execute()
    if (lines.length === 0)
      throw new DocError(422, 'validation_failed', 'no_lines', `receipt ${head.number} has no lines`, 'lines')
    for (const l of lines) {
      try {
        await receive(
          tx,
          merchantId,
          {
            warehouseId: head.warehouse_id,
            skuId: l.sku_id,
            quantity: l.quantity,
            unitCost: l.unit_cost,
            currency: head.currency,
            reference: head.number,
          },
          { actor, idempotencyKey: `receipt.${id}.${l.line_no}`, at: now },
        )
      } catch (err) {
        if (err instanceof StockError)
          throw new DocError(
            409,
            'conflict',
            'currency_mismatch',
            `line ${l.line_no}: ${err.message}`,
            `lines/${l.line_no - 1}`,
          )
        throw err
      }
      if (l.bin)
        await tx
          .insertInto('bin_locations')
          .values({ merchant_id: merchantId, warehouse_id: head.warehouse_id, sku_id: l.sku_id, bin: l.bin })
          .onDuplicateKeyUpdate({ bin: l.bin })
          .execute()
    }
    await tx
      .updateTable('stock_receipts')
      .set({ status: 'posted', posted_by: actor, posted_at: now, updated_at: now })
      .where('merchant_id', '=', merchantId)
      .where('id', '=', id)
      .where('status', '=', 'draft')
      .execute()
    const skuIds = lines.map((l) => l.sku_id)
    await recordStep(tx, merchantId, by, { kind: 'receipt', id, action: 'receipt.post', skuIds })
  })
}

// ───────────────────────────── count sheets ─────────────────────────────

export interface CountInput {
  warehouseId: string
  binFrom?: string | undefined
  binTo?: string | undefined
  skuIds?: readonly string[] | undefined
  note?: string | null | undefined
}

/** The bin of a SKU in a warehouse, by SKU. */
async function binsOf(db: Executor, merchantId: string, warehouseId: string, skuIds?: readonly string[]) {
  let q = db
    .selectFrom('bin_locations')
    .select(['sku_id', 'bin'])
    .where('merchant_id', '=', merchantId)
    .where('warehouse_id', '=', warehouseId)
  if (skuIds) q = q.where('sku_id', 'in', [...skuIds, ''])
  return new Map((await q.execute()).map((r) => [r.sku_id, r.bin]))
}

/**
 * Open a count sheet for a bin range (natural order, both ends included) and/or a SKU list: one
 * line per SKU with the on-hand of now as its expected quantity, which the counter never sees.
 */
export async function createCount(
  db: Executor,
  merchantId: string,
  input: CountInput,
  by: DocActor,
): Promise<{ id: string; number: string; lines: number }> {
  const { actorId: actor, at: now } = by
  const id = newId(now.getTime())
  let lineCount = 0
  const { number } = await createNumbered(db, merchantId, 'count', now, async (tx, number) => {
    const picked = new Map<string, string | null>()
    if (input.binFrom !== undefined || input.binTo !== undefined) {
      const from = input.binFrom ?? null
      const to = input.binTo ?? null
      for (const [skuId, bin] of await binsOf(tx, merchantId, input.warehouseId))
        if ((from === null || compareBins(bin, from) >= 0) && (to === null || compareBins(bin, to) <= 0))
          picked.set(skuId, bin)
    }
    if (input.skuIds?.length) {
      const bins = await binsOf(tx, merchantId, input.warehouseId, input.skuIds)
      for (const skuId of input.skuIds) picked.set(skuId, bins.get(skuId) ?? null)
    }
    if (picked.size === 0)
      throw new DocError(
        422,
        'validation_failed',
        'count_empty',
        'no SKU has a bin in that range and no SKU was named: nothing to count',
        input.skuIds ? 'skuIds' : 'binFrom',
      )
    const onHand = await onHandOf(tx, merchantId, input.warehouseId, [...picked.keys()])
    await tx
      .insertInto('stock_counts')
      .values({
        id,
        merchant_id: merchantId,
        number,
        warehouse_id: input.warehouseId,
        status: 'counting',
        bin_from: input.binFrom ?? null,
        bin_to: input.binTo ?? null,
        note: input.note ?? null,
        created_by: actor,
        submitted_by: null,
        submitted_at: null,
        decided_by: null,
        decided_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute()
    await tx
      .insertInto('stock_count_lines')
      .values(
        [...picked].map(([skuId, bin]) => ({
          id: newId(),
          merchant_id: merchantId,
          count_id: id,
          sku_id: skuId,
          bin,
          expected: onHand.get(skuId) ?? 0,
          counted: null,
          counted_by: null,
          counted_at: null,
        })),
      )
      .execute()
    lineCount = picked.size
    await recordStep(tx, merchantId, by, {
      kind: 'count',
      id,
      action: 'count.create',
      detail: { number, lines: lineCount },
    })
  })
  return { id, number, lines: lineCount }
}

/**
 * Record counted quantities (a scan adds one, a typed figure sets it). A SKU not on the sheet that
 * turns up in the warehouse is added to it, with its on-hand of now as expected.
 */
export async function recordCounts(
  db: Executor,
  merchantId: string,
  id: string,
  items: readonly { skuId: string; quantity: number; mode: 'set' | 'add' }[],
  by: DocActor,
): Promise<void> {
  const { actorId: actor, at: now } = by
  await docStep(db, 'count', merchantId, id, 'counting', [], async (tx, head) => {
    const existing = new Set(
      (
        await tx
          .selectFrom('stock_count_lines')
          .select('sku_id')
          .where('merchant_id', '=', merchantId)
          .where('count_id', '=', id)
          .execute()
      ).map((r) => r.sku_id),
    )
    const missing = [...new Set(items.map((i) => i.skuId).filter((s) => !existing.has(s)))]
    if (missing.length > 0) {
      const [onHand, bins] = await Promise.all([
        onHandOf(tx, merchantId, head.warehouse_id, missing),
        binsOf(tx, merchantId, head.warehouse_id, missing),
      ])
      await tx
        .insertInto('stock_count_lines')
        .values(
          missing.map((skuId) => ({
            id: newId(),
            merchant_id: merchantId,
            count_id: id,
            sku_id: skuId,
            bin: bins.get(skuId) ?? null,
            expected: onHand.get(skuId) ?? 0,
            counted: null,
            counted_by: null,
            counted_at: null,
          })),
        )
        .execute()
    }
    for (const it of items)
      await tx
        .updateTable('stock_count_lines')
        .set({
          counted: it.mode === 'add' ? sql`COALESCE(counted, 0) + ${it.quantity}` : it.quantity,
          counted_by: actor,
          counted_at: now,
        })
        .where('merchant_id', '=', merchantId)
        .where('count_id', '=', id)
        .where('sku_id', '=', it.skuId)
        .execute()
    await tx.updateTable('stock_counts').set({ updated_at: now }).where('id', '=', id).execute()
  })
}

/** The counter hands the sheet in; a line nobody counted counts as none found (0). */
export async function submitCount(
  db: Executor,
  merchantId: string,
  id: string,
  by: DocActor,
): Promise<{ already: boolean }> {
  const { actorId: actor, at: now } = by
  return docStep(db, 'count', merchantId, id, 'counting', ['submitted'], async (tx) => {
    await tx
      .updateTable('stock_count_lines')
      .set({ counted: 0, counted_by: actor, counted_at: now })
      .where('merchant_id', '=', merchantId)
      .where('count_id', '=', id)
      .where('counted', 'is', null)
      .execute()
    await tx
      .updateTable('stock_counts')
      .set({ status: 'submitted', submitted_by: actor, submitted_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'counting')
      .execute()
    await recordStep(tx, merchantId, by, { kind: 'count', id, action: 'count.submit' })
  })
}

/**
 * A second person approves the variance: who counted or handed in the sheet may not. Each line's
 * counted − expected becomes an adjustment movement; a loss that would eat into reserved stock is
 * refused and nothing is posted.
 */
export async function approveCount(
  db: Executor,
  merchantId: string,
  id: string,
  by: DocActor,
): Promise<{ already: boolean }> {
  const { actorId: actor, at: now } = by
  return docStep(db, 'count', merchantId, id, 'submitted', ['approved'], async (tx, head) => {
    const lines = await tx
      .selectFrom('stock_count_lines')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('count_id', '=', id)
      .execute()
    const counters = new Set([head.submitted_by, ...lines.map((l) => l.counted_by)].filter((x) => x !== null))
    if (counters.has(actor))
      throw new DocError(
        403,
        'forbidden',
        'approver_is_counter',
        `count sheet ${head.number}: who counted it may not approve it; a second person approves`,
      )
    const changed: string[] = []
    for (const l of lines) {
      const delta = (l.counted ?? 0) - l.expected
      if (delta === 0) continue
      const key = { merchantId, warehouseId: head.warehouse_id, skuId: l.sku_id }
      if (!(await changeOnHand(tx, key, delta)))
        throw new DocError(
          409,
          'insufficient_stock',
          'count_below_reserved',
          `count sheet ${head.number}: taking ${-delta} off SKU ${l.sku_id} would leave less than is reserved for orders`,
        )
      await recordMovement(tx, {
        ...key,
        kind: 'adjustment',
        quantity: delta,
        reason: 'count',
        refType: 'count',
        refId: head.number,
        actor,
        idempotencyKey: `count.${id}.${l.sku_id}`,
        at: now,
      })
      changed.push(l.sku_id)
    }
    await tx
      .updateTable('stock_counts')
      .set({ status: 'approved', decided_by: actor, decided_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'submitted')
      .execute()
    await recordStep(tx, merchantId, by, { kind: 'count', id, action: 'count.approve', skuIds: changed })
  })
}

/** Send a handed-in sheet back for a recount (by a second person, as for approval). */
export async function rejectCount(db: Executor, merchantId: string, id: string, by: DocActor): Promise<void> {
  const { actorId: actor, at: now } = by
  await docStep(db, 'count', merchantId, id, 'submitted', [], async (tx) => {
    await tx
      .updateTable('stock_counts')
      .set({
        status: 'counting',
        submitted_by: null,
        submitted_at: null,
        decided_by: actor,
        decided_at: now,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute()
    await recordStep(tx, merchantId, by, { kind: 'count', id, action: 'count.reject' })
  })
}

export async function getCount(db: Executor, merchantId: string, id: string) {
  const head = await header(db, 'count', merchantId, id)
  const lines = await db
    .selectFrom('stock_count_lines')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('count_id', '=', id)
    .execute()
  lines.sort((a, b) => compareBins(a.bin, b.bin) || a.sku_id.localeCompare(b.sku_id))
  const [skus, whs] = await Promise.all([
    skuInfo(
      db,
      merchantId,
      lines.map((l) => l.sku_id),
    ),
    warehouseInfo(db, merchantId, [head.warehouse_id]),
  ])
  return { head, lines, skus, warehouse: whs.get(head.warehouse_id) }
}

// ───────────────────────────── transfers ─────────────────────────────

export interface TransferInput {
  fromWarehouseId: string
  toWarehouseId: string
  note?: string | null | undefined
  lines: readonly { skuId: string; quantity: number }[]
}

export async function createTransfer(
  db: Executor,
  merchantId: string,
  input: TransferInput,
  by: DocActor,
): Promise<{ id: string; number: string }> {
  const { actorId: actor, at: now } = by
  if (input.fromWarehouseId === input.toWarehouseId)
    throw new DocError(
      422,
      'validation_failed',
      'same_warehouse',
      'a transfer goes between two different warehouses',
      'toWarehouseId',
    )
  const id = newId(now.getTime())
  const { number } = await createNumbered(db, merchantId, 'transfer', now, async (tx, number) => {
    await tx
      .insertInto('stock_transfers')
      .values({
        id,
        merchant_id: merchantId,
        number,
        from_warehouse_id: input.fromWarehouseId,
        to_warehouse_id: input.toWarehouseId,
        status: 'draft',
        note: input.note ?? null,
        discrepancy_note: null,
        created_by: actor,
        shipped_by: null,
        shipped_at: null,
        received_by: null,
        received_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute()
    await tx
      .insertInto('stock_transfer_lines')
      .values(
        input.lines.map((l, i) => ({
          id: newId(),
          merchant_id: merchantId,
          transfer_id: id,
          line_no: i + 1,
          sku_id: l.skuId,
          quantity: l.quantity,
          received: 0,
        })),
      )
      .execute()
    await recordStep(tx, merchantId, by, {
      kind: 'transfer',
      id,
      action: 'transfer.create',
      detail: { number },
    })
  })
  return { id, number }
}

const transferLines = (db: Executor, merchantId: string, id: string) =>
  db
    .selectFrom('stock_transfer_lines')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('transfer_id', '=', id)
    .orderBy('line_no')
    .execute()

/** Ship: the stock leaves the source (a transfer_out movement) and is in transit, available nowhere. */
export async function shipTransfer(
  db: Executor,
  merchantId: string,
  id: string,
  by: DocActor,
): Promise<{ already: boolean }> {
  const { actorId: actor, at: now } = by
  return docStep(db, 'transfer', merchantId, id, 'draft', ['in_transit', 'received'], async (tx, head) => {
    const lines = await transferLines(tx, merchantId, id)
    for (const l of lines) {
      const key = { merchantId, warehouseId: head.from_warehouse_id, skuId: l.sku_id }
      if (!(await changeOnHand(tx, key, -l.quantity)))
        throw new DocError(
          409,
          'insufficient_stock',
          'not_enough_stock',
          `transfer ${head.number} line ${l.line_no}: not ${l.quantity} unreserved in the source warehouse`,
          `lines/${l.line_no - 1}/quantity`,
        )
      await recordMovement(tx, {
        ...key,
        kind: 'transfer_out',
        quantity: -l.quantity,
        refType: 'transfer',
        refId: head.number,
        actor,
        idempotencyKey: `transfer.${id}.${l.line_no}.out`,
        at: now,
      })
    }
    await tx
      .updateTable('stock_transfers')
      .set({ status: 'in_transit', shipped_by: actor, shipped_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'draft')
      .execute()
    await recordStep(tx, merchantId, by, {
      kind: 'transfer',
      id,
      action: 'transfer.ship',
      skuIds: lines.map((l) => l.sku_id),
    })
  })
}

/**
 * Receive at the destination: each line's arrived quantity goes into stock (a transfer_in
 * movement). Several partial receipts may follow one another; `final` (or everything arrived)
 * closes the transfer, and what never arrived stays recorded per line as its discrepancy.
 */
export async function receiveTransfer(
  db: Executor,
  merchantId: string,
  id: string,
  input: {
    lines: readonly { lineNo: number; quantity: number }[]
    final: boolean
    discrepancyNote?: string | undefined
  },
  by: DocActor,
): Promise<void> {
  const { actorId: actor, at: now } = by
  await docStep(db, 'transfer', merchantId, id, 'in_transit', [], async (tx, head) => {
    const lines = await transferLines(tx, merchantId, id)
    const byNo = new Map(lines.map((l) => [l.line_no, l]))
    const skuIds: string[] = []
    for (const [i, it] of input.lines.entries()) {
      const l = byNo.get(it.lineNo)
      if (!l)
        throw new DocError(
          422,
          'validation_failed',
          'no_such_line',
          `transfer ${head.number} has no line ${it.lineNo}`,
          `lines/${i}/lineNo`,
        )
      if (it.quantity === 0) continue
      if (l.received + it.quantity > l.quantity)
        throw new DocError(
          422,
          'validation_failed',
          'over_receipt',
          `line ${it.lineNo}: ${l.quantity} shipped, ${l.received} received before; ${it.quantity} more is too many`,
          `lines/${i}/quantity`,
        )
      const key = { merchantId, warehouseId: head.to_warehouse_id, skuId: l.sku_id }
      await changeOnHand(tx, key, it.quantity)
      await recordMovement(tx, {
        ...key,
        kind: 'transfer_in',
        quantity: it.quantity,
        refType: 'transfer',
        refId: head.number,
        actor,
        at: now,
      })
      await tx
        .updateTable('stock_transfer_lines')
        .set({ received: sql`received + ${it.quantity}` })
        .where('id', '=', l.id)
        .execute()
      l.received += it.quantity
      skuIds.push(l.sku_id)
    }
    const complete = lines.every((l) => l.received === l.quantity)
    const status: TransferStatus = complete || input.final ? 'received' : 'in_transit'
    await tx
      .updateTable('stock_transfers')
      .set({
        status,
        received_by: actor,
        received_at: now,
        updated_at: now,
        ...(input.discrepancyNote !== undefined ? { discrepancy_note: input.discrepancyNote } : {}),
      })
      .where('id', '=', id)
      .execute()
    await recordStep(tx, merchantId, by, {
      kind: 'transfer',
      id,
      action: 'transfer.receive',
      detail: { status, ...(input.discrepancyNote ? { reason: input.discrepancyNote } : {}) },
      skuIds,
    })
  })
}

export async function getTransfer(db: Executor, merchantId: string, id: string) {
  const head = await header(db, 'transfer', merchantId, id)
  const lines = await transferLines(db, merchantId, id)
  const [skus, whs] = await Promise.all([
    skuInfo(
      db,
      merchantId,
      lines.map((l) => l.sku_id),
    ),
    warehouseInfo(db, merchantId, [head.from_warehouse_id, head.to_warehouse_id]),
  ])
  return { head, lines, skus, whs }
}

/** Units shipped and not yet received, by destination warehouse and SKU. */
export async function inTransit(
  db: Executor,
  merchantId: string,
  skuIds: readonly string[],
): Promise<Map<string, number>> {
  if (skuIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('stock_transfer_lines as l')
    .innerJoin('stock_transfers as t', 't.id', 'l.transfer_id')
    .select(['t.to_warehouse_id', 'l.sku_id', sql<string>`SUM(l.quantity - l.received)`.as('n')])
    .where('t.merchant_id', '=', merchantId)
    .where('t.status', '=', 'in_transit')
    .where('l.sku_id', 'in', [...new Set(skuIds)])
    .groupBy(['t.to_warehouse_id', 'l.sku_id'])
    .execute()
  return new Map(rows.map((r) => [`${r.to_warehouse_id}.${r.sku_id}`, Number(r.n)]))
}

// ───────────────────────────── lists ─────────────────────────────

export interface DocListFilter {
  status?: string
  warehouseId?: string
  warehouseIds?: readonly string[] | null
  after?: readonly [at: string, id: string]
  limit: number
}

/**
 * The conditions every document list shares, on the list's alias: status, a warehouse (any of the
 * document's warehouse columns), the caller's warehouse scope, and the keyset cursor of newest
 * first (created_at, id).
 */
function listConditions(
  alias: string,
  f: DocListFilter,
  warehouseColumns: readonly string[],
): Expression<SqlBool>[] {
  const ref = (column: string) => sql.ref(`${alias}.${column}`)
  const anyWarehouse = (ids: readonly string[]) =>
    sql<SqlBool>`(${sql.join(
      warehouseColumns.map((c) => sql`${ref(c)} IN (${sql.join(ids)})`),
      sql` OR `,
    )})`
  const out: Expression<SqlBool>[] = []
  if (f.status) out.push(sql<SqlBool>`${ref('status')} = ${f.status}`)
  if (f.warehouseId) out.push(anyWarehouse([f.warehouseId]))
  if (f.warehouseIds) out.push(anyWarehouse([...f.warehouseIds, '']))
  if (f.after) {
    const at = new Date(f.after[0])
    out.push(
      sql<SqlBool>`(${ref('created_at')} < ${at} OR (${ref('created_at')} = ${at} AND ${ref('id')} < ${f.after[1]}))`,
    )
  }
  return out
}

/** An aggregate over a document's lines, as a column of its list row. */
const overLines = (table: string, key: string, parent: string, aggregate: string, as: string) =>
  sql<string>`(SELECT ${sql.raw(aggregate)} FROM ${sql.table(table)} AS l WHERE ${sql.ref(`l.${key}`)} = ${sql.ref(parent)})`.as(
    as,
  )

export async function listReceipts(db: Executor, merchantId: string, f: DocListFilter) {
  let q = db
    .selectFrom('stock_receipts as r')
    .innerJoin('warehouses as w', 'w.id', 'r.warehouse_id')
    .select([
      'r.id',
      'r.number',
      'r.status',
      'r.warehouse_id',
      'w.name as warehouse_name',
      'r.currency',
      'r.supplier_ref',
      'r.created_at',
      'r.posted_at',
      overLines('stock_receipt_lines', 'receipt_id', 'r.id', 'COALESCE(SUM(l.quantity), 0)', 'units'),
      overLines('stock_receipt_lines', 'receipt_id', 'r.id', 'COUNT(*)', 'line_count'),
      overLines(
        'stock_receipt_lines',
        'receipt_id',
        'r.id',
        'COALESCE(SUM(l.quantity * l.unit_cost), 0)',
        'total',
      ),
    ])
    .where('r.merchant_id', '=', merchantId)
  for (const c of listConditions('r', f, ['warehouse_id'])) q = q.where(c)
  return q.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(f.limit).execute()
}

export async function listCounts(db: Executor, merchantId: string, f: DocListFilter) {
  let q = db
    .selectFrom('stock_counts as c')
    .innerJoin('warehouses as w', 'w.id', 'c.warehouse_id')
    .select([
      'c.id',
      'c.number',
      'c.status',
      'c.warehouse_id',
      'w.name as warehouse_name',
      'c.bin_from',
      'c.bin_to',
      'c.created_at',
      'c.submitted_at',
      'c.decided_at',
      overLines('stock_count_lines', 'count_id', 'c.id', 'COUNT(*)', 'line_count'),
      overLines('stock_count_lines', 'count_id', 'c.id', 'COUNT(l.counted)', 'counted_count'),
    ])
    .where('c.merchant_id', '=', merchantId)
  for (const c of listConditions('c', f, ['warehouse_id'])) q = q.where(c)
  return q.orderBy('c.created_at', 'desc').orderBy('c.id', 'desc').limit(f.limit).execute()
}

export async function listTransfers(db: Executor, merchantId: string, f: DocListFilter) {
  let q = db
    .selectFrom('stock_transfers as t')
    .innerJoin('warehouses as a', 'a.id', 't.from_warehouse_id')
    .innerJoin('warehouses as b', 'b.id', 't.to_warehouse_id')
    .select([
      't.id',
      't.number',
      't.status',
      't.from_warehouse_id',
      'a.name as from_name',
      't.to_warehouse_id',
      'b.name as to_name',
      't.created_at',
      't.shipped_at',
      't.received_at',
      overLines('stock_transfer_lines', 'transfer_id', 't.id', 'COALESCE(SUM(l.quantity), 0)', 'units'),
      overLines(
        'stock_transfer_lines',
        'transfer_id',
        't.id',
        'COALESCE(SUM(l.received), 0)',
        'received_units',
      ),
    ])
    .where('t.merchant_id', '=', merchantId)
  for (const c of listConditions('t', f, ['from_warehouse_id', 'to_warehouse_id'])) q = q.where(c)
  return q.orderBy('t.created_at', 'desc').orderBy('t.id', 'desc').limit(f.limit).execute()
}
