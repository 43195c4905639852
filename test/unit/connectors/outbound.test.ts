/**
 * Outbound address policy: non-public addresses are refused when the connection is made (after DNS,
 * on every redirect hop) and when settings are saved, unless OUTBOUND_ALLOW_PRIVATE allows them.
 * Real local servers: the refusal must happen before anything reaches them.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createPlatformClient } from '../../../connectors/http.js'
import { checkOutboundUrl, isPublicAddress, setOutboundPolicy } from '../../../connectors/outbound.js'

describe('public addresses', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::1',
    '[::1]',
    'not-an-ip',
  ])('%s is not public', (ip) => expect(isPublicAddress(ip)).toBe(false))

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    '%s is public',
    (ip) => expect(isPublicAddress(ip)).toBe(true),
  )
})

describe('checking a URL when settings are saved', () => {
  const refuse = { allowPrivate: false }
  const resolver = (table: Record<string, string[]>) => async (host: string) => {
    const addresses = table[host]
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
    return addresses.map((address) => ({ address }))
  }
  const dns = resolver({
    'shop.example': ['93.184.216.34'],
    'internal.example': ['10.0.0.5'],
    'rebind.example': ['93.184.216.34', '127.0.0.1'],
    'metadata.example': ['169.254.169.254'],
  })

  it.each([
    ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is not a public address/],
    ['http://127.0.0.1:8080/api', /not a public address/],
    ['http://0.0.0.0/', /not a public address/],
    ['http://[::1]:3000/', /::1 is not a public address/],
    ['http://[::ffff:127.0.0.1]/', /not a public address/],
    ['http://[fd00::5]/', /not a public address/],
    ['http://2130706433/', /127\.0\.0\.1 is not a public address/], // decimal IPv4, normalized by URL
    ['https://internal.example/api', /resolves to 10\.0\.0\.5/],
    ['https://rebind.example/api', /resolves to 127\.0\.0\.1/],
    ['https://metadata.example/', /resolves to 169\.254\.169\.254/],
    ['https://nowhere.example/', /does not resolve/],
    ['ftp://shop.example/', /http\(s\)/],
  ])('%s is refused', async (url, why) => {
    expect(await checkOutboundUrl(url, refuse, dns)).toMatch(why)
  })

  it('accepts public addresses, and everything when private ones are allowed', async () => {
    expect(await checkOutboundUrl('https://shop.example/api', refuse, dns)).toBeNull()
    expect(await checkOutboundUrl('https://93.184.216.34/api', refuse, dns)).toBeNull()
    expect(await checkOutboundUrl('http://127.0.0.1:8080/api', { allowPrivate: true }, dns)).toBeNull()
  })
})

describe('checking every connection', () => {
  let hits: string[]
  let target: Server
  let redirector: Server
  const portOf = (s: Server) => (s.address() as AddressInfo).port
  const listen = (s: Server) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  const get = (baseUrl: string, url = '/ping') =>
    createPlatformClient({
      channel: 'selfstore',
      limiterKey: 'outbound-test',
      baseUrl,
      ratePerSecond: 1000,
    }).request({
      method: 'GET',
      url,
    })

  beforeAll(async () => {
    // nock would refuse these hosts itself: let the connections reach the agents under test.
    nock.enableNetConnect()
    target = createServer((req, res) => {
      hits.push(req.url ?? '')
      res.end('{"ok":true}')
    })
    redirector = createServer((req, res) => {
      const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to')
      if (!to) return res.end('{"here":true}')
      res.writeHead(302, { location: to }).end()
    })
    await listen(target)
    await listen(redirector)
  })
  afterAll(async () => {
    nock.disableNetConnect()
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/)
    setOutboundPolicy({ allowPrivate: true })
    await new Promise((r) => target.close(r))
    await new Promise((r) => redirector.close(r))
  })
  beforeEach(() => {
    hits = []
    setOutboundPolicy({ allowPrivate: false, allow: [`127.0.0.1:${portOf(redirector)}`] })
  })
  afterEach(() => setOutboundPolicy({ allowPrivate: true }))

  it.each([
    ['an IP literal', () => `http://127.0.0.1:${portOf(target)}`],
    ['a name resolving to loopback', () => `http://localhost:${portOf(target)}`],
    ['IPv6 loopback', () => `http://[::1]:${portOf(target)}`],
    ['an IPv4-mapped IPv6 address', () => `http://[::ffff:127.0.0.1]:${portOf(target)}`],
    ['0.0.0.0', () => `http://0.0.0.0:${portOf(target)}`],
  ])('refuses %s before connecting, as a permanent failure', async (_what, url) => {
    await expect(get(url())).rejects.toMatchObject({
      name: 'ConnectorError',
      kind: 'permanent',
      message: expect.stringContaining('not a public address'),
    })
    expect(hits).toEqual([])
  })

  it('refuses a redirect to a private or metadata address from an allowed server', async () => {
    const base = `http://127.0.0.1:${portOf(redirector)}`
    // The allowed server itself answers: the refusal below is the redirect's, not the first hop's.
    expect((await get(base, '/')).json).toEqual({ here: true })
    for (const to of [
      `http://127.0.0.1:${portOf(target)}/stolen`,
      `http://localhost:${portOf(target)}/stolen`,
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      `http://[::ffff:127.0.0.1]:${portOf(target)}/stolen`,
    ]) {
      await expect(get(base, `/?to=${encodeURIComponent(to)}`)).rejects.toMatchObject({
        kind: 'permanent',
        message: expect.stringContaining('not a public address'),
      })
    }
    expect(hits).toEqual([])
  })

  it('connects to private addresses when the policy allows them', async () => {
    setOutboundPolicy({ allowPrivate: true })
    expect((await get(`http://127.0.0.1:${portOf(target)}`)).json).toEqual({ ok: true })
    expect((await get(`http://localhost:${portOf(target)}`)).json).toEqual({ ok: true })
    expect(hits).toEqual(['/ping', '/ping'])
  })
})
