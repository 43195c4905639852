import { LockOutlined, UserOutlined } from '@ant-design/icons'
import { Alert, Button, Card, Flex, Form, Input, Segmented, Typography } from 'antd'
import { useState } from 'react'
import { Navigate, useNavigate, useSearchParams } from 'react-router'
import { endpoints } from '../api/endpoints'
import { homeFor } from '../app/routes'
import { useSession } from '../app/session'
import { errorMessage } from '../components/errors'
import { useI18n, type Locale } from '../i18n'

interface Values {
  login: string
  password: string
}

export function LoginPage() {
  const i18n = useI18n()
  const { t, locale, setLocale } = i18n
  const { me, accept } = useSession()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const from = params.get('from')
  const target = (role: Parameters<typeof homeFor>[0]) =>
    from && from.startsWith('/') && !from.startsWith('//') ? from : homeFor(role)

  if (me) return <Navigate to={me.user?.mustChangePassword ? '/password' : target(me.role)} replace />

  async function submit(v: Values) {
    setBusy(true)
    setError(null)
    try {
      const next = await endpoints.login(v.login, v.password)
      accept(next)
      void navigate(next.user?.mustChangePassword ? '/password' : target(next.role), { replace: true })
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Flex
      vertical
      align="center"
      justify="center"
      style={{ minHeight: '100vh', padding: 16, background: '#f5f5f5' }}
    >
      <Card style={{ width: '100%', maxWidth: 400 }}>
        <Flex justify="space-between" align="start" style={{ marginBottom: 16 }}>
          <div>
            <Typography.Title level={3} style={{ margin: 0 }}>
              {t('common.appName')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('auth.subtitle')}</Typography.Text>
          </div>
          <Segmented<Locale>
            size="small"
            value={locale}
            onChange={setLocale}
            options={[
              { value: 'zh-CN', label: '中文' },
              { value: 'en', label: 'EN' },
            ]}
          />
        </Flex>
        {error ? (
          <Alert
            type="error"
            showIcon
            message={errorMessage(i18n, error)}
            style={{ marginBottom: 16 }}
            role="alert"
          />
        ) : null}
        <Form<Values> layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
          <Form.Item
            name="login"
            label={t('auth.login')}
            rules={[{ required: true, whitespace: true, message: t('auth.loginRequired') }]}
          >
            <Input
              prefix={<UserOutlined />}
              autoComplete="username"
              placeholder={t('auth.loginPlaceholder')}
              size="large"
            />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('auth.password')}
            rules={[{ required: true, message: t('auth.passwordRequired') }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy}>
            {t('auth.submit')}
          </Button>
        </Form>
      </Card>
    </Flex>
  )
}
