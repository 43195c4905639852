/**
 * 对应 SKU, next to an unmapped-SKU exception: a SKU per platform product. Products with a platform
 * SKU or item id get a mapping (orders waiting on it re-run); a product known only by its seller
 * code is matched by code, so the fix is a SKU with that code (then the order re-runs).
 */
import { Alert, App, Button, Modal, Space, Table, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { OrderException } from '../../api/types'
import { errorMessage } from '../../components/errors'
import { useI18n } from '../../i18n'
import { SkuSelect } from '../skus/sku-select'
import { unmappedLines, type UnmappedLine } from './summary'

type Target = { platformSkuId: string } | { platformItemId: string } | null

function target(l: UnmappedLine): Target {
  if (!l.key || l.key.startsWith('code:')) return null
  return l.key.startsWith('item:') ? { platformItemId: l.key.slice(5) } : { platformSkuId: l.key }
}

export function MapSkuModal({
  exception,
  onClose,
  onSaved,
}: {
  exception: OrderException | null
  onClose: () => void
  onSaved: () => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const { message } = App.useApp()
  const [picked, setPicked] = useState<Record<string, string | undefined>>({})
  const [error, setError] = useState<unknown>(null)
  const [saving, setSaving] = useState(false)
  useEffect(() => {
    setPicked({})
    setError(null)
  }, [exception])
  const lines = exception ? unmappedLines(exception) : []
  const mappable = lines.filter((l) => target(l) && picked[l.externalLineId])

  const save = async () => {
    if (!exception?.shopId) return
    setSaving(true)
    setError(null)
    try {
      const r = await endpoints.mapSkus(
        mappable.map((l) => ({
          shopId: exception.shopId!,
          ...target(l)!,
          skuCode: picked[l.externalLineId]!,
        })),
      )
      void message.success(t('exceptions.map.saved', { n: r.rerun }))
      onSaved()
      onClose()
    } catch (err) {
      setError(err)
    } finally {
      setSaving(false)
    }
  }

  const createSku = async (l: UnmappedLine) => {
    if (!exception || !l.outerCode) return
    setSaving(true)
    setError(null)
    try {
      await endpoints.saveSkus([{ code: l.outerCode, name: l.title.slice(0, 500) }])
      await endpoints.resolveException(exception.id)
      void message.success(t('exceptions.map.created', { code: l.outerCode }))
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
      open={!!exception}
      title={`${t('exceptions.map.title')} · ${exception?.orderExternalId ?? ''}`}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: mappable.length === 0 }}
      confirmLoading={saving}
      width={760}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('exceptions.map.hint')}</Typography.Paragraph>
      {!!error && (
        <Alert type="error" showIcon style={{ marginBottom: 12 }} message={errorMessage(i18n, error)} />
      )}
      <Table<UnmappedLine>
        size="small"
        rowKey="externalLineId"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={lines}
        locale={{ emptyText: t('exceptions.map.noneLeft') }}
        columns={[
          { title: t('exceptions.map.platformItem'), dataIndex: 'title' },
          {
            title: t('exceptions.map.sellerCode'),
            dataIndex: 'outerCode',
            render: (v: string | null) => <span className="mono">{v}</span>,
          },
          {
            title: t('exceptions.map.sku'),
            key: 'sku',
            render: (_: unknown, l) =>
              target(l) ? (
                <SkuSelect
                  value={picked[l.externalLineId]}
                  onChange={(code) => setPicked((p) => ({ ...p, [l.externalLineId]: code }))}
                  placeholder={t('exceptions.map.pickSku')}
                  ariaLabel={`${t('exceptions.map.sku')} ${l.title}`}
                />
              ) : (
                <Space direction="vertical" size={4} style={{ maxWidth: 320 }}>
                  <Typography.Text type="secondary">
                    {t('exceptions.map.codeOnly', { code: l.outerCode ?? '' })}
                  </Typography.Text>
                  {l.outerCode && (
                    <Button size="small" loading={saving} onClick={() => void createSku(l)}>
                      {t('exceptions.map.createSku', { code: l.outerCode })}
                    </Button>
                  )}
                </Space>
              ),
          },
        ]}
      />
    </Modal>
  )
}
