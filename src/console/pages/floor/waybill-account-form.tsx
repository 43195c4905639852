/** Add or edit an e-waybill account (admin): provider, shop or credentials (write-only), sender. */
import { App, Col, Form, Input, Modal, Row, Select, Switch, Typography } from 'antd'
import { useState } from 'react'
import { endpoints } from '../../api/endpoints'
import { WAYBILL_PROVIDERS, type Shop, type WaybillAccount, type WaybillProvider } from '../../api/types'
import { fieldErrors } from '../../components/errors'
import { ErrorAlert } from '../../components/states'
import { useI18n } from '../../i18n'

/** The marketplace whose shop authorises each provider; null = direct, with its own credentials. */
const SHOP_CHANNEL: Record<WaybillProvider, Shop['channel'] | null> = {
  cainiao: 'taobao',
  pdd: 'pdd',
  douyin: 'douyin',
  jd: 'jd',
  sf: null,
  easypost: null,
}
const CREDENTIALS: Record<WaybillProvider, readonly ('partnerId' | 'checkWord' | 'apiKey')[]> = {
  cainiao: [],
  pdd: [],
  douyin: [],
  jd: [],
  sf: ['partnerId', 'checkWord'],
  easypost: ['apiKey'],
}

interface FormValues {
  provider: WaybillProvider
  name: string
  shopId?: string
  baseUrl?: string
  userId?: string
  monthlyCard?: string
  active?: boolean
  sender: { name: string; mobile: string; province: string; city: string; district: string; detail: string }
  credentials?: { partnerId?: string; checkWord?: string; apiKey?: string }
}

export function AccountForm({
  account,
  shops,
  onClose,
}: {
  account: WaybillAccount | null
  shops: Shop[]
  onClose: (saved: boolean) => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const { message } = App.useApp()
  const [form] = Form.useForm<FormValues>()
  const [error, setError] = useState<unknown>(null)
  const [saving, setSaving] = useState(false)
  const provider = Form.useWatch('provider', form) ?? account?.provider ?? 'cainiao'
  const channel = SHOP_CHANNEL[provider]
  const a = account

  const submit = async () => {
    const v = await form.validateFields()
    const sender = {
      name: v.sender.name,
      mobile: v.sender.mobile,
      address: {
        province: v.sender.province,
        city: v.sender.city,
        district: v.sender.district ?? '',
        detail: v.sender.detail,
      },
    }
    const settings: Record<string, unknown> = { ...(a?.settings ?? {}) }
    if (v.userId) settings.userId = v.userId
    else delete settings.userId
    if (v.monthlyCard) settings.monthlyCard = v.monthlyCard
    else delete settings.monthlyCard
    const credentials = Object.fromEntries(
      Object.entries(v.credentials ?? {}).filter((e): e is [string, string] => !!e[1]?.trim()),
    )
    setSaving(true)
    try {
      if (!a) {
        await endpoints.createWaybillAccount({
          provider: v.provider,
          name: v.name,
          ...(channel && v.shopId ? { shopId: v.shopId } : {}),
          ...(v.baseUrl ? { baseUrl: v.baseUrl } : {}),
          settings,
          sender,
          ...(Object.keys(credentials).length ? { credentials } : {}),
        })
        void message.success(t('floor.accounts.created', { name: v.name }))
      } else {
        await endpoints.updateWaybillAccount(a.id, {
          name: v.name,
          baseUrl: v.baseUrl || null,
          settings,
          sender,
          active: v.active ?? true,
        })
        if (Object.keys(credentials).length) await endpoints.setWaybillCredentials(a.id, credentials)
        void message.success(t('floor.accounts.saved'))
      }
      onClose(true)
    } catch (err) {
      const fields = fieldErrors(i18n, err)
      // 'body/credentials/apiKey' → ['credentials', 'apiKey'], the form's own path.
      const path = (name: string) => name.split('/').filter((p) => p !== 'body') as ['name']
      if (fields.length) form.setFields(fields.map((f) => ({ name: path(f.name), errors: f.errors })))
      setError(err)
    } finally {
      setSaving(false)
    }
  }

  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined)
  return (
    <Modal
      open
      width={720}
      title={a ? t('floor.accounts.editTitle', { name: a.name }) : t('floor.accounts.createTitle')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: saving }}
      onOk={() => void submit()}
      onCancel={() => onClose(false)}
    >
      {error ? <ErrorAlert error={error} /> : null}
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={{
          provider: a?.provider ?? 'cainiao',
          name: a?.name,
          shopId: a?.shopId ?? undefined,
          baseUrl: a?.baseUrl ?? undefined,
          userId: str(a?.settings.userId),
          monthlyCard: str(a?.settings.monthlyCard),
          active: a?.active ?? true,
          sender: a?.sender
            ? {
                name: a.sender.name,
                mobile: a.sender.mobile,
                province: a.sender.address.province,
                city: a.sender.address.city,
                district: a.sender.address.district,
                detail: a.sender.address.detail,
              }
            : undefined,
        }}
      >
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="provider" label={t('floor.accounts.provider')} rules={[{ required: true }]}>
              <Select
                disabled={!!a}
                options={WAYBILL_PROVIDERS.map((p) => ({
                  value: p,
                  label: t(`floor.accounts.provider_name.${p}`),
                }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="name" label={t('floor.accounts.name')} rules={[{ required: true, max: 100 }]}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          {channel && (
            <Col xs={24} sm={12}>
              <Form.Item name="shopId" label={t('floor.accounts.shop')} rules={[{ required: !a }]}>
                <Select
                  disabled={!!a}
                  options={shops
                    .filter((s) => s.channel === channel)
                    .map((s) => ({ value: s.id, label: s.name }))}
                />
              </Form.Item>
            </Col>
          )}
          {(provider === 'cainiao' || provider === 'pdd' || provider === 'douyin') && (
            <Col xs={24} sm={12}>
              <Form.Item name="userId" label={t('floor.accounts.userId')}>
                <Input className="mono" maxLength={32} />
              </Form.Item>
            </Col>
          )}
          {provider === 'sf' && (
            <Col xs={24} sm={12}>
              <Form.Item name="monthlyCard" label={t('floor.accounts.monthlyCard')}>
                <Input className="mono" maxLength={32} />
              </Form.Item>
            </Col>
          )}
          <Col xs={24} sm={channel ? 24 : 12}>
            <Form.Item
              name="baseUrl"
              label={t('floor.accounts.baseUrl')}
              extra={t('floor.accounts.baseUrlHint')}
            >
              <Input className="mono" maxLength={500} />
            </Form.Item>
          </Col>
        </Row>
        {CREDENTIALS[provider].length > 0 && (
          <>
            <Typography.Title level={5}>{t('floor.accounts.credentials')}</Typography.Title>
            <Typography.Paragraph type="secondary">
              {t('floor.accounts.credentialsHint')}
            </Typography.Paragraph>
            <Row gutter={12}>
              {CREDENTIALS[provider].map((k) => (
                <Col xs={24} sm={12} key={k}>
                  <Form.Item
                    name={['credentials', k]}
                    label={t(`floor.accounts.${k}`)}
                    rules={[{ required: !a?.hasCredentials }]}
                  >
                    <Input.Password
                      autoComplete="new-password"
                      maxLength={500}
                      placeholder={a?.hasCredentials ? t('floor.accounts.credentialsSet') : undefined}
                    />
                  </Form.Item>
                </Col>
              ))}
            </Row>
          </>
        )}
        <Typography.Title level={5}>{t('floor.accounts.sender')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('floor.accounts.senderHint')}</Typography.Paragraph>
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item
              name={['sender', 'name']}
              label={t('floor.accounts.senderName')}
              rules={[{ required: true, max: 40 }]}
            >
              <Input maxLength={40} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name={['sender', 'mobile']}
              label={t('floor.accounts.mobile')}
              rules={[{ required: true, max: 20 }]}
            >
              <Input className="mono" maxLength={20} />
            </Form.Item>
          </Col>
          {(['province', 'city', 'district'] as const).map((k) => (
            <Col xs={8} key={k}>
              <Form.Item
                name={['sender', k]}
                label={t(`floor.accounts.${k}`)}
                rules={[{ required: k !== 'district', max: 20 }]}
              >
                <Input maxLength={20} />
              </Form.Item>
            </Col>
          ))}
          <Col xs={24}>
            <Form.Item
              name={['sender', 'detail']}
              label={t('floor.accounts.detail')}
              rules={[{ required: true, max: 256 }]}
            >
              <Input maxLength={256} />
            </Form.Item>
          </Col>
        </Row>
        {a && (
          <Form.Item name="active" label={t('floor.accounts.state')} valuePropName="checked">
            <Switch
              checkedChildren={t('floor.accounts.active')}
              unCheckedChildren={t('floor.accounts.inactive')}
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  )
}
