/** 组合装: the components of a bundle, their quantity per set and the value that splits its revenue. */
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { Alert, App, Button, Form, Input, InputNumber, Modal, Skeleton, Space, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { Sku } from '../../api/types'
import { errorMessage } from '../../components/errors'
import { useI18n } from '../../i18n'
import { SkuSelect } from './sku-select'

interface Row {
  skuCode?: string
  quantity: number
  unitValue: string
}

/** A non-negative amount with at most 4 decimals, the column's scale (DECIMAL(18,4)). */
const AMOUNT = /^\d{1,14}(\.\d{1,4})?$/

export function BundleModal({
  sku,
  onClose,
  onSaved,
}: {
  sku: Sku | null
  onClose: () => void
  onSaved: () => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const { message } = App.useApp()
  const [form] = Form.useForm<{ components: Row[] }>()
  const [loading, setLoading] = useState(false)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    if (!sku) return
    let live = true
    setLoading(true)
    setError(null)
    endpoints
      .bundle(sku.id)
      .then((b) => {
        if (!live) return
        form.setFieldsValue({
          components: b.components.map((c) => ({
            skuCode: c.skuCode,
            quantity: c.quantity,
            // Shown as entered: trailing zeros of the stored scale dropped, two decimals kept.
            unitValue: c.unitValue.replace(/(\.\d\d\d?)0+$/, '$1'),
          })),
        })
      })
      .catch((err: unknown) => live && setError(err))
      .finally(() => live && setLoading(false))
    return () => {
      live = false
    }
  }, [sku, form])

  const save = async (v: { components?: Row[] }) => {
    if (!sku) return
    const components = (v.components ?? []).map((c) => ({
      skuCode: c.skuCode!,
      quantity: c.quantity,
      unitValue: c.unitValue.trim(),
    }))
    setSaving(true)
    setError(null)
    try {
      await endpoints.saveBundle(sku.id, components)
      void message.success(t('skus.bundleForm.saved', { code: sku.code, n: components.length }))
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
      open={!!sku}
      title={sku ? t('skus.bundleForm.title', { code: sku.code }) : ''}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      width={720}
      destroyOnHidden
      forceRender
    >
      <Typography.Paragraph type="secondary">{t('skus.bundleForm.hint')}</Typography.Paragraph>
      {!!error && (
        <Alert type="error" showIcon style={{ marginBottom: 12 }} message={errorMessage(i18n, error)} />
      )}
      {loading ? (
        <Skeleton active />
      ) : (
        <Form form={form} onFinish={(v) => void save(v)} layout="vertical">
          <Form.List name="components">
            {(fields, { add, remove }) => (
              <>
                {fields.length === 0 && (
                  <Typography.Paragraph type="secondary">{t('skus.bundleForm.empty')}</Typography.Paragraph>
                )}
                {fields.map((f) => (
                  <Space key={f.key} align="start" wrap style={{ display: 'flex', marginBottom: 4 }}>
                    <Form.Item
                      name={[f.name, 'skuCode']}
                      label={t('skus.bundleForm.component')}
                      rules={[
                        {
                          required: true,
                          message: t('skus.required', { field: t('skus.bundleForm.component') }),
                        },
                        {
                          validator: async (_, code: string | undefined) => {
                            const all = (form.getFieldValue('components') as Row[]).filter(
                              (r) => r?.skuCode === code,
                            )
                            if (code && all.length > 1) throw new Error(t('skus.bundleForm.duplicate'))
                          },
                        },
                      ]}
                    >
                      <SkuSelect
                        exclude={sku?.code}
                        placeholder={t('exceptions.map.pickSku')}
                        style={{ width: 260 }}
                        ariaLabel={t('skus.bundleForm.component')}
                      />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'quantity']}
                      label={t('skus.bundleForm.quantity')}
                      rules={[
                        {
                          required: true,
                          message: t('skus.required', { field: t('skus.bundleForm.quantity') }),
                        },
                      ]}
                    >
                      <InputNumber min={1} max={10_000} precision={0} style={{ width: 100 }} />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'unitValue']}
                      label={t('skus.bundleForm.unitValue')}
                      rules={[
                        { required: true, message: t('skus.bundleForm.valueInvalid') },
                        { pattern: AMOUNT, message: t('skus.bundleForm.valueInvalid') },
                      ]}
                    >
                      <Input inputMode="decimal" style={{ width: 130, textAlign: 'right' }} className="num" />
                    </Form.Item>
                    <Form.Item label=" ">
                      <Button
                        icon={<DeleteOutlined />}
                        aria-label={t('skus.bundleForm.remove')}
                        onClick={() => remove(f.name)}
                      />
                    </Form.Item>
                  </Space>
                ))}
                <Button
                  type="dashed"
                  icon={<PlusOutlined />}
                  onClick={() => add({ quantity: 1, unitValue: '' })}
                >
                  {t('skus.bundleForm.add')}
                </Button>
              </>
            )}
          </Form.List>
        </Form>
      )}
    </Modal>
  )
}
