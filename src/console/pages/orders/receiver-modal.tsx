/** 修改地址: the receiver fixed by hand (kept over the platform's); saving re-runs the order. */
import { Alert, App, Form, Input, Modal } from 'antd'
import { useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { ReceiverPatch } from '../../api/types'
import { errorMessage, fieldErrors } from '../../components/errors'
import { useOpeningValues } from '../../components/forms'
import { useI18n } from '../../i18n'
import { outcomeText } from './outcome'

const FIELDS = ['name', 'phone', 'province', 'city', 'district', 'address', 'postcode'] as const
const REQUIRED = new Set(['name', 'phone', 'address'])
const MAX: Record<(typeof FIELDS)[number], number> = {
  name: 200,
  phone: 64,
  province: 64,
  city: 64,
  district: 64,
  address: 300,
  postcode: 16,
}

export function ReceiverModal({
  orderId,
  receiver,
  open,
  onClose,
  onSaved,
}: {
  orderId: string
  receiver: Record<string, unknown>
  open: boolean
  onClose: () => void
  onSaved: () => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const { message } = App.useApp()
  const [form] = Form.useForm<Record<string, string>>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)

  useOpeningValues(form, open ? orderId : null, () =>
    Object.fromEntries(FIELDS.map((f) => [f, typeof receiver[f] === 'string' ? receiver[f] : ''])),
  )
  // A dialog opened again starts without the last one's error.
  useEffect(() => {
    if (open) setError(null)
  }, [open])

  const save = async (values: Record<string, string>) => {
    setSaving(true)
    setError(null)
    try {
      const patch: ReceiverPatch = Object.fromEntries(
        FIELDS.map((f) => [f, values[f]?.trim() ? values[f].trim() : null]),
      )
      const r = await endpoints.updateReceiver(orderId, patch)
      void message.success(`${t('orders.receiverForm.saved')}：${outcomeText(i18n, r.rerun)}`)
      onSaved()
      onClose()
    } catch (err) {
      const fields = fieldErrors(i18n, err)
      if (fields.length) form.setFields(fields)
      else setError(err)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open={open}
      title={t('orders.receiverForm.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
    >
      <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('orders.receiverForm.hint')} />
      {!!error && (
        <Alert type="error" showIcon style={{ marginBottom: 12 }} message={errorMessage(i18n, error)} />
      )}
      <Form form={form} layout="vertical" onFinish={(v) => void save(v)} requiredMark>
        {FIELDS.map((f) => {
          const label = t(`orders.receiverForm.${f}`)
          return (
            <Form.Item
              key={f}
              name={f}
              label={label}
              rules={[
                ...(REQUIRED.has(f)
                  ? [
                      {
                        required: true,
                        whitespace: true,
                        message: t('orders.receiverForm.required', { field: label }),
                      },
                    ]
                  : []),
                { max: MAX[f] },
              ]}
            >
              {f === 'address' ? (
                <Input.TextArea rows={2} maxLength={MAX[f]} />
              ) : (
                <Input maxLength={MAX[f]} />
              )}
            </Form.Item>
          )
        })}
      </Form>
    </Modal>
  )
}
