/** Changing one's password: forced after a one-time password, or from the user menu. */
import { Alert, App, Button, Card, Flex, Form, Input, Typography } from 'antd'
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { endpoints } from '../api/endpoints'
import { homeFor } from '../app/routes'
import { useMe, useSession } from '../app/session'
import { errorMessage, fieldErrors } from '../components/errors'
import { useI18n } from '../i18n'

interface Values {
  currentPassword: string
  newPassword: string
  repeat: string
}

function PasswordForm({ onDone }: { onDone: () => void }) {
  const i18n = useI18n()
  const { t } = i18n
  const { accept } = useSession()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  async function submit(v: Values) {
    setBusy(true)
    setError(null)
    try {
      accept(await endpoints.changePassword(v.currentPassword, v.newPassword))
      void message.success(t('auth.changed'))
      onDone()
    } catch (err) {
      const fields = fieldErrors(i18n, err)
      if (fields.length)
        form.setFields(fields.map((f) => ({ name: f.name as keyof Values, errors: f.errors })))
      else setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      onFinish={(v) => void submit(v)}
      requiredMark={false}
      style={{ maxWidth: 400 }}
    >
      {error ? (
        <Alert type="error" showIcon message={errorMessage(i18n, error)} style={{ marginBottom: 16 }} />
      ) : null}
      <Form.Item
        name="currentPassword"
        label={t('auth.currentPassword')}
        rules={[{ required: true, message: t('auth.passwordRequired') }]}
      >
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item
        name="newPassword"
        label={t('auth.newPassword')}
        extra={t('auth.newPasswordHelp')}
        rules={[{ required: true, min: 10, message: t('errors.reason.too_short') }]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="repeat"
        label={t('auth.repeatPassword')}
        dependencies={['newPassword']}
        rules={[
          { required: true, message: t('auth.passwordRequired') },
          ({ getFieldValue }) => ({
            validator: (_r, value) =>
              !value || getFieldValue('newPassword') === value
                ? Promise.resolve()
                : Promise.reject(new Error(t('auth.mismatch'))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy}>
        {t('auth.changeSubmit')}
      </Button>
    </Form>
  )
}

/** In the shell, from the user menu. */
export function AccountPage() {
  const { t } = useI18n()
  const me = useMe()
  return (
    <div className="ep-page">
      <Card title={t('shell.changePassword')}>
        <Typography.Paragraph type="secondary">{me.user?.email ?? me.user?.phone}</Typography.Paragraph>
        <PasswordForm onDone={() => undefined} />
      </Card>
    </div>
  )
}

/** Right after signing in with a one-time password: nothing else opens until it is replaced. */
export function FirstPasswordPage() {
  const { t } = useI18n()
  const me = useMe()
  const navigate = useNavigate()
  return (
    <Flex
      vertical
      align="center"
      justify="center"
      style={{ minHeight: '100vh', padding: 16, background: '#f5f5f5' }}
    >
      <Card title={t('auth.changeTitle')} style={{ width: '100%', maxWidth: 440 }}>
        {me.user?.mustChangePassword && (
          <Alert type="info" showIcon message={t('auth.changeFirst')} style={{ marginBottom: 16 }} />
        )}
        <PasswordForm onDone={() => void navigate(homeFor(me.role), { replace: true })} />
      </Card>
    </Flex>
  )
}
