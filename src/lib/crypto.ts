/**
 * Sealing of shop credentials (AES-256-GCM, 12-byte random IV, 16-byte tag, AAD binds the
 * ciphertext to its row) and hashing of API keys. The key never leaves Config.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const VERSION = 1 // first byte of every sealed value, so keys can be rotated later

export function seal(key: Buffer, plaintext: string, aad: string): Buffer {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad, 'utf8'))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body])
}

export function open(key: Buffer, sealed: Buffer, aad: string): string {
  if (sealed.length < 29 || sealed[0] !== VERSION) throw new Error('sealed value has an unknown format')
  const iv = sealed.subarray(1, 13)
  const tag = sealed.subarray(13, 29)
  const decipher = createDecipheriv('aes-256-gcm', key, iv)
  decipher.setAAD(Buffer.from(aad, 'utf8'))
  decipher.setAuthTag(tag)
  return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8')
}

export const sha256Hex = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex')

/** An API key: `ep_` + 43 base64url characters (256 bits). Only its SHA-256 is stored. */
export function newApiKey(): { token: string; hash: string; prefix: string } {
  const token = `ep_${randomBytes(32).toString('base64url')}`
  return { token, hash: sha256Hex(token), prefix: token.slice(0, 10) }
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
