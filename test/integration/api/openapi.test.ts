/**
 * The OpenAPI document is what the console and integrators generate their types from: every
 * response has a real schema (no `Unknown`), every key and parameter is camelCase.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildApp } from '../../../src/app.js'
import { testEnv, type TestEnv } from '../../helpers/app.js'
import { openApi, operations, opName, type Operation, type Schema } from '../../helpers/openapi.js'

let env: TestEnv
let ops: Operation[]
beforeAll(async () => {
  env = await testEnv()
  ops = operations(await openApi(env.app))
})
afterAll(() => env.close())

// Routes compile their schemas on first call (src/api/compilers.ts); compiled all at once, as at
// start-up, every one of them must still compile.
it("compiles every route's validators and serializers", async () => {
  const eager = await buildApp(env.ctx, { compileSchemas: 'at-start' })
  await expect(eager.ready()).resolves.toBe(eager)
  await eager.close()
})

const CAMEL = /^[a-z][a-zA-Z0-9]*$/

/** Maps whose keys and values are data the merchant or the platform chose, not the API's fields. */
const FREE_FORM = [
  /\/(settings)$/, // shop settings: one schema per channel, owned by the shops module
  /\/detail$/, // an exception's machine-readable detail, per reason
  /\/settingsSchema$/, // a channel's settings form: a JSON Schema document, not the API's fields
  /\/tasks\/0\/message$/, // a print task in the platform print component's own protocol (waybills.md §1.8, §2.5, §3.4, §4.5)
]

/** Objects whose keys are values of an enum the API answers elsewhere (order statuses), not field names. */
const KEYED_BY_VALUE = [/\/byStatus$/]

function problems(s: Schema, path: string): string[] {
  if (s.anyOf) return s.anyOf.flatMap((a, i) => problems(a, `${path}|${i}`))
  const isEmpty =
    s.type === undefined && s.enum === undefined && s.const === undefined && s.nullable === undefined
  if (isEmpty) return FREE_FORM.some((r) => r.test(path)) ? [] : [`${path}: no schema`]
  const out: string[] = []
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    if (!CAMEL.test(k) && !KEYED_BY_VALUE.some((r) => r.test(path))) out.push(`${path}/${k}: not camelCase`)
    out.push(...problems(v, `${path}/${k}`))
  }
  if (s.items) out.push(...problems(s.items, `${path}/0`))
  if (typeof s.additionalProperties === 'object') {
    if (Object.keys(s.additionalProperties).length > 0)
      out.push(...problems(s.additionalProperties, `${path}/*`))
    else if (!FREE_FORM.some((r) => r.test(path))) out.push(`${path}: a map of anything`)
  }
  return out
}

it('gives every response a schema, camelCase all the way down', () => {
  const found: string[] = []
  for (const op of ops) {
    for (const [status, r] of Object.entries(op.responses)) {
      if (status === '204') continue
      const content = r.content ?? {}
      if (Object.keys(content).length === 0) found.push(`${opName(op)} ${status}: no content`)
      for (const [type, c] of Object.entries(content)) {
        if (!c.schema) found.push(`${opName(op)} ${status} ${type}: no schema`)
        else if (type === 'application/json') found.push(...problems(c.schema, `${opName(op)} ${status}`))
      }
    }
  }
  expect(found).toEqual([])
})

it('names every parameter in camelCase (the platform names its own OAuth callback parameters)', () => {
  const found = ops.flatMap((op) =>
    op.parameters
      .filter((p) => p.in !== 'header' && !CAMEL.test(p.name))
      .map((p) => `${opName(op)} ${p.in}/${p.name}`),
  )
  expect(found).toEqual([])
})
