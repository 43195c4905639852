/**
 * Which addresses the hub may call. A merchant sets base URLs, OAuth hosts (and, to come, webhook
 * targets); in a shared deployment those must not reach loopback, the private network or a cloud
 * metadata service (169.254.169.254). So every connection the connectors open is checked when it
 * is made — after DNS resolution, for each redirect hop — by the agents below, and settings are
 * checked when saved (checkOutboundUrl) for a clear answer at once.
 *
 * The policy is process-wide (OUTBOUND_ALLOW_PRIVATE, set by the composition root): private
 * addresses are refused unless allowed. `allow` names exact "address:port" pairs that stay
 * reachable when private ones are refused (a sidecar proxy; the tests' own servers).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { lookup as dnsLookupAsync } from 'node:dns/promises'
import http from 'node:http'
import https from 'node:https'
import { BlockList, isIP, Socket, type LookupFunction } from 'node:net'
import type { Duplex } from 'node:stream'

export interface OutboundPolicy {
  readonly allowPrivate: boolean
  /** "address:port" pairs reachable even when private addresses are refused. */
  readonly allow?: readonly string[]
}

let current: OutboundPolicy = { allowPrivate: false }
/** Set once at start-up from the configuration (and by tests that exercise the refusal). */
export function setOutboundPolicy(policy: OutboundPolicy): void {
  current = policy
}
export const outboundPolicy = (): OutboundPolicy => current

/** Error code of a refused connection; the shared HTTP layer reports it as a permanent failure. */
export const OUTBOUND_REFUSED = 'EOUTBOUNDREFUSED'

const blocked = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback and IPv4-compatible
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  blocked.addSubnet(net, prefix, 'ipv6')

/** Whether an IP address (v4 or v6, IPv4-mapped, NAT64 or 6to4 included) is a public unicast one. */
export function isPublicAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const family = isIP(ip)
  if (family === 4) return !blocked.check(ip, 'ipv4')
  if (family !== 6) return false
  // BlockList matches IPv4-mapped addresses (::ffff:a.b.c.d) against the IPv4 rules itself.
  if (blocked.check(ip, 'ipv6')) return false
  const embedded = embeddedIpv4(ip)
  return embedded === null || !blocked.check(embedded, 'ipv4')
}

/** The IPv4 address inside a NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address. */
function embeddedIpv4(ip: string): string | null {
  const words = ipv6Words(ip)
  if (!words) return null
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0))
    return v4(words[6]!, words[7]!)
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!)
  return null
}

function ipv6Words(ip: string): number[] | null {
  let text = ip.toLowerCase()
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    const b = dotted[1]!.split('.').map(Number)
    text = `${text.slice(0, dotted.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`
  }
  const [head, tail] = text.split('::') as [string, string | undefined]
  const part = (s: string | undefined) => (s ? s.split(':').map((h) => parseInt(h, 16)) : [])
  const left = part(head)
  const right = part(tail)
  const words =
    tail === undefined
      ? left
      : [...left, ...new Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0), ...right]
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : null
}

/** Why connecting to this address is refused under the current policy, or null when it is allowed. */
export function refusal(address: string, port?: number | string, policy = current): string | null {
  if (policy.allowPrivate || isPublicAddress(address)) return null
  const ip = address.replace(/^\[|\]$/g, '')
  if (port !== undefined && policy.allow?.some((a) => a === `${ip}:${port}` || a === `[${ip}]:${port}`))
    return null
  return `${ip} is not a public address (loopback, private, link-local or reserved); outbound calls there are refused (OUTBOUND_ALLOW_PRIVATE)`
}

function refused(message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code: OUTBOUND_REFUSED })
}

/** dns.lookup that refuses a name when any of its addresses is not allowed (no rebinding games). */
export const guardedLookup = ((hostname: string, options: LookupOptions, callback: LookupCallback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0)
    const bad = addresses.map((a) => refusal(a.address)).find((r) => r !== null)
    if (bad) return callback(refused(`${hostname}: ${bad}`), '', 0)
    if (options.all) return callback(null, addresses)
    const first = addresses[0]
    if (!first)
      return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0)
    return callback(null, first.address, first.family)
  })
}) as unknown as LookupFunction
type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

type Connect = (
  options: http.ClientRequestArgs,
  cb?: (err: Error | null, s: Duplex) => void,
) => Duplex | null | undefined

/** An IP literal never goes through DNS: check it here, and hand names to the guarded lookup. */
function guard(connect: Connect): Connect {
  return (options, cb) => {
    const host = String(options.host ?? options.hostname ?? 'localhost')
    const bad = isIP(host.replace(/^\[|\]$/g, '')) ? refusal(host, options.port ?? undefined) : null
    if (bad) {
      // A socket that fails before connecting: the request errors with the reason (returning one,
      // rather than only calling back, also suits wrappers such as nock's interceptor).
      const socket = new Socket()
      process.nextTick(() => socket.destroy(refused(bad)))
      return socket
    }
    return connect({ ...options, lookup: guardedLookup }, cb)
  }
}

class GuardedHttpAgent extends http.Agent {
  private readonly guarded = guard((o, cb) => super.createConnection(o, cb))
  override createConnection(options: http.ClientRequestArgs, cb?: (err: Error | null, s: Duplex) => void) {
    return this.guarded(options, cb)
  }
}
class GuardedHttpsAgent extends https.Agent {
  private readonly guarded = guard((o, cb) => super.createConnection(o, cb))
  override createConnection(options: https.RequestOptions, cb?: (err: Error | null, s: Duplex) => void) {
    return this.guarded(options, cb)
  }
}

/** The agents every connector request (and every redirect it follows) connects through. */
export const outboundAgents = {
  http: new GuardedHttpAgent({ keepAlive: true }),
  https: new GuardedHttpsAgent({ keepAlive: true }),
}

/**
 * Save-time check of a URL the hub will call: a problem sentence, or null. Names are resolved;
 * one that resolves to a refused address, or does not resolve, is a problem. Connection-time
 * checks still hold (DNS can change after saving).
 */
export async function checkOutboundUrl(
  url: string,
  policy: OutboundPolicy = current,
  resolve: (host: string) => Promise<{ address: string }[]> = (h) => dnsLookupAsync(h, { all: true }),
): Promise<string | null> {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return 'is not a URL'
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http(s) URL'
  if (policy.allowPrivate) return null
  const host = u.hostname.replace(/^\[|\]$/g, '')
  const port = u.port || (u.protocol === 'https:' ? '443' : '80')
  if (isIP(host)) return refusal(host, port, policy)
  let addresses: { address: string }[]
  try {
    addresses = await resolve(host)
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ENOTFOUND' || code === 'ENODATA') return `names a host that does not resolve (${host})`
    return null // a DNS outage is not the merchant's mistake; the connection-time check still holds
  }
  for (const a of addresses) {
    const bad = refusal(a.address, port, policy)
    if (bad) return `resolves to ${bad}`
  }
  return null
}
