/**
 * The signature shape TOP, JD and PDD share (cn-marketplaces.md §0): parameters sorted by name in
 * byte order, concatenated as key+value with no separators, wrapped in the app secret, MD5, upper-case
 * hex. `sign` itself and absent values are left out; empty strings are kept (they were sent).
 */
import { createHash, createHmac } from 'node:crypto'

export type SignParams = Readonly<Record<string, string | undefined>>

/** key1value1key2value2… over the sorted keys, `sign` excluded. */
export function concatSorted(params: SignParams, exclude: readonly string[] = ['sign']): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k) && params[k] !== undefined)
    .sort() // parameter names are ASCII: code-unit order is byte order
    .map((k) => `${k}${params[k]}`)
    .join('')
}

/** MD5(secret + Σ(k+v) + secret), upper-case hex, UTF-8. */
export function md5Sign(secret: string, params: SignParams): string {
  return createHash('md5')
    .update(`${secret}${concatSorted(params)}${secret}`, 'utf8')
    .digest('hex')
    .toUpperCase()
}

/** HMAC-MD5(key = secret, Σ(k+v)), upper-case hex — TOP's sign_method=hmac. */
export function hmacMd5Sign(secret: string, params: SignParams): string {
  return createHmac('md5', secret).update(concatSorted(params), 'utf8').digest('hex').toUpperCase()
}

/** HMAC-SHA256(key = secret, Σ(k+v)), upper-case hex — TOP's sign_method=hmac-sha256. */
export function hmacSha256Sign(secret: string, params: SignParams): string {
  return createHmac('sha256', secret).update(concatSorted(params), 'utf8').digest('hex').toUpperCase()
}
