/** Schemas shared by many routes. */
import { Type, type Static, type TSchema } from 'typebox'
import { ROLES } from '../db/schema.js'
import { ErrorBody } from './errors.js'

export const Id = Type.String({ pattern: '^[0-9A-HJKMNP-TV-Z]{26}$', description: 'ULID' })
export const IdParams = Type.Object({ id: Id })
export const Role = Type.Enum(ROLES)
export const Timestamp = Type.String({ format: 'date-time' })
/** T or null. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
/** A money amount in a response: an exact decimal string, never a JSON number. */
export const Money = Type.String({ description: 'exact decimal string, e.g. "12.50"' })
/** Free-form JSON kept as the platform or the merchant gave it. */
export const FreeForm = Type.Record(Type.String(), Type.Unknown())
/** Largest value of a signed 32-bit INT column. */
export const INT_MAX = 2_147_483_647
/** A whole number that fits an INT column, from `minimum` (0 unless given). */
export const Int = (opts: { minimum?: number; maximum?: number; description?: string } = {}) =>
  Type.Integer({ minimum: 0, maximum: INT_MAX, ...opts })
/** A money amount as an exact decimal string that fits DECIMAL(18,4): up to 14 digits, 4 decimals. */
export const Amount = Type.String({
  pattern: '^-?\\d{1,14}(\\.\\d{1,4})?$',
  maxLength: 20,
  description: 'exact decimal string, up to 14 digits and 4 decimals',
})
/** An amount that cannot be negative (a cost, a value). */
export const NonNegativeAmount = Type.String({
  pattern: '^\\d{1,14}(\\.\\d{1,4})?$',
  maxLength: 19,
  description: 'exact non-negative decimal string, up to 14 digits and 4 decimals',
})
/** ISO 4217 currency code. */
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3 })

export { ErrorBody }

/** Standard error responses, so the OpenAPI document lists them. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
} as const

export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null)

/** A JSON column's value: parsed by the driver, or its text when a driver hands text back. */
export function jsonColumn<T>(v: T | string): T {
  return typeof v === 'string' ? (JSON.parse(v) as T) : v
}

export type { Static }
