/** An error as a person reads it: from the API's code and reason, in the current language. */
import { ApiError } from '../api/client'
import type { useI18n } from '../i18n'

type I18n = ReturnType<typeof useI18n>

export function errorMessage(i18n: I18n, err: unknown): string {
  const { t, maybe } = i18n
  if (!(err instanceof ApiError)) return t('errors.code.unknown', { status: '—' })
  if (err.status >= 500 || err.code === 'internal')
    return t('errors.code.internal', { requestId: err.requestId ?? '—' })
  const reason = err.reason ? maybe(`errors.reason.${err.reason}`) : undefined
  if (reason) return reason
  const retry = (err.details as { retryAfterSeconds?: number } | null)?.retryAfterSeconds
  return (
    maybe(`errors.code.${err.code}`, { minutes: Math.max(1, Math.ceil((retry ?? 60) / 60)) }) ??
    t('errors.code.unknown', { status: err.status })
  )
}

/**
 * Errors to show at form fields: our API's { field, reason } and request validation's field list.
 * Returns [] when the error is not about a field (show it above the form instead).
 */
export function fieldErrors(i18n: I18n, err: unknown): { name: string; errors: string[] }[] {
  if (!(err instanceof ApiError)) return []
  if (err.field) return [{ name: err.field, errors: [errorMessage(i18n, err)] }]
  return [...new Set(err.invalidFields)].map((name) => ({ name, errors: [i18n.t('errors.invalidField')] }))
}
