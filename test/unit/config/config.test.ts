import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../config/index.js'

describe('loadConfig', () => {
  it('has working local defaults', () => {
    const c = loadConfig({})
    expect(c.db.url).toBe('mysql://root@127.0.0.1:3306/entrepot')
    expect(c.redis.url).toBe('redis://127.0.0.1:6379')
    expect(c.api.port).toBe(3000)
    expect(c.secretKey.length).toBe(32)
    expect(Object.isFrozen(c)).toBe(true)
    expect(c.api.opsToken).toBeNull()
    expect(loadConfig({ OPS_TOKEN: 'a-long-enough-token' }).api.opsToken).toBe('a-long-enough-token')
  })

  it.each([
    [{ API_PORT: 'abc' }, 'API_PORT'],
    [{ API_PORT: '70000' }, 'API_PORT'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://x/y' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://127.0.0.1' }, 'REDIS_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ENTREPOT_SECRET_KEY: 'short' }, 'ENTREPOT_SECRET_KEY'],
    [{ NODE_ENV: 'production' }, 'ENTREPOT_SECRET_KEY'],
    [{ QUEUE_PREFIX: 'a:b' }, 'QUEUE_PREFIX'],
    [{ OPS_TOKEN: 'short' }, 'OPS_TOKEN'],
    [{ OPS_TOKEN: 'has a space in it, 16+' }, 'OPS_TOKEN'],
  ])('rejects %j naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(name)
  })

  it('allows private outbound addresses outside production only, unless told otherwise', () => {
    const key = 'a'.repeat(64)
    expect(loadConfig({}).outbound.allowPrivate).toBe(true)
    expect(loadConfig({ NODE_ENV: 'test' }).outbound.allowPrivate).toBe(true)
    expect(loadConfig({ NODE_ENV: 'production', ENTREPOT_SECRET_KEY: key }).outbound.allowPrivate).toBe(false)
    expect(
      loadConfig({ NODE_ENV: 'production', ENTREPOT_SECRET_KEY: key, OUTBOUND_ALLOW_PRIVATE: 'true' })
        .outbound.allowPrivate,
    ).toBe(true)
    expect(loadConfig({ OUTBOUND_ALLOW_PRIVATE: 'false' }).outbound.allowPrivate).toBe(false)
    expect(() => loadConfig({ OUTBOUND_ALLOW_PRIVATE: 'maybe' })).toThrow('OUTBOUND_ALLOW_PRIVATE')
  })

  it('caps virtual stock at 0 unless set', () => {
    expect(loadConfig({}).sync.virtualStockMax).toBe(0)
    expect(loadConfig({ STOCK_VIRTUAL_MAX: '25' }).sync.virtualStockMax).toBe(25)
    expect(() => loadConfig({ STOCK_VIRTUAL_MAX: '-1' })).toThrow('STOCK_VIRTUAL_MAX')
  })

  it('reports every problem at once', () => {
    try {
      loadConfig({ API_PORT: 'x', DB_POOL_SIZE: '0' })
      expect.unreachable()
    } catch (err) {
      expect((err as ConfigError).problems).toHaveLength(2)
    }
  })

  it('stops start-up with a message naming the variable', async () => {
    const run = promisify(execFile)
    const err = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      env: { ...process.env, API_PORT: 'not-a-port' },
    }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    )
    expect(err).not.toBeNull()
    expect(err!.code).toBe(78)
    expect(err!.stderr).toContain('API_PORT must be an integer')
  })
})
