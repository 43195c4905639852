/**
 * CSRF, from the route table rather than a hand-picked list: every route that writes answers 403
 * to a signed-in request without the session's token, and lets it through with the token. Public
 * routes (sign-in, webhooks, OAuth callbacks) take no cookie and are not in scope.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createUser } from '../../../src/users/service.js'
import { seedMerchant, testEnv, type TestEnv } from '../../helpers/app.js'

let env: TestEnv
let cookie: string
let csrf: string

beforeAll(async () => {
  env = await testEnv()
  const m = await seedMerchant(env.ctx)
  await createUser(env.ctx.db, m.id, {
    email: 'csrf@example.com',
    name: 'c',
    role: 'admin',
    password: 'correct horse battery',
  })
  const res = await env.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { login: 'csrf@example.com', password: 'correct horse battery' },
  })
  cookie = `ep_session=${res.cookies.find((c) => c.name === 'ep_session')!.value}`
  csrf = res.json<{ csrfToken: string }>().csrfToken
})
afterAll(() => env.close())

const WRITES = ['post', 'put', 'patch', 'delete'] as const

it('every writing route refuses a signed-in request without the CSRF token', async () => {
  const doc = env.app.swagger() as { paths: Record<string, Record<string, unknown>> }
  const writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    WRITES.filter((m) => m in ops).map((m) => ({
      method: m.toUpperCase() as 'POST',
      url: path.replace(/\{[^}]+\}/g, '01JC0000000000000000000000'),
    })),
  )
  expect(writes.length).toBeGreaterThan(30)
  let checked = 0
  for (const w of writes) {
    const anonymous = await env.app.inject({ ...w, payload: {} })
    if (anonymous.statusCode !== 401) continue // public: sign-in, webhooks, callbacks
    checked++
    const without = await env.app.inject({ ...w, headers: { cookie }, payload: {} })
    expect(without.statusCode, `${w.method} ${w.url}`).toBe(403)
    expect(without.json<{ error: { code: string } }>().error.code, `${w.method} ${w.url}`).toBe('csrf_failed')
    const wrong = await env.app.inject({ ...w, headers: { cookie, 'x-csrf-token': `${csrf}x` }, payload: {} })
    expect(wrong.json<{ error: { code: string } }>().error.code, `${w.method} ${w.url}`).toBe('csrf_failed')
    // With the token the request goes through to the route (sign-out would end the session: not sent).
    if (w.url === '/auth/logout') continue
    const withToken = await env.app.inject({ ...w, headers: { cookie, 'x-csrf-token': csrf }, payload: {} })
    expect(withToken.statusCode, `${w.method} ${w.url}`).not.toBe(401)
    if (withToken.statusCode === 403)
      expect(withToken.json<{ error: { code: string } }>().error.code, `${w.method} ${w.url}`).not.toBe(
        'csrf_failed',
      )
  }
  expect(checked).toBeGreaterThan(30)
})
