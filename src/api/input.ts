/**
 * Strict input: every malformed request is a 4xx naming the field, never a 500 and never a guess.
 * - Bodies are validated without type coercion: `"active": "no"` is an error, not `false`, and
 *   `"code": true` is an error, not the string "true". Infinity and NaN are not numbers.
 * - Query strings are strings: each parameter is parsed here, explicitly, by its declared type (a
 *   decimal integer within the safe range, `true`/`false`), and left as the string it was when it
 *   does not parse, so that validation names it (`querystring/limit must be integer`).
 * - A JSON body nested deeper than MAX_DEPTH levels is refused, naming the field.
 * - Bodies are bounded per route (`bodyLimit`); DEFAULT_BODY_LIMIT for the others.
 */
import type { FastifyInstance, FastifyRequest, preValidationHookHandler } from 'fastify'
import { invalid } from './errors.js'

export const AJV_OPTIONS = {
  allErrors: true,
  removeAdditional: false,
  coerceTypes: false,
  useDefaults: true,
  strictNumbers: true,
} as const

export const DEFAULT_BODY_LIMIT = 64 * 1024
/** Deep enough for any body of this API (shop settings nest four levels), shallow enough for every JSON column. */
export const MAX_DEPTH = 16

type QueryKind = 'integer' | 'number' | 'boolean'

interface JsonSchemaLike {
  type?: unknown
  properties?: Record<string, JsonSchemaLike>
}

export function installStrictInput(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const hooks: preValidationHookHandler[] = []
    const kinds = queryKinds(route.schema?.querystring as JsonSchemaLike | undefined)
    if (kinds.size > 0) hooks.push(parseQuery(kinds))
    if (route.schema?.body) hooks.push(boundDepth)
    if (hooks.length === 0) return
    const existing = route.preValidation
    route.preValidation = [...(existing ? [existing].flat() : []), ...hooks]
  })
}

function queryKinds(schema: JsonSchemaLike | undefined): Map<string, QueryKind> {
  const kinds = new Map<string, QueryKind>()
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    if (prop.type === 'integer' || prop.type === 'number' || prop.type === 'boolean')
      kinds.set(name, prop.type)
  }
  return kinds
}

const INTEGER = /^-?\d{1,16}$/
const NUMBER = /^-?\d{1,16}(\.\d{1,16})?$/

/** The value a query-string parameter means, or the string itself when it means nothing of its type. */
export function parseQueryValue(kind: QueryKind, raw: string): string | number | boolean {
  switch (kind) {
    case 'integer': {
      const n = Number(raw)
      return INTEGER.test(raw) && Number.isSafeInteger(n) ? n : raw
    }
    case 'number':
      return NUMBER.test(raw) ? Number(raw) : raw
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw
  }
}

function parseQuery(kinds: Map<string, QueryKind>): preValidationHookHandler {
  return function parse(req: FastifyRequest, _reply, done) {
    const query = req.query as Record<string, unknown>
    for (const [name, kind] of kinds) {
      const raw = query[name]
      if (typeof raw === 'string') query[name] = parseQueryValue(kind, raw)
    }
    done()
  }
}

const boundDepth: preValidationHookHandler = function boundDepth(req, _reply, done) {
  const path = tooDeep(req.body, MAX_DEPTH)
  if (path === null) return done()
  const field = ['body', ...path].join('/')
  done(invalid(`${field} nests deeper than ${MAX_DEPTH} levels`, { field }))
}

/**
 * The path of the top-level fields under which `value` nests deeper than `max` levels, or null.
 * Iterative, so a hostile body cannot exhaust the stack here.
 */
export function tooDeep(value: unknown, max: number): string[] | null {
  const stack: { v: unknown; depth: number; top: string | null }[] = [{ v: value, depth: 0, top: null }]
  while (stack.length > 0) {
    const { v, depth, top } = stack.pop()!
    if (typeof v !== 'object' || v === null || Buffer.isBuffer(v)) continue
    if (depth >= max) return top === null ? [] : [top]
    for (const [k, child] of Object.entries(v)) {
      if (typeof child === 'object' && child !== null)
        stack.push({ v: child, depth: depth + 1, top: top ?? (Array.isArray(v) ? String(k) : k) })
    }
  }
  return null
}
