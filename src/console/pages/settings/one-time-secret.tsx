/** A secret shown exactly once (a new API key, a one-time password): copy it now or lose it. */
import { Alert, Button, Modal, Typography } from 'antd'
import type { ReactNode } from 'react'
import { useI18n } from '../../i18n'

export function OneTimeSecret({
  open,
  title,
  help,
  secret,
  onClose,
}: {
  open: boolean
  title: ReactNode
  help: ReactNode
  secret: string
  onClose: () => void
}) {
  const { t } = useI18n()
  return (
    <Modal
      open={open}
      title={title}
      closable={false}
      maskClosable={false}
      keyboard={false}
      destroyOnHidden
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose}>
          {t('settings.apiKeys.tokenDone')}
        </Button>
      }
    >
      <Alert type="warning" showIcon message={help} style={{ marginBottom: 16 }} />
      <Typography.Paragraph
        copyable={{ text: secret, tooltips: [t('common.copy'), t('common.copied')] }}
        className="mono"
        style={{
          fontSize: 16,
          wordBreak: 'break-all',
          background: '#fafafa',
          padding: 12,
          border: '1px solid #f0f0f0',
          borderRadius: 6,
        }}
        data-testid="one-time-secret"
      >
        {secret}
      </Typography.Paragraph>
    </Modal>
  )
}
