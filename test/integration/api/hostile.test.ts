/**
 * Strict input, proven over the whole API: every route of the OpenAPI document is sent hostile
 * input — numbers beyond any column, wrong types, strings and arrays past their bounds, unknown
 * fields, 5,000 levels of nesting, an 11 MB body, broken JSON — and must answer 4xx naming the
 * field, write nothing and leave the service healthy. A second test reads the document itself: every
 * field a client may send has its bounds declared.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../../src/lib/ids.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { fillPath, openApi, operations, opName, type Operation, type Schema } from '../../helpers/openapi.js'

let env: TestEnv
let m: TestMerchant
let ops: Operation[]

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  ops = operations(await openApi(env.app))
})
afterAll(() => env.close())

const VALID_PARAM: Record<string, () => string> = {
  id: newId,
  shopId: newId,
  channel: () => 'jd',
  code: () => 'sales',
  period: () => '2024-01',
}
const validPath = (op: Operation) =>
  fillPath(op, (name) => {
    const v = VALID_PARAM[name]
    if (!v) throw new Error(`${opName(op)}: no valid value for path parameter ${name}`)
    return v()
  })

interface Case {
  what: string
  field: string
  url: string
  payload?: string
  headers?: Record<string, string>
}

/** The member of a nullable union that carries the type. */
const core = (s: Schema): Schema =>
  s.anyOf ? (s.anyOf.find((a) => a.type !== 'null' && !a.nullable) ?? s.anyOf[0]!) : s
const nullable = (s: Schema) => !!s.nullable || !!s.anyOf?.some((a) => a.type === 'null' || a.nullable)

const SAMPLE_STRINGS = [newId(), '1', 'CNY', '2024-01', '2024-01-01', 'a']
/** A value this schema accepts, so that a case can fail on one field only (its headers, say). */
function validJson(s: Schema): unknown {
  const c = core(s)
  if (c.enum) return c.enum[0]
  if (c.const !== undefined) return c.const
  switch (c.type ?? '') {
    case 'string': {
      const ok = SAMPLE_STRINGS.find(
        (v) =>
          (!c.pattern || new RegExp(c.pattern).test(v)) &&
          v.length >= (c.minLength ?? 0) &&
          v.length <= (c.maxLength ?? Infinity),
      )
      return ok ?? 'a'.repeat(c.minLength ?? 1)
    }
    case 'integer':
    case 'number':
      return Math.max(c.minimum ?? 1, 1)
    case 'boolean':
      return true
    case 'array':
      return c.items ? [validJson(c.items)] : []
    case 'object':
      return Object.fromEntries((c.required ?? []).map((k) => [k, validJson(c.properties![k]!)]))
    default:
      return null
  }
}

const HUGE_INTEGERS = ['9223372036854775808', '-9223372036854775809', '1e309', '-1e309']

/** Raw JSON values that no field of this schema may accept. */
function hostileJson(s: Schema): string[] {
  const c = core(s)
  const nul = nullable(s) ? [] : ['null']
  if (c.enum || c.const !== undefined) return ['"not-one-of-these"', '7', ...nul]
  switch (c.type ?? '') {
    case 'string':
      return [
        'true',
        '12345',
        '{}',
        ...(c.maxLength !== undefined ? [JSON.stringify('9'.repeat(c.maxLength + 1))] : []),
        ...nul,
      ]
    case 'integer':
      return ['"1"', '1.5', 'true', ...HUGE_INTEGERS, ...nul]
    case 'number':
      return ['"1"', 'true', ...HUGE_INTEGERS, ...nul]
    case 'boolean':
      return ['"no"', '"false"', '0', ...nul]
    case 'array':
      return [
        '"x"',
        '{}',
        ...(c.maxItems !== undefined
          ? [
              `[${Array(c.maxItems + 1)
                .fill(itemJson(c.items))
                .join(',')}]`,
            ]
          : []),
        ...nul,
      ]
    case 'object':
      return ['"x"', '[]', '5', ...nul]
    default:
      return []
  }
}

/** A value that is at least the right shape for an array's items (so that the count is what fails). */
function itemJson(s: Schema | undefined): string {
  const c = s ? core(s) : {}
  if (c.enum) return JSON.stringify(c.enum[0])
  switch (c.type ?? '') {
    case 'string':
      return '"a"'
    case 'integer':
    case 'number':
      return '1'
    case 'boolean':
      return 'true'
    default:
      return '{}'
  }
}

/** Every field of a body schema with its path, down through objects and the items of arrays. */
function fields(
  s: Schema,
  path: string,
  wrap: (inner: string) => string,
): { path: string; schema: Schema; wrap: (v: string) => string }[] {
  const c = core(s)
  const out: { path: string; schema: Schema; wrap: (v: string) => string }[] = []
  const props = Object.entries(c.properties ?? {})
  if (typeof c.additionalProperties === 'object' && props.length === 0)
    props.push(['someKey', c.additionalProperties])
  for (const [name, child] of props) {
    const childWrap = (v: string) => wrap(`{${JSON.stringify(name)}:${v}}`)
    out.push({ path: `${path}/${name}`, schema: child, wrap: childWrap })
    const cc = core(child)
    if (cc.type === 'object') out.push(...fields(child, `${path}/${name}`, childWrap))
    if (cc.type === 'array' && cc.items && core(cc.items).type === 'object')
      out.push(...fields(cc.items, `${path}/${name}/0`, (v) => childWrap(`[${v}]`)))
  }
  return out
}

const DEEP = `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`
const HUGE_BODY = `{"x":"${'a'.repeat(11 * 1024 * 1024)}"}`

function cases(op: Operation): Case[] {
  const url = validPath(op)
  const out: Case[] = []
  const validBody = op.body ? JSON.stringify(validJson(op.body)) : undefined
  for (const p of op.parameters) {
    const s = core(p.schema)
    if (p.in === 'path') {
      const at = (value: string) => fillPath(op, (n) => (n === p.name ? value : VALID_PARAM[n]!()))
      out.push({
        what: 'a path parameter past its bounds',
        field: `params/${p.name}`,
        url: at('x'.repeat(90)),
      })
      out.push({
        what: 'an overlong path parameter',
        field: 'params',
        url: at('x'.repeat(300)),
      })
      continue
    }
    const raw: string[] =
      s.type === 'integer'
        ? [
            '1e309',
            '9223372036854775808',
            '1.5',
            'abc',
            ...(s.maximum !== undefined ? [String(s.maximum + 1)] : []),
          ]
        : s.type === 'boolean'
          ? ['no', '1']
          : s.enum
            ? ['not-one-of-these']
            : [
                ...(s.maxLength !== undefined ? ['9'.repeat(s.maxLength + 1)] : []),
                ...(s.pattern || s.format ? ['%%%'] : []),
              ]
    for (const v of raw) {
      if (p.in === 'header') {
        out.push({
          what: `header ${p.name}=${v.slice(0, 20)}`,
          field: `headers/${p.name}`,
          url,
          headers: { [p.name]: v },
          payload: validBody,
        })
      } else {
        const sep = url.includes('?') ? '&' : '?'
        out.push({
          what: `query ${p.name}=${v.slice(0, 20)}`,
          field: `querystring/${p.name}`,
          url: `${url}${sep}${p.name}=${encodeURIComponent(v)}`,
          payload: validBody,
        })
      }
    }
  }
  if (op.method === 'GET') return out
  out.push({ what: 'an 11 MB body', field: 'body', url, payload: HUGE_BODY })
  if (!op.body) return out
  out.push({ what: 'broken JSON', field: 'body', url, payload: '{"a":' })
  out.push({ what: '5,000 levels of nesting', field: 'body', url, payload: DEEP })
  if (core(op.body).type === 'object')
    out.push({ what: 'an array for the body', field: 'body', url, payload: '[]' })
  if (core(op.body).additionalProperties === false)
    out.push({ what: 'an unknown field', field: 'body', url, payload: '{"__unknown__":1}' })
  for (const f of fields(op.body, 'body', (v) => v))
    for (const v of hostileJson(f.schema))
      out.push({ what: `${f.path} = ${v.slice(0, 24)}`, field: f.path, url, payload: f.wrap(v) })
  return out
}

async function rowCounts(): Promise<Record<string, number>> {
  const tables = await sql<Record<string, string>>`SHOW TABLES`.execute(env.ctx.db)
  const counts: Record<string, number> = {}
  for (const row of tables.rows) {
    const t = Object.values(row)[0]!
    const r = await sql<{ n: string | number }>`SELECT COUNT(*) AS n FROM ${sql.table(t)}`.execute(env.ctx.db)
    counts[t] = Number(r.rows[0]!.n)
  }
  return counts
}

describe('hostile input on every route', () => {
  it('answers 4xx naming the field, writes nothing and stays healthy', async () => {
    const before = await rowCounts()
    const failures: string[] = []
    let sent = 0
    for (const op of ops) {
      if (op.route.startsWith('/docs')) continue
      for (const c of cases(op)) {
        sent++
        const res = await env.app.inject({
          method: op.method,
          url: c.url,
          headers: {
            ...bearer(m.keys.admin),
            ...(c.payload !== undefined ? { 'content-type': 'application/json' } : {}),
            ...c.headers,
          },
          ...(c.payload !== undefined ? { payload: c.payload } : {}),
        })
        const where = `${opName(op)} with ${c.what}`
        if (res.statusCode < 400 || res.statusCode >= 500) {
          failures.push(`${where}: ${res.statusCode} ${res.body.slice(0, 160)}`)
          continue
        }
        const message = res.json<{ error?: { message?: string } }>().error?.message ?? ''
        if (!message.includes(c.field))
          failures.push(`${where}: ${res.statusCode} does not name ${c.field}: ${message.slice(0, 200)}`)
      }
    }
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThan(500)
    expect(await rowCounts()).toEqual(before)
    expect(env.logs.filter((l) => l.includes('"level":50'))).toEqual([])
    const health = await env.app.inject({ method: 'GET', url: '/healthz' })
    expect(health.statusCode).toBe(200)
  })

  it('refuses the inputs the issue saw accepted or crashing', async () => {
    const post = (url: string, payload: unknown, method: 'POST' | 'PUT' = 'POST') =>
      env.app.inject({ method, url, headers: bearer(m.keys.admin), payload: payload as object })
    const wh = await post('/warehouses', { code: 'W1', name: 'W' })
    expect(wh.statusCode).toBe(201)
    const id = wh.json<{ id: string }>().id
    const flip = await env.app.inject({
      method: 'PATCH',
      url: `/warehouses/${id}`,
      headers: bearer(m.keys.admin),
      payload: { active: 'no' },
    })
    expect(flip.statusCode).toBe(400)
    expect(flip.json()).toMatchObject({ error: { message: 'body/active must be boolean' } })
    expect((await post('/warehouses', { code: true, name: 'x' })).json()).toMatchObject({
      error: { message: 'body/code must be string' },
    })
    await post('/skus/bulk', { items: [{ code: 'A', name: 'a' }] })
    const sku = (await env.app.inject({ method: 'GET', url: '/skus', headers: bearer(m.keys.admin) })).json<{
      items: { id: string }[]
    }>().items[0]!.id
    for (const [url, payload, field, method] of [
      [
        '/stock/receipts',
        { warehouseId: id, skuId: sku, quantity: 1, unitCost: '-1', currency: 'CNY' },
        'body/unitCost',
        'POST',
      ],
      [
        '/stock/receipts',
        { warehouseId: id, skuId: sku, quantity: 1, unitCost: '123456789012345', currency: 'CNY' },
        'body/unitCost',
        'POST',
      ],
      [
        '/stock/receipts',
        { warehouseId: id, skuId: sku, quantity: 1, unitCost: '1.00001', currency: 'CNY' },
        'body/unitCost',
        'POST',
      ],
      [
        `/skus/${sku}/bundle`,
        { components: [{ skuCode: 'A', quantity: 1, unitValue: '-1' }] },
        'body/components/0/unitValue',
        'PUT',
      ],
      ['/stock/thresholds', { items: [{ skuId: sku, threshold: 2 ** 63 }] }, 'body/items/0/threshold', 'PUT'],
      ['/skus/bulk', { items: [{ code: 'B', name: 'b', weightG: 2 ** 63 }] }, 'body/items/0/weightG', 'POST'],
    ] as const) {
      const res = await post(url, payload, method)
      expect(res.statusCode, `${url} ${field}`).toBe(400)
      expect(res.json<{ error: { message: string } }>().error.message).toContain(field)
    }
    const stock = await env.ctx.db.selectFrom('stock_movements').select('id').execute()
    expect(stock).toEqual([])
  })
})

/** Bounds every request field must declare, read from the OpenAPI document. */
function unbounded(s: Schema, path: string): string[] {
  const c = core(s)
  if (s.anyOf && s.anyOf.length > 1)
    return s.anyOf.flatMap((a, i) => (a.type === 'null' || a.nullable ? [] : unbounded(a, `${path}|${i}`)))
  if (c.enum || c.const !== undefined) return []
  switch (c.type ?? '') {
    case 'string':
      return c.maxLength !== undefined ||
        c.format === 'date' ||
        c.format === 'date-time' ||
        /^\^[^*+{]*(\{\d+\})?\$$/.test(c.pattern ?? '')
        ? []
        : [`${path}: a string without maxLength`]
    case 'integer':
    case 'number':
      return c.minimum !== undefined && c.maximum !== undefined
        ? []
        : [`${path}: a number without minimum and maximum`]
    case 'boolean':
    case 'null':
      return []
    case 'array':
      return [
        ...(c.maxItems === undefined ? [`${path}: an array without maxItems`] : []),
        ...(c.items ? unbounded(c.items, `${path}/0`) : []),
      ]
    case 'object': {
      const out = Object.entries(c.properties ?? {}).flatMap(([k, v]) => unbounded(v, `${path}/${k}`))
      if (typeof c.additionalProperties === 'object') {
        if (c.maxProperties === undefined) out.push(`${path}: a map without maxProperties`)
        if (Object.keys(c.additionalProperties).length === 0) out.push(`${path}: a map of anything`)
        else out.push(...unbounded(c.additionalProperties, `${path}/*`))
      } else if (c.additionalProperties !== false && c.maxProperties === undefined) {
        out.push(`${path}: an object open to unknown fields`)
      }
      return out
    }
    default:
      return [`${path}: no type`]
  }
}

/** Shop settings are checked per channel when a shop is saved (src/shops/link.ts); their schema is the shops module's. */
const FREE_FORM = new Set([
  'POST /shops body/settings',
  'PATCH /shops/:id body/settings',
  // the stock rules to preview: merged into the shop's settings and validated by its channel's schema
  'POST /shops/:id/stock-rules/preview body/stockSync',
  // a waybill provider's own settings (template URLs by carrier, EasyPost carrier accounts), bounded in size
  'POST /waybill-accounts body/settings',
  'PATCH /waybill-accounts/:id body/settings',
])

it('declares bounds for every field a client sends', () => {
  const problems: string[] = []
  for (const op of ops) {
    for (const p of op.parameters) problems.push(...unbounded(p.schema, `${opName(op)} ${p.in}/${p.name}`))
    if (op.body)
      problems.push(
        ...unbounded(op.body, `${opName(op)} body`).filter(
          (p) => !FREE_FORM.has(p.slice(0, p.lastIndexOf(':'))),
        ),
      )
  }
  expect(problems).toEqual([])
})
