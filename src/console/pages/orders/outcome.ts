/** What a re-run or an allocation did, as a person reads it. */
import type { useI18n } from '../../i18n'

export function outcomeText(i18n: ReturnType<typeof useI18n>, outcome: string): string {
  return i18n.maybe(`orders.outcome.${outcome}`) ?? outcome
}
