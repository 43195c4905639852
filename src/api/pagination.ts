/**
 * One list shape for the whole API: `?cursor=&limit=` in, `{ items, next }` out. `next` is an opaque
 * cursor (base64url JSON of the last row's sort key) or null on the last page; nothing is ever cut
 * silently. Each list reads `limit + 1` rows: the extra one only tells whether a next page exists.
 */
import { Type, type TSchema } from 'typebox'
import { invalid } from './errors.js'

export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 500

/** The query parameters of every list; spread them into the route's querystring object. */
export const PageQuery = {
  cursor: Type.Optional(
    Type.String({ minLength: 1, maxLength: 500, description: 'the `next` of the previous page, as given' }),
  ),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'items per page' }),
  ),
}

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    next: Type.Union([Type.String(), Type.Null()], {
      description: 'cursor of the next page (pass it as ?cursor=), or null on the last page',
    }),
  })

type Part = 'string' | 'number'
type KeyOf<S extends readonly Part[]> = { [K in keyof S]: S[K] extends 'number' ? number : string }

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

/**
 * The sort key a cursor carries, checked against the shape this list sorts by; undefined without a
 * cursor. A cursor from another list, or no cursor at all, is a 400 naming it.
 */
export function readCursor<const S extends readonly Part[]>(
  cursor: string | undefined,
  shape: S,
): KeyOf<S> | undefined {
  if (cursor === undefined) return undefined
  let key: unknown
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    key = null
  }
  const fits =
    Array.isArray(key) &&
    key.length === shape.length &&
    key.every((v, i) => typeof v === shape[i] && (typeof v !== 'string' || v.length <= 200))
  if (!fits)
    throw invalid('querystring/cursor is not a cursor of this list: pass the `next` of its previous page', {
      field: 'querystring/cursor',
    })
  return key as KeyOf<S>
}

/** A page from `limit + 1` rows read in order: the first `limit`, and the cursor after the last. */
export function pageOf<R>(
  rows: readonly R[],
  limit: number,
  key: (last: R) => readonly (string | number)[],
): { items: R[]; next: string | null } {
  const items = rows.slice(0, limit)
  return { items, next: rows.length > limit ? encodeCursor(key(items.at(-1)!)) : null }
}
