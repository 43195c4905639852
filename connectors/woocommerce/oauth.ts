/**
 * OAuth 1.0a "one-legged" as WooCommerce takes it over plain HTTP (reference B.1; WooCommerce REST
 * docs "Authentication over HTTP"; RFC 5849 §3.4): no token, the consumer secret plus `&` as the
 * key, HMAC-SHA256, the oauth_* parameters in the query string. The body is not signed.
 */
import { createHmac } from 'node:crypto'

export type OAuthAlgorithm = 'HMAC-SHA1' | 'HMAC-SHA256'

/** RFC 3986 percent-encoding (PHP rawurlencode): only A–Z a–z 0–9 - . _ ~ stay as they are. */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** The URL a signature covers: scheme and host lower-cased, no default port, no query. */
export function signatureUrl(url: string): string {
  const u = new URL(url)
  return `${u.protocol}//${u.host}${u.pathname}`
}

/**
 * METHOD & enc(url) & enc(k=v&k=v), the pairs encoded, then sorted by encoded name and value.
 * Every parameter but oauth_signature counts: the request's own query and the oauth_* ones.
 */
export function oauthBaseString(
  method: string,
  url: string,
  params: readonly (readonly [string, string])[],
): string {
  const normalized = params
    .filter(([k]) => k !== 'oauth_signature')
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  return `${method.toUpperCase()}&${rfc3986(signatureUrl(url))}&${rfc3986(normalized)}`
}

/** base64(HMAC(consumerSecret + '&', base string)); WooCommerce appends the `&` to the secret as stored. */
export function oauthSignature(
  baseString: string,
  consumerSecret: string,
  algorithm: OAuthAlgorithm = 'HMAC-SHA256',
): string {
  const hash = algorithm === 'HMAC-SHA1' ? 'sha1' : 'sha256'
  return createHmac(hash, `${consumerSecret}&`).update(baseString).digest('base64')
}

/**
 * The query string of a signed request: the request's own parameters plus oauth_consumer_key,
 * oauth_nonce, oauth_signature_method, oauth_timestamp and oauth_signature, RFC 3986-encoded.
 */
export function signedQuery(opts: {
  method: string
  url: string
  params: readonly (readonly [string, string])[]
  consumerKey: string
  consumerSecret: string
  timestamp: number
  nonce: string
}): string {
  const params: (readonly [string, string])[] = [
    ...opts.params,
    ['oauth_consumer_key', opts.consumerKey],
    ['oauth_nonce', opts.nonce],
    ['oauth_signature_method', 'HMAC-SHA256'],
    ['oauth_timestamp', String(opts.timestamp)],
  ]
  const signature = oauthSignature(oauthBaseString(opts.method, opts.url, params), opts.consumerSecret)
  return [...params, ['oauth_signature', signature] as const]
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&')
}
