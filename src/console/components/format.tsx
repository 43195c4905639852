/** Money, times and statuses as every screen shows them. */
import { Tag, Tooltip } from 'antd'
import { useSession } from '../app/session'
import type { OrderStatus, RefundState } from '../api/types'
import { formatMoney } from '../format/money'
import { formatTime } from '../format/time'
import { useI18n } from '../i18n'

export function Money({ amount, currency }: { amount: string | null | undefined; currency: string }) {
  const { locale } = useI18n()
  return <span className="num">{formatMoney(amount, currency, locale)}</span>
}

/** A time in the merchant's zone; the zone is named on hover. */
export function Time({ value, dateOnly }: { value: string | null | undefined; dateOnly?: boolean }) {
  const zone = useSession().me?.merchant.timezone ?? 'Asia/Shanghai'
  if (!value) return null
  return (
    <Tooltip title={`${formatTime(value, zone, { seconds: true })} (${zone})`}>
      <span className="num">{formatTime(value, zone, { dateOnly: !!dateOnly })}</span>
    </Tooltip>
  )
}

/** One colour per state everywhere: orange waiting, blue in progress, green done, red problem. */
export const ORDER_STATUS_COLOR: Record<OrderStatus, string> = {
  pending_payment: 'orange',
  paid: 'orange',
  allocated: 'blue',
  picking: 'blue',
  shipped: 'green',
  completed: 'green',
  on_hold: 'red',
  cancelled: 'default',
}

export function OrderStatusTag({ status }: { status: OrderStatus }) {
  const { t } = useI18n()
  return <Tag color={ORDER_STATUS_COLOR[status]}>{t(`orders.tab.${status}`)}</Tag>
}

export function RefundTag({ state }: { state: RefundState }) {
  const { t } = useI18n()
  if (state === 'none') return null
  return <Tag color={state === 'refunded' ? 'default' : 'volcano'}>{t(`orders.refundState.${state}`)}</Tag>
}
