/** The console is served under /app/ with a history fallback, and never shadows an API path. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installConsole } from '../../../src/api/console.js'
import { testEnv, type TestEnv } from '../../helpers/app.js'

describe('serving a built console', () => {
  const dist = mkdtempSync(join(tmpdir(), 'entrepot-console-'))
  const app = Fastify()
  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'))
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>')
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)')
    await installConsole(app, dist)
    await app.ready()
  })
  afterAll(async () => {
    await app.close()
    rmSync(dist, { recursive: true, force: true })
  })

  it('gives index.html for any page path, never cached, with a strict CSP', async () => {
    for (const url of ['/app/', '/app/orders', '/app/settings/users?x=1']) {
      const res = await app.inject({ url })
      expect(res.statusCode, url).toBe(200)
      expect(res.body).toContain('id="root"')
      expect(res.headers['cache-control']).toBe('no-cache')
      expect(res.headers['content-security-policy']).toContain("script-src 'self'")
      // Only the page's own origin, and this PC's loopback for the print components' WebSockets.
      expect(res.headers['content-security-policy']).toContain(
        "connect-src 'self' ws://localhost:* ws://127.0.0.1:* wss://localhost:* wss://127.0.0.1:*;",
      )
    }
  })

  it('caches hashed assets for a year and answers a missing file with a JSON 404', async () => {
    const asset = await app.inject({ url: '/app/assets/index-abc123.js' })
    expect(asset.statusCode).toBe(200)
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    const missing = await app.inject({ url: '/app/assets/gone.js' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ error: { code: 'not_found' } })
  })

  it('leads / to the console', async () => {
    const res = await app.inject({ url: '/' })
    expect(res.statusCode).toBe(302)
    expect(res.headers.location).toBe('/app/')
  })
})

describe('the console beside the API', () => {
  let env: TestEnv
  beforeAll(async () => {
    env = await testEnv()
  })
  afterAll(() => env.close())

  it('keeps API paths for the API even when a browser asks for HTML', async () => {
    const res = await env.app.inject({ url: '/orders', headers: { accept: 'text/html' } })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ error: { code: 'unauthorized' } })
    expect((await env.app.inject({ url: '/' })).headers.location).toBe('/app/')
    const page = await env.app.inject({ url: '/app/orders' })
    expect(page.statusCode).toBe(200) // the suite's globalSetup builds dist/console
    expect(page.headers['content-type']).toContain('text/html')
  })
})
