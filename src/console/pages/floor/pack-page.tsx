/**
 * 验货打包 and 发货 at the pack bench (a desk PC with a scanner, or a handheld): scan the order (its
 * number, its sorting-wall slot or its tracking number), then each item; pack when every line is
 * complete; ship with a tracking number typed or scanned. What is scanned lives on the server: the
 * page keeps the order in its URL, so a reload carries on where it was.
 */
import { PrinterOutlined, ReloadOutlined, SettingOutlined } from '@ant-design/icons'
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Flex,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { useSearchParams } from 'react-router'
import { ApiError } from '../../api/client'
import { endpoints } from '../../api/endpoints'
import { CARRIERS, type Carrier, type Verification, type Waybill } from '../../api/types'
import { Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { feedback, ScanBanner, ScanInput, useWedge } from '../../components/scan'
import { ErrorAlert } from '../../components/states'
import { useI18n } from '../../i18n'
import { refusalText } from './refusal'
import { ComponentSettings } from './wave-waybills'
import { liveWaybillOf, printProblem, printRun, waybillRefusal } from './waybill-print'

type Banner = { kind: 'ok' | 'error' | 'info'; text: string } | null

export function PackPage() {
  const i18n = useI18n()
  const { t } = i18n
  const [params, setParams] = useSearchParams()
  const orderId = params.get('order')
  const group = params.get('group')
  const [v, setV] = useState<Verification | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [banner, setBanner] = useState<Banner>(null)
  const [waybill, setWaybill] = useState<Waybill | null>(null)
  const [components, setComponents] = useState(false)

  const loadWaybill = useCallback(async () => {
    if (!orderId) return setWaybill(null)
    const found = await endpoints.waybills({ orderId, limit: 50 }).catch(() => null)
    const live = found ? liveWaybillOf(found.items, orderId, group) : null
    setWaybill(live)
    return live
  }, [orderId, group])

  const load = useCallback(async () => {
    if (!orderId) return setV(null)
    try {
      const [got] = await Promise.all([endpoints.verification(orderId, group), loadWaybill()])
      setV(got)
      setError(null)
      return got
    } catch (err) {
      setError(err)
    }
  }, [orderId, group, loadWaybill])
  useEffect(() => void load(), [load])

  /**
   * The parcel's label: take a waybill first when it has none (or its last try failed), then print
   * it through this PC's print component (or open the hub's PDF). A label printed already (the
   * wave's print run) is not printed twice unless asked (`again`).
   */
  const printLabel = useCallback(
    async (again = false) => {
      if (!orderId) return
      let w = await loadWaybill()
      if (w?.waybillCode && w.printCount > 0 && !again) return
      if (!w?.waybillCode || w.status === 'failed') {
        setBanner({ kind: 'info', text: t('floor.pack.labelTaking') })
        try {
          const [out] = (
            await endpoints.getWaybills({
              parcels: [{ orderId, shipmentGroupId: group, parcelNo: 0 }],
            })
          ).parcels
          if (!out?.waybillId || out.result === 'failed' || out.result === 'in_progress') {
            feedback('error')
            const why =
              out?.errorCode === 'no_waybill_account'
                ? t('floor.ship.noWaybillAccount')
                : t('floor.waybill.quoted', { message: out?.message ?? '' })
            setBanner({ kind: 'error', text: t('floor.pack.labelFailed', { why }) })
            await loadWaybill()
            return
          }
        } catch (err) {
          feedback('error')
          setBanner({ kind: 'error', text: t('floor.pack.labelFailed', { why: waybillRefusal(i18n, err) }) })
          return
        }
        w = await loadWaybill()
      }
      if (!w?.waybillCode) return
      try {
        const { tasks } = await endpoints.printTasks({
          waybillIds: [w.id],
          ...(w.printCount > 0 ? { reprint: true } : {}),
        })
        const [r] = await printRun(tasks)
        const problem = r ? printProblem(i18n, r) : null
        if (problem) {
          feedback('error')
          setBanner({ kind: 'error', text: t('floor.pack.labelFailed', { why: problem }) })
        } else {
          feedback('ok')
          setBanner({
            kind: 'ok',
            text: t('floor.pack.labelPrinted', {
              carrier: t(`floor.carrier.${w.carrier}`),
              code: w.waybillCode,
            }),
          })
        }
      } catch (err) {
        feedback('error')
        setBanner({ kind: 'error', text: t('floor.pack.labelFailed', { why: waybillRefusal(i18n, err) }) })
      }
      await loadWaybill()
    },
    [orderId, group, loadWaybill, i18n, t],
  )

  const open = (id: string, g: string | null) => setParams(g ? { order: id, group: g } : { order: id })

  const lookup = async (code: string) => {
    try {
      const found = await endpoints.packLookup(code)
      feedback('ok')
      setBanner({ kind: 'info', text: t('floor.pack.scanItem') })
      open(found.orderId, found.shipmentGroupId)
    } catch (err) {
      feedback('error')
      setBanner({
        kind: 'error',
        text:
          err instanceof ApiError && err.status === 404
            ? t('floor.pack.notFound', { code })
            : refusalText(i18n, err),
      })
    }
  }

  const scanItem = async (code: string) => {
    if (!orderId) return
    try {
      const r = await endpoints.packScan(orderId, code, group)
      feedback('ok')
      setBanner({ kind: 'ok', text: `${r.skuCode}  ${r.scanned}/${r.expected}` })
      const now = await load()
      // The last item: the parcel's label prints now.
      if (now?.complete && !now.blocked) await printLabel()
    } catch (err) {
      // A code that is no item may be the next order's number: open that order instead.
      if (err instanceof ApiError && err.reason === 'unknown_code') {
        const other = await endpoints.packLookup(code).catch(() => null)
        if (other) {
          feedback('ok')
          setBanner({ kind: 'info', text: t('floor.pack.scanItem') })
          return open(other.orderId, other.shipmentGroupId)
        }
      }
      feedback('error')
      setBanner({ kind: 'error', text: refusalText(i18n, err, { code, where: t('floor.scan.inOrder') }) })
    }
  }

  const verifying = !!v && v.status === 'verifying' && !v.blocked
  const onScan = (code: string) => void (verifying ? scanItem(code) : lookup(code))
  useWedge(onScan)

  return (
    <div className="ep-page" data-testid="pack-page">
      <Card styles={{ body: { padding: 16 } }}>
        <Flex justify="space-between" align="center" wrap gap={8}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('floor.pack.title')}
          </Typography.Title>
          <Space wrap>
            <Button
              icon={<SettingOutlined />}
              aria-label={t('floor.waybill.components')}
              onClick={() => setComponents(true)}
            />
            {orderId && (
              <Button
                onClick={() => {
                  setParams({})
                  setBanner(null)
                }}
              >
                {t('floor.pack.nextOrder')}
              </Button>
            )}
          </Space>
        </Flex>
        {components && <ComponentSettings onClose={() => setComponents(false)} />}
        <div style={{ maxWidth: 560, marginTop: 12 }}>
          <ScanInput
            key={verifying ? `items-${orderId}` : 'order'}
            onScan={onScan}
            label={verifying ? t('floor.pack.scanItem') : t('floor.pack.scanOrder')}
            placeholder={verifying ? t('floor.pack.scanItem') : t('floor.pack.scanOrder')}
          />
        </div>
        {banner ? (
          <ScanBanner kind={banner.kind}>{banner.text}</ScanBanner>
        ) : (
          !orderId && <ScanBanner kind="info">{t('floor.pack.scanOrder')}</ScanBanner>
        )}
        <ErrorAlert error={error} onRetry={() => void load()} />
        {v && (
          <OrderPanel
            v={v}
            waybill={waybill}
            printLabel={printLabel}
            reload={async () => void (await load())}
            setBanner={setBanner}
          />
        )}
      </Card>
    </div>
  )
}

function OrderPanel({
  v,
  waybill,
  printLabel,
  reload,
  setBanner,
}: {
  v: Verification
  waybill: Waybill | null
  printLabel: (again?: boolean) => Promise<void>
  reload: () => Promise<void>
  setBanner: (b: Banner) => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const { t: tt } = i18n
  const desk = useDesk()
  const left = v.lines.reduce((n, l) => n + Math.max(0, l.expected - l.scanned), 0)
  const slip = `/app/print/orders/${v.orderId}/slip${v.shipmentGroupId ? `?group=${v.shipmentGroupId}` : ''}`

  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn()
      feedback('ok')
      await reload()
    } catch (err) {
      feedback('error')
      setBanner({ kind: 'error', text: refusalText(i18n, err) })
    }
  }

  return (
    <>
      {v.blocked && (
        <Alert
          type="error"
          showIcon
          role="alert"
          data-testid="pack-blocked"
          style={{ marginBlock: 8 }}
          message={
            <span style={{ fontSize: 18, fontWeight: 600 }}>{t(`floor.pack.blocked.${v.blocked}`)}</span>
          }
        />
      )}
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2, lg: 3 }}
        style={{ marginBlock: 12 }}
        items={[
          {
            key: 'order',
            label: t('floor.pack.order'),
            children: (
              <span className="mono" data-testid="pack-order">
                {v.order.externalId}
              </span>
            ),
          },
          { key: 'shop', label: t('floor.pack.shop'), children: v.order.shopName },
          { key: 'buyer', label: t('floor.pack.buyer'), children: v.order.buyerNick ?? '—' },
          {
            key: 'slot',
            label: t('floor.pack.slot'),
            children: v.wave ? (
              <Tag color="blue" className="mono" style={{ fontSize: 16 }}>
                {v.wave.slotCode}
              </Tag>
            ) : (
              <Tag color="orange">{t('floor.pack.noWave')}</Tag>
            ),
          },
          ...(v.order.buyerNote
            ? [{ key: 'note', label: t('orders.detail.buyerNote'), children: v.order.buyerNote }]
            : []),
          ...(v.order.sellerNote
            ? [{ key: 'memo', label: t('orders.detail.sellerNote'), children: v.order.sellerNote }]
            : []),
        ]}
      />
      <Table
        size="middle"
        rowKey="skuId"
        pagination={false}
        dataSource={v.lines}
        scroll={{ x: 'max-content' }}
        data-testid="pack-lines"
        rowClassName={(l) => (l.scanned >= l.expected ? 'ep-line-done' : '')}
        columns={[
          {
            title: t('floor.pack.sku'),
            dataIndex: 'skuCode',
            render: (c: string, l) => (
              <>
                <b className="mono">{c}</b>
                {!desk && <div style={{ fontSize: 14 }}>{l.skuName}</div>}
              </>
            ),
          },
          { title: t('floor.pack.name'), dataIndex: 'skuName', responsive: ['sm'] },
          { title: t('floor.pack.bin'), dataIndex: 'bin', responsive: ['md'] },
          { title: t('floor.pack.expected'), dataIndex: 'expected', align: 'right', className: 'num' },
          {
            title: t('floor.pack.scanned'),
            dataIndex: 'scanned',
            align: 'right',
            render: (n: number, l) => (
              <Typography.Text className="num" strong type={n >= l.expected ? 'success' : undefined}>
                {n}
              </Typography.Text>
            ),
          },
        ]}
      />
      <Flex align="center" justify="space-between" wrap gap={8} style={{ marginTop: 12 }}>
        <Typography.Text strong style={{ fontSize: 16 }} data-testid="pack-progress">
          {v.status === 'verifying'
            ? v.complete
              ? t('floor.pack.complete')
              : t('floor.pack.incomplete', { n: left })
            : null}
          {v.status === 'packed' && <Tag color="green">{t('floor.pack.packed')}</Tag>}
          {v.status === 'shipped' && (
            <Tag color="green">
              {tt('floor.pack.shipped', {
                tracking: v.shipments
                  .flatMap((s) => s.parcels.map((p) => `${carrierLabel(i18n, p)} ${p.trackingNumber}`))
                  .join('，'),
              })}
            </Tag>
          )}
        </Typography.Text>
        <Space wrap>
          {v.status === 'verifying' && (
            <>
              <Button
                icon={<ReloadOutlined />}
                onClick={() => void act(() => endpoints.packReset(v.orderId, v.shipmentGroupId))}
              >
                {t('floor.pack.reset')}
              </Button>
              <Button
                type="primary"
                size="large"
                disabled={!v.complete || !!v.blocked}
                onClick={() => void act(() => endpoints.pack(v.orderId, v.shipmentGroupId))}
              >
                {t('floor.pack.pack')}
              </Button>
            </>
          )}
          {waybill?.waybillCode && waybill.status !== 'shipped' && (
            <Button
              icon={<PrinterOutlined />}
              data-testid="print-label"
              onClick={() => void printLabel(true)}
            >
              {waybill.printCount > 0 ? t('floor.waybill.reprint') : t('floor.ship.printLabel')}
            </Button>
          )}
          <a href={slip} target="_blank" rel="noreferrer">
            <Button icon={<PrinterOutlined />}>{t('floor.pack.printSlip')}</Button>
          </a>
        </Space>
      </Flex>
      {v.status === 'packed' && (
        <ShipForm v={v} waybill={waybill} printLabel={printLabel} done={reload} setBanner={setBanner} />
      )}
      {v.status === 'shipped' && <CorrectTracking v={v} done={reload} />}
    </>
  )
}

/** A carrier as people read it (顺丰速运 / SF Express), the free-text name for OTHER. */
function carrierLabel(i18n: ReturnType<typeof useI18n>, p: { carrier: string; carrierName?: string | null }) {
  if (p.carrier === 'OTHER' && p.carrierName) return p.carrierName
  return i18n.maybe(`floor.carrier.${p.carrier}`) ?? p.carrier
}

function ShipForm({
  v,
  waybill,
  printLabel,
  done,
  setBanner,
}: {
  v: Verification
  waybill: Waybill | null
  printLabel: (again?: boolean) => Promise<void>
  done: () => Promise<void>
  setBanner: (b: Banner) => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const { message } = App.useApp()
  const [carrier, setCarrier] = useState<Carrier>('SF')
  const [tracking, setTracking] = useState('')
  const [asking, setAsking] = useState(false)
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)

  const live = waybill?.waybillCode && waybill.status !== 'failed' ? waybill : null
  const [taking, setTaking] = useState(false)
  const [manual, setManual] = useState(false)

  const ship = async (withoutWave?: string, byWaybill?: boolean) => {
    const trackingNumber = tracking.trim()
    // The label's barcode scanned into the field is the waybill itself: ship by it.
    const useWaybill = live && (byWaybill || trackingNumber === live.waybillCode)
    if (!trackingNumber && !useWaybill) return
    setBusy(true)
    try {
      await endpoints.ship(v.orderId, {
        ...(v.shipmentGroupId ? { shipmentGroupId: v.shipmentGroupId } : {}),
        ...(withoutWave ? { withoutWave: { reason: withoutWave } } : {}),
        parcels: [useWaybill ? { waybillId: live.id } : { carrier, trackingNumber }],
      })
      feedback('ok')
      void message.success(t('floor.ship.done'))
      setBanner({ kind: 'ok', text: t('floor.ship.done') })
      setAsking(false)
      await done()
    } catch (err) {
      feedback('error')
      setBanner({ kind: 'error', text: refusalText(i18n, err) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card size="small" title={t('floor.ship.title')} style={{ marginTop: 16 }} data-testid="ship-form">
      {live && (
        <Flex wrap gap={8} align="center" style={{ marginBottom: 12 }} data-testid="ship-waybill">
          <Typography.Text style={{ fontSize: 16 }}>
            {t('floor.ship.waybill')}：{t(`floor.carrier.${live.carrier}`)}{' '}
            <b className="mono">{live.waybillCode}</b>
          </Typography.Text>
          <Button
            type="primary"
            size="large"
            loading={busy}
            onClick={() => void (v.wave ? ship(undefined, true) : setAsking(true))}
          >
            {t('floor.ship.byWaybill')}
          </Button>
          {!manual && (
            <Button type="link" onClick={() => setManual(true)}>
              {t('floor.ship.manual')}
            </Button>
          )}
        </Flex>
      )}
      <Flex wrap gap={8} align="center" hidden={!!live && !manual}>
        <Select<Carrier>
          aria-label={t('floor.ship.carrier')}
          value={carrier}
          onChange={setCarrier}
          style={{ width: 160 }}
          size="large"
          options={CARRIERS.map((c) => ({ value: c, label: t(`floor.carrier.${c}`) }))}
        />
        <Input
          size="large"
          aria-label={t('floor.ship.tracking')}
          placeholder={t('floor.ship.trackingPlaceholder')}
          value={tracking}
          onChange={(e) => setTracking(e.target.value)}
          onPressEnter={() => void (v.wave ? ship() : setAsking(true))}
          style={{ width: 260, maxWidth: '100%' }}
          className="mono"
        />
        {!live && (
          <Button
            size="large"
            data-testid="get-waybill"
            loading={taking}
            onClick={() => {
              setTaking(true)
              void printLabel(true).finally(() => setTaking(false))
            }}
          >
            {t('floor.ship.getWaybill')}
          </Button>
        )}
        {v.wave ? (
          <Button
            type="primary"
            size="large"
            loading={busy}
            disabled={!tracking.trim()}
            onClick={() => void ship()}
          >
            {t('floor.ship.submit')}
          </Button>
        ) : (
          <Button danger size="large" disabled={!tracking.trim()} onClick={() => setAsking(true)}>
            {t('floor.ship.withoutWave')}
          </Button>
        )}
      </Flex>
      <Modal
        open={asking}
        title={t('floor.ship.withoutWaveTitle')}
        okText={t('floor.ship.submit')}
        cancelText={t('common.cancel')}
        okButtonProps={{ disabled: reason.trim().length < 2, loading: busy, danger: true }}
        onOk={() => void ship(reason.trim(), !!live && !tracking.trim())}
        onCancel={() => setAsking(false)}
      >
        <Typography.Paragraph>{t('floor.ship.withoutWaveHint')}</Typography.Paragraph>
        <Form layout="vertical">
          <Form.Item label={t('floor.ship.reason')} required>
            <Input.TextArea
              aria-label={t('floor.ship.reason')}
              value={reason}
              maxLength={200}
              showCount
              onChange={(e) => setReason(e.target.value)}
            />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  )
}

function CorrectTracking({ v, done }: { v: Verification; done: () => Promise<void> }) {
  const i18n = useI18n()
  const { t } = i18n
  const { message } = App.useApp()
  const [open, setOpen] = useState(false)
  const [tracking, setTracking] = useState('')
  const [reason, setReason] = useState('')
  const [error, setError] = useState<unknown>(null)
  const shipment = v.shipments.at(-1)
  const was = shipment?.parcels[0]?.carrier
  const [carrier, setCarrier] = useState<Carrier>(CARRIERS.includes(was as Carrier) ? (was as Carrier) : 'SF')
  if (!shipment) return null
  const submit = async () => {
    try {
      await endpoints.correctTracking(shipment.id, {
        trackingNumber: tracking.trim(),
        reason: reason.trim(),
        ...(carrier !== was ? { carrier } : {}),
      })
      void message.success(t('floor.ship.corrected'))
      setOpen(false)
      await done()
    } catch (err) {
      setError(err)
    }
  }
  return (
    <Flex gap={8} align="center" style={{ marginTop: 12 }} wrap>
      <Typography.Text type="secondary">
        <Time value={shipment.shippedAt} />
      </Typography.Text>
      <Button onClick={() => setOpen(true)}>{t('floor.ship.correct')}</Button>
      <Modal
        open={open}
        title={t('floor.ship.correctTitle')}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
        okButtonProps={{ disabled: tracking.trim().length < 4 || reason.trim().length < 2 }}
        onOk={() => void submit()}
        onCancel={() => setOpen(false)}
      >
        <Typography.Paragraph>{t('floor.ship.correctHint')}</Typography.Paragraph>
        {error ? <Alert type="error" message={refusalText(i18n, error)} style={{ marginBottom: 8 }} /> : null}
        <Form layout="vertical">
          <Form.Item label={t('floor.ship.carrier')}>
            <Select<Carrier>
              aria-label={t('floor.ship.carrier')}
              value={carrier}
              onChange={setCarrier}
              options={CARRIERS.map((c) => ({ value: c, label: t(`floor.carrier.${c}`) }))}
            />
          </Form.Item>
          <Form.Item label={t('floor.ship.tracking')} required>
            <Input className="mono" value={tracking} onChange={(e) => setTracking(e.target.value)} />
          </Form.Item>
          <Form.Item label={t('floor.ship.reason')} required>
            <Input value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  )
}
