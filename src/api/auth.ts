/**
 * Bearer API keys. Each key carries a merchant and a role; each route's access comes from the one
 * role table (./roles.ts): the roles it allows (`config.roles`), or that no key opens it
 * (`config.public`; operators' routes are `config.ops` too). A route missing from the table stops
 * the app from starting; a route with no roles is closed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Executor } from '../db/connect.js'
import type { Role } from '../db/schema.js'
import { sha256Hex } from '../lib/crypto.js'
import { AppError } from './errors.js'
import { accessOf, routeKey } from './roles.js'

export interface Auth {
  merchantId: string
  role: Role
  apiKeyId: string
}

declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: readonly Role[]
    public?: boolean
    ops?: boolean
  }
  interface FastifyRequest {
    auth: Auth
  }
}

const TOUCH_INTERVAL_MS = 5 * 60_000

/** Give every route registered after this its access from the role table. */
export function installRouteAccess(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      const access = accessOf(method, route.url)
      if (access === undefined)
        throw new Error(`route ${routeKey(method, route.url)} is not in the role table (src/api/roles.ts)`)
      route.config = {
        ...(route.config ?? {}),
        ...(typeof access === 'string'
          ? { public: true, ...(access === 'ops' ? { ops: true } : {}) }
          : { roles: access }),
      }
      // The OpenAPI document says which credential each route takes: an API key (the default), the
      // operators' token, or none.
      if (typeof access === 'string' && route.schema)
        route.schema = { ...route.schema, security: access === 'ops' ? [{ ops: [] }] : [] }
    }
  })
}

export function installAuth(app: FastifyInstance, db: Executor): void {
  app.decorateRequest('auth', null as unknown as Auth)
  app.addHook('onRequest', async (req) => {
    const config = req.routeOptions.config
    if (config.public || req.routeOptions.url === undefined) return
    const token = bearer(req)
    if (!token) throw new AppError('unauthorized', 'missing bearer API key (Authorization: Bearer ep_…)', 401)
    const key = await db
      .selectFrom('api_keys')
      .select(['id', 'merchant_id', 'role', 'revoked_at', 'last_used_at'])
      .where('key_hash', '=', sha256Hex(token))
      .executeTakeFirst()
    if (!key || key.revoked_at) throw new AppError('unauthorized', 'API key is unknown or revoked', 401)
    const roles = config.roles ?? []
    if (!roles.includes(key.role)) {
      throw new AppError(
        'forbidden',
        `this route needs one of the roles: ${roles.join(', ') || '(none)'}`,
        403,
        {
          role: key.role,
        },
      )
    }
    req.auth = { merchantId: key.merchant_id, role: key.role, apiKeyId: key.id }
    if (!key.last_used_at || Date.now() - key.last_used_at.getTime() > TOUCH_INTERVAL_MS) {
      await db.updateTable('api_keys').set({ last_used_at: new Date() }).where('id', '=', key.id).execute()
    }
  })
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization
  if (!h) return null
  const m = /^Bearer\s+(\S+)$/i.exec(h)
  return m ? m[1]! : null
}
