/**
 * One role table (src/api/roles.ts) for the routes and the README: every route of the API is in
 * it, and every route answers each role exactly as it says. The operators' routes need OPS_TOKEN
 * once the API listens beyond loopback.
 */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROUTES, type Access } from '../../../src/api/roles.js'
import { buildApp } from '../../../src/app.js'
import type { Role } from '../../../src/db/schema.js'
import { newId } from '../../../src/lib/ids.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { fillPath, openApi, operations, opName, type Operation } from '../../helpers/openapi.js'

let env: TestEnv
let m: TestMerchant
let ops: Operation[]
beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  ops = operations(await openApi(env.app))
})
afterAll(() => env.close())

const ROLES: readonly Role[] = ['admin', 'warehouse', 'accountant']
const PARAM: Record<string, () => string> = {
  id: newId,
  shopId: newId,
  channel: () => 'jd',
  code: () => 'sales',
  period: () => '2024-01',
}
const access = (op: Operation): Access =>
  (ROUTES as Record<string, readonly [string, Access]>)[opName(op)]![1]

it('has every route of the API in the role table, and nothing else', () => {
  expect(ops.map(opName).sort()).toEqual(
    Object.keys(ROUTES)
      // the document itself, and the console's pages (hidden from the document: not API)
      .filter((k) => !['GET /docs', 'GET /', 'GET /app/*'].includes(k))
      .sort(),
  )
})

it('answers each role as the table says: 403 for a role it does not list, never for one it does', async () => {
  const wrong: string[] = []
  let checked = 0
  for (const op of ops) {
    const allowed = access(op)
    if (typeof allowed === 'string') continue
    for (const role of ROLES) {
      const res = await env.app.inject({
        method: op.method,
        url: fillPath(op, (n) => PARAM[n]!()),
        headers: bearer(m.keys[role]),
        ...(op.method === 'GET' ? {} : { payload: {} }),
      })
      checked++
      const may = allowed.includes(role)
      if (may && (res.statusCode === 403 || res.statusCode === 401))
        wrong.push(`${opName(op)} as ${role}: ${res.statusCode}`)
      if (
        !may &&
        (res.statusCode !== 403 || res.json<{ error: { code: string } }>().error.code !== 'forbidden')
      )
        wrong.push(`${opName(op)} as ${role}: ${res.statusCode}, not 403`)
    }
  }
  expect(wrong).toEqual([])
  expect(checked).toBeGreaterThan(180)
})

it('answers 401 without a key on every route a key opens, and opens the others without one', async () => {
  const wrong: string[] = []
  for (const op of ops) {
    const res = await env.app.inject({ method: op.method, url: fillPath(op, (n) => PARAM[n]!()) })
    const needsKey = typeof access(op) !== 'string'
    if (needsKey !== (res.statusCode === 401)) wrong.push(`${opName(op)}: ${res.statusCode}`)
  }
  expect(wrong).toEqual([])
})

describe('operators’ routes', () => {
  const withConfig = async (api: { host: string; opsToken: string | null }): Promise<FastifyInstance> => {
    const app = await buildApp({
      ...env.ctx,
      config: { ...env.ctx.config, api: { ...env.ctx.config.api, ...api } },
    })
    await app.ready()
    return app
  }
  const TOKEN = 'ops-token-0123456789abcdef'
  const basic = (password: string) => `Basic ${Buffer.from(`prometheus:${password}`).toString('base64')}`

  it('are open on loopback without a token', async () => {
    const app = await withConfig({ host: '127.0.0.1', opsToken: null })
    for (const url of ['/metrics', '/docs/json'])
      expect((await app.inject({ url })).statusCode, url).toBe(200)
    await app.close()
  })

  it('are not served beyond loopback without a token', async () => {
    const app = await withConfig({ host: '0.0.0.0', opsToken: null })
    for (const url of ['/metrics', '/docs/json', '/docs']) {
      const res = await app.inject({ url })
      expect(res.statusCode, url).toBe(404)
      expect(res.json(), url).toMatchObject({ error: { code: 'not_found' } })
    }
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200)
    await app.close()
  })

  it('need the token when one is set: Bearer for a scraper, Basic for a browser', async () => {
    const app = await withConfig({ host: '0.0.0.0', opsToken: TOKEN })
    for (const url of ['/metrics', '/docs/json']) {
      const none = await app.inject({ url })
      expect(none.statusCode, url).toBe(401)
      expect(none.headers['www-authenticate'], url).toMatch(/^Basic realm="entrepot-ops"/)
      for (const authorization of [`Bearer ${TOKEN}x`, basic('nope'), bearer(m.keys.admin).authorization])
        expect(
          (await app.inject({ url, headers: { authorization } })).statusCode,
          `${url} ${authorization}`,
        ).toBe(401)
      for (const authorization of [`Bearer ${TOKEN}`, basic(TOKEN)])
        expect(
          (await app.inject({ url, headers: { authorization } })).statusCode,
          `${url} ${authorization}`,
        ).toBe(200)
    }
    await app.close()
  })
})
