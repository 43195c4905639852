/**
 * One error type for the API: each error carries its stable code and HTTP status, so the handler
 * stays short. Every error body has the shape { error: { code, message, details } }.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import type { Executor } from '../db/connect.js'
import { notOwned, type OwnedTable } from '../db/owned.js'

export const ERROR_CODES = [
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'insufficient_stock',
  'idempotency_conflict',
  'sku_unmapped',
  'invalid_transition',
  'credentials_rejected',
  'upstream_unavailable',
  'period_closed',
  'invalid_credentials',
  'too_many_attempts',
  'csrf_failed',
  'password_change_required',
  'internal',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export type HttpStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503

const FieldError = Type.Object({
  field: Type.String({ description: 'where: body/items/1/name, querystring/limit, params/id…' }),
  message: Type.String(),
})
/** What an error says beyond its message; each code fills in what it knows. */
export const ErrorDetailsSchema = Type.Object(
  {
    field: Type.Optional(Type.String({ description: 'the input at fault (the first, when several are)' })),
    fields: Type.Optional(Type.Array(FieldError, { description: 'every input at fault' })),
    id: Type.Optional(Type.String({ description: 'the id that was not found' })),
    role: Type.Optional(Type.String({ description: "the caller's role, when it may not do this" })),
    reason: Type.Optional(
      Type.String({ description: 'a stable machine-readable reason the console translates' }),
    ),
    problems: Type.Optional(
      Type.Array(
        Type.Union([
          Type.String(),
          Type.Object({
            field: Type.String(),
            path: Type.String(),
            code: Type.String(),
            message: Type.String(),
          }),
        ]),
      ),
    ),
    channel: Type.Optional(Type.String({ description: 'the channel concerned' })),
    retryAfterSeconds: Type.Optional(Type.Integer({ description: 'when to try again' })),
    unknown: Type.Optional(Type.Array(Type.String(), { description: 'codes or ids that were not found' })),
    httpStatus: Type.Optional(
      Type.Union([Type.Integer(), Type.Null()], { description: "the platform's HTTP status" }),
    ),
    requestId: Type.Optional(Type.String({ description: 'quote it when reporting an internal error' })),
    skuId: Type.Optional(Type.String({ description: 'the SKU concerned' })),
    skuIds: Type.Optional(Type.Array(Type.String(), { description: 'the SKUs to choose from' })),
    shipped: Type.Optional(Type.Integer({ description: 'a return: units of the line that shipped' })),
    returned: Type.Optional(
      Type.Integer({ description: 'a return: units of the line that came back before' }),
    ),
    returnable: Type.Optional(Type.Integer({ description: 'a return: units that may still come back' })),
  },
  { additionalProperties: false },
)
export type ErrorDetails = Static<typeof ErrorDetailsSchema>

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.Enum(ERROR_CODES),
    message: Type.String(),
    details: Type.Union([ErrorDetailsSchema, Type.Null()]),
  }),
})

export class AppError extends Error {
  override name = 'AppError'
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: HttpStatus = 400,
    readonly details?: ErrorDetails,
  ) {
    super(message)
  }
}

export const notFound = (what: string, id: string) =>
  new AppError('not_found', `${what} ${id} not found`, 404, { id })
export const conflict = (message: string, details?: ErrorDetails) =>
  new AppError('conflict', message, 409, details)
export const invalid = (message: string, details?: ErrorDetails) =>
  new AppError('validation_failed', message, 400, details)

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      // Details a route declared no field for would fail the response schema and turn a refusal into
      // a 500: send the declared fields and log what was left out.
      let details = err.details ?? null
      if (details && !Value.Check(ErrorDetailsSchema, details)) {
        req.log.warn({ details }, 'error details beyond ErrorDetailsSchema were left out')
        details = Value.Clean(ErrorDetailsSchema, structuredClone(details)) as ErrorDetails
      }
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, details } })
    }
    if (err.validation) {
      const fields = err.validation.map((v) => ({
        field: `${err.validationContext ?? 'body'}${v.instancePath || ''}${missingProperty(v.params)}`,
        message: v.message ?? 'is invalid',
      }))
      const message = fields.map((d) => `${d.field} ${d.message}`).join('; ')
      return reply
        .status(400)
        .send({ error: { code: 'validation_failed', message, details: { field: fields[0]!.field, fields } } })
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      const code: ErrorCode =
        err.statusCode === 404 ? 'not_found' : err.statusCode === 401 ? 'unauthorized' : 'validation_failed'
      // The body parser's refusals (too large, not JSON, a media type the route does not take) name the body.
      const body = typeof err.code === 'string' && err.code.startsWith('FST_ERR_CTP_')
      return reply.status(err.statusCode).send({
        error: {
          code,
          message: body ? `body: ${err.message}` : err.message,
          details: body ? { field: 'body' } : null,
        },
      })
    }
    req.log.error({ err }, 'unhandled error')
    return reply
      .status(500)
      .send({ error: { code: 'internal', message: 'Internal error', details: { requestId: req.id } } })
  })
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      error: { code: 'not_found', message: `route ${req.method} ${req.url} not found`, details: null },
    }),
  )
}

/**
 * The router's own refusals (a path parameter over the router's length limit, a malformed escape in
 * the path), in the API's error shape rather than fastify's.
 */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  void reply.status(err.statusCode ?? 400).send({
    error: { code: 'validation_failed', message: `params: ${err.message}`, details: { field: 'params' } },
  })
}

function missingProperty(params: unknown): string {
  if (typeof params === 'object' && params !== null && 'missingProperty' in params) {
    return `/${String(params.missingProperty)}`
  }
  return ''
}

/** 404 unless every id is the merchant's: another merchant's id is answered like a missing one. */
export async function mustOwn(
  db: Executor,
  merchantId: string,
  table: OwnedTable,
  what: string,
  ids: readonly string[],
): Promise<void> {
  const unknown = await notOwned(db, merchantId, table, ids)
  if (unknown.length > 0)
    throw new AppError('not_found', `${what} ${unknown.join(', ')} not found`, 404, {
      id: unknown[0]!,
      unknown,
    })
}
