/** One line on what an exception is about, from its machine-readable detail, in the person's language. */
import type { OrderException } from '../../api/types'
import type { useI18n } from '../../i18n'

export interface UnmappedLine {
  externalLineId: string
  key: string | null
  outerCode: string | null
  title: string
}

export const unmappedLines = (e: OrderException): UnmappedLine[] =>
  Array.isArray((e.detail as { lines?: unknown }).lines) ? (e.detail as { lines: UnmappedLine[] }).lines : []

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v)

export function exceptionSummary(i18n: ReturnType<typeof useI18n>, e: OrderException): string {
  const { t, maybe } = i18n
  const d = e.detail
  const status = (s: unknown) => maybe(`orders.tab.${str(s)}`) ?? str(s)
  switch (e.reason) {
    case 'sku_unmapped':
      return t('exceptions.summary.unmapped', {
        items: unmappedLines(e)
          .map((l) => (l.outerCode ? `${l.title}（${l.outerCode}）` : l.title))
          .join('，'),
      })
    case 'no_stock':
      return t('exceptions.summary.noStock')
    case 'address_unusable':
      return t('exceptions.summary.address', {
        address: [d.province, d.city, d.address].map(str).filter(Boolean).join(' ') || '—',
      })
    case 'buyer_note':
      return t('exceptions.summary.note', { note: str(d.note) })
    case 'conflicting_update':
      return t('exceptions.summary.conflict')
    case 'invalid_transition':
      return t('exceptions.summary.transition', { from: status(d.from), to: status(d.to) })
    case 'mapping_failed':
      return t('exceptions.summary.mapping', { error: str(d.error ?? d.reason).slice(0, 120) })
    case 'pick_shortage':
      return t('exceptions.summary.pick')
    case 'refund_unknown_order':
      return t('exceptions.summary.refund')
  }
}

/** 3 分钟 / 5 小时 / 2 天 since a time. */
export function ageText(i18n: ReturnType<typeof useI18n>, since: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(since)) / 60_000))
  if (minutes < 60) return i18n.t('exceptions.ageText.minutes', { n: minutes })
  if (minutes < 48 * 60) return i18n.t('exceptions.ageText.hours', { n: Math.floor(minutes / 60) })
  return i18n.t('exceptions.ageText.days', { n: Math.floor(minutes / 1440) })
}
