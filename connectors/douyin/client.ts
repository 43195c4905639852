/**
 * Signed calls to the Douyin shop gateway (cn-marketplaces.md §4.1): POST
 * `{baseUrl}/{method with . → /}`, the common parameters in the query string, the business
 * parameters as the canonical JSON body that was signed. One client per call site, built from the
 * shop context; the shared http layer does retries, the rate limit and the error classes.
 */
import { ConnectorError } from '../errors.js'
import { createPlatformClient, type PlatformClient } from '../http.js'
import type { ShopContext } from '../types.js'
import type { DouyinSettings } from './settings.js'
import { toEpochSeconds } from '../cn/time.js'
import { classifyDouyin } from './errors.js'
import { canonicalJson, signRequest, type ParamValue, type SignMethod } from './sign.js'

export const DEFAULT_BASE_URL = 'https://openapi-fxg.jinritemai.com'

const text = (v: unknown): string => (typeof v === 'string' ? v : '')

export interface DouyinCredentials {
  appKey: string
  appSecret: string
  accessToken: string
  refreshToken: string | null
}

export function credentialsOf(shop: Pick<ShopContext, 'credentials'>): DouyinCredentials {
  const c = shop.credentials
  return {
    appKey: text(c.appKey),
    appSecret: text(c.appSecret),
    accessToken: text(c.accessToken),
    refreshToken: text(c.refreshToken) || null,
  }
}

export function baseUrlOf(settings: Readonly<Partial<DouyinSettings>>): string {
  return (settings.baseUrl ?? DEFAULT_BASE_URL).replace(/\/$/, '')
}

export const signMethodOf = (settings: Readonly<Partial<DouyinSettings>>): SignMethod =>
  settings.signMethod ?? 'hmac-sha256'

export interface DouyinCallOptions {
  /** token.create / token.refresh are signed without an access token. */
  withoutToken?: boolean
}

export interface DouyinClient {
  /** The envelope's `data` on success; a ConnectorError otherwise. */
  call(
    method: string,
    params: Record<string, ParamValue | undefined>,
    opts?: DouyinCallOptions,
  ): Promise<unknown>
}

export function createDouyinClient(shop: ShopContext<Partial<DouyinSettings>>): DouyinClient {
  const creds = credentialsOf(shop)
  if (creds.appKey === '' || creds.appSecret === '') {
    throw new ConnectorError('permanent', 'douyin shop credentials need appKey and appSecret', {
      channel: 'douyin',
    })
  }
  const secrets = [creds.appSecret, creds.accessToken, creds.refreshToken ?? '']
  const http: PlatformClient = createPlatformClient({
    channel: 'douyin',
    limiterKey: shop.id,
    baseUrl: baseUrlOf(shop.settings),
    // Per-app, per-API QPS limits are set in the console and not published (§4.9 ❓); 10/s stays under the usual defaults.
    ratePerSecond: shop.settings.ratePerSecond ?? 10,
    timeoutMs: shop.settings.timeoutMs,
    // The official SDK sends this so that errors come with the current code table, not the legacy one.
    headers: { 'x-open-no-old-err-code': '1' },
    classify: (res) => classifyDouyin(res, secrets),
    secrets,
  })
  const signMethod = signMethodOf(shop.settings)

  return {
    async call(method, params, opts = {}) {
      const paramJson = canonicalJson(params)
      const timestamp = String(toEpochSeconds(shop.clock.now()))
      const sign = signRequest(
        { appKey: creds.appKey, appSecret: creds.appSecret, method, paramJson, timestamp },
        signMethod,
      )
      const query: Record<string, string> = {
        app_key: creds.appKey,
        method,
        v: '2',
        timestamp,
        sign_method: signMethod,
        sign,
      }
      if (!opts.withoutToken) query.access_token = creds.accessToken
      const res = await http.request({
        method: 'POST',
        url: `/${method.split('.').join('/')}`,
        params: query,
        data: paramJson,
        headers: { 'content-type': 'application/json' },
      })
      const env = res.json as { data?: unknown }
      return env.data
    },
  }
}
