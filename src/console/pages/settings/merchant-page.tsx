/** 商户信息: the merchant's name and time zone; the base currency is shown, fixed. */
import { Alert, App, Button, Card, Descriptions, Form, Input, Select, Space, Typography } from 'antd'
import { useEffect, useMemo, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { Merchant } from '../../api/types'
import { useMe, useSession } from '../../app/session'
import { errorMessage, fieldErrors } from '../../components/errors'
import { useI18n } from '../../i18n'

/** 'auto': no language of its own, the time zone's default. */
type AlertLocale = 'auto' | 'zh-CN' | 'en'

interface Values {
  name: string
  timezone: string
  locale: AlertLocale
}

const COMMON_ZONES = [
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Europe/London',
  'Europe/Paris',
  'America/New_York',
  'America/Los_Angeles',
  'UTC',
]

function timeZones(): string[] {
  const all = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? []
  return [...new Set([...COMMON_ZONES, ...all])]
}

export function MerchantPage() {
  const i18n = useI18n()
  const { t } = i18n
  const me = useMe()
  const { reload } = useSession()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const zones = useMemo(() => timeZones().map((z) => ({ value: z, label: z })), [])
  // The profile (GET /merchant) carries the alerts' language, which the session does not.
  const [profile, setProfile] = useState<Merchant | null>(null)
  useEffect(() => {
    let live = true
    endpoints.merchant().then(
      (m) => {
        if (!live) return
        setProfile(m)
        form.setFieldValue('locale', m.locale ?? 'auto')
      },
      (err: unknown) => live && setError(err),
    )
    return () => {
      live = false
    }
  }, [form])
  const langName = (l: 'zh-CN' | 'en' | undefined) =>
    l === 'en' ? t('settings.merchant.langEn') : t('settings.merchant.langZh')

  async function save(v: Values) {
    setBusy(true)
    setError(null)
    try {
      const saved = await endpoints.updateMerchant({
        name: v.name.trim(),
        timezone: v.timezone,
        locale: v.locale === 'auto' ? null : v.locale,
      })
      setProfile(saved)
      await reload()
      void message.success(t('common.saved'))
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
    <div className="ep-page">
      <Card title={t('settings.merchant.title')}>
        {error ? (
          <Alert type="error" showIcon message={errorMessage(i18n, error)} style={{ marginBottom: 16 }} />
        ) : null}
        <Form<Values>
          form={form}
          layout="vertical"
          style={{ maxWidth: 520 }}
          initialValues={{ name: me.merchant.name, timezone: me.merchant.timezone, locale: 'auto' }}
          onFinish={(v) => void save(v)}
          requiredMark={false}
        >
          <Form.Item
            name="name"
            label={t('settings.merchant.name')}
            rules={[{ required: true, whitespace: true, max: 200, message: t('errors.invalidField') }]}
          >
            <Input />
          </Form.Item>
          <Form.Item
            name="timezone"
            label={t('settings.merchant.timezone')}
            extra={t('settings.merchant.timezoneHelp')}
            rules={[{ required: true }]}
          >
            <Select showSearch options={zones} />
          </Form.Item>
          <Form.Item
            name="locale"
            label={t('settings.merchant.alertLocale')}
            extra={t('settings.merchant.alertLocaleHelp')}
          >
            <Select
              disabled={!profile}
              options={[
                {
                  value: 'auto',
                  label: t('settings.merchant.alertLocaleAuto', {
                    lang: langName(profile?.locale ? undefined : profile?.alertLocale),
                  }),
                },
                { value: 'zh-CN', label: t('settings.merchant.langZh') },
                { value: 'en', label: t('settings.merchant.langEn') },
              ]}
            />
          </Form.Item>
          <Descriptions size="small" column={1} style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('settings.merchant.baseCurrency')}>
              <Space direction="vertical" size={0}>
                <span className="mono">{me.merchant.baseCurrency}</span>
                <Typography.Text type="secondary">{t('settings.merchant.baseCurrencyHelp')}</Typography.Text>
              </Space>
            </Descriptions.Item>
          </Descriptions>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t('common.save')}
          </Button>
        </Form>
      </Card>
    </div>
  )
}
