/**
 * Exception orders (异常单): the inbox (list with filters, open counts per reason), assignment,
 * resolve one or many by hand (which re-runs each order's pipeline).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { Auth } from '../api/auth.js'
import type { AppContext } from '../context.js'
import { mustOwn, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { Id, IdParams, Timestamp, errorResponses } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { getUser } from '../users/repo.js'
import { shopScope } from '../users/scope.js'
import { assignExceptions, exceptionsByIds, listExceptions, openByReason } from './exception-inbox.js'
import { resolveExceptions } from './exceptions.js'
import { rerunEntry, rerunOrder } from './rerun.js'
import { EXCEPTION_REASONS } from './tables.js'
import { ExceptionSchema, exceptionJson } from './views.js'

const Assignee = Type.Union([Id, Type.Literal('none')], { description: "a user's id, or none: unassigned" })
const Note = Type.String({ maxLength: 200 })

export async function exceptionRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['orders']

  /** Resolve the named exceptions (already checked to be the caller's) and re-run what they held. */
  async function resolve(auth: Auth, rows: Awaited<ReturnType<typeof exceptionsByIds>>, note: string) {
    const { merchantId } = auth
    let resolved = 0
    const reruns: Record<string, string> = {}
    for (const ex of rows) {
      resolved += await resolveExceptions(
        ctx.db,
        merchantId,
        { id: ex.id, ...(ex.order_id ? { orderId: ex.order_id } : {}) },
        auth.apiKeyId,
        note,
        ctx.clock.now(),
      )
      await audit(ctx.db, merchantId, {
        ...apiActor(auth),
        action: 'exception.resolve',
        entityType: 'order_exception',
        entityId: ex.id,
      })
    }
    // One re-run per order, after all its exceptions are resolved.
    for (const ex of rows) {
      const key = ex.order_id ?? ex.raw_inbox_id
      if (!key || key in reruns) continue
      reruns[key] = ex.order_id
        ? await rerunOrder(ctx, merchantId, ex.order_id)
        : await rerunEntry(ctx, merchantId, ex.raw_inbox_id!)
    }
    return { resolved, reruns }
  }

  app.get(
    '/exceptions',
    {
      schema: {
        tags,
        summary: 'Exception orders (异常单) with machine-readable reasons, newest first',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(['open', 'resolved'])),
          reason: Type.Optional(Type.Enum(EXCEPTION_REASONS)),
          orderId: Type.Optional(Id),
          shopId: Type.Optional(Id),
          assigneeId: Type.Optional(Assignee),
          ...PageQuery,
        }),
        response: { 200: Page(ExceptionSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor, ...rest } = req.query
      const before = readCursor(cursor, ['string'])?.[0]
      const rows = await listExceptions(ctx.db, req.auth.merchantId, {
        ...rest,
        shopIds: shopScope(req.auth),
        limit: limit + 1,
        ...(before !== undefined ? { before } : {}),
      })
      const { items, next } = pageOf(rows, limit, (e) => [e.id])
      return { items: items.map(exceptionJson), next }
    },
  )

  app.get(
    '/exceptions/counts',
    {
      schema: {
        tags,
        summary: "Open exceptions per reason with the oldest one's time (the inbox's groups)",
        querystring: Type.Object({ assigneeId: Type.Optional(Assignee) }),
        response: {
          200: Type.Object({
            open: Type.Integer(),
            byReason: Type.Array(
              Type.Object({
                reason: Type.Enum(EXCEPTION_REASONS),
                open: Type.Integer(),
                oldestAt: Timestamp,
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const rows = await openByReason(ctx.db, req.auth.merchantId, {
        shopIds: shopScope(req.auth),
        ...(req.query.assigneeId ? { assigneeId: req.query.assigneeId } : {}),
      })
      return {
        open: rows.reduce((n, r) => n + r.open, 0),
        byReason: rows.map((r) => ({ ...r, oldestAt: r.oldestAt.toISOString() })),
      }
    },
  )

  app.patch(
    '/exceptions/:id',
    {
      schema: {
        tags,
        summary: 'Assign an exception to a user of the merchant (null: nobody)',
        params: IdParams,
        body: Type.Object({ assigneeId: Type.Union([Id, Type.Null()]) }, { additionalProperties: false }),
        response: { 200: ExceptionSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const [ex] = await exceptionsByIds(ctx.db, merchantId, [req.params.id], shopScope(req.auth))
      if (!ex) throw notFound('exception', req.params.id)
      const { assigneeId } = req.body
      if (assigneeId && !(await getUser(ctx.db, merchantId, assigneeId))) throw notFound('user', assigneeId)
      if (await assignExceptions(ctx.db, merchantId, [ex.id], assigneeId))
        await audit(ctx.db, merchantId, {
          ...apiActor(req.auth),
          action: 'exception.assign',
          entityType: 'order_exception',
          entityId: ex.id,
          detail: { assigneeId },
        })
      const [row] = await listExceptions(ctx.db, merchantId, { id: ex.id, limit: 1 })
      return exceptionJson(row!)
    },
  )

  app.post(
    '/exceptions/resolve',
    {
      schema: {
        tags,
        summary: 'Resolve several exceptions at once (批量处理); each order re-runs once',
        body: Type.Object(
          { ids: Type.Array(Id, { minItems: 1, maxItems: 100 }), note: Type.Optional(Note) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            resolved: Type.Integer({ description: 'how many were open and are now resolved' }),
            reruns: Type.Record(Type.String(), Type.String(), {
              description: 'per order (or raw entry) id, what re-running did',
            }),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const ids = [...new Set(req.body.ids)]
      const rows = await exceptionsByIds(ctx.db, merchantId, ids, shopScope(req.auth))
      if (rows.length < ids.length) await mustOwn(ctx.db, merchantId, 'order_exceptions', 'exception', ids)
      const found = new Set(rows.map((r) => r.id))
      const outside = ids.find((id) => !found.has(id))
      if (outside) throw notFound('exception', outside)
      return resolve(req.auth, rows, req.body.note ?? 'resolved by hand')
    },
  )

  app.post(
    '/exceptions/:id/resolve',
    {
      schema: {
        tags,
        summary: 'Resolve an exception and re-run the pipeline for its order',
        params: IdParams,
        body: Type.Object({ note: Type.Optional(Note) }, { additionalProperties: false }),
        response: { 200: Type.Object({ resolved: Type.Boolean(), rerun: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      const rows = await exceptionsByIds(ctx.db, req.auth.merchantId, [req.params.id], shopScope(req.auth))
      if (!rows[0]) throw notFound('exception', req.params.id)
      const r = await resolve(req.auth, rows, req.body.note ?? 'resolved by hand')
      return { resolved: r.resolved > 0, rerun: Object.values(r.reruns)[0] ?? 'not_found' }
    },
  )
}
