/**
 * Routes of the stock documents (receipts, count sheets, transfers) and of the movements ledger.
 * The SQL and the rules live in documents.ts and movements.ts; a route validates, checks tenancy and
 * scope, calls the module (whose step commits its effect, audit row and outbox row together),
 * sends the step's stock change after the commit, and shapes the answer.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type, type Static, type TSchema } from 'typebox'
import type { Auth } from '../api/auth.js'
import { AppError, mustOwn, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import {
  Currency,
  errorResponses,
  Id,
  IdParams,
  Int,
  iso,
  Money,
  NonNegativeAmount,
  Nullable,
  Timestamp,
} from '../api/schemas.js'
import { apiActor } from '../audit/repo.js'
import type { AppContext } from '../context.js'
import { sendTable } from '../ledger/export.js'
import { getMerchant } from '../merchants/repo.js'
import { money, toDb, ZERO } from '../money/index.js'
import { warehouseScope } from '../users/scope.js'
import {
  approveCount,
  createCount,
  createReceipt,
  createTransfer,
  DocError,
  type DocActor,
  type DocListFilter,
  getCount,
  getReceipt,
  getTransfer,
  listCounts,
  listReceipts,
  listTransfers,
  postReceipt,
  recordCounts,
  rejectCount,
  receiveTransfer,
  shipTransfer,
  submitCount,
  updateReceipt,
} from './documents.js'
import { faultPoint } from '../lib/fault.js'
import { actorNames, listMovements } from './movements.js'
import { flushDocumentChanges } from './stock-outbox.js'
import { COUNT_STATUSES, MOVEMENT_KINDS, TRANSFER_STATUSES } from './tables.js'

const NStr = Nullable(Type.String())
const Qty = Type.Integer({ minimum: 1, maximum: 10_000_000 })
const Note = Type.String({ maxLength: 500 })
const Bin = Type.String({ minLength: 1, maxLength: 64 })
const SkuRef = { skuId: Type.String(), skuCode: Type.String(), skuName: Type.String() }
const ActorFields = (...names: string[]) =>
  Object.fromEntries(names.map((n) => [n, Nullable(Type.String({ description: 'who, by name' }))]))

const MovementSchema = Type.Object({
  id: Type.String(),
  at: Timestamp,
  warehouseId: Type.String(),
  warehouseCode: Type.String(),
  warehouseName: Type.String(),
  ...SkuRef,
  kind: Type.Enum(MOVEMENT_KINDS),
  quantity: Type.Integer({ description: 'signed: + into the warehouse, − out of it' }),
  unitCost: Nullable(Money),
  currency: NStr,
  reason: NStr,
  refType: NStr,
  refId: Nullable(
    Type.String({ description: 'the document number (RK…, PD…, DB…), order line or reference' }),
  ),
  actorId: NStr,
  actorName: NStr,
})

const ReceiptLineIn = Type.Object(
  { skuId: Id, quantity: Qty, unitCost: NonNegativeAmount, bin: Type.Optional(Nullable(Bin)) },
  { additionalProperties: false },
)
const ReceiptBody = Type.Object(
  {
    warehouseId: Id,
    currency: Currency,
    supplierRef: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    note: Type.Optional(Nullable(Note)),
    lines: Type.Array(ReceiptLineIn, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false },
)
const ReceiptStatus = Type.Enum(['draft', 'posted'])
const ReceiptSummary = Type.Object({
  id: Type.String(),
  number: Type.String(),
  status: ReceiptStatus,
  warehouseId: Type.String(),
  warehouseName: Type.String(),
  currency: Type.String(),
  supplierRef: NStr,
  lineCount: Type.Integer(),
  units: Type.Integer(),
  total: Money,
  createdAt: Timestamp,
  postedAt: Nullable(Timestamp),
})
const ReceiptSchema = Type.Object({
  id: Type.String(),
  number: Type.String(),
  status: ReceiptStatus,
  warehouseId: Type.String(),
  warehouseName: Type.String(),
  currency: Type.String(),
  supplierRef: NStr,
  note: NStr,
  createdAt: Timestamp,
  postedAt: Nullable(Timestamp),
  ...ActorFields('createdBy', 'postedBy'),
  total: Money,
  lines: Type.Array(
    Type.Object({
      lineNo: Type.Integer(),
      ...SkuRef,
      quantity: Type.Integer(),
      unitCost: Money,
      amount: Money,
      bin: NStr,
      onHandBefore: Nullable(Type.Integer({ description: 'draft only: on hand over every warehouse now' })),
      avgCostBefore: Nullable(Money),
      avgCostAfter: Nullable(
        Type.String({
          description: 'draft only: the moving-average cost posting would leave (null: another currency)',
        }),
      ),
    }),
  ),
})

const CountStatus = Type.Enum(COUNT_STATUSES)
const CountSummary = Type.Object({
  id: Type.String(),
  number: Type.String(),
  status: CountStatus,
  warehouseId: Type.String(),
  warehouseName: Type.String(),
  binFrom: NStr,
  binTo: NStr,
  lineCount: Type.Integer(),
  countedCount: Type.Integer(),
  createdAt: Timestamp,
  submittedAt: Nullable(Timestamp),
  decidedAt: Nullable(Timestamp),
})
const CountSchema = Type.Object({
  id: Type.String(),
  number: Type.String(),
  status: CountStatus,
  warehouseId: Type.String(),
  warehouseName: Type.String(),
  binFrom: NStr,
  binTo: NStr,
  note: NStr,
  createdAt: Timestamp,
  submittedAt: Nullable(Timestamp),
  decidedAt: Nullable(Timestamp),
  ...ActorFields('createdBy', 'submittedBy', 'decidedBy'),
  blind: Type.Boolean({ description: 'true while counting: expected quantities and variances are withheld' }),
  lines: Type.Array(
    Type.Object({
      ...SkuRef,
      bin: NStr,
      expected: Nullable(Type.Integer({ description: 'null while counting (blind count)' })),
      counted: Nullable(Type.Integer()),
      variance: Nullable(Type.Integer({ description: 'counted − expected; null while counting' })),
      countedBy: NStr,
    }),
  ),
})

const TransferStatus = Type.Enum(TRANSFER_STATUSES)
const TransferSummary = Type.Object({
  id: Type.String(),
  number: Type.String(),
  status: TransferStatus,
  fromWarehouseId: Type.String(),
  fromWarehouseName: Type.String(),
  toWarehouseId: Type.String(),
  toWarehouseName: Type.String(),
  units: Type.Integer(),
  receivedUnits: Type.Integer(),
  createdAt: Timestamp,
  shippedAt: Nullable(Timestamp),
  receivedAt: Nullable(Timestamp),
})
const TransferSchema = Type.Object({
  id: Type.String(),
  number: Type.String(),
  status: TransferStatus,
  fromWarehouseId: Type.String(),
  fromWarehouseName: Type.String(),
  toWarehouseId: Type.String(),
  toWarehouseName: Type.String(),
  note: NStr,
  discrepancyNote: NStr,
  createdAt: Timestamp,
  shippedAt: Nullable(Timestamp),
  receivedAt: Nullable(Timestamp),
  ...ActorFields('createdBy', 'shippedBy', 'receivedBy'),
  lines: Type.Array(
    Type.Object({
      lineNo: Type.Integer(),
      ...SkuRef,
      quantity: Type.Integer(),
      received: Type.Integer(),
      inTransit: Type.Integer({ description: 'shipped, not received, while the transfer is in transit' }),
      discrepancy: Type.Integer({ description: 'once received: shipped − received (what never arrived)' }),
    }),
  ),
})

const ListQuery = <S extends TSchema>(status: S) =>
  Type.Object(
    { status: Type.Optional(status), warehouseId: Type.Optional(Id), ...PageQuery },
    { additionalProperties: false },
  )

export async function stockDocumentRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['inventory']
  const by = (auth: Auth): DocActor => ({ ...apiActor(auth), at: ctx.clock.now() })

  /** A scoped caller sees a document only when one of its warehouses is in scope. */
  const inScope = (auth: Auth, ...warehouseIds: string[]) => {
    const scope = warehouseScope(auth)
    return !scope || warehouseIds.some((w) => scope.includes(w))
  }
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn()
    } catch (err) {
      if (err instanceof DocError)
        throw new AppError(err.code, err.message, err.status, {
          reason: err.reason,
          ...(err.field ? { field: `body/${err.field}` } : {}),
        })
      throw err
    }
  }
  /**
   * A step of a document: first what its earlier steps left unsent (a process that died between a
   * commit and the send), then the step in its one transaction, then its own stock change.
   */
  const step = async <T>(merchantId: string, id: string, fn: () => Promise<T>): Promise<T> => {
    await flushDocumentChanges(ctx, merchantId, id)
    const r = await guard(fn)
    faultPoint('stock-doc.committed')
    await flushDocumentChanges(ctx, merchantId, id)
    return r
  }
  /** One page of a document list, newest first, in the caller's warehouse scope. */
  const listPage = async <R extends { created_at: Date; id: string }>(
    auth: Auth,
    query: { limit?: number; cursor?: string; status?: string; warehouseId?: string },
    list: (db: typeof ctx.db, merchantId: string, f: DocListFilter) => Promise<R[]>,
  ) => {
    const { limit = DEFAULT_LIMIT, cursor, status, warehouseId } = query
    const after = readCursor(cursor, ['string', 'string'])
    const rows = await list(ctx.db, auth.merchantId, {
      limit: limit + 1,
      ...(status ? { status } : {}),
      ...(warehouseId ? { warehouseId } : {}),
      warehouseIds: warehouseScope(auth),
      ...(after ? { after } : {}),
    })
    return pageOf(rows, limit, cursorOf)
  }
  const names = (merchantId: string, ids: (string | null)[]) =>
    actorNames(
      ctx.db,
      merchantId,
      ids.filter((x): x is string => x !== null),
    )
  const cursorOf = (r: { created_at: Date; id: string }) => [r.created_at.toISOString(), r.id] as const

  // ───────────── movements ─────────────

  app.get(
    '/stock/movements',
    {
      schema: {
        tags,
        summary: 'The stock movements ledger (库存流水), newest first; JSON pages it, CSV and XLSX export it',
        description:
          'Every change of on hand: receipts, shipments, returns, adjustments (counts) and transfers, with quantity, cost, reference (document number) and who did it. `from`/`to` bound the time (to exclusive).',
        querystring: Type.Object(
          {
            skuId: Type.Optional(Id),
            warehouseId: Type.Optional(Id),
            kind: Type.Optional(Type.Enum(MOVEMENT_KINDS)),
            ref: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 64,
                description: 'document number or reference, exactly',
              }),
            ),
            from: Type.Optional(Timestamp),
            to: Type.Optional(Timestamp),
            format: Type.Optional(Type.Enum(['json', 'csv', 'xlsx'])),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'the movements: JSON pages them, CSV and XLSX carry up to 50,000',
            content: {
              'application/json': { schema: Page(MovementSchema) },
              'text/csv': { schema: Type.String() },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                schema: Type.String({ format: 'binary' }),
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      const {
        limit = DEFAULT_LIMIT,
        cursor,
        format = 'json',
        skuId,
        warehouseId,
        kind,
        ref,
        from,
        to,
      } = req.query
      if (skuId) await mustOwn(ctx.db, merchantId, 'skus', 'SKU', [skuId])
      if (warehouseId) await mustOwn(ctx.db, merchantId, 'warehouses', 'warehouse', [warehouseId])
      const filter = {
        ...(skuId ? { skuId } : {}),
        ...(warehouseId ? { warehouseId } : {}),
        ...(kind ? { kind } : {}),
        ...(ref ? { ref } : {}),
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
        warehouseIds: warehouseScope(req.auth),
      }
      const exporting = format !== 'json'
      const after = exporting ? undefined : readCursor(cursor, ['string', 'string'])
      const rows = await listMovements(ctx.db, merchantId, {
        ...filter,
        limit: exporting ? 50_000 : limit + 1,
        ...(after ? { after } : {}),
      })
      const page = exporting ? { items: rows, next: null } : pageOf(rows, limit, (r) => cursorOf(r))
      const who = await names(
        merchantId,
        page.items.map((r) => r.actor),
      )
      const items = page.items.map((r) => ({
        id: r.id,
        at: r.created_at.toISOString(),
        warehouseId: r.warehouse_id,
        warehouseCode: r.warehouse_code,
        warehouseName: r.warehouse_name,
        skuId: r.sku_id,
        skuCode: r.sku_code,
        skuName: r.sku_name,
        kind: r.kind,
        quantity: r.quantity,
        unitCost: r.unit_cost,
        currency: r.currency,
        reason: r.reason,
        refType: r.ref_type,
        refId: r.ref_id,
        actorId: r.actor,
        actorName: r.actor ? (who.get(r.actor) ?? null) : null,
      }))
      if (format === 'csv' || format === 'xlsx') {
        const merchant = await getMerchant(ctx.db, merchantId)
        const zone = merchant?.timezone ?? 'Asia/Shanghai'
        const fmt = new Intl.DateTimeFormat('sv-SE', {
          timeZone: zone,
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
          hourCycle: 'h23',
        })
        const header = [
          `time (${zone})`,
          'warehouse',
          'skuCode',
          'skuName',
          'kind',
          'quantity',
          'unitCost',
          'currency',
          'reference',
          'reason',
          'by',
        ]
        return sendTable(reply, format, {
          name: 'stock-movements',
          title: `Stock movements (库存流水), times in ${zone}`,
          sheet: 'movements',
          header,
          rows: items.map((m) => [
            fmt.format(new Date(m.at)),
            m.warehouseName,
            m.skuCode,
            m.skuName,
            m.kind,
            String(m.quantity),
            m.unitCost,
            m.currency,
            m.refId,
            m.reason,
            m.actorName,
          ]),
          amountColumns: new Set(['unitCost']),
        })
      }
      return { items, next: page.next }
    },
  )

  // ───────────── receipts ─────────────

  const receiptJson = async (merchantId: string, id: string) => {
    const r = await guard(() => getReceipt(ctx.db, merchantId, id))
    const who = await names(merchantId, [r.head.created_by, r.head.posted_by])
    let total = ZERO
    const lines = r.lines.map((l) => {
      const p = r.preview.get(l.id)
      const sku = r.skus.get(l.sku_id)
      const amount = money(l.unit_cost).mul(l.quantity)
      total = total.plus(amount)
      return {
        lineNo: l.line_no,
        skuId: l.sku_id,
        skuCode: sku?.code ?? '',
        skuName: sku?.name ?? '',
        quantity: l.quantity,
        unitCost: l.unit_cost,
        amount: toDb(amount),
        bin: l.bin,
        onHandBefore: p?.onHandBefore ?? null,
        avgCostBefore: p?.avgBefore ?? null,
        avgCostAfter: p?.avgAfter ?? null,
      }
    })
    return {
      r,
      json: {
        id: r.head.id,
        number: r.head.number,
        status: r.head.status,
        warehouseId: r.head.warehouse_id,
        warehouseName: r.warehouse?.name ?? '',
        currency: r.head.currency,
        supplierRef: r.head.supplier_ref,
        note: r.head.note,
        createdAt: r.head.created_at.toISOString(),
        postedAt: iso(r.head.posted_at),
        createdBy: r.head.created_by ? (who.get(r.head.created_by) ?? null) : null,
        postedBy: r.head.posted_by ? (who.get(r.head.posted_by) ?? null) : null,
        total: toDb(total),
        lines,
      },
    }
  }
  const ownReceipt = async (auth: Auth, id: string) => {
    const { r, json } = await receiptJson(auth.merchantId, id)
    if (!inScope(auth, r.head.warehouse_id)) throw notFound('receipt', id)
    return json
  }
  const checkReceiptBody = async (merchantId: string, body: Static<typeof ReceiptBody>) => {
    await mustOwn(ctx.db, merchantId, 'warehouses', 'warehouse', [body.warehouseId])
    await mustOwn(
      ctx.db,
      merchantId,
      'skus',
      'SKU',
      body.lines.map((l) => l.skuId),
    )
  }

  app.get(
    '/receipts',
    {
      schema: {
        tags,
        summary: 'Receipts (入库单), newest first',
        querystring: ListQuery(ReceiptStatus),
        response: { 200: Page(ReceiptSummary), ...errorResponses },
      },
    },
    async (req) => {
      const { items, next } = await listPage(req.auth, req.query, listReceipts)
      return {
        next,
        items: items.map((r) => ({
          id: r.id,
          number: r.number,
          status: r.status,
          warehouseId: r.warehouse_id,
          warehouseName: r.warehouse_name,
          currency: r.currency,
          supplierRef: r.supplier_ref,
          lineCount: Number(r.line_count),
          units: Number(r.units),
          total: toDb(money(r.total ?? '0')),
          createdAt: r.created_at.toISOString(),
          postedAt: iso(r.posted_at),
        })),
      }
    },
  )

  app.post(
    '/receipts',
    {
      schema: {
        tags,
        summary: 'Save a receipt as a draft: many lines of SKU, quantity, unit cost and bin',
        body: ReceiptBody,
        response: { 201: ReceiptSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      await checkReceiptBody(merchantId, req.body)
      const { id } = await createReceipt(ctx.db, merchantId, req.body, by(req.auth))
      return reply.status(201).send(await ownReceipt(req.auth, id))
    },
  )

  app.get(
    '/receipts/:id',
    {
      schema: {
        tags,
        summary: 'A receipt with its lines; a draft shows the moving-average cost posting would leave',
        params: IdParams,
        response: { 200: ReceiptSchema, ...errorResponses },
      },
    },
    async (req) => ownReceipt(req.auth, req.params.id),
  )

  app.put(
    '/receipts/:id',
    {
      schema: {
        tags,
        summary: 'Replace a draft receipt (header and lines); a posted receipt is refused',
        params: IdParams,
        body: ReceiptBody,
        response: { 200: ReceiptSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await ownReceipt(req.auth, req.params.id)
      await checkReceiptBody(merchantId, req.body)
      await guard(() => updateReceipt(ctx.db, merchantId, req.params.id, req.body, ctx.clock.now()))
      return ownReceipt(req.auth, req.params.id)
    },
  )

  app.post(
    '/receipts/:id/post',
    {
      schema: {
        tags,
        summary: 'Post a draft receipt into stock, once: posting a posted receipt changes nothing',
        params: IdParams,
        response: {
          200: Type.Object({ alreadyPosted: Type.Boolean(), receipt: ReceiptSchema }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await ownReceipt(req.auth, req.params.id)
      const r = await step(merchantId, req.params.id, () =>
        postReceipt(ctx.db, merchantId, req.params.id, by(req.auth)),
      )
      return { alreadyPosted: r.already, receipt: await ownReceipt(req.auth, req.params.id) }
    },
  )

  // ───────────── count sheets ─────────────

  const countJson = async (auth: Auth, id: string) => {
    const c = await guard(() => getCount(ctx.db, auth.merchantId, id))
    if (!inScope(auth, c.head.warehouse_id)) throw notFound('count sheet', id)
    const blind = c.head.status === 'counting'
    const who = await names(auth.merchantId, [
      c.head.created_by,
      c.head.submitted_by,
      c.head.decided_by,
      ...c.lines.map((l) => l.counted_by),
    ])
    const name = (x: string | null) => (x ? (who.get(x) ?? null) : null)
    return {
      id: c.head.id,
      number: c.head.number,
      status: c.head.status,
      warehouseId: c.head.warehouse_id,
      warehouseName: c.warehouse?.name ?? '',
      binFrom: c.head.bin_from,
      binTo: c.head.bin_to,
      note: c.head.note,
      createdAt: c.head.created_at.toISOString(),
      submittedAt: iso(c.head.submitted_at),
      decidedAt: iso(c.head.decided_at),
      createdBy: name(c.head.created_by),
      submittedBy: name(c.head.submitted_by),
      decidedBy: name(c.head.decided_by),
      blind,
      lines: c.lines.map((l) => ({
        skuId: l.sku_id,
        skuCode: c.skus.get(l.sku_id)?.code ?? '',
        skuName: c.skus.get(l.sku_id)?.name ?? '',
        bin: l.bin,
        expected: blind ? null : l.expected,
        counted: l.counted,
        variance: blind || l.counted === null ? null : l.counted - l.expected,
        countedBy: name(l.counted_by),
      })),
    }
  }

  app.get(
    '/stock-counts',
    {
      schema: {
        tags,
        summary: 'Count sheets (盘点单), newest first',
        querystring: ListQuery(CountStatus),
        response: { 200: Page(CountSummary), ...errorResponses },
      },
    },
    async (req) => {
      const { items, next } = await listPage(req.auth, req.query, listCounts)
      return {
        next,
        items: items.map((c) => ({
          id: c.id,
          number: c.number,
          status: c.status,
          warehouseId: c.warehouse_id,
          warehouseName: c.warehouse_name,
          binFrom: c.bin_from,
          binTo: c.bin_to,
          lineCount: Number(c.line_count),
          countedCount: Number(c.counted_count),
          createdAt: c.created_at.toISOString(),
          submittedAt: iso(c.submitted_at),
          decidedAt: iso(c.decided_at),
        })),
      }
    },
  )

  app.post(
    '/stock-counts',
    {
      schema: {
        tags,
        summary: 'Open a count sheet for a bin range (natural order, ends included) and/or a list of SKUs',
        body: Type.Object(
          {
            warehouseId: Id,
            binFrom: Type.Optional(Bin),
            binTo: Type.Optional(Bin),
            skuIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 2000 })),
            note: Type.Optional(Nullable(Note)),
          },
          { additionalProperties: false },
        ),
        response: { 201: CountSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      await mustOwn(ctx.db, merchantId, 'warehouses', 'warehouse', [req.body.warehouseId])
      if (req.body.skuIds) await mustOwn(ctx.db, merchantId, 'skus', 'SKU', req.body.skuIds)
      if (req.body.binFrom === undefined && req.body.binTo === undefined && !req.body.skuIds)
        throw new AppError(
          'validation_failed',
          'name a bin range (binFrom, binTo) or SKUs (skuIds) to count',
          400,
          {
            field: 'body/skuIds',
          },
        )
      const { id } = await guard(() => createCount(ctx.db, merchantId, req.body, by(req.auth)))
      return reply.status(201).send(await countJson(req.auth, id))
    },
  )

  app.get(
    '/stock-counts/:id',
    {
      schema: {
        tags,
        summary: 'A count sheet; while counting it is blind (no expected quantity, no variance)',
        params: IdParams,
        response: { 200: CountSchema, ...errorResponses },
      },
    },
    async (req) => countJson(req.auth, req.params.id),
  )

  app.post(
    '/stock-counts/:id/counts',
    {
      schema: {
        tags,
        summary: 'Record counted quantities: mode add (a scan adds its quantity) or set (a typed figure)',
        description: 'A SKU not on the sheet that is found in the warehouse is added to it.',
        params: IdParams,
        body: Type.Object(
          {
            items: Type.Array(
              Type.Object(
                { skuId: Id, quantity: Int({ maximum: 10_000_000 }), mode: Type.Enum(['set', 'add']) },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 500 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: CountSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await countJson(req.auth, req.params.id)
      await mustOwn(
        ctx.db,
        merchantId,
        'skus',
        'SKU',
        req.body.items.map((i) => i.skuId),
      )
      await guard(() => recordCounts(ctx.db, merchantId, req.params.id, req.body.items, by(req.auth)))
      return countJson(req.auth, req.params.id)
    },
  )

  const countStep = (
    path: string,
    summary: string,
    run: (merchantId: string, id: string, who: DocActor) => Promise<unknown>,
  ) =>
    app.post(
      path,
      { schema: { tags, summary, params: IdParams, response: { 200: CountSchema, ...errorResponses } } },
      async (req) => {
        const { merchantId } = req.auth
        await countJson(req.auth, req.params.id)
        await step(merchantId, req.params.id, () => run(merchantId, req.params.id, by(req.auth)))
        return countJson(req.auth, req.params.id)
      },
    )
  countStep(
    '/stock-counts/:id/submit',
    'Hand the sheet in for approval; an uncounted line counts as 0',
    (m, id, who) => submitCount(ctx.db, m, id, who),
  )
  countStep(
    '/stock-counts/:id/approve',
    'Approve the variance (a second person: not who counted); it is posted as adjustments, once',
    (m, id, who) => approveCount(ctx.db, m, id, who),
  )
  countStep('/stock-counts/:id/reject', 'Send a handed-in sheet back for a recount', (m, id, who) =>
    rejectCount(ctx.db, m, id, who),
  )

  // ───────────── transfers ─────────────

  const transferJson = async (auth: Auth, id: string) => {
    const t = await guard(() => getTransfer(ctx.db, auth.merchantId, id))
    if (!inScope(auth, t.head.from_warehouse_id, t.head.to_warehouse_id)) throw notFound('transfer', id)
    const who = await names(auth.merchantId, [t.head.created_by, t.head.shipped_by, t.head.received_by])
    const name = (x: string | null) => (x ? (who.get(x) ?? null) : null)
    return {
      id: t.head.id,
      number: t.head.number,
      status: t.head.status,
      fromWarehouseId: t.head.from_warehouse_id,
      fromWarehouseName: t.whs.get(t.head.from_warehouse_id)?.name ?? '',
      toWarehouseId: t.head.to_warehouse_id,
      toWarehouseName: t.whs.get(t.head.to_warehouse_id)?.name ?? '',
      note: t.head.note,
      discrepancyNote: t.head.discrepancy_note,
      createdAt: t.head.created_at.toISOString(),
      shippedAt: iso(t.head.shipped_at),
      receivedAt: iso(t.head.received_at),
      createdBy: name(t.head.created_by),
      shippedBy: name(t.head.shipped_by),
      receivedBy: name(t.head.received_by),
      lines: t.lines.map((l) => ({
        lineNo: l.line_no,
        skuId: l.sku_id,
        skuCode: t.skus.get(l.sku_id)?.code ?? '',
        skuName: t.skus.get(l.sku_id)?.name ?? '',
        quantity: l.quantity,
        received: l.received,
        inTransit: t.head.status === 'in_transit' ? l.quantity - l.received : 0,
        discrepancy: t.head.status === 'received' ? l.quantity - l.received : 0,
      })),
    }
  }

  app.get(
    '/transfers',
    {
      schema: {
        tags,
        summary: 'Transfers (调拨单), newest first; warehouseId matches the source or the destination',
        querystring: ListQuery(TransferStatus),
        response: { 200: Page(TransferSummary), ...errorResponses },
      },
    },
    async (req) => {
      const { items, next } = await listPage(req.auth, req.query, listTransfers)
      return {
        next,
        items: items.map((t) => ({
          id: t.id,
          number: t.number,
          status: t.status,
          fromWarehouseId: t.from_warehouse_id,
          fromWarehouseName: t.from_name,
          toWarehouseId: t.to_warehouse_id,
          toWarehouseName: t.to_name,
          units: Number(t.units),
          receivedUnits: Number(t.received_units),
          createdAt: t.created_at.toISOString(),
          shippedAt: iso(t.shipped_at),
          receivedAt: iso(t.received_at),
        })),
      }
    },
  )

  app.post(
    '/transfers',
    {
      schema: {
        tags,
        summary: 'Draft a transfer between two warehouses',
        body: Type.Object(
          {
            fromWarehouseId: Id,
            toWarehouseId: Id,
            note: Type.Optional(Nullable(Note)),
            lines: Type.Array(Type.Object({ skuId: Id, quantity: Qty }, { additionalProperties: false }), {
              minItems: 1,
              maxItems: 500,
            }),
          },
          { additionalProperties: false },
        ),
        response: { 201: TransferSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      await mustOwn(ctx.db, merchantId, 'warehouses', 'warehouse', [
        req.body.fromWarehouseId,
        req.body.toWarehouseId,
      ])
      await mustOwn(
        ctx.db,
        merchantId,
        'skus',
        'SKU',
        req.body.lines.map((l) => l.skuId),
      )
      const { id } = await guard(() => createTransfer(ctx.db, merchantId, req.body, by(req.auth)))
      return reply.status(201).send(await transferJson(req.auth, id))
    },
  )

  app.get(
    '/transfers/:id',
    {
      schema: {
        tags,
        summary: 'A transfer with its lines',
        params: IdParams,
        response: { 200: TransferSchema, ...errorResponses },
      },
    },
    async (req) => transferJson(req.auth, req.params.id),
  )

  app.post(
    '/transfers/:id/ship',
    {
      schema: {
        tags,
        summary: 'Ship: the stock leaves the source and is in transit (available nowhere); once',
        params: IdParams,
        response: { 200: TransferSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await transferJson(req.auth, req.params.id)
      await step(merchantId, req.params.id, () =>
        shipTransfer(ctx.db, merchantId, req.params.id, by(req.auth)),
      )
      return transferJson(req.auth, req.params.id)
    },
  )

  app.post(
    '/transfers/:id/receive',
    {
      schema: {
        tags,
        summary:
          'Receive at the destination, partly if need be; final closes it and records what never arrived',
        params: IdParams,
        body: Type.Object(
          {
            lines: Type.Array(
              Type.Object(
                {
                  lineNo: Type.Integer({ minimum: 1, maximum: 500 }),
                  quantity: Int({ maximum: 10_000_000 }),
                },
                { additionalProperties: false },
              ),
              { maxItems: 500 },
            ),
            final: Type.Optional(
              Type.Boolean({ description: 'close the transfer even if some units never arrived' }),
            ),
            discrepancyNote: Type.Optional(Note),
          },
          { additionalProperties: false },
        ),
        response: { 200: TransferSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await transferJson(req.auth, req.params.id)
      await step(merchantId, req.params.id, () =>
        receiveTransfer(
          ctx.db,
          merchantId,
          req.params.id,
          {
            lines: req.body.lines,
            final: req.body.final ?? false,
            discrepancyNote: req.body.discrepancyNote,
          },
          by(req.auth),
        ),
      )
      return transferJson(req.auth, req.params.id)
    },
  )
}
