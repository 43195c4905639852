import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createShop } from '../../../src/shops/repo.js'
import { createUser } from '../../../src/users/service.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import { seedOrder } from '../../helpers/orders.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

let env: TestEnv
let m: TestMerchant

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
})
afterAll(() => env.close())

interface Session {
  cookie: string
  csrf: string
  res: LightMyRequestResponse
}

async function login(login: string, password: string): Promise<Session> {
  const res = await env.app.inject({ method: 'POST', url: '/auth/login', payload: { login, password } })
  const c = res.cookies.find((x) => x.name === 'ep_session')
  return {
    cookie: c ? `ep_session=${c.value}` : '',
    csrf: res.json<{ csrfToken?: string }>().csrfToken ?? '',
    res,
  }
}

const as = (s: Session, write = true) => ({ cookie: s.cookie, ...(write ? { 'x-csrf-token': s.csrf } : {}) })

async function userWith(
  role: 'admin' | 'warehouse' | 'accountant',
  email: string,
  password = 'correct horse battery',
) {
  return (await createUser(env.ctx.db, m.id, { email, name: email.split('@')[0]!, role, password })).user
}

describe('signing in', () => {
  it('a one-time password signs in, then only the password change is open until a new one is set', async () => {
    const { user, password } = await createUser(env.ctx.db, m.id, {
      email: 'First@Example.com',
      name: '王芳',
      role: 'admin',
    })
    expect(user.email).toBe('first@example.com')
    expect(user.mustChangePassword).toBe(true)

    const s = await login('  FIRST@example.com ', password)
    expect(s.res.statusCode).toBe(200)
    const cookie = s.res.cookies.find((c) => c.name === 'ep_session')!
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    expect(cookie.secure).toBeFalsy()
    expect(s.res.json()).toMatchObject({
      role: 'admin',
      locale: 'zh-CN',
      user: { email: 'first@example.com', mustChangePassword: true, name: '王芳' },
      merchant: { id: m.id, timezone: 'Asia/Shanghai' },
    })
    expect(s.csrf).toMatch(/^[\w-]{20,}$/)

    const blocked = await env.app.inject({ method: 'GET', url: '/shops', headers: as(s) })
    expect(blocked.statusCode).toBe(403)
    expect(blocked.json()).toMatchObject({ error: { code: 'password_change_required' } })
    expect((await env.app.inject({ method: 'GET', url: '/me', headers: as(s) })).statusCode).toBe(200)

    const noCsrf = await env.app.inject({
      method: 'POST',
      url: '/auth/password',
      headers: as(s, false),
      payload: { currentPassword: password, newPassword: 'a much better secret' },
    })
    expect(noCsrf.statusCode).toBe(403)
    expect(noCsrf.json()).toMatchObject({ error: { code: 'csrf_failed' } })

    const short = await env.app.inject({
      method: 'POST',
      url: '/auth/password',
      headers: as(s),
      payload: { currentPassword: password, newPassword: 'short' },
    })
    expect(short.statusCode).toBe(400)
    expect(short.json()).toMatchObject({ error: { details: { field: 'newPassword', reason: 'too_short' } } })

    const changed = await env.app.inject({
      method: 'POST',
      url: '/auth/password',
      headers: as(s),
      payload: { currentPassword: password, newPassword: 'a much better secret' },
    })
    expect(changed.statusCode).toBe(200)
    const fresh = changed.cookies.find((c) => c.name === 'ep_session')!
    expect(fresh.value).not.toBe(cookie.value)
    // The old session ended with the password change; the new one works without a detour.
    expect((await env.app.inject({ method: 'GET', url: '/me', headers: as(s) })).statusCode).toBe(401)
    const next = {
      cookie: `ep_session=${fresh.value}`,
      csrf: changed.json<{ csrfToken: string }>().csrfToken,
      res: changed,
    }
    expect((await env.app.inject({ method: 'GET', url: '/shops', headers: as(next) })).statusCode).toBe(200)
    expect((await login('first@example.com', password)).res.statusCode).toBe(401)
    expect((await login('first@example.com', 'a much better secret')).res.statusCode).toBe(200)
  })

  it('a wrong password and an unknown login get the same answer; the sixth failure is throttled, another account is not', async () => {
    await userWith('accountant', 'acc@example.com')
    await userWith('accountant', 'other@example.com')
    const wrong = await login('acc@example.com', 'not the password')
    const unknown = await login('nobody@example.com', 'not the password')
    for (const r of [wrong.res, unknown.res]) {
      expect(r.statusCode).toBe(401)
      expect(r.json()).toMatchObject({ error: { code: 'invalid_credentials' } })
      expect(r.cookies).toHaveLength(0)
    }
    for (let i = 0; i < 4; i++)
      expect((await login('acc@example.com', 'nope nope nope')).res.statusCode).toBe(401)
    const throttled = await login('acc@example.com', 'correct horse battery')
    expect(throttled.res.statusCode).toBe(429)
    expect(Number(throttled.res.headers['retry-after'])).toBeGreaterThan(0)
    expect(throttled.res.json()).toMatchObject({ error: { code: 'too_many_attempts' } })
    expect((await login('other@example.com', 'correct horse battery')).res.statusCode).toBe(200)
  })

  it('the cookie is Secure when the public URL is https', async () => {
    const tls = await testEnv({ config: { PUBLIC_URL: 'https://hub.example.com' } })
    try {
      const merchant = await seedMerchant(tls.ctx)
      await createUser(tls.ctx.db, merchant.id, {
        email: 'tls@example.com',
        name: 't',
        role: 'admin',
        password: 'correct horse battery',
      })
      const res = await tls.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { login: 'tls@example.com', password: 'correct horse battery' },
      })
      expect(res.cookies.find((c) => c.name === 'ep_session')).toMatchObject({ secure: true, httpOnly: true })
    } finally {
      await tls.close()
    }
  })

  it('signing out ends the session on the server', async () => {
    await userWith('warehouse', 'out@example.com')
    const s = await login('out@example.com', 'correct horse battery')
    expect(
      (await env.app.inject({ method: 'POST', url: '/auth/logout', headers: as(s, false) })).statusCode,
    ).toBe(403)
    const out = await env.app.inject({ method: 'POST', url: '/auth/logout', headers: as(s) })
    expect(out.statusCode).toBe(204)
    expect((await env.app.inject({ method: 'GET', url: '/me', headers: as(s) })).statusCode).toBe(401)
  })

  it('API keys keep working on every route, need no CSRF token, and /me says which key', async () => {
    const me = await env.app.inject({ method: 'GET', url: '/me', headers: bearer(m.keys.accountant) })
    expect(me.json()).toMatchObject({
      role: 'accountant',
      user: null,
      csrfToken: null,
      apiKeyId: expect.any(String),
    })
    const created = await env.app.inject({
      method: 'POST',
      url: '/api-keys',
      headers: bearer(m.keys.admin),
      payload: { role: 'warehouse' },
    })
    expect(created.statusCode).toBe(201)
  })
})

describe('users and roles', () => {
  it('an admin creates a user (one-time password once), changes the role; others get 403', async () => {
    await userWith('admin', 'boss@example.com')
    const admin = await login('boss@example.com', 'correct horse battery')
    const created = await env.app.inject({
      method: 'POST',
      url: '/users',
      headers: as(admin),
      payload: { phone: '+86 138-0000-1111', name: '李雷', role: 'warehouse' },
    })
    expect(created.statusCode).toBe(201)
    const { user, oneTimePassword } = created.json<{
      user: { id: string; phone: string }
      oneTimePassword: string
    }>()
    expect(user.phone).toBe('+8613800001111')
    expect(oneTimePassword).toMatch(/^[\w]{4}-[\w]{4}-[\w]{4}-[\w]{4}$/)
    const fetched = await env.app.inject({ method: 'GET', url: `/users/${user.id}`, headers: as(admin) })
    expect(JSON.stringify(fetched.json())).not.toContain(oneTimePassword)

    const wh = await login('+8613800001111', oneTimePassword)
    expect(wh.res.statusCode).toBe(200)
    await env.app.inject({
      method: 'POST',
      url: '/auth/password',
      headers: as(wh),
      payload: { currentPassword: oneTimePassword, newPassword: 'warehouse secret 1' },
    })
    const wh2 = await login('+8613800001111', 'warehouse secret 1')
    expect((await env.app.inject({ method: 'GET', url: '/users', headers: as(wh2) })).statusCode).toBe(403)
    expect((await env.app.inject({ method: 'GET', url: '/audit-log', headers: as(wh2) })).statusCode).toBe(
      403,
    )

    const promoted = await env.app.inject({
      method: 'PATCH',
      url: `/users/${user.id}`,
      headers: as(admin),
      payload: { role: 'accountant' },
    })
    expect(promoted.json()).toMatchObject({ role: 'accountant' })
    // The role is read on every request: the change acts at once.
    expect((await env.app.inject({ method: 'GET', url: '/me', headers: as(wh2) })).json()).toMatchObject({
      role: 'accountant',
    })

    const disabled = await env.app.inject({
      method: 'PATCH',
      url: `/users/${user.id}`,
      headers: as(admin),
      payload: { status: 'disabled' },
    })
    expect(disabled.statusCode).toBe(200)
    expect((await env.app.inject({ method: 'GET', url: '/me', headers: as(wh2) })).statusCode).toBe(401)
    expect((await login('+8613800001111', 'warehouse secret 1')).res.statusCode).toBe(401)
  })

  it('refuses bad input with 400, a taken login with 409, and never leaves the merchant without an admin', async () => {
    const other = await seedMerchant(env.ctx, 'Other')
    const solo = (
      await createUser(env.ctx.db, other.id, {
        email: 'solo@example.com',
        name: 's',
        role: 'admin',
        password: 'correct horse battery',
      })
    ).user
    const s = await login('solo@example.com', 'correct horse battery')
    const bad = [
      { name: 'x', role: 'admin' },
      { email: 'not-an-email', name: 'x', role: 'admin' },
      { email: 'a@b.c', name: 'x', role: 'boss' },
      { email: 'a@b.c', name: '', role: 'admin' },
      { email: 'a@b.c', name: 'x', role: 'admin', extra: 1 },
    ]
    for (const payload of bad) {
      const res = await env.app.inject({ method: 'POST', url: '/users', headers: as(s), payload })
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
    }
    // A warehouse that is not the merchant's is not found, as any id is.
    const unknown = await env.app.inject({
      method: 'POST',
      url: '/users',
      headers: as(s),
      payload: { email: 'a@b.c', name: 'x', role: 'admin', warehouseIds: ['01HZZZZZZZZZZZZZZZZZZZZZZZ'] },
    })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({
      error: { details: { field: 'warehouseIds', reason: 'unknown_warehouse' } },
    })
    const taken = await env.app.inject({
      method: 'POST',
      url: '/users',
      headers: as(s),
      payload: { email: 'BOSS@example.com', name: 'x', role: 'admin' },
    })
    expect(taken.statusCode).toBe(409)
    const demote = await env.app.inject({
      method: 'PATCH',
      url: `/users/${solo.id}`,
      headers: as(s),
      payload: { role: 'warehouse' },
    })
    expect(demote.statusCode).toBe(409)
    expect(demote.json()).toMatchObject({ error: { details: { reason: 'last_admin' } } })
    // Another merchant's user is not found.
    const users = await env.app.inject({ method: 'GET', url: '/users', headers: bearer(m.keys.admin) })
    const mine = users.json<{ items: { id: string }[] }>().items.map((u) => u.id)
    expect(mine).not.toContain(solo.id)
    expect(
      (await env.app.inject({ method: 'GET', url: `/users/${solo.id}`, headers: bearer(m.keys.admin) }))
        .statusCode,
    ).toBe(404)
  })

  it('pages users with { items, next }', async () => {
    const first = await env.app.inject({
      method: 'GET',
      url: '/users?limit=2',
      headers: bearer(m.keys.admin),
    })
    const page = first.json<{ items: { id: string }[]; next: string | null }>()
    expect(page.items).toHaveLength(2)
    expect(page.next).toBe(page.items[1]!.id)
    const second = await env.app.inject({
      method: 'GET',
      url: `/users?limit=2&cursor=${page.next}`,
      headers: bearer(m.keys.admin),
    })
    expect(second.json<{ items: { id: string }[] }>().items[0]!.id > page.next!).toBe(true)
  })
})

describe('scopes', () => {
  it('a user limited to one shop sees only its shop and orders, and gets 404 for the others', async () => {
    const a = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
      channel: 'selfstore',
      name: '天猫旗舰店',
    })
    const b = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
      channel: 'jd',
      name: '京东自营',
    })
    const w = await createWarehouse(env.ctx.db, m.id, { code: 'HZ', name: '杭州仓' })
    await seedOrder(env.ctx.db, m.id, a.id, [], { externalId: 'A-1' })
    await seedOrder(env.ctx.db, m.id, b.id, [], { externalId: 'B-1', status: 'shipped' })
    await createUser(env.ctx.db, m.id, {
      email: 'scoped@example.com',
      name: 'scoped',
      role: 'warehouse',
      password: 'correct horse battery',
      shopIds: [a.id],
      warehouseIds: [w.id],
    })
    const s = await login('scoped@example.com', 'correct horse battery')
    const shops = await env.app.inject({ method: 'GET', url: '/shops', headers: as(s) })
    expect(shops.json<{ items: { id: string }[] }>().items.map((x) => x.id)).toEqual([a.id])
    expect((await env.app.inject({ method: 'GET', url: `/shops/${b.id}`, headers: as(s) })).statusCode).toBe(
      404,
    )
    expect(
      (await env.app.inject({ method: 'GET', url: `/shops/${b.id}/sync`, headers: as(s) })).statusCode,
    ).toBe(404)
    expect(
      (await env.app.inject({ method: 'GET', url: `/orders?shopId=${b.id}`, headers: as(s) })).statusCode,
    ).toBe(404)
    const orders = await env.app.inject({ method: 'GET', url: '/orders', headers: as(s) })
    expect(orders.json<{ items: { externalId: string }[] }>().items.map((o) => o.externalId)).toEqual(['A-1'])
    const counts = await env.app.inject({ method: 'GET', url: '/orders/counts', headers: as(s) })
    expect(counts.json()).toMatchObject({ total: 1, byStatus: { paid: 1, shipped: 0 } })
    const all = await env.app.inject({ method: 'GET', url: '/orders/counts', headers: bearer(m.keys.admin) })
    expect(all.json()).toMatchObject({ total: 2, byStatus: { paid: 1, shipped: 1 } })
  })
})

describe('audit log', () => {
  it('lists writes with the user who made them, filtered and paged', async () => {
    const s = await login('boss@example.com', 'correct horse battery')
    const res = await env.app.inject({
      method: 'POST',
      url: '/api-keys',
      headers: as(s),
      payload: { role: 'accountant', name: '对账脚本' },
    })
    expect(res.statusCode).toBe(201)
    const log = await env.app.inject({ method: 'GET', url: '/audit-log?action=api_key.', headers: as(s) })
    const items = log.json<{
      items: { action: string; actorType: string; actorName: string; actorLogin: string }[]
    }>().items
    expect(items[0]).toMatchObject({
      action: 'api_key.create',
      actorType: 'user',
      actorName: 'boss',
      actorLogin: 'boss@example.com',
    })
    const logins = await env.app.inject({
      method: 'GET',
      url: '/audit-log?action=user.login&limit=1',
      headers: as(s),
    })
    const page = logins.json<{ items: unknown[]; next: string | null }>()
    expect(page.items).toHaveLength(1)
    expect(page.next).not.toBeNull()
    expect(
      (await env.app.inject({ method: 'GET', url: '/audit-log?from=yesterday', headers: as(s) })).statusCode,
    ).toBe(400)
  })
})

describe('merchant profile', () => {
  it('changes the name and the time zone, refuses a zone that does not exist', async () => {
    const bad = await env.app.inject({
      method: 'PATCH',
      url: '/merchant',
      headers: bearer(m.keys.admin),
      payload: { timezone: 'Mars/Olympus' },
    })
    expect(bad.statusCode).toBe(400)
    const ok = await env.app.inject({
      method: 'PATCH',
      url: '/merchant',
      headers: bearer(m.keys.admin),
      payload: { name: '杭州小店', timezone: 'Europe/Paris' },
    })
    expect(ok.json()).toMatchObject({ name: '杭州小店', timezone: 'Europe/Paris' })
    const me = await env.app.inject({ method: 'GET', url: '/me', headers: bearer(m.keys.warehouse) })
    expect(me.json()).toMatchObject({ locale: 'en', merchant: { timezone: 'Europe/Paris' } })
    expect(
      (
        await env.app.inject({
          method: 'PATCH',
          url: '/merchant',
          headers: bearer(m.keys.warehouse),
          payload: { name: 'x' },
        })
      ).statusCode,
    ).toBe(403)
  })
})
