/**
 * Douyin shop (抖店) request and message signatures (cn-marketplaces.md §4.2, §4.7). Douyin does
 * not use the TOP-style Σ(k+v) shape of connectors/cn/sign.ts: it signs a fixed sequence of the
 * five common parameters with the business parameters serialised as one canonical JSON string.
 * Pure functions, no clock.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * A business parameter value. int64 ids (product_id, sku_id) are sent as bare JSON numbers by the
 * official SDK, but they do not fit a JS number: pass them as bigint and they are written exactly.
 */
export type ParamValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | readonly ParamValue[]
  | { readonly [key: string]: ParamValue | undefined }

/**
 * param_json as the platform recomputes it: keys sorted recursively (code-unit order — the keys are
 * ASCII), no whitespace, non-ASCII kept as UTF-8 rather than \u-escaped, no HTML escaping of < > &
 * (JSON.stringify escapes neither), undefined members left out, `{}` for no parameters.
 */
export function canonicalJson(value: ParamValue | undefined): string {
  if (value === undefined || value === null) return 'null'
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('canonicalJson: numbers must be finite')
    return JSON.stringify(value)
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  if (Array.isArray(value))
    return `[${(value as readonly ParamValue[]).map((v) => canonicalJson(v)).join(',')}]`
  const obj = value as { readonly [key: string]: ParamValue | undefined }
  const members = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
  return `{${members.join(',')}}`
}

export type SignMethod = 'hmac-sha256' | 'md5'

export interface SignInput {
  appKey: string
  appSecret: string
  method: string
  paramJson: string
  /** Exactly the text sent as the `timestamp` parameter (Unix seconds with the current SDK). */
  timestamp: string
}

/** secret + "app_key…method…param_json…timestamp…v2" + secret — the text both variants hash. */
export function signPattern(i: SignInput): string {
  return `${i.appSecret}app_key${i.appKey}method${i.method}param_json${i.paramJson}timestamp${i.timestamp}v2${i.appSecret}`
}

/** Lower-case hex: HMAC-SHA256 keyed with the app secret, or a plain MD5 of the pattern. */
export function signRequest(i: SignInput, method: SignMethod = 'hmac-sha256'): string {
  const pattern = signPattern(i)
  return method === 'md5'
    ? createHash('md5').update(pattern, 'utf8').digest('hex')
    : createHmac('sha256', i.appSecret).update(pattern, 'utf8').digest('hex')
}

/**
 * Message push signature: header `event-sign` = md5(app_key + raw body + app_secret), lower hex.
 * ⚠ Not on an official page we could read; two independent SDKs agree byte for byte:
 * zsmhub/doudian-sdk message/doudian_sign.go (VerifySign) and minibear2021/doudian core.py
 * (callback(), which also checks the `app-id` header against the app key).
 */
export function eventSign(appKey: string, appSecret: string, rawBody: Buffer): string {
  return createHash('md5')
    .update(Buffer.concat([Buffer.from(appKey, 'utf8'), rawBody, Buffer.from(appSecret, 'utf8')]))
    .digest('hex')
}

/** Constant-time comparison of two hex signatures (case-insensitive); false on any length mismatch. */
export function sameHex(given: string, expected: string): boolean {
  const a = Buffer.from(given.trim().toLowerCase(), 'utf8')
  const b = Buffer.from(expected.toLowerCase(), 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}
