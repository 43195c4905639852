/**
 * Passwords: argon2id with @node-rs/argon2's defaults, which are OWASP's minimum (m = 19 MiB,
 * t = 2, p = 1). `algorithm` is not passed: its const enum breaks `verbatimModuleSyntax` (TS2748)
 * and the default is already argon2id.
 */
import { randomInt } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'

export const PASSWORD_MIN_LENGTH = 10
export const PASSWORD_MAX_LENGTH = 128

export const hashPassword = (password: string): Promise<string> => hash(password)

// Verified against when the login names no account, so an unknown login costs the same time.
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$Ob08uQn8w3wlPQ/bAVxbFw$L5hii5jIC9eZOPqSWxXwEc7+1ZP0JMSpH4F+6eTOzFw'

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  try {
    const ok = await verify(stored ?? DUMMY_HASH, password)
    return ok && stored !== null
  } catch {
    return false
  }
}

/** True when a stored hash was made with weaker parameters than today's: rehash at the next login. */
export function needsRehash(stored: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored)
  if (!m) return true
  return Number(m[1]) < 19456 || Number(m[2]) < 2
}

/** A one-time password for a new account or a reset: 16 characters, easy to read aloud or type. */
export function oneTimePassword(): string {
  // No 0/O, 1/l/I: it is often read off a screen and typed on a handheld.
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  let out = ''
  for (let i = 0; i < 16; i++) out += alphabet[randomInt(alphabet.length)]
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}-${out.slice(12)}`
}

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(
  password: string,
  login: string | null,
): 'too_short' | 'too_long' | 'same_as_login' | null {
  if ([...password].length < PASSWORD_MIN_LENGTH) return 'too_short'
  if ([...password].length > PASSWORD_MAX_LENGTH) return 'too_long'
  if (login && password.toLowerCase() === login.toLowerCase()) return 'same_as_login'
  return null
}
