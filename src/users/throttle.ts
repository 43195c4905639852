/**
 * Login throttling in Redis (shared by every API process): failed sign-ins are counted per account
 * and per client address in a fixed window. Reaching either limit refuses further attempts until
 * the window ends, without even checking the password; a success clears the account's count.
 * Argon2 costs ~50 ms of CPU per check, so the address limit also caps what one client can burn.
 */
import type { Redis } from 'ioredis'
import { sha256Hex } from '../lib/crypto.js'

export const LOGIN_LIMITS = { perAccount: 5, perAddress: 30, windowSeconds: 15 * 60 } as const

export interface LoginThrottle {
  /** Seconds until another attempt is allowed, or null when one is allowed now. */
  retryAfter(login: string, address: string): Promise<number | null>
  failed(login: string, address: string): Promise<void>
  succeeded(login: string): Promise<void>
}

export function loginThrottle(redis: Redis, prefix: string): LoginThrottle {
  const account = (login: string) => `${prefix}:login:account:${sha256Hex(login)}`
  const addr = (address: string) => `${prefix}:login:address:${address}`
  return {
    async retryAfter(login, address) {
      const [a, b] = await redis.mget(account(login), addr(address))
      const waits: Promise<number>[] = []
      if (Number(a ?? 0) >= LOGIN_LIMITS.perAccount) waits.push(redis.ttl(account(login)))
      if (Number(b ?? 0) >= LOGIN_LIMITS.perAddress) waits.push(redis.ttl(addr(address)))
      if (waits.length === 0) return null
      return Math.max(1, ...(await Promise.all(waits)))
    },
    async failed(login, address) {
      const w = LOGIN_LIMITS.windowSeconds
      await redis
        .multi()
        .set(account(login), 0, 'EX', w, 'NX')
        .incr(account(login))
        .set(addr(address), 0, 'EX', w, 'NX')
        .incr(addr(address))
        .exec()
    },
    async succeeded(login) {
      await redis.del(account(login))
    },
  }
}
