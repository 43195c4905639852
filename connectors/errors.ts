/**
 * Connector failures fall into four kinds (DESIGN.md); the job layer acts on the kind:
 * rate_limited → wait retryAfterMs · transient → backoff · auth_expired → refresh once · permanent → record, never retry.
 * Messages never contain secrets.
 */
import type { Channel } from './types.js'

export const FAILURE_KINDS = ['rate_limited', 'transient', 'auth_expired', 'permanent'] as const
export type FailureKind = (typeof FAILURE_KINDS)[number]

/** Callers that are not sales channels: e-waybill services and carriers (connectors/waybill). */
export type WaybillSource = 'cainiao' | 'sf' | 'easypost'

export interface ConnectorErrorDetail {
  channel: Channel | WaybillSource
  platformCode?: string
  httpStatus?: number
  retryAfterMs?: number
  /** The response body as received (truncated), for malformed payloads; never request secrets. */
  body?: string
}

export class ConnectorError extends Error {
  override name = 'ConnectorError'
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly detail: ConnectorErrorDetail,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

export const isConnectorError = (err: unknown, kind?: FailureKind): err is ConnectorError =>
  err instanceof ConnectorError && (kind === undefined || err.kind === kind)

/** Classify an HTTP status the platform returned without a platform-specific code. */
export function kindForHttpStatus(status: number): FailureKind | null {
  if (status === 429) return 'rate_limited'
  if (status === 401) return 'auth_expired'
  if (status === 408 || status >= 500) return 'transient'
  if (status >= 400) return 'permanent'
  return null
}
