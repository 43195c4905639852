/**
 * Who is calling. Integrations send a bearer API key; people in the console send the session
 * cookie (plus the session's CSRF token on every write). Both carry a merchant and a role, and each
 * route's access comes from the one role table (./roles.ts): the roles it allows (`config.roles`),
 * or that no credential opens it (`config.public`; operators' routes are `config.ops` too). A route
 * missing from the table stops the app from starting; a route with no roles is closed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../context.js'
import type { Role } from '../db/schema.js'
import { safeEqual, sha256Hex } from '../lib/crypto.js'
import { getUser } from '../users/repo.js'
import { SESSION_COOKIE, sessionStore, type SessionData, type SessionStore } from '../users/sessions.js'
import { UNSCOPED, type Scope, type User } from '../users/types.js'
import { AppError } from './errors.js'
import { accessOf, routeKey } from './roles.js'

export interface Auth {
  merchantId: string
  role: Role
  /** Who acts, as the audit log records it. */
  actorType: 'api_key' | 'user'
  actorId: string
  /**
   * @deprecated use actorId. Kept for the modules that record it as their actor column: the API
   * key's id, or the signed-in user's id.
   */
  apiKeyId: string
  userId: string | null
  /** Warehouses and shops this caller may see beyond its role (null = all). */
  scope: Scope
}

/** The signed-in person behind a cookie request (null for API keys). */
export interface SessionInfo {
  id: string
  data: SessionData
  user: User
}

declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: readonly Role[]
    public?: boolean
    /** Reachable by a user who must still replace a one-time password (GET /me, sign-out…). */
    beforePasswordChange?: boolean
    ops?: boolean
  }
  interface FastifyRequest {
    auth: Auth
    session: SessionInfo | null
  }
  interface FastifyInstance {
    sessions: SessionStore
  }
}

const TOUCH_INTERVAL_MS = 5 * 60_000
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

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

export function installAuth(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx
  app.decorate(
    'sessions',
    sessionStore(ctx.redis, ctx.config.redis.prefix, ctx.config.sessions.idleMinutes * 60),
  )
  app.decorateRequest('auth', null as unknown as Auth)
  app.decorateRequest('session', null)

  async function apiKeyAuth(token: string): Promise<Auth> {
    const key = await db
      .selectFrom('api_keys')
      .select(['id', 'merchant_id', 'role', 'revoked_at', 'last_used_at'])
      .where('key_hash', '=', sha256Hex(token))
      .executeTakeFirst()
    if (!key || key.revoked_at) throw new AppError('unauthorized', 'API key is unknown or revoked', 401)
    const now = ctx.clock.now()
    if (!key.last_used_at || now.getTime() - key.last_used_at.getTime() > TOUCH_INTERVAL_MS) {
      await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', key.id).execute()
    }
    return {
      merchantId: key.merchant_id,
      role: key.role,
      actorType: 'api_key',
      actorId: key.id,
      apiKeyId: key.id,
      userId: null,
      scope: UNSCOPED,
    }
  }

  async function sessionAuth(req: FastifyRequest, sid: string): Promise<Auth> {
    const data = await app.sessions.get(sid, ctx.clock.now().getTime())
    const user = data && (await getUser(db, data.merchantId, data.userId))
    if (!data || !user || user.status !== 'active' || user.sessionEpoch !== data.epoch) {
      if (data) await app.sessions.destroy(sid)
      throw new AppError('unauthorized', 'not signed in, or the session has ended', 401)
    }
    if (!SAFE_METHODS.has(req.method)) {
      const sent = req.headers['x-csrf-token']
      if (typeof sent !== 'string' || !safeEqual(sent, data.csrf))
        throw new AppError('csrf_failed', 'missing or wrong x-csrf-token header for a signed-in write', 403)
    }
    if (user.mustChangePassword && !req.routeOptions.config.beforePasswordChange)
      throw new AppError('password_change_required', 'set a new password first (POST /auth/password)', 403)
    req.session = { id: sid, data, user }
    return userAuth(user)
  }

  app.addHook('onRequest', async (req) => {
    const config = req.routeOptions.config
    if (config.public || req.routeOptions.url === undefined) return
    const token = bearer(req)
    const sid = req.cookies[SESSION_COOKIE]
    let auth: Auth
    if (token) auth = await apiKeyAuth(token)
    else if (sid) auth = await sessionAuth(req, sid)
    else throw new AppError('unauthorized', 'sign in, or send an API key (Authorization: Bearer ep_…)', 401)
    const roles = config.roles ?? []
    if (!roles.includes(auth.role)) {
      throw new AppError(
        'forbidden',
        `this route needs one of the roles: ${roles.join(', ') || '(none)'}`,
        403,
        {
          role: auth.role,
        },
      )
    }
    req.auth = auth
  })
}

export const userAuth = (user: User): Auth => ({
  merchantId: user.merchantId,
  role: user.role,
  actorType: 'user',
  actorId: user.id,
  apiKeyId: user.id,
  userId: user.id,
  scope: { warehouseIds: user.warehouseIds, shopIds: user.shopIds },
})

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization
  if (!h) return null
  const m = /^Bearer\s+(\S+)$/i.exec(h)
  return m ? m[1]! : null
}
