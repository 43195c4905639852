/**
 * The TOP gateway (cn-marketplaces.md §1.1–§1.3): common parameters, signing, error classification
 * and response unwrapping. One POST per API call, form-encoded, to the shop's `baseUrl`.
 *
 * We send `format=json&simplify=true` (§1.3 ✅: the payload comes flat, lists as plain arrays), and
 * still accept the non-simplified shape (`<name>_response` wrapper, `{"trades":{"trade":[…]}}` list
 * wrappers, ⚠ in the reference) because a proxy, a sandbox or an older gateway may ignore `simplify`.
 */
import { ConnectorError, type FailureKind } from '../errors.js'
import { createPlatformClient, redact, type HttpResult, type PlatformClient } from '../http.js'
import { hmacMd5Sign, hmacSha256Sign, md5Sign, type SignParams } from '../cn/sign.js'
import { toShanghai } from '../cn/time.js'
import type { ShopContext } from '../types.js'
import type { TaobaoSettings } from './settings.js'

export const DEFAULT_BASE_URL = 'https://eco.taobao.com/router/rest'
export const SIGN_METHODS = ['md5', 'hmac', 'hmac-sha256'] as const
export type SignMethod = (typeof SIGN_METHODS)[number]

export interface TopCredentials {
  appKey: string
  appSecret: string
  session: string
  refreshToken: string | null
}

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')

export function credentialsOf(shop: Pick<ShopContext, 'credentials'>): TopCredentials {
  const c = shop.credentials
  return {
    appKey: text(c.appKey),
    appSecret: text(c.appSecret),
    session: text(c.session),
    refreshToken: text(c.refreshToken) || null,
  }
}

export const signMethodOf = (settings: Readonly<Partial<TaobaoSettings>>): SignMethod =>
  settings.signMethod ?? 'md5'

/**
 * The TOP signature (§1.2). The official Java sample skips empty values, unlike connectors/cn's
 * concatSorted which keeps them (JD/PDD behaviour), so empty values are removed here first.
 */
export function signTop(secret: string, params: SignParams, method: SignMethod): string {
  const kept: Record<string, string> = {}
  for (const [k, v] of Object.entries(params)) if (k !== '' && v !== undefined && v !== '') kept[k] = v
  switch (method) {
    case 'md5':
      return md5Sign(secret, kept)
    case 'hmac':
      return hmacMd5Sign(secret, kept)
    case 'hmac-sha256':
      return hmacSha256Sign(secret, kept)
  }
}

/** Common + business parameters, signed; empty business values are not sent (they are not signed either). */
export function buildRequest(
  method: string,
  business: Readonly<Record<string, string | undefined>>,
  opts: { appKey: string; appSecret: string; session: string | null; signMethod: SignMethod; now: Date },
): Record<string, string> {
  const params: Record<string, string> = {
    method,
    app_key: opts.appKey,
    timestamp: toShanghai(opts.now), // GMT+8 wall time; the gateway tolerates ±10 min
    format: 'json',
    v: '2.0',
    sign_method: opts.signMethod,
    simplify: 'true',
  }
  if (opts.session) params.session = opts.session
  for (const [k, v] of Object.entries(business)) if (v !== undefined && v !== '') params[k] = v
  params.sign = signTop(opts.appSecret, params, opts.signMethod)
  return params
}

// ---------------------------------------------------------------------------------------------
// Errors (§1.3). A table, not an if-ladder: codes < 100 are gateway errors, sub_code prefixes
// isp.* (platform side, retry) and isv.* (our request / business rule, never retry).
// ---------------------------------------------------------------------------------------------

export const KIND_BY_CODE = {
  '3': 'permanent', // Upload Fail
  '4': 'rate_limited', // User Call Limited
  '5': 'rate_limited', // Session Call Limited
  '6': 'rate_limited', // Partner Call Limited
  '7': 'rate_limited', // App Call Limited (quota)
  '8': 'rate_limited', // App Call Exceeds Limited Frequency (QPS)
  '9': 'permanent', // Http Action Not Allowed
  '10': 'transient', // Service Currently Unavailable
  '11': 'permanent', // Insufficient ISV Permissions
  '12': 'permanent', // Insufficient User Permissions: a new token does not grant a permission; the merchant must re-authorise
  '15': 'transient', // Remote Service Error (sub_code decides first)
  '21': 'permanent', // Missing Method
  '22': 'permanent', // Invalid Method
  '24': 'permanent', // Missing Signature
  '25': 'permanent', // Invalid Signature
  '26': 'auth_expired', // Missing Session
  '27': 'auth_expired', // Invalid Session
  '28': 'permanent', // Missing App Key
  '29': 'permanent', // Invalid App Key
  '30': 'permanent', // Missing Timestamp
  '31': 'permanent', // Invalid Timestamp (our clock is off by more than 10 minutes)
  '40': 'permanent', // Missing Required Arguments
  '41': 'permanent', // Invalid Arguments
  '42': 'permanent', // Forbidden Request
  '50': 'permanent', // Remote service error: decided by sub_code (isp.* → transient)
} as const satisfies Record<string, FailureKind>

/** Quota bans (codes 4–7) last minutes; the QPS limit (8) clears within a second. */
const QUOTA_WAIT_MS = 60_000
const QPS_WAIT_MS = 1_000

export interface TopError {
  code: string
  msg: string
  subCode: string | null
  subMsg: string | null
}

export function kindOfTopError(e: TopError): FailureKind {
  const sub = e.subCode ?? ''
  // Throttling sub_codes (accesscontrol.limited-by-api-access-count, …-app-access-count, isp.call-limited ⚠).
  if (sub.startsWith('accesscontrol.limited-by') || sub.endsWith('call-limited')) return 'rate_limited'
  const byCode: FailureKind | undefined = (KIND_BY_CODE as Record<string, FailureKind>)[e.code]
  if (byCode === 'rate_limited' || byCode === 'auth_expired') return byCode
  if (sub.startsWith('isp.')) return 'transient'
  if (sub.startsWith('isv.')) return 'permanent'
  return byCode ?? 'permanent'
}

/** "This ban will last for 71 more seconds" — TOP's sub_msg on quota bans ⚠; otherwise a default per code. */
export function retryAfterOf(e: TopError): number {
  const m = /(\d+)\s*more seconds/i.exec(`${e.subMsg ?? ''} ${e.msg}`)
  if (m) return Number(m[1]) * 1000
  return e.code === '8' ? QPS_WAIT_MS : QUOTA_WAIT_MS
}

type Obj = Record<string, unknown>
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

export function topErrorOf(json: unknown): TopError | null {
  if (!isObj(json) || !isObj(json.error_response)) return null
  const e = json.error_response
  return {
    code: text(e.code) || 'unknown',
    msg: text(e.msg),
    subCode: text(e.sub_code) || null,
    subMsg: text(e.sub_msg) || null,
  }
}

/** The client's classify hook: an error_response in a 200 body, or a 200 body that is not JSON. */
export function classifyTop(method: string, secrets: readonly string[]) {
  return (res: HttpResult): ConnectorError | null => {
    const e = topErrorOf(res.json)
    if (e) {
      const kind = kindOfTopError(e)
      const what = [
        `code ${e.code} ${e.msg}`,
        e.subCode ? `${e.subCode}${e.subMsg ? `: ${e.subMsg}` : ''}` : null,
      ]
        .filter(Boolean)
        .join(' / ')
      return new ConnectorError(kind, redact(`taobao ${method} failed: ${what}`, secrets), {
        channel: 'taobao',
        platformCode: e.subCode ?? e.code,
        httpStatus: res.status,
        ...(kind === 'rate_limited' ? { retryAfterMs: retryAfterOf(e) } : {}),
        body: redact(res.text.slice(0, 4096), secrets),
      })
    }
    if (res.status < 300 && !isObj(res.json)) {
      return new ConnectorError(
        'permanent',
        `taobao ${method} answered ${res.status} without a JSON object`,
        {
          channel: 'taobao',
          httpStatus: res.status,
          body: redact(res.text.slice(0, 64 * 1024), secrets),
        },
      )
    }
    return null
  }
}

/** `taobao.trades.sold.increment.get` → `trades_sold_increment_get_response` (non-simplified wrapper). */
export const responseKey = (method: string): string =>
  `${method.replace(/^taobao\./, '').replace(/\./g, '_')}_response`

/** The payload object whichever shape the gateway used. */
export function payloadOf(json: unknown, method: string): Obj {
  if (!isObj(json)) return {}
  const wrapped = json[responseKey(method)]
  return isObj(wrapped) ? wrapped : json
}

/** A list as a plain array (simplified) or wrapped once (`{"trade":[…]}`); absent → []. */
export function listOf(v: unknown, inner: string): unknown[] {
  if (Array.isArray(v)) return v
  if (isObj(v)) {
    const w = v[inner]
    if (Array.isArray(w)) return w
    if (isObj(w)) return [w] // XML-to-JSON gateways turn a one-element list into an object
  }
  return []
}

// ---------------------------------------------------------------------------------------------
// The per-shop caller.
// ---------------------------------------------------------------------------------------------

/** TOP app QPS limits depend on the app's tier; 10/s sits under the usual default allotment (settings.ratePerSecond overrides). */
const RATE_PER_SECOND = 10

export type TopCall = (
  method: string,
  business?: Readonly<Record<string, string | undefined>>,
  opts?: { withSession?: boolean },
) => Promise<Obj>

export function topCaller(
  shop: ShopContext<Partial<TaobaoSettings>>,
  cred: TopCredentials = credentialsOf(shop),
): TopCall {
  const baseUrl = shop.settings.baseUrl ?? DEFAULT_BASE_URL
  const signMethod = signMethodOf(shop.settings)
  const secrets = [cred.appSecret, cred.session, cred.refreshToken ?? ''].filter((s) => s !== '')
  const clients = new Map<string, PlatformClient>()
  const clientFor = (method: string): PlatformClient => {
    let c = clients.get(method)
    if (!c) {
      c = createPlatformClient({
        channel: 'taobao',
        limiterKey: shop.id,
        baseUrl,
        ratePerSecond: shop.settings.ratePerSecond ?? RATE_PER_SECOND,
        timeoutMs: shop.settings.timeoutMs,
        classify: classifyTop(method, secrets),
        secrets,
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      })
      clients.set(method, c)
    }
    return c
  }
  return async (method, business = {}, opts = {}) => {
    const params = buildRequest(method, business, {
      appKey: cred.appKey,
      appSecret: cred.appSecret,
      session: opts.withSession === false ? null : cred.session,
      signMethod,
      now: shop.clock.now(),
    })
    const res = await clientFor(method).request({
      method: 'POST',
      url: '',
      data: new URLSearchParams(params).toString(),
    })
    return payloadOf(res.json, method)
  }
}
