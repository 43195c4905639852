/**
 * What an operator and an integrator see first: health with its checks, Prometheus metrics, and an
 * OpenAPI document that lists every route, with each non-public route asking for the bearer key.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

let env: TestEnv
let m: TestMerchant
beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
})
afterAll(() => env.close())

it('answers /healthz with the database and Redis checks, without a key', async () => {
  const res = await env.app.inject({ method: 'GET', url: '/healthz' })
  expect(res.statusCode).toBe(200)
  expect(res.json()).toMatchObject({
    status: 'ok',
    checks: { database: expect.anything(), redis: expect.anything() },
  })
})

it('exposes request metrics in the Prometheus format', async () => {
  await env.app.inject({ method: 'GET', url: '/shops', headers: bearer(m.keys.admin) })
  const res = await env.app.inject({ method: 'GET', url: '/metrics' })
  expect(res.statusCode).toBe(200)
  expect(res.body).toMatch(/^# HELP /m)
  expect(res.body).toContain('route="/shops"')
})

it('documents every route in OpenAPI', async () => {
  const res = await env.app.inject({ method: 'GET', url: '/docs/json' })
  expect(res.statusCode).toBe(200)
  const doc = res.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>()
  expect(doc.openapi).toMatch(/^3\./)
  const paths = Object.keys(doc.paths)
  for (const p of [
    '/orders',
    '/orders/{id}/split',
    '/waves/{id}/picklist',
    '/statements',
    '/reconciliation',
    '/settlements/import',
    '/shops/{id}/oauth/authorize',
    '/oauth/{channel}/callback',
    '/webhooks/{channel}/{shopId}',
    '/ledger/periods/{period}/close',
  ]) {
    expect(paths, p).toContain(p)
  }
  expect(paths.length).toBeGreaterThan(50)
})
