/** 新建 / 编辑 SKU: code (fixed once saved), name, barcode, category, unit, weight, status. */
import { Alert, App, Form, Input, InputNumber, Modal, Switch } from 'antd'
import { useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { Sku, SkuInput } from '../../api/types'
import { errorMessage } from '../../components/errors'
import { useOpeningValues } from '../../components/forms'
import { useI18n } from '../../i18n'

interface Values {
  code: string
  name: string
  barcode?: string
  category?: string
  unit?: string
  weightG?: number | null
  active: boolean
}

export function SkuModal({
  sku,
  onClose,
  onSaved,
}: {
  /** 'new', a SKU to edit, or null (closed). */
  sku: Sku | 'new' | null
  onClose: () => void
  onSaved: () => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<unknown>(null)
  const [saving, setSaving] = useState(false)
  const editing = sku !== null && sku !== 'new' ? sku : null

  useOpeningValues(
    form,
    sku === null ? null : editing ? `sku:${editing.id}` : 'new',
    () =>
      editing
        ? {
            code: editing.code,
            name: editing.name,
            barcode: editing.barcode ?? '',
            category: editing.category ?? '',
            unit: editing.unit,
            weightG: editing.weightG,
            active: editing.active,
          }
        : { unit: 'pcs', active: true },
    { reset: true },
  )
  // A dialog opened again starts without the last one's error.
  useEffect(() => {
    if (sku) setError(null)
  }, [sku])

  const save = async (v: Values) => {
    setSaving(true)
    setError(null)
    try {
      const code = v.code.trim()
      if (!editing) {
        // /skus/bulk inserts or updates by code: a new SKU must not overwrite an existing one.
        const same = await endpoints.skus({ q: code, limit: 5 })
        if (same.items.some((s) => s.code === code)) {
          form.setFields([{ name: 'code', errors: [t('skus.codeTaken', { code })] }])
          return
        }
      }
      const item: SkuInput = {
        code,
        name: v.name.trim(),
        barcode: v.barcode?.trim() || null,
        category: v.category?.trim() || null,
        unit: v.unit?.trim() || 'pcs',
        weightG: v.weightG ?? null,
        active: v.active,
      }
      await endpoints.saveSkus([item])
      void message.success(t(editing ? 'skus.saved' : 'skus.created', { code }))
      onSaved()
      onClose()
    } catch (err) {
      setError(err)
    } finally {
      setSaving(false)
    }
  }

  const required = (field: string) => [
    { required: true, whitespace: true, message: t('skus.required', { field }) },
  ]
  return (
    <Modal
      open={!!sku}
      title={editing ? t('skus.edit') : t('skus.create')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      forceRender
    >
      {!!error && (
        <Alert type="error" showIcon style={{ marginBottom: 12 }} message={errorMessage(i18n, error)} />
      )}
      <Form<Values> form={form} layout="vertical" onFinish={(v) => void save(v)}>
        <Form.Item
          name="code"
          label={t('skus.code')}
          extra={editing ? undefined : t('skus.codeHint')}
          rules={[...required(t('skus.code')), { max: 128 }]}
        >
          <Input disabled={!!editing} maxLength={128} className="mono" />
        </Form.Item>
        <Form.Item name="name" label={t('skus.name')} rules={[...required(t('skus.name')), { max: 500 }]}>
          <Input maxLength={500} />
        </Form.Item>
        <Form.Item name="barcode" label={t('skus.barcode')} rules={[{ max: 128 }]}>
          <Input maxLength={128} />
        </Form.Item>
        <Form.Item name="category" label={t('skus.category')} rules={[{ max: 128 }]}>
          <Input maxLength={128} />
        </Form.Item>
        <Form.Item name="unit" label={t('skus.unit')} rules={[{ max: 16 }]}>
          <Input maxLength={16} style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="weightG" label={t('skus.weight')}>
          <InputNumber min={0} max={10_000_000} precision={0} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="active" label={t('skus.active')} valuePropName="checked">
          <Switch checkedChildren={t('skus.enabled')} unCheckedChildren={t('skus.disabled')} />
        </Form.Item>
      </Form>
    </Modal>
  )
}
