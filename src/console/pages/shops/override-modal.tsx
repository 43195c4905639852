/** A SKU's own stock-sync rule: any field left empty follows the shop's rule; 删除 removes it. */
import { Button, Form, InputNumber, Modal, Typography } from 'antd'
import type { PreviewItem, StockSyncRule } from '../../api/shops'
import { useOpeningValues } from '../../components/forms'
import { useI18n } from '../../i18n'

interface Values {
  ratio?: string | null
  safetyStock?: number | null
  virtualStock?: number | null
  fixed?: number | null
}

export function OverrideModal({
  item,
  rule,
  onClose,
  onChange,
}: {
  item: PreviewItem | null
  rule: StockSyncRule | undefined
  onClose: () => void
  /** The new rule, or null to remove it; applied to the draft (saved with 保存规则). */
  onChange: (code: string, rule: StockSyncRule | null) => void
}) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  useOpeningValues(form, item ? item.skuCode : null, () => ({
    ratio: rule?.ratio !== undefined ? String(rule.ratio) : null,
    safetyStock: rule?.safetyStock ?? null,
    virtualStock: rule?.virtualStock ?? null,
    fixed: rule?.fixed ?? null,
  }))

  const apply = (v: Values) => {
    if (!item) return
    const next: StockSyncRule = {
      ...(v.ratio ? { ratio: v.ratio } : {}),
      ...(typeof v.safetyStock === 'number' ? { safetyStock: v.safetyStock } : {}),
      ...(typeof v.virtualStock === 'number' ? { virtualStock: v.virtualStock } : {}),
      ...(typeof v.fixed === 'number' ? { fixed: v.fixed } : {}),
    }
    onChange(item.skuCode, Object.keys(next).length ? next : null)
  }

  return (
    <Modal
      open={!!item}
      title={item ? t('shops.rules.overrideTitle', { code: item.skuCode }) : ''}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        rule && (
          <Button key="remove" danger onClick={() => item && onChange(item.skuCode, null)}>
            {t('shops.rules.removeOverride')}
          </Button>
        ),
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="ok" type="primary" onClick={() => form.submit()}>
          {t('common.confirm')}
        </Button>,
      ]}
    >
      <Typography.Paragraph type="secondary">{t('shops.rules.overrideHint')}</Typography.Paragraph>
      <Form<Values> form={form} layout="vertical" onFinish={apply}>
        <Form.Item name="fixed" label={t('shops.rules.fixed')} extra={t('shops.rules.fixedHint')}>
          <InputNumber min={0} max={1_000_000} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="ratio" label={t('shops.rules.ratio')} extra={t('shops.rules.ratioHint')}>
          <InputNumber<string> stringMode min="0.000001" max="1" step="0.05" style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="safetyStock" label={t('shops.rules.safetyStock')}>
          <InputNumber min={0} max={1_000_000} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="virtualStock" label={t('shops.rules.virtualStock')}>
          <InputNumber min={0} max={1_000_000} precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  )
}
