/**
 * The one place where the console meets today's API shapes: every list becomes { items, next }
 * (some routes still say nextCursor, some return no cursor at all) and rows that still come in
 * snake_case become camelCase. When every route speaks the target shape, these become identities.
 */
export interface Page<T> {
  items: T[]
  next: string | null
}

export function toPage<T>(json: unknown, item: (row: Record<string, unknown>) => T = (r) => r as T): Page<T> {
  const body = json as { items?: Record<string, unknown>[]; next?: string | null; nextCursor?: string | null }
  return { items: (body.items ?? []).map(item), next: body.next ?? body.nextCursor ?? null }
}

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())

/** Top-level keys only: nested values (platform payloads, settings) keep their keys. */
export function camelRow<T>(row: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [camel(k), v])) as T
}
