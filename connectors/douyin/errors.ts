/**
 * Douyin's answer envelope → the four failure kinds (cn-marketplaces.md §4.3). Douyin answers
 * HTTP 200 with `code` 10000 on success; anything else carries code / msg / sub_code / sub_msg.
 * The token endpoints of older app versions still answer with `err_no` (0 = success) instead.
 *
 * The code table is the platform's "平台基础错误码汇总" (op.jinritemai.com/docs/guide-docs/212/1427)
 * as two independent public SDKs reproduce it (a PHP `ErrorCode` map and a Java `ApiResponseConstant`,
 * found with the code search); the reference only confirms 10000/20000/40004/50002. ⚠
 */
import { ConnectorError, type FailureKind } from '../errors.js'
import { redact, type HttpResult } from '../http.js'

export const OK_CODE = 10000

/** Top-level codes. Unknown codes fall through to permanent with their code and message. */
export const KIND_BY_CODE = {
  10001: 'permanent', // 请求部分失败 (batch calls: the caller inspects the items)
  20000: 'transient', // 服务不可用 / isp.service-error — the doc says retry 3–5× within 30 s
  20001: 'transient', // 内部服务超时
  30000: 'permanent', // 通用参数错误
  30001: 'permanent', // 操作权限不足 / 授权已失效 — the merchant must re-authorise, a refresh does not help
  30002: 'permanent', // 请求来源IP不可信 (IP whitelist)
  40001: 'permanent', // 缺少必选参数（平台校验）
  40002: 'permanent', // 缺少必选参数（业务校验）
  40003: 'permanent', // 非法的参数（平台校验）; token sub_codes below override
  40004: 'permanent', // 非法的参数（业务校验）
  50000: 'transient', // 通用服务器错误
  50001: 'permanent', // 平台处理失败 (token generation failed: re-authorise)
  50002: 'permanent', // 业务处理失败; "系统繁忙" texts are retried below
  60000: 'rate_limited', // 触发限流，请稍后重试
  70000: 'permanent', // 接口服务已下线
  80000: 'permanent', // 安全错误
  90000: 'permanent', // 其他异常
} as const satisfies Record<number, FailureKind>

/** sub_codes that decide the kind whatever the top-level code says. */
export const KIND_BY_SUB_CODE = {
  'isv.access-token-expired': 'auth_expired',
  'isv.access-token-no-existed': 'auth_expired', // an older token after a refresh elsewhere
  'isp.service-error': 'transient',
  'dop.service-error': 'transient',
} as const satisfies Record<string, FailureKind>

/** Douyin has no Retry-After; the SDKs back off about a second on 60000. */
export const RATE_LIMIT_WAIT_MS = 1000

const BUSY = /系统繁忙|稍后重试|服务繁忙|timeout|超时/i
const LIMITED = /call-limited|flow-limit|限流|频率/i

type Envelope = {
  code?: unknown
  err_no?: unknown
  msg?: unknown
  message?: unknown
  sub_code?: unknown
  sub_msg?: unknown
}
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')

/** The kind for a non-success envelope (pure; exported for the table test). */
export function kindFor(code: number, subCode: string, message: string): FailureKind {
  const prefix = subCode.split(':')[0]!
  const bySub =
    (KIND_BY_SUB_CODE as Record<string, FailureKind>)[subCode] ??
    (KIND_BY_SUB_CODE as Record<string, FailureKind>)[prefix]
  if (bySub) return bySub
  if (LIMITED.test(subCode) || LIMITED.test(message)) return 'rate_limited'
  const byCode = (KIND_BY_CODE as Record<number, FailureKind>)[code]
  if (byCode === 'permanent' && code === 50002 && BUSY.test(message)) return 'transient'
  return byCode ?? 'permanent'
}

/**
 * The client's `classify` hook: null when the envelope says success (or when there is no JSON at
 * all and the HTTP status decides). A 200 whose body is not an envelope is permanent, body kept.
 */
export function classifyDouyin(res: HttpResult, secrets: readonly string[] = []): ConnectorError | null {
  if (res.json === undefined) {
    if (res.status >= 300) return null
    return new ConnectorError('permanent', `douyin answered ${res.status} without a JSON envelope`, {
      channel: 'douyin',
      httpStatus: res.status,
      body: redact(res.text.slice(0, 4096), secrets),
    })
  }
  if (!isObj(res.json)) {
    return new ConnectorError('permanent', 'douyin answered with JSON that is not an envelope object', {
      channel: 'douyin',
      httpStatus: res.status,
      body: redact(res.text.slice(0, 4096), secrets),
    })
  }
  const env = res.json as Envelope
  const rawCode = env.code ?? (env.err_no !== undefined ? env.err_no : undefined)
  const code =
    typeof rawCode === 'number'
      ? rawCode
      : typeof rawCode === 'string' && /^\d+$/.test(rawCode)
        ? Number.parseInt(rawCode, 10)
        : Number.NaN
  if (code === OK_CODE || (env.code === undefined && code === 0)) return null
  if (Number.isNaN(code)) {
    if (res.status >= 300) return null
    return new ConnectorError('permanent', 'douyin answered without a code in its envelope', {
      channel: 'douyin',
      httpStatus: res.status,
      body: redact(res.text.slice(0, 4096), secrets),
    })
  }
  const subCode = text(env.sub_code)
  const message = [text(env.msg ?? env.message), text(env.sub_msg)].filter((s) => s !== '').join(' / ')
  const kind = kindFor(code, subCode, message)
  const platformCode = subCode === '' ? String(code) : `${code}:${subCode}`
  return new ConnectorError(
    kind,
    redact(`douyin error ${platformCode}: ${message || 'no message'}`, secrets),
    {
      channel: 'douyin',
      platformCode,
      httpStatus: res.status,
      ...(kind === 'rate_limited' ? { retryAfterMs: RATE_LIMIT_WAIT_MS } : {}),
    },
  )
}
