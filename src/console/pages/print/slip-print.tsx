/**
 * 发货单 (packing slip) on a 100 × 150 mm label: the merchant, the order number as a Code 128
 * barcode (the pack station scans it), buyer, lines and quantities, the buyer's note and the
 * seller's memo, a packer box. Only what the order holds is printed: no phone, no address.
 */
import { Button, Spin } from 'antd'
import { useEffect, useState } from 'react'
import { useParams, useSearchParams } from 'react-router'
import { endpoints } from '../../api/endpoints'
import type { Verification } from '../../api/types'
import { useMe } from '../../app/session'
import { Barcode } from '../../components/barcode'
import { ErrorAlert } from '../../components/states'
import { formatTime } from '../../format/time'
import { useI18n } from '../../i18n'
import './print.css'

const PAGE = '@page { size: 100mm 150mm; margin: 4mm; }'

export function SlipPrint() {
  const { id = '' } = useParams()
  const [params] = useSearchParams()
  const { t } = useI18n()
  const [v, setV] = useState<Verification | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    endpoints.verification(id, params.get('group')).then(setV, setError)
  }, [id, params])
  if (error) return <ErrorAlert error={error} />
  if (!v) return <Spin style={{ margin: 48 }} />
  return (
    <div className="ep-print ep-print-slip" data-testid="slip-print">
      <style>{PAGE}</style>
      <div className="ep-print-toolbar no-print">
        <Button type="primary" onClick={() => window.print()}>
          {t('floor.print.print')}
        </Button>
        <Button onClick={() => window.close()}>{t('floor.print.close')}</Button>
      </div>
      <Slip v={v} />
    </div>
  )
}

/**
 * A wave's packing slips in pick order (slot by slot), one 100 × 150 mm page each, the orders taken
 * out of the wave left out: what the packer lays beside the wave's labels.
 */
export function WaveSlipsPrint() {
  const { id = '' } = useParams()
  const { t } = useI18n()
  const [slips, setSlips] = useState<Verification[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    void (async () => {
      const list = await endpoints.pickList(id)
      const rows = list.legend.filter((l) => !l.onHold).sort((a, b) => a.slot - b.slot)
      setSlips(await Promise.all(rows.map((l) => endpoints.verification(l.orderId, l.shipmentGroupId))))
    })().catch(setError)
  }, [id])
  if (error) return <ErrorAlert error={error} />
  if (!slips) return <Spin style={{ margin: 48 }} />
  return (
    <div data-testid="wave-slips-print">
      <style>{PAGE}</style>
      <div className="ep-print-toolbar no-print">
        <Button type="primary" onClick={() => window.print()}>
          {t('floor.print.print')}
        </Button>
        <Button onClick={() => window.close()}>{t('floor.print.close')}</Button>
      </div>
      {slips.map((v) => (
        <div key={`${v.orderId}|${v.shipmentGroupId ?? ''}`} className="ep-print ep-print-slip ep-page-break">
          <Slip v={v} />
        </div>
      ))}
    </div>
  )
}

function Slip({ v }: { v: Verification }) {
  const i18n = useI18n()
  const { t } = i18n
  const me = useMe()
  const units = v.lines.reduce((n, l) => n + l.expected, 0)
  const carrier = (c: string, name: string | null) =>
    c === 'OTHER' && name ? name : (i18n.maybe(`floor.carrier.${c}`) ?? c)
  const tracking = v.shipments.flatMap((s) =>
    s.parcels.map((p) => `${carrier(p.carrier, p.carrierName)} ${p.trackingNumber}`),
  )
  return (
    <>
      <div className="head">
        <div>
          <h1 style={{ fontSize: '13pt' }}>{me.merchant.name}</h1>
          <div className="big">{t('floor.print.slip')}</div>
        </div>
        {v.wave && <div className="big mono">#{v.wave.slot}</div>}
      </div>
      <Barcode value={v.order.externalId} height={40} maxWidth={330} label={t('floor.print.orderNo')} />
      <div className="meta">
        {t('floor.print.shop')}：{v.order.shopName}
      </div>
      <div className="meta">
        {t('floor.print.buyer')}：{v.order.buyerNick ?? '—'}
      </div>
      {v.order.paidAt && (
        <div className="meta">
          {t('floor.print.paidAt')}：{formatTime(v.order.paidAt, me.merchant.timezone)}
        </div>
      )}
      {tracking.length > 0 && (
        <div className="meta">
          {t('floor.print.tracking')}：<span className="mono">{tracking.join('，')}</span>
        </div>
      )}
      <table style={{ marginTop: '2mm' }}>
        <thead>
          <tr>
            <th>{t('floor.print.lines')}</th>
            <th style={{ textAlign: 'center' }}>{t('floor.print.quantity')}</th>
          </tr>
        </thead>
        <tbody>
          {v.lines.map((l) => (
            <tr key={l.skuId}>
              <td>
                <div className="mono" style={{ fontWeight: 700, fontSize: '11pt' }}>
                  {l.skuCode}
                </div>
                <div>{l.skuName}</div>
              </td>
              <td className="qty">{l.expected}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div style={{ marginTop: '1.5mm', fontWeight: 700 }}>{t('floor.print.totalUnits', { n: units })}</div>
      {v.order.buyerNote && (
        <div className="box">
          {t('floor.print.note')}：{v.order.buyerNote}
        </div>
      )}
      {v.order.sellerNote && (
        <div className="box">
          {t('floor.print.memo')}：{v.order.sellerNote}
        </div>
      )}
      <div className="box">{t('floor.print.packer')}：</div>
    </>
  )
}
