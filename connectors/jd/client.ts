/**
 * JD JOS gateway (cn-marketplaces.md §2.1–§2.3): signed form POSTs to `routerjson`, business
 * parameters as one JSON string in `360buy_param_json`, answers wrapped in `<method>_responce`
 * (JD's spelling) or a gateway `error_response`.
 */
import { ConnectorError, type FailureKind } from '../errors.js'
import { createPlatformClient, redact, type HttpResult, type PlatformClient } from '../http.js'
import { md5Sign } from '../cn/sign.js'
import { toShanghai } from '../cn/time.js'
import type { ShopContext } from '../types.js'
import type { JdSettings } from './settings.js'

export const DEFAULT_BASE_URL = 'https://api.jd.com/routerjson'
export const DEFAULT_OAUTH_URL = 'https://open-oauth.jd.com'

/** An integer id written into the business JSON without quotes and without passing through a JS number (JD ids exceed 2^53). */
export class JdLong {
  constructor(readonly digits: string) {
    if (!/^\d+$/.test(digits)) throw new Error(`not an integer id: ${digits}`)
  }
}
export type ParamValue =
  string | number | boolean | null | JdLong | readonly ParamValue[] | { readonly [k: string]: ParamValue }

/**
 * The business JSON exactly as it is sent and signed. A small serializer of our own because
 * JSON.stringify cannot write a 19-digit integer without rounding it.
 */
export function paramJson(value: ParamValue): string {
  if (value instanceof JdLong) return value.digits
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${(value as readonly ParamValue[]).map(paramJson).join(',')}]`
  const entries = Object.entries(value as { readonly [k: string]: ParamValue })
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${paramJson(v)}`).join(',')}}`
}

export interface JdCredentials {
  appKey: string
  appSecret: string
  accessToken: string
}

/**
 * The signed form body (§2.2): every parameter we send is signed; `format` is not sent at all
 * (JSON is the default) so that the signed set matches the official worked example exactly.
 */
export function signedForm(
  method: string,
  business: string,
  creds: JdCredentials,
  timestamp: string,
): Record<string, string> {
  const params: Record<string, string> = {
    '360buy_param_json': business,
    access_token: creds.accessToken,
    app_key: creds.appKey,
    method,
    timestamp,
    v: '2.0',
  }
  return { ...params, sign: md5Sign(creds.appSecret, params) }
}

/**
 * Gateway codes (`error_response.code`). Source: the JOS error-code table as copied into two
 * independent public ERP codebases (a JOS PHP client `Lib11\Jos\Logic` and a VMCSHOP error map),
 * consistent with a third-party blog table (blog.csdn.net/DianSan_ERP/142364242) ⚠ — JD's own page
 * (jos.jd.com commondoc) was not reachable. Codes not listed are permanent.
 */
export const GATEWAY_CODE_KIND: Readonly<Record<string, FailureKind>> = {
  '1': 'transient', // 服务不可用
  '2': 'rate_limited', // 限制时间内调用失败次数 App Call Limited
  '18': 'auth_expired', // 缺少access_token参数: a refresh can supply one
  '19': 'auth_expired', // 无效access_token (expired or revoked)
  '43': 'transient', // 系统处理错误
  '65': 'transient', // 平台连接后端服务超时
  '66': 'transient', // 平台连接后端服务不可用
  '67': 'transient', // 平台连接后端服务处理过程中出现未知异常信息
  '69': 'transient', // 获取数据失败
  '70': 'transient', // 该订单正在出库中: the order is mid-outbound, a later retry succeeds
}

/** JD gives no Retry-After; "App Call Limited" is a quota, so the job layer waits, not the HTTP call. */
export const RATE_LIMIT_WAIT_MS = 60_000

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : ''

/** The `<method>_responce` object of a JD answer, if any. */
export function responseBody(json: unknown): Obj | null {
  if (!isObj(json)) return null
  const key = Object.keys(json).find((k) => k.endsWith('_responce') || k.endsWith('_response'))
  return key && key !== 'error_response' && isObj(json[key]) ? json[key] : null
}

/** Business failures look like system trouble when their text says so; everything else is a permanent refusal. */
const SYSTEM_TROUBLE = /system|timeout|busy|繁忙|超时|系统|稍后/i

function businessFailure(body: Obj): { code: string; message: string } | null {
  for (const value of Object.values(body)) {
    if (!isObj(value)) continue
    // Search/query APIs report in apiResult; write APIs (shipment, stock) in the result object itself.
    const result = isObj(value.apiResult) ? value.apiResult : value
    if (result.success === false || result.success === 'false') {
      const code =
        text(result.numberCode) || text(result.errorCode) || text(result.englishErrCode) || 'business'
      const message =
        text(result.chineseErrCode) ||
        text(result.errorMessage) ||
        text(result.englishErrCode) ||
        text(result.resultInfo) ||
        'success=false'
      return { code, message }
    }
  }
  return null
}

/** The client's classify hook: JD answers HTTP 200 for its own errors. Pure. */
export function classifyJd(res: HttpResult, secrets: readonly string[] = []): ConnectorError | null {
  if (res.status >= 300 || res.json === undefined) return null
  const fail = (kind: FailureKind, code: string, message: string) =>
    new ConnectorError(kind, redact(`jd error ${code}: ${message}`, secrets), {
      channel: 'jd',
      platformCode: code,
      httpStatus: res.status,
      ...(kind === 'rate_limited' ? { retryAfterMs: RATE_LIMIT_WAIT_MS } : {}),
      body: redact(res.text.slice(0, 4096), secrets),
    })
  if (isObj(res.json) && isObj(res.json.error_response)) {
    const e = res.json.error_response
    const code = text(e.code).trim() || 'unknown'
    return fail(
      GATEWAY_CODE_KIND[code] ?? 'permanent',
      code,
      text(e.zh_desc) || text(e.en_desc) || 'no description',
    )
  }
  const body = responseBody(res.json)
  if (!body) return null
  const code = text(body.code)
  if (code !== '' && code !== '0')
    return fail(
      GATEWAY_CODE_KIND[code] ?? 'permanent',
      code,
      text(body.zh_desc) || text(body.en_desc) || 'non-zero code',
    )
  const business = businessFailure(body)
  if (business)
    return fail(
      SYSTEM_TROUBLE.test(business.message) ? 'transient' : 'permanent',
      business.code,
      business.message,
    )
  return null
}

export const str = text

export function credentialsOf(
  shop: Pick<ShopContext, 'credentials'>,
): JdCredentials & { refreshToken: string } {
  return {
    appKey: text(shop.credentials.appKey),
    appSecret: text(shop.credentials.appSecret),
    accessToken: text(shop.credentials.accessToken),
    refreshToken: text(shop.credentials.refreshToken),
  }
}

type JdShop = ShopContext<Partial<JdSettings>>

export interface JdApi {
  /** Call one JOS method; returns its `<method>_responce` object. */
  call(method: string, business: { readonly [k: string]: ParamValue }): Promise<Obj>
}

export function jdApi(shop: JdShop): JdApi {
  const creds = credentialsOf(shop)
  const secrets = [creds.appSecret, creds.accessToken, creds.refreshToken]
  const http: PlatformClient = createPlatformClient({
    channel: 'jd',
    limiterKey: shop.id,
    baseUrl: shop.settings.baseUrl ?? DEFAULT_BASE_URL,
    // JOS quotas are per app per day and per API per minute; 10/s per shop is well inside them ❓.
    ratePerSecond: shop.settings.ratePerSecond ?? 10,
    timeoutMs: shop.settings.timeoutMs,
    retries: 2,
    minRetryDelayMs: 100,
    classify: (res) => classifyJd(res, secrets),
    secrets,
  })
  return {
    async call(method, business) {
      const form = signedForm(method, paramJson(business), creds, toShanghai(shop.clock.now()))
      const res = await http.request({
        method: 'POST',
        url: '',
        data: new URLSearchParams(form).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      })
      const body = responseBody(res.json)
      if (!body) {
        throw new ConnectorError(
          'permanent',
          `jd answered ${method} without a ${method.replace(/\./g, '_')}_responce object`,
          {
            channel: 'jd',
            httpStatus: res.status,
            body: redact(res.text.slice(0, 64 * 1024), secrets),
          },
        )
      }
      return body
    },
  }
}

/** The OAuth host is separate from the API gateway; settings.oauthUrl overrides it (sandboxes, tests). */
export function oauthClient(shop: JdShop): PlatformClient {
  const creds = credentialsOf(shop)
  return createPlatformClient({
    channel: 'jd',
    limiterKey: `${shop.id}:oauth`,
    baseUrl: shop.settings.oauthUrl ?? DEFAULT_OAUTH_URL,
    ratePerSecond: 2,
    timeoutMs: shop.settings.timeoutMs,
    retries: 2,
    minRetryDelayMs: 100,
    secrets: [creds.appSecret, creds.accessToken, creds.refreshToken],
  })
}
