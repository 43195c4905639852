/** What the finance screens share: the period (merchant's days), the shops, labels of accounts and kinds. */
import { DatePicker } from 'antd'
import dayjs, { type Dayjs } from 'dayjs'
import { useEffect, useMemo, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { Shop } from '../../api/types'
import { useMe } from '../../app/session'
import { formatTime } from '../../format/time'
import { useI18n } from '../../i18n'

/** A period as the API takes it: from inclusive, to exclusive, merchant's calendar days. */
export interface Period {
  from: string
  to: string
}

/** This month in the merchant's zone. */
export function useThisMonth(): Period {
  const zone = useMe().merchant.timezone
  return useMemo(() => {
    const today = formatTime(new Date(), zone, { dateOnly: true })
    const first = dayjs(`${today.slice(0, 7)}-01`)
    return { from: first.format('YYYY-MM-DD'), to: first.add(1, 'month').format('YYYY-MM-DD') }
  }, [zone])
}

/** The period as two picked days (the last one inclusive on screen, exclusive in the API). */
export function PeriodPicker({ value, onChange }: { value: Period; onChange: (p: Period) => void }) {
  const { t } = useI18n()
  const start = dayjs(value.from)
  const end = dayjs(value.to).subtract(1, 'day')
  const month = (m: Dayjs): [Dayjs, Dayjs] => [m.startOf('month'), m.endOf('month')]
  return (
    <DatePicker.RangePicker
      aria-label={t('finance.statements.period')}
      allowClear={false}
      // Fits a 360 px handheld beside its label; wide enough for two dates at the desk.
      style={{ width: 250, maxWidth: '100%' }}
      value={[start, end]}
      placeholder={[t('common.dateFrom'), t('common.dateTo')]}
      presets={[
        { label: dayjs().format('YYYY-MM'), value: month(dayjs()) },
        { label: dayjs().subtract(1, 'month').format('YYYY-MM'), value: month(dayjs().subtract(1, 'month')) },
      ]}
      onChange={(r) => {
        if (!r?.[0] || !r[1]) return
        onChange({ from: r[0].format('YYYY-MM-DD'), to: r[1].add(1, 'day').format('YYYY-MM-DD') })
      }}
    />
  )
}

export function useShops(): Shop[] {
  const [shops, setShops] = useState<Shop[]>([])
  useEffect(() => {
    endpoints.shops().then(
      (p) => setShops(p.items),
      () => setShops([]),
    )
  }, [])
  return shops
}

/** An account code as the chart names it: receivable:<shop> → 应收账款-平台 · 店铺名. */
export function useAccountLabel(shops: readonly Shop[]) {
  const { maybe } = useI18n()
  return (account: string) => {
    const [group, shopId] = account.split(':')
    const name = maybe(`books.account.${group}`) ?? account
    const shop = shopId ? shops.find((s) => s.id === shopId)?.name : undefined
    return shop ? `${name} · ${shop}` : name
  }
}
