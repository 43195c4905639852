/**
 * The shared HTTP layer of every connector: one axios client per shop with the shop's base URL,
 * timeouts, short in-call retries (p-retry, exponential backoff with jitter, Retry-After honoured),
 * an outgoing per-shop rate limit, exact JSON parsing and classified errors. Long waits (a rate limit
 * of minutes, an expired token) go back to the job layer as ConnectorError.
 */
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios'
import pRetry, { AbortError } from 'p-retry'
import type { Channel } from './types.js'
import { ConnectorError, kindForHttpStatus, type WaybillSource } from './errors.js'
import { parseJsonExact } from './json.js'
import { OUTBOUND_REFUSED, outboundAgents } from './outbound.js'

export interface HttpResult {
  status: number
  headers: Record<string, string>
  /** The body's bytes exactly as received (statement files in GBK, zips…). */
  bytes: Buffer
  /** The body decoded as UTF-8. */
  text: string
  /** The body parsed with parseJsonExact, or undefined when it is not JSON. */
  json: unknown
}

export interface ClientOptions {
  channel: Channel | WaybillSource
  /** Key of the rate limiter bucket, normally the shop id. */
  limiterKey: string
  baseUrl: string
  /** Sustained requests per second the platform allows this shop (documented limit). */
  ratePerSecond: number
  /** Burst the bucket allows. */
  burst?: number
  timeoutMs?: number
  /** In-call retries for transient failures and short rate limits. */
  retries?: number
  minRetryDelayMs?: number
  /** Longest Retry-After we wait inside a call; longer ones go back to the job layer. */
  maxInlineWaitMs?: number
  /** Platform-specific classification of a response (an error code in a 200 body, …); null = success. */
  classify?: (res: HttpResult) => ConnectorError | null
  /** Strings that must never appear in an error message (tokens, secrets). */
  secrets?: readonly string[]
  headers?: Record<string, string>
  /** Called before every attempt (a retry included): signatures with a nonce and a timestamp (OAuth 1.0a). */
  prepare?: (config: AxiosRequestConfig) => AxiosRequestConfig
}

export interface PlatformClient {
  request(config: AxiosRequestConfig): Promise<HttpResult>
  readonly baseUrl: string
}

/** Token bucket per key, in process. Cross-process limits come from BullMQ's worker limiter. */
class TokenBucket {
  private tokens: number
  private last = Date.now()
  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst
  }
  async take(): Promise<void> {
    for (;;) {
      const now = Date.now()
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond)
      this.last = now
      if (this.tokens >= 1) {
        this.tokens -= 1
        return
      }
      await sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000))
    }
  }
}

const buckets = new Map<string, TokenBucket>()
function bucketFor(key: string, rate: number, burst: number): TokenBucket {
  let b = buckets.get(key)
  if (!b) {
    b = new TokenBucket(rate, burst)
    buckets.set(key, b)
  }
  return b
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Retry-After: seconds or an HTTP date → milliseconds. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]')
  return out
}

export function createPlatformClient(
  opts: ClientOptions,
  http: AxiosInstance = axios.create(),
): PlatformClient {
  const bucket = bucketFor(
    `${opts.channel}:${opts.limiterKey}`,
    opts.ratePerSecond,
    opts.burst ?? Math.max(1, opts.ratePerSecond),
  )
  const secrets = opts.secrets ?? []
  const maxInlineWaitMs = opts.maxInlineWaitMs ?? 10_000

  async function once(unsigned: AxiosRequestConfig): Promise<HttpResult> {
    await bucket.take()
    const config = opts.prepare ? opts.prepare(unsigned) : unsigned
    let res: AxiosResponse<ArrayBuffer>
    try {
      res = await http.request<ArrayBuffer>({
        baseURL: opts.baseUrl,
        timeout: opts.timeoutMs ?? 20_000,
        ...config,
        headers: { 'user-agent': 'entrepot/0.1', ...opts.headers, ...config.headers },
        // Every connection, redirects included, goes through the outbound address check.
        httpAgent: outboundAgents.http,
        httpsAgent: outboundAgents.https,
        proxy: false,
        responseType: 'arraybuffer',
        transformResponse: [(d: unknown) => d],
        validateStatus: () => true,
      })
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'ERR_NETWORK'
      const message = redact(`${opts.channel} request failed: ${code} ${(err as Error).message}`, secrets)
      // A refused address stays refused: fix the shop's settings, retrying changes nothing.
      throw new ConnectorError(code === OUTBOUND_REFUSED ? 'permanent' : 'transient', message, {
        channel: opts.channel,
      })
    }
    const bytes = Buffer.isBuffer(res.data) ? res.data : Buffer.from(res.data ?? new ArrayBuffer(0))
    const text = bytes.toString('utf8')
    const headers = Object.fromEntries(
      Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
    )
    const isJson = /json|javascript/.test(headers['content-type'] ?? '') || /^\s*[[{]/.test(text)
    let json: unknown
    if (isJson && text.trim() !== '') {
      try {
        json = parseJsonExact(text)
      } catch {
        if (res.status < 300) {
          throw new ConnectorError(
            'permanent',
            `${opts.channel} answered ${res.status} with a body that is not valid JSON`,
            {
              channel: opts.channel,
              httpStatus: res.status,
              body: redact(text.slice(0, 64 * 1024), secrets),
            },
          )
        }
      }
    }
    const result: HttpResult = { status: res.status, headers, bytes, text, json }
    const kind = kindForHttpStatus(res.status)
    const platformError = opts.classify?.(result) ?? null
    if (platformError) throw platformError
    if (kind) {
      throw new ConnectorError(kind, `${opts.channel} answered HTTP ${res.status}`, {
        channel: opts.channel,
        httpStatus: res.status,
        ...(kind === 'rate_limited' ? { retryAfterMs: retryAfterMs(headers['retry-after']) ?? 1000 } : {}),
        body: redact(text.slice(0, 4096), secrets),
      })
    }
    return result
  }

  return {
    baseUrl: opts.baseUrl,
    request: (config) =>
      pRetry(
        async () => {
          try {
            return await once(config)
          } catch (err) {
            if (!(err instanceof ConnectorError)) throw err
            const inline =
              err.kind === 'transient' ||
              (err.kind === 'rate_limited' && (err.detail.retryAfterMs ?? 0) <= maxInlineWaitMs)
            if (!inline) throw new AbortError(err)
            if (err.kind === 'rate_limited') await sleep(err.detail.retryAfterMs ?? 1000)
            throw err
          }
        },
        {
          retries: opts.retries ?? 3,
          minTimeout: opts.minRetryDelayMs ?? 200,
          maxTimeout: 5_000,
          factor: 2,
          randomize: true,
        },
      ).catch((err: unknown) => {
        // p-retry wraps AbortError; hand the ConnectorError itself to the caller.
        if (err instanceof AbortError && err.originalError instanceof ConnectorError) throw err.originalError
        throw err
      }),
  }
}
