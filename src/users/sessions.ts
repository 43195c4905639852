/**
 * Console sessions, kept server-side in Redis so that signing out, a password change or a
 * deactivation acts at once. The cookie holds a random 256-bit id; Redis holds only its SHA-256, so
 * a copy of Redis gives no usable cookie. Each session carries its own CSRF token (synchronizer
 * token: the console reads it from the login answer or GET /me and sends it as x-csrf-token).
 */
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { sha256Hex } from '../lib/crypto.js'

export const SESSION_COOKIE = 'ep_session'
/** However active, a session ends a week after sign-in. */
const ABSOLUTE_MAX_MS = 7 * 24 * 3600_000

export interface SessionData {
  userId: string
  merchantId: string
  /** The user's session_epoch at sign-in; a newer epoch in the database ends the session. */
  epoch: number
  csrf: string
  createdAtMs: number
}

export interface SessionStore {
  create(data: Omit<SessionData, 'csrf'>): Promise<{ id: string; data: SessionData }>
  /** The session, with its idle timer restarted; null when unknown, expired or past its maximum age. */
  get(id: string, nowMs: number): Promise<SessionData | null>
  destroy(id: string): Promise<void>
}

export function sessionStore(redis: Redis, prefix: string, idleSeconds: number): SessionStore {
  const key = (id: string) => `${prefix}:session:${sha256Hex(id)}`
  return {
    async create(input) {
      const id = randomBytes(32).toString('base64url')
      const data: SessionData = { ...input, csrf: randomBytes(24).toString('base64url') }
      await redis.set(key(id), JSON.stringify(data), 'EX', idleSeconds)
      return { id, data }
    },
    async get(id, nowMs) {
      if (!/^[\w-]{43}$/.test(id)) return null
      const raw = await redis.getex(key(id), 'EX', idleSeconds)
      if (!raw) return null
      const data = parse(raw)
      if (!data || nowMs - data.createdAtMs > ABSOLUTE_MAX_MS) {
        await redis.del(key(id))
        return null
      }
      return data
    },
    async destroy(id) {
      await redis.del(key(id))
    },
  }
}

function parse(raw: string): SessionData | null {
  try {
    const v = JSON.parse(raw) as Partial<SessionData>
    return typeof v.userId === 'string' &&
      typeof v.merchantId === 'string' &&
      typeof v.epoch === 'number' &&
      typeof v.csrf === 'string' &&
      typeof v.createdAtMs === 'number'
      ? (v as SessionData)
      : null
  } catch {
    return null
  }
}
