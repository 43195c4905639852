/**
 * Time-ordered ids (ULID, 26 Crockford base32 characters) generated in the app, so rows are
 * inserted with their id already known (no insertId round trip, no AUTO_INCREMENT hotspot on TiDB).
 * Monotonic within one process: ids made in the same millisecond still sort in creation order.
 */
import { randomBytes } from 'node:crypto'

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
let lastTime = -1
let lastRandom = new Uint8Array(10)

export function newId(now: number = Date.now()): string {
  if (now <= lastTime) {
    increment(lastRandom)
  } else {
    lastTime = now
    lastRandom = new Uint8Array(randomBytes(10))
  }
  return encodeTime(lastTime) + encodeRandom(lastRandom)
}

function encodeTime(ms: number): string {
  let out = ''
  let t = ms
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32]! + out
    t = Math.floor(t / 32)
  }
  return out
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits → 16 characters of 5 bits each
  let bits = 0n
  for (const b of bytes) bits = (bits << 8n) | BigInt(b)
  let out = ''
  for (let i = 0; i < 16; i++) {
    out = ALPHABET[Number(bits & 31n)]! + out
    bits >>= 5n
  }
  return out
}

function increment(bytes: Uint8Array): void {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 255) {
      bytes[i]!++
      return
    }
    bytes[i] = 0
  }
}

export const isId = (s: string): boolean => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(s)
