/**
 * The console's only way to the API: same origin, the session cookie, the CSRF token on writes,
 * and every failure turned into an ApiError carrying the API's stable code (translated by
 * errorMessage) and, for server errors, the request id a person can quote.
 */
export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
    readonly requestId: string | null,
  ) {
    super(message)
  }

  /** The field our API names in details ({ field, reason }), if any. */
  get field(): string | null {
    const d = this.details as { field?: unknown } | null
    return d && typeof d.field === 'string' ? d.field : null
  }

  get reason(): string | null {
    const d = this.details as { reason?: unknown } | null
    return d && typeof d.reason === 'string' ? d.reason : null
  }

  /** Fields named by request validation (details: [{ field: 'body/email', … }]). */
  get invalidFields(): string[] {
    if (!Array.isArray(this.details)) return []
    return this.details
      .map((d: { field?: unknown }) => (typeof d.field === 'string' ? d.field.split('/')[1] : undefined))
      .filter((f): f is string => !!f)
  }
}

type Query = Record<string, string | number | boolean | null | undefined>

let csrfToken: string | null = null
let sessionEnded: (() => void) | null = null

/** The session's CSRF token, from the sign-in answer or GET /me. */
export const setCsrfToken = (token: string | null) => {
  csrfToken = token
}
/** Called when the API answers 401 (the session ended elsewhere): the app goes to the sign-in page. */
export const onSessionEnded = (fn: () => void) => {
  sessionEnded = fn
}

export function queryString(query?: Query): string {
  if (!query) return ''
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s ? `?${s}` : ''
}

async function request<T>(
  method: string,
  path: string,
  opts: { query?: Query; body?: unknown; file?: { body: Blob; type: string } } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  // A JSON content type on an empty body is a 400 in fastify: only with a body.
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  if (opts.file) headers['content-type'] = opts.file.type
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken
  let res: Response
  try {
    res = await fetch(path + queryString(opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      ...(opts.file ? { body: opts.file.body } : {}),
    })
  } catch {
    throw new ApiError(0, 'network', 'network error', null, null)
  }
  if (res.status === 204) return undefined as T
  const json: unknown = await res.json().catch(() => null)
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error
    const details = e?.details ?? null
    const fromBody = (details as { requestId?: unknown } | null)?.requestId
    const err = new ApiError(
      res.status,
      e?.code ?? (res.status >= 500 ? 'internal' : 'unknown'),
      e?.message ?? res.statusText,
      details,
      typeof fromBody === 'string' ? fromBody : res.headers.get('x-request-id'),
    )
    if (res.status === 401 && path !== '/auth/login') sessionEnded?.()
    throw err
  }
  return json as T
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, { query: query ?? {} }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
  /**
   * A file as the request body, as its own bytes (an XLSX import; a statement file in GBK stays as
   * downloaded: application/octet-stream).
   */
  upload: <T>(path: string, body: Blob, type: string, query?: Query) =>
    request<T>('POST', path, { file: { body, type }, ...(query ? { query } : {}) }),
}
