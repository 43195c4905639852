/**
 * A wave's e-waybills (电子面单) in pick order: take a number for every parcel in one action (each
 * parcel's result, the provider's error in its own words), print them all in pick order through
 * this PC's print components (or as hub-rendered PDF labels), reprint one, cancel one.
 */
import { CloudDownloadOutlined, PrinterOutlined, ProfileOutlined, SettingOutlined } from '@ant-design/icons'
import {
  Alert,
  App,
  Button,
  Drawer,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { LegendRow, PickList, PrintComponentKind, Waybill } from '../../api/types'
import { useDesk } from '../../components/layout'
import { ErrorAlert } from '../../components/states'
import { useI18n } from '../../i18n'
import {
  COMPONENT_KINDS,
  DEFAULT_COMPONENT_URLS,
  componentUrls,
  saveComponentUrls,
  type PrintResult,
} from './print-station'
import { liveWaybillOf, printProblem, printRun, waybillRefusal, WAYBILL_STATUS_COLOR } from './waybill-print'

interface Row extends LegendRow {
  waybill: Waybill | null
}

type Notice = { type: 'success' | 'error' | 'warning' | 'info'; text: string } | null

export function WaveWaybills({
  waveId,
  code,
  onClose,
}: {
  waveId: string
  code: string
  onClose: () => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const desk = useDesk()
  const { message } = App.useApp()
  const [pick, setPick] = useState<PickList | null>(null)
  const [waybills, setWaybills] = useState<Waybill[]>([])
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState<'get' | 'print' | null>(null)
  const [notice, setNotice] = useState<Notice>(null)
  const [printed, setPrinted] = useState<Record<string, PrintResult>>({})
  const [settings, setSettings] = useState(false)

  const load = useCallback(async () => {
    try {
      const [p, w] = await Promise.all([
        endpoints.pickList(waveId),
        endpoints.waybills({ waveId, limit: 500 }),
      ])
      setPick(p)
      setWaybills(w.items)
      setError(null)
    } catch (err) {
      setError(err)
    }
  }, [waveId])
  useEffect(() => void load(), [load])

  const rows: Row[] = (pick?.legend ?? []).map((l) => ({
    ...l,
    waybill: liveWaybillOf(waybills, l.orderId, l.shipmentGroupId),
  }))

  const takeAll = async () => {
    setBusy('get')
    try {
      const { parcels } = await endpoints.getWaybills({ waveId })
      const failed = parcels.filter((p) => p.result === 'failed' || p.result === 'in_progress').length
      await load()
      setNotice({
        type: failed ? 'warning' : 'success',
        text: t('floor.waybill.got', { ok: parcels.length - failed, failed }),
      })
    } catch (err) {
      setNotice({ type: 'error', text: waybillRefusal(i18n, err) })
    } finally {
      setBusy(null)
    }
  }

  const print = async (body: Parameters<typeof endpoints.printTasks>[0]) => {
    setBusy('print')
    try {
      const { tasks } = await endpoints.printTasks(body)
      const results = await printRun(tasks)
      await load()
      setPrinted((was) => ({ ...was, ...Object.fromEntries(results.map((r) => [r.waybillId, r])) }))
      const failed = results.filter((r) => r.outcome === 'failed').length
      const labels = results.filter((r) => r.outcome === 'opened').length
      setNotice(
        failed
          ? { type: 'error', text: t('floor.waybill.printFailed', { n: failed }) }
          : labels
            ? { type: 'info', text: t('floor.waybill.labels', { n: labels }) }
            : { type: 'success', text: t('floor.waybill.printed', { n: results.length }) },
      )
    } catch (err) {
      setNotice({ type: 'error', text: waybillRefusal(i18n, err) })
    } finally {
      setBusy(null)
    }
  }

  const cancel = async (w: Waybill) => {
    try {
      await endpoints.cancelWaybill(w.id)
      void message.success(t('floor.waybill.cancelled', { code: w.waybillCode ?? '' }))
      await load()
    } catch (err) {
      setNotice({ type: 'error', text: waybillRefusal(i18n, err) })
    }
  }

  const printable = rows.some((r) => r.waybill?.waybillCode && r.waybill.status !== 'failed')

  return (
    <Drawer
      open
      onClose={onClose}
      title={t('floor.waybill.title', { code })}
      width={desk ? 1240 : '100%'}
      styles={{ body: { paddingTop: 12 } }}
    >
      <Flex wrap gap={8} style={{ marginBottom: 12 }}>
        <Button
          type="primary"
          icon={<CloudDownloadOutlined />}
          loading={busy === 'get'}
          disabled={busy !== null || rows.length === 0}
          onClick={() => void takeAll()}
        >
          {t('floor.waybill.get')}
        </Button>
        <Button
          icon={<PrinterOutlined />}
          loading={busy === 'print'}
          disabled={busy !== null || !printable}
          onClick={() => void print({ waveId })}
        >
          {t('floor.waybill.printAll')}
        </Button>
        <a href={`/app/print/waves/${waveId}/slips`} target="_blank" rel="noreferrer">
          <Button icon={<ProfileOutlined />}>{t('floor.waybill.slips')}</Button>
        </a>
        <Button icon={<SettingOutlined />} onClick={() => setSettings(true)}>
          {t('floor.waybill.components')}
        </Button>
      </Flex>
      {notice && (
        <Alert
          type={notice.type}
          showIcon
          role="status"
          data-testid="waybill-notice"
          message={notice.text}
          style={{ marginBottom: 12, fontSize: 15 }}
          closable
          onClose={() => setNotice(null)}
        />
      )}
      <ErrorAlert error={error} onRetry={() => void load()} />
      <Table<Row>
        rowKey={(r) => `${r.orderId}|${r.shipmentGroupId ?? ''}`}
        size="middle"
        loading={!pick && !error}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 'max-content' }}
        data-testid="wave-waybills"
        locale={{ emptyText: t('floor.waybill.empty') }}
        columns={[
          {
            title: t('floor.waybill.slot'),
            dataIndex: 'slotCode',
            render: (s: string) => <span className="mono">{s}</span>,
          },
          {
            title: t('floor.waybill.order'),
            dataIndex: 'externalId',
            render: (id: string, r) => (
              <>
                <span className="mono">{id}</span>
                {!desk && <div style={{ fontSize: 14, color: 'rgba(0,0,0,.65)' }}>{r.shopName}</div>}
              </>
            ),
          },
          { title: t('floor.waybill.shop'), dataIndex: 'shopName', responsive: ['md'] },
          {
            title: t('floor.waybill.carrier'),
            key: 'carrier',
            render: (_: unknown, r) => (r.waybill ? t(`floor.carrier.${r.waybill.carrier}`) : '—'),
          },
          {
            title: t('floor.waybill.code'),
            key: 'code',
            render: (_: unknown, r) =>
              r.waybill?.waybillCode ? <span className="mono">{r.waybill.waybillCode}</span> : '—',
          },
          {
            title: t('floor.waybill.status'),
            key: 'status',
            render: (_: unknown, r) =>
              r.onHold ? (
                <Tag>{t('floor.waybill.heldOut')}</Tag>
              ) : r.waybill ? (
                <Tag color={WAYBILL_STATUS_COLOR[r.waybill.status]}>
                  {t(`floor.waybill.statusLabel.${r.waybill.status}`)}
                </Tag>
              ) : (
                <Tag>{t('floor.waybill.none')}</Tag>
              ),
          },
          {
            title: t('floor.waybill.printCount'),
            key: 'prints',
            align: 'right',
            responsive: ['md'],
            render: (_: unknown, r) => <span className="num">{r.waybill?.printCount ?? 0}</span>,
          },
          {
            title: t('floor.waybill.said'),
            key: 'said',
            width: desk ? 240 : 200,
            onCell: () => ({ style: { wordBreak: 'break-word' } }),
            render: (_: unknown, r) => {
              const w = r.waybill
              const p = w ? printed[w.id] : undefined
              const problem = p ? printProblem(i18n, p) : null
              if (w?.status === 'failed' && w.errorMessage)
                return (
                  <Typography.Text type="danger" data-testid="waybill-error">
                    {t('floor.waybill.quoted', { message: w.errorMessage })}
                  </Typography.Text>
                )
              if (problem) return <Typography.Text type="danger">{problem}</Typography.Text>
              if (p?.labelUrl)
                return (
                  <a href={p.labelUrl} target="_blank" rel="noreferrer">
                    {t('floor.waybill.openLabel')}
                  </a>
                )
              if (p) return <Typography.Text type="success">{t('floor.waybill.printedOk')}</Typography.Text>
              return null
            },
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, r) => {
              const w = r.waybill
              if (!w?.waybillCode || w.status === 'failed') return null
              return (
                <Space size={4} wrap>
                  <Button
                    size="small"
                    disabled={busy !== null}
                    onClick={() =>
                      void print({ waybillIds: [w.id], ...(w.printCount > 0 ? { reprint: true } : {}) })
                    }
                  >
                    {w.printCount > 0 ? t('floor.waybill.reprint') : t('floor.waybill.print')}
                  </Button>
                  {w.status !== 'shipped' && (
                    <Popconfirm
                      title={t('floor.waybill.cancel')}
                      description={
                        <div style={{ maxWidth: 280 }}>
                          {t('floor.waybill.cancelConfirm', { code: w.waybillCode })}
                        </div>
                      }
                      okText={t('floor.waybill.cancel')}
                      cancelText={t('floor.waybill.keep')}
                      okButtonProps={{ danger: true }}
                      onConfirm={() => void cancel(w)}
                    >
                      <Button size="small" danger>
                        {t('floor.waybill.cancel')}
                      </Button>
                    </Popconfirm>
                  )}
                  {w.printKind === 'label' && (
                    <a href={`/waybills/${w.id}/label`} target="_blank" rel="noreferrer">
                      <Button size="small">{t('floor.waybill.openLabel')}</Button>
                    </a>
                  )}
                </Space>
              )
            },
          },
        ]}
      />
      {settings && <ComponentSettings onClose={() => setSettings(false)} />}
    </Drawer>
  )
}

/** Where this PC's print components listen (kept in this browser). */
export function ComponentSettings({ onClose }: { onClose: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<Record<PrintComponentKind, string>>()
  const saved = componentUrls()
  return (
    <Modal
      open
      title={t('floor.waybill.componentsTitle')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onCancel={onClose}
      onOk={() => {
        saveComponentUrls(form.getFieldsValue())
        void message.success(t('floor.waybill.componentsSaved'))
        onClose()
      }}
    >
      <Typography.Paragraph type="secondary">{t('floor.waybill.componentsHint')}</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        initialValues={Object.fromEntries(
          COMPONENT_KINDS.map((k) => [k, saved[k] ?? DEFAULT_COMPONENT_URLS[k]]),
        )}
      >
        {COMPONENT_KINDS.map((k) => (
          <Form.Item
            key={k}
            name={k}
            label={t(`floor.waybill.componentName.${k}`)}
            rules={[{ pattern: /^wss?:\/\/\S+$/, message: 'ws://…' }]}
          >
            <Input className="mono" placeholder={DEFAULT_COMPONENT_URLS[k]} />
          </Form.Item>
        ))}
      </Form>
    </Modal>
  )
}
