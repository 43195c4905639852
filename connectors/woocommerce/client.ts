/**
 * The WooCommerce REST client every call of the connector uses (orders, stock, catalogue): the
 * scheme of baseUrl chooses the authentication, as WooCommerce does — HTTP Basic over https; over
 * plain http WooCommerce ignores Basic and demands OAuth 1.0a one-legged (HMAC-SHA256, parameters
 * in the query string, a fresh nonce per attempt).
 */
import { randomBytes } from 'node:crypto'
import type { AxiosRequestConfig } from 'axios'
import { createPlatformClient, type PlatformClient } from '../http.js'
import type { ShopContext } from '../types.js'
import { signedQuery } from './oauth.js'
import type { WooSettings } from './settings.js'

const text = (v: unknown): string => (typeof v === 'string' ? v : '')

/** A request's query parameters as strings, the way axios would send them (undefined and null left out). */
function queryPairs(config: AxiosRequestConfig): [string, string][] {
  const [, inUrl = ''] = (config.url ?? '').split('?')
  const own = Object.entries((config.params ?? {}) as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]): [string, string] => [k, String(v as string | number | boolean)])
  return [...new URLSearchParams(inUrl), ...own]
}

/** Sign one attempt with OAuth 1.0a: the parameters move into the URL, signed with a new nonce. */
function oauthSigner(shop: ShopContext, siteUrl: string, consumerKey: string, consumerSecret: string) {
  return (config: AxiosRequestConfig): AxiosRequestConfig => {
    const path = (config.url ?? '').split('?')[0]!
    const query = signedQuery({
      method: config.method ?? 'GET',
      url: `${siteUrl}${path}`,
      params: queryPairs(config),
      consumerKey,
      consumerSecret,
      timestamp: Math.floor(shop.clock.now().getTime() / 1000),
      nonce: randomBytes(16).toString('hex'),
    })
    return { ...config, url: `${path}?${query}`, params: undefined }
  }
}

export function wooClient(shop: ShopContext<Partial<WooSettings>>): PlatformClient {
  const key = text(shop.credentials.consumerKey)
  const secret = text(shop.credentials.consumerSecret)
  const siteUrl = text(shop.settings.baseUrl).replace(/\/+$/, '')
  const https = /^https:/i.test(siteUrl)
  return createPlatformClient({
    channel: 'woocommerce',
    limiterKey: shop.id,
    baseUrl: siteUrl,
    ratePerSecond: shop.settings.ratePerSecond ?? 5, // no documented limit in core; hosts and WAFs throttle
    timeoutMs: shop.settings.timeoutMs,
    ...(https
      ? { headers: { authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}` } }
      : { prepare: oauthSigner(shop, siteUrl, key, secret) }),
    secrets: [key, secret],
  })
}
