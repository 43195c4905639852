/**
 * Bearer API keys. Each key carries a merchant and a role; each route declares the roles it allows
 * (`config.roles`) or that it is public (`config.public`). A route that declares neither is closed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Executor } from '../db/connect.js'
import type { Role } from '../db/schema.js'
import { sha256Hex } from '../lib/crypto.js'
import { AppError } from './errors.js'

export interface Auth {
  merchantId: string
  role: Role
  apiKeyId: string
}

declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: readonly Role[]
    public?: boolean
  }
  interface FastifyRequest {
    auth: Auth
  }
}

const TOUCH_INTERVAL_MS = 5 * 60_000

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

export const ALL_ROLES: readonly Role[] = ['admin', 'warehouse', 'accountant']
export const ADMIN: readonly Role[] = ['admin']
