/** 拆单: pick the lines that ship as a new parcel; the platform order and its money stay one. */
import { Alert, App, Checkbox, Modal, Space, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { OrderLine } from '../../api/types'
import { errorMessage } from '../../components/errors'
import { useI18n } from '../../i18n'

export function SplitModal({
  orderId,
  lines,
  open,
  onClose,
  onSaved,
}: {
  orderId: string
  lines: OrderLine[]
  open: boolean
  onClose: () => void
  onSaved: () => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const { message } = App.useApp()
  const [picked, setPicked] = useState<string[]>([])
  const [error, setError] = useState<unknown>(null)
  const [saving, setSaving] = useState(false)
  useEffect(() => {
    if (open) {
      setPicked([])
      setError(null)
    }
  }, [open])

  const save = async () => {
    setSaving(true)
    setError(null)
    try {
      await endpoints.splitOrder(orderId, picked)
      void message.success(t('orders.splitDone'))
      onSaved()
      onClose()
    } catch (err) {
      setError(err)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open={open}
      title={t('orders.splitTitle')}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('orders.action.split')}
      okButtonProps={{ disabled: picked.length === 0 || picked.length >= lines.length }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('orders.splitHint')}</Typography.Paragraph>
      {!!error && (
        <Alert type="error" showIcon style={{ marginBottom: 12 }} message={errorMessage(i18n, error)} />
      )}
      <Checkbox.Group value={picked} onChange={(v) => setPicked(v)} style={{ width: '100%' }}>
        <Space direction="vertical" style={{ width: '100%' }}>
          {lines.map((l) => (
            <Checkbox key={l.id} value={l.id}>
              <span className="mono">{l.skus.map((s) => s.code).join('，') || l.outerCode}</span> {l.title}
              {l.skuProperties ? `（${l.skuProperties}）` : ''} <span className="num">× {l.quantity}</span>
            </Checkbox>
          ))}
        </Space>
      </Checkbox.Group>
    </Modal>
  )
}
