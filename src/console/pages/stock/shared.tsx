/** What the stock screens share: the merchant's warehouses, and one colour per document state. */
import { Tag } from 'antd'
import { useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { CountStatus, MovementKind, ReceiptStatus, TransferStatus, Warehouse } from '../../api/types'
import { useI18n } from '../../i18n'

export function useWarehouses(): Warehouse[] {
  const [list, setList] = useState<Warehouse[]>([])
  useEffect(() => {
    endpoints.warehouses().then(
      (p) => setList(p.items),
      () => setList([]),
    )
  }, [])
  return list
}

const DOC_COLOR: Record<ReceiptStatus | CountStatus | TransferStatus, string> = {
  draft: 'orange',
  counting: 'blue',
  submitted: 'orange',
  in_transit: 'blue',
  posted: 'green',
  approved: 'green',
  received: 'green',
  cancelled: 'default',
}

export function ReceiptTag({ status }: { status: ReceiptStatus }) {
  const { t } = useI18n()
  return <Tag color={DOC_COLOR[status]}>{t(`stock.receipt.status.${status}`)}</Tag>
}
export function CountTag({ status }: { status: CountStatus }) {
  const { t } = useI18n()
  return <Tag color={DOC_COLOR[status]}>{t(`stock.count.status.${status}`)}</Tag>
}
export function TransferTag({ status }: { status: TransferStatus }) {
  const { t } = useI18n()
  return <Tag color={DOC_COLOR[status]}>{t(`stock.transfer.status.${status}`)}</Tag>
}

const KIND_COLOR: Record<MovementKind, string> = {
  receipt: 'green',
  return: 'green',
  transfer_in: 'cyan',
  transfer_out: 'purple',
  shipment: 'blue',
  adjustment: 'orange',
}
export function KindTag({ kind }: { kind: MovementKind }) {
  const { t } = useI18n()
  return <Tag color={KIND_COLOR[kind]}>{t(`stock.kind.${kind}`)}</Tag>
}

/** A signed quantity: +3 green, −2 red, tabular digits. */
export function Delta({ n }: { n: number }) {
  return (
    <span className="num" style={{ color: n > 0 ? '#237804' : n < 0 ? '#cf1322' : undefined }}>
      {n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0'}
    </span>
  )
}

/** SKU code over its name, as people read a SKU. */
export function SkuCell({ code, name }: { code: string; name: string }) {
  return (
    <div style={{ minWidth: 110, maxWidth: 260 }}>
      <div className="mono">{code}</div>
      <div className="ep-muted" style={{ overflowWrap: 'anywhere' }} title={name}>
        {name}
      </div>
    </div>
  )
}
