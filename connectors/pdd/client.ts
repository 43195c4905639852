/**
 * The PDD gateway (cn-marketplaces.md §3.1–§3.3): one URL, the API name in `type`, common params
 * client_id / access_token / timestamp (epoch SECONDS) / data_type / version, every param signed as
 * MD5(client_secret + Σ sorted(k+v) + client_secret) upper hex, POSTed as a form. Errors come back
 * with HTTP 200 as {"error_response":{error_code, error_msg, sub_code, sub_msg, request_id}}.
 */
import { ConnectorError, type FailureKind } from '../errors.js'
import { createPlatformClient, redact, type HttpResult, type PlatformClient } from '../http.js'
import { idString } from '../json.js'
import { md5Sign } from '../cn/sign.js'
import { toEpochSeconds } from '../cn/time.js'
import type { ShopContext } from '../types.js'
import type { PddSettings } from './settings.js'

export const PDD_GATEWAY = 'https://gw-api.pinduoduo.com/api/router'

/** A business parameter: scalars are sent as text, arrays and objects as their JSON (and signed as such). */
export type PddParam =
  string | number | boolean | readonly unknown[] | Readonly<Record<string, unknown>> | undefined

export const paramText = (v: Exclude<PddParam, undefined>): string =>
  typeof v === 'object' ? JSON.stringify(v) : String(v)

/** The sign of a complete parameter set (common + business), `sign` itself excluded. */
export const signPdd = (clientSecret: string, params: Readonly<Record<string, string>>): string =>
  md5Sign(clientSecret, params)

export interface PddCredentials {
  clientId: string
  clientSecret: string
  accessToken: string
  refreshToken: string | null
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '')

export function credentialsOf(shop: Pick<ShopContext, 'credentials'>): PddCredentials {
  const c = shop.credentials
  return {
    clientId: text(c.clientId),
    clientSecret: text(c.clientSecret),
    accessToken: text(c.accessToken),
    refreshToken: text(c.refreshToken) || null,
  }
}

/**
 * The signed form for one call. `withToken: false` for the token APIs, which authenticate with the
 * refresh token instead of an access token.
 */
export function buildForm(
  type: string,
  business: Readonly<Record<string, PddParam>>,
  creds: PddCredentials,
  now: Date,
  withToken = true,
): Record<string, string> {
  const form: Record<string, string> = {
    type,
    client_id: creds.clientId,
    timestamp: String(toEpochSeconds(now)),
    data_type: 'JSON',
    version: 'V1',
  }
  if (withToken) form.access_token = creds.accessToken
  for (const [k, v] of Object.entries(business)) if (v !== undefined) form[k] = paramText(v)
  form.sign = signPdd(creds.clientSecret, form)
  return form
}

/**
 * error_code → kind (§3.3, from the retry and refresh rules of the SDK generated from the PDD doc).
 * Everything else — 10000–39999 and 50000–52003 parameter, permission and business errors, and any
 * code not listed — is permanent, with the code and message kept.
 */
export const PDD_ERROR_KINDS: Readonly<Record<string, FailureKind>> = {
  '10019': 'auth_expired', // access_token 已过期
  '52101': 'rate_limited', // 当前接口被限流，请稍后重试
  '52102': 'transient', // 当前接口暂时不可用
  '52103': 'transient', // 服务暂时不可用
  '70031': 'rate_limited', // 调用过于频繁，请调整调用频率
}

/**
 * How long to wait on a rate-limit code. 52101 is a short gateway throttle: retried inside the call.
 * 70031 means the shop's quota window (60 s in the documented per-API limits) is spent: that goes
 * back to the job layer, which waits a whole window instead of blocking a worker.
 */
const RETRY_AFTER_MS: Readonly<Record<string, number>> = { '52101': 500, '70031': 60_000 }

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

export function classifyPdd(res: HttpResult, secrets: readonly string[]): ConnectorError | null {
  const err = isObj(res.json) && isObj(res.json.error_response) ? res.json.error_response : null
  if (!err) return null
  const code = idString(err.error_code) ?? 'unknown'
  const sub = idString(err.sub_code)
  const kind = PDD_ERROR_KINDS[code] ?? 'permanent'
  const detailText = [text(err.error_msg), text(err.sub_msg)].filter(Boolean).join(' — ')
  return new ConnectorError(
    kind,
    redact(`pdd error ${code}${sub ? ` (sub_code ${sub})` : ''}: ${detailText || 'no message'}`, secrets),
    {
      channel: 'pdd',
      platformCode: code,
      httpStatus: res.status,
      ...(kind === 'rate_limited' ? { retryAfterMs: RETRY_AFTER_MS[code] ?? 1000 } : {}),
      body: redact(res.text.slice(0, 4096), secrets),
    },
  )
}

export interface PddClient {
  /** Call `type` and return the object under `responseKey` (e.g. order_sn_increment_get_response). */
  call(
    type: string,
    responseKey: string,
    business?: Readonly<Record<string, PddParam>>,
    opts?: { withToken?: boolean },
  ): Promise<Obj>
  readonly http: PlatformClient
}

export const baseUrlOf = (settings: Readonly<Partial<PddSettings>>): string => settings.baseUrl ?? PDD_GATEWAY
export const timeoutOf = (settings: Readonly<Partial<PddSettings>>): number => settings.timeoutMs ?? 20_000

export function pddClient(shop: ShopContext<Partial<PddSettings>>): PddClient {
  const creds = credentialsOf(shop)
  const secrets = [creds.clientSecret, creds.accessToken, creds.refreshToken ?? '']
  const baseUrl = baseUrlOf(shop.settings)
  const http = createPlatformClient({
    channel: 'pdd',
    limiterKey: shop.id,
    baseUrl,
    // The tightest documented per-shop limit among the APIs used: pdd.refund.list.increment.get, 100 / 10 s.
    ratePerSecond: shop.settings.ratePerSecond ?? 10,
    timeoutMs: timeoutOf(shop.settings),
    classify: (res) => classifyPdd(res, secrets),
    secrets,
  })
  return {
    http,
    async call(type, responseKey, business = {}, opts = {}) {
      const form = buildForm(type, business, creds, shop.clock.now(), opts.withToken ?? true)
      const res = await http.request({
        method: 'POST',
        url: baseUrl,
        data: new URLSearchParams(form).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      })
      const body = isObj(res.json) ? res.json[responseKey] : undefined
      if (!isObj(body)) {
        throw new ConnectorError('permanent', `pdd ${type} answered without a ${responseKey} object`, {
          channel: 'pdd',
          httpStatus: res.status,
          body: redact(res.text.slice(0, 64 * 1024), secrets),
        })
      }
      return body
    },
  }
}
