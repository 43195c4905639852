/**
 * The pick list on paper (A4): the wave's barcode, times in the merchant's zone, items in walking
 * order with their barcodes and slot chips, and the legend from slot to order and buyer so the
 * sorting wall works from paper. Opened in its own tab with the session cookie; 打印 prints it.
 */
import { Button, Spin } from 'antd'
import { useEffect, useState } from 'react'
import { useParams } from 'react-router'
import { endpoints } from '../../api/endpoints'
import type { PickList } from '../../api/types'
import { useMe } from '../../app/session'
import { Barcode } from '../../components/barcode'
import { ErrorAlert } from '../../components/states'
import { formatTime } from '../../format/time'
import { useI18n } from '../../i18n'
import './print.css'

const PAGE = '@page { size: A4; margin: 12mm 10mm 14mm; }'

export function PickListPrint() {
  const { id = '' } = useParams()
  const { t } = useI18n()
  const me = useMe()
  const zone = me.merchant.timezone
  const [list, setList] = useState<PickList | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [printedAt] = useState(() => new Date())
  useEffect(() => {
    endpoints.pickList(id).then(setList, setError)
  }, [id])
  useEffect(() => {
    if (list) document.title = `${t('floor.print.pickList')} ${list.code}`
  }, [list, t])
  if (error) return <ErrorAlert error={error} />
  if (!list) return <Spin style={{ margin: 48 }} />
  return (
    <div className="ep-print ep-print-a4" data-testid="picklist-print">
      <style>{PAGE}</style>
      <div className="ep-print-toolbar no-print">
        <Button type="primary" onClick={() => window.print()}>
          {t('floor.print.print')}
        </Button>
        <Button onClick={() => window.close()}>{t('floor.print.close')}</Button>
      </div>
      <div className="head">
        <div>
          <h1>
            {t('floor.print.pickList')} · {me.merchant.name}
          </h1>
          <div className="meta">
            {t('floor.print.warehouse')}：{list.warehouseName}（{list.warehouseCode}）
          </div>
          <div className="meta">
            {t('floor.print.createdAt')}：{formatTime(list.createdAt, zone)} · {t('floor.print.printedAt')}：
            {formatTime(printedAt, zone)} · {t('floor.print.zone', { zone })}
          </div>
          <div className="meta">
            {t('floor.print.summary', {
              orders: list.orderCount,
              units: list.unitCount,
              lines: list.items.length,
            })}
          </div>
          {list.heldOrders > 0 && (
            <div className="meta held">{t('floor.print.heldNote', { n: list.heldOrders })}</div>
          )}
        </div>
        <Barcode value={list.code} height={44} label={`${t('floor.print.wave')} ${list.code}`} />
      </div>
      <table>
        <thead>
          <tr>
            <th>{t('floor.print.seq')}</th>
            <th>{t('floor.print.bin')}</th>
            <th>{t('floor.print.sku')}</th>
            <th style={{ textAlign: 'center' }}>{t('floor.print.qty')}</th>
            <th>{t('floor.print.slots')}</th>
            <th>{t('floor.print.check')}</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((item) => (
            <tr key={`${item.bin ?? ''}-${item.skuId}`}>
              <td>{item.seq}</td>
              <td className="big mono">{item.bin ?? '—'}</td>
              <td>
                <div className="big mono">{item.skuCode}</div>
                <div>{item.skuName}</div>
                <Barcode value={item.barcode ?? item.skuCode} height={30} maxWidth={300} />
              </td>
              <td className="qty">{item.totalQuantity}</td>
              <td>
                {item.slots.map((s) => (
                  <span key={s.slot} className={`chip${s.onHold ? ' held' : ''}`}>
                    #{s.slot} × {s.quantity}
                  </span>
                ))}
              </td>
              <td>☐</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('floor.print.legend')}</h2>
      <table data-testid="picklist-legend">
        <thead>
          <tr>
            <th>{t('floor.print.slot')}</th>
            <th>{t('floor.print.order')}</th>
            <th>{t('floor.print.buyer')}</th>
            <th>{t('floor.print.shop')}</th>
          </tr>
        </thead>
        <tbody>
          {list.legend.map((l) => (
            <tr key={l.slot} className={l.onHold ? 'held' : ''}>
              <td>
                <div className="big">#{l.slot}</div>
                <Barcode value={l.slotCode} height={26} maxWidth={260} />
              </td>
              <td className="mono">
                {l.externalId}
                {l.onHold && <div>{t('floor.print.held')}</div>}
              </td>
              <td>{l.buyerNick ?? '—'}</td>
              <td>
                {l.shopName}（{t(`channels.${l.channel}`)}）
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
