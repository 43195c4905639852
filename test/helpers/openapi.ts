/**
 * The API's own OpenAPI document, read as data: its operations, their parameters and bodies, so
 * that tests can walk every route rather than a hand-kept list.
 */
import type { FastifyInstance } from 'fastify'

export interface Schema {
  type?: string
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  additionalProperties?: boolean | Schema
  propertyNames?: Schema
  anyOf?: Schema[]
  enum?: unknown[]
  const?: unknown
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  maxItems?: number
  maxProperties?: number
  nullable?: boolean
  description?: string
}

export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header'
  required?: boolean
  schema: Schema
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** OpenAPI path, e.g. /shops/{id}. */
  path: string
  /** fastify path, e.g. /shops/:id. */
  route: string
  parameters: Parameter[]
  body: Schema | null
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>
  security: unknown
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, Omit<Operation, 'method' | 'path' | 'route'>>>
}

export async function openApi(app: FastifyInstance): Promise<OpenApiDoc> {
  const res = await app.inject({ method: 'GET', url: '/docs/json' })
  if (res.statusCode !== 200) throw new Error(`/docs/json answered ${res.statusCode}`)
  return res.json<OpenApiDoc>()
}

export function operations(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = []
  for (const [path, byMethod] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(byMethod)) {
      const raw = op as unknown as {
        parameters?: Parameter[]
        requestBody?: { content?: Record<string, { schema?: Schema }> }
        responses?: Operation['responses']
        security?: unknown
      }
      ops.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        route: path.replace(/\{(\w+)\}/g, ':$1'),
        parameters: raw.parameters ?? [],
        body: raw.requestBody?.content?.['application/json']?.schema ?? null,
        responses: raw.responses ?? {},
        security: raw.security,
      })
    }
  }
  return ops
}

export const opName = (op: Pick<Operation, 'method' | 'route'>) => `${op.method} ${op.route}`

/** A path with each parameter filled in by `value(name)`. */
export function fillPath(op: Operation, value: (name: string) => string): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(value(name)))
}
