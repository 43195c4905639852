/** 告警设置 (admin): each rule on or off with its threshold, and the group robot alerts go to. */
import {
  Alert as Banner,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Radio,
  Space,
  Switch,
  Table,
  Typography,
  message,
} from 'antd'
import { useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { AlertKind, AlertSettings, WebhookFormat } from '../../api/types'
import { errorMessage, fieldErrors } from '../../components/errors'
import { ErrorAlert } from '../../components/states'
import { useI18n } from '../../i18n'

type Rule = AlertSettings['rules'][number]

export function AlertSettingsPage() {
  const i18n = useI18n()
  const { t } = i18n
  const [settings, setSettings] = useState<AlertSettings | null>(null)
  const [rules, setRules] = useState<Rule[]>([])
  const [format, setFormat] = useState<WebhookFormat | 'none'>('none')
  const [error, setError] = useState<unknown>(null)
  const [saving, setSaving] = useState(false)
  const [form] = Form.useForm<{ url?: string; secret?: string }>()
  const [toast, holder] = message.useMessage()

  const accept = (s: AlertSettings) => {
    setSettings(s)
    setRules(s.rules)
    setFormat(s.webhook?.format ?? 'none')
    form.resetFields()
  }
  useEffect(() => {
    endpoints.alertSettings().then(accept, setError)
  }, [])

  const setRule = (kind: AlertKind, patch: Partial<Rule>) =>
    setRules((rs) => rs.map((r) => (r.kind === kind ? { ...r, ...patch } : r)))

  const save = async () => {
    const v = form.getFieldsValue()
    setSaving(true)
    try {
      const s = await endpoints.saveAlertSettings({
        rules: rules.map((r) => ({ kind: r.kind, enabled: r.enabled, threshold: r.threshold })),
        webhook:
          format === 'none'
            ? null
            : {
                format,
                ...(v.url?.trim() ? { url: v.url.trim() } : {}),
                ...(format === 'dingtalk' && v.secret?.trim() ? { secret: v.secret.trim() } : {}),
              },
      })
      accept(s)
      setError(null)
      void toast.success(t('common.saved'))
    } catch (e) {
      const fields = fieldErrors(i18n, e).map((f) => ({
        name: f.name.replace(/^body\/webhook\//, ''),
        errors: f.errors,
      }))
      if (fields.length) form.setFields(fields as never)
      else setError(e)
    } finally {
      setSaving(false)
    }
  }
  const check = async () => {
    try {
      const r = await endpoints.scanAlerts()
      void toast.success(t('alerts.checked', { opened: r.opened, cleared: r.cleared }))
    } catch (e) {
      void toast.error(errorMessage(i18n, e))
    }
  }

  return (
    <div className="ep-page">
      {holder}
      <Card styles={{ body: { padding: 16 } }}>
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t('alerts.settings')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('alerts.settingsIntro')}</Typography.Paragraph>
        <ErrorAlert error={error} />
        <Table<Rule>
          size="small"
          rowKey="kind"
          loading={!settings}
          dataSource={rules}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            { title: t('alerts.rule'), key: 'k', render: (_: unknown, r) => t(`alerts.kind.${r.kind}`) },
            {
              title: t('alerts.enabled'),
              key: 'e',
              render: (_: unknown, r) => (
                <Switch
                  aria-label={t(`alerts.kind.${r.kind}`)}
                  checked={r.enabled}
                  onChange={(on) => setRule(r.kind, { enabled: on })}
                />
              ),
            },
            {
              title: t('alerts.thresholdLabel'),
              key: 't',
              render: (_: unknown, r) =>
                r.defaultThreshold === null ? (
                  <Typography.Text type="secondary">{t(`alerts.unit.${r.kind}`)}</Typography.Text>
                ) : (
                  <Space>
                    <InputNumber
                      min={1}
                      max={100000}
                      precision={0}
                      value={r.threshold}
                      placeholder={t('alerts.defaultIs', { n: r.defaultThreshold })}
                      onChange={(n) => setRule(r.kind, { threshold: n ?? null })}
                      style={{ width: 140 }}
                    />
                    <span>{t(`alerts.unit.${r.kind}`)}</span>
                  </Space>
                ),
            },
          ]}
        />
        <Typography.Title level={5} style={{ marginTop: 24 }}>
          {t('alerts.webhook')}
        </Typography.Title>
        <Form form={form} layout="vertical" style={{ maxWidth: 640 }}>
          <Form.Item>
            <Radio.Group
              value={format}
              onChange={(e) => setFormat(e.target.value as WebhookFormat | 'none')}
              options={[
                { value: 'none', label: t('alerts.webhookNone') },
                { value: 'wecom', label: t('alerts.format.wecom') },
                { value: 'dingtalk', label: t('alerts.format.dingtalk') },
                { value: 'json', label: t('alerts.format.json') },
              ]}
            />
          </Form.Item>
          {format !== 'none' && (
            <Form.Item
              name="url"
              label={t('alerts.url')}
              extra={settings?.webhook ? t('alerts.urlKept', { url: settings.webhook.url }) : undefined}
              rules={settings?.webhook ? [] : [{ required: true }]}
            >
              <Input
                inputMode="url"
                placeholder={
                  format === 'wecom'
                    ? 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…'
                    : format === 'dingtalk'
                      ? 'https://oapi.dingtalk.com/robot/send?access_token=…'
                      : 'https://'
                }
              />
            </Form.Item>
          )}
          {format === 'dingtalk' && (
            <Form.Item name="secret" label={t('alerts.secret')} extra={t('alerts.secretHelp')}>
              <Input.Password
                placeholder={settings?.webhook?.hasSecret ? t('alerts.secretSet') : 'SEC…'}
                autoComplete="off"
              />
            </Form.Item>
          )}
        </Form>
        {settings?.webhook && format === 'none' && (
          <Banner type="info" showIcon style={{ marginBottom: 12 }} message={t('alerts.webhookNone')} />
        )}
        <Space>
          <Button type="primary" loading={saving} onClick={() => void save()}>
            {t('common.save')}
          </Button>
          <Button onClick={() => void check()}>{t('alerts.checkNow')}</Button>
        </Space>
      </Card>
    </div>
  )
}
