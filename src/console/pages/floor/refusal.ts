/** A refused scan or floor action as the worker reads it: the API's reason, with the code scanned. */
import { ApiError } from '../../api/client'
import { errorMessage } from '../../components/errors'
import type { useI18n } from '../../i18n'

export function refusalText(
  i18n: ReturnType<typeof useI18n>,
  err: unknown,
  vars: { code?: string; where?: string } = {},
): string {
  if (err instanceof ApiError && err.reason) {
    const text = i18n.maybe(`floor.scan.refused.${err.reason}`, {
      code: vars.code ?? '',
      where: vars.where ?? '',
    })
    if (text) return text
  }
  return errorMessage(i18n, err)
}
