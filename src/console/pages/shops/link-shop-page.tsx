/**
 * 添加店铺: pick a channel, then a form generated from GET /channels asking exactly for that
 * channel's credentials and settings. A key channel is checked and linked on save; an OAuth channel
 * is saved with its app's key and secret, then the browser goes to the platform's authorize page
 * and comes back to /shops/linked.
 */
import { Alert, App, Button, Card, Collapse, Flex, Form, Input, Radio, Select, Spin, Typography } from 'antd'
import { useEffect, useMemo, useState } from 'react'
import { useNavigate } from 'react-router'
import { ApiError } from '../../api/client'
import { endpoints } from '../../api/endpoints'
import { shopApi, type ChannelInfo } from '../../api/shops'
import type { Channel, Warehouse } from '../../api/types'
import { errorMessage, fieldErrors } from '../../components/errors'
import { ErrorAlert } from '../../components/states'
import { useI18n } from '../../i18n'
import { formFields, SettingField, useFieldLabel } from './settings-fields'

interface Values {
  name: string
  credentials?: Record<string, string | undefined>
  settings?: Record<string, unknown>
  warehouseIds?: string[]
}

/** Empty strings and unset fields are left out: the schema's defaults apply. */
const filled = <T,>(o: Record<string, T | undefined> | undefined) =>
  Object.fromEntries(
    Object.entries(o ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== ''),
  ) as Record<string, T>

export function LinkShopPage() {
  const i18n = useI18n()
  const { t } = i18n
  const { message } = App.useApp()
  const navigate = useNavigate()
  const [form] = Form.useForm<Values>()
  const [channels, setChannels] = useState<ChannelInfo[] | null>(null)
  const [warehouses, setWarehouses] = useState<Warehouse[]>([])
  const [channel, setChannel] = useState<Channel | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState<'saving' | 'redirecting' | null>(null)

  useEffect(() => {
    shopApi.channels().then(setChannels, setError)
    endpoints.warehouses().then(
      (p) => setWarehouses(p.items),
      () => setWarehouses([]),
    )
  }, [])
  const info = channels?.find((c) => c.channel === channel) ?? null
  const fields = useMemo(() => (info ? formFields(info) : []), [info])
  const { label } = useFieldLabel(channel ?? '')

  async function submit(v: Values) {
    if (!info) return
    setError(null)
    setBusy('saving')
    let shopId: string | null = null
    try {
      const settings = filled(v.settings)
      if (v.warehouseIds?.length) settings.warehouseIds = v.warehouseIds
      const shop = await shopApi.createShop({
        channel: info.channel,
        name: v.name.trim(),
        settings,
        credentials: filled(v.credentials) as Record<string, string>,
      })
      shopId = shop.id
      if (!info.oauth) {
        void message.success(t('shops.link.linkedKeys', { name: shop.name }))
        void navigate(`/catalogue?shop=${shop.id}`)
        return
      }
      const { authorizeUrl } = await shopApi.authorize(shop.id)
      setBusy('redirecting')
      window.location.assign(authorizeUrl)
    } catch (err) {
      setBusy(null)
      if (shopId) {
        // Saved, but the authorize page could not be opened: the list shows it waiting.
        void message.warning(`${t('shops.link.savedWaiting')}${errorMessage(i18n, err)}`)
        void navigate('/shops')
        return
      }
      const atFields = settingsFieldErrors(err)
      const plain = fieldErrors(i18n, err).filter((f) => ['name'].includes(f.name))
      if (atFields.length + plain.length > 0) form.setFields([...atFields, ...plain])
      setError(err)
    }
  }

  /** The API names each bad setting (body/settings/<key>): shown at its field. */
  function settingsFieldErrors(err: unknown) {
    if (!(err instanceof ApiError)) return []
    const problems = (err.details as { problems?: { path?: string; message?: string }[] } | null)?.problems
    return (problems ?? []).flatMap((p) => {
      const key = p.path?.split('/')[1]
      if (!key || !fields.some((f) => f.name === key)) return []
      return [
        {
          name: ['settings', key],
          errors: [
            t('shops.fmt.labelled', {
              label: label(key),
              value: t('shops.fmt.quoted', { text: p.message ?? '' }),
            }),
          ],
        },
      ]
    })
  }

  const required = fields.filter((f) => f.required)
  const optional = fields.filter((f) => !f.required)
  const channelName = channel ? t(`channels.${channel}`) : ''

  return (
    <div className="ep-page">
      <Card styles={{ body: { padding: 16, maxWidth: 720 } }}>
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t('shops.link.title')}
        </Typography.Title>
        {!channels && !error && <Spin />}
        {channels && (
          <Form<Values>
            form={form}
            layout="vertical"
            onFinish={(v) => void submit(v)}
            requiredMark
            disabled={busy !== null}
          >
            <Form.Item label={t('shops.link.pickChannel')} required>
              <Radio.Group
                optionType="button"
                value={channel}
                onChange={(e) => {
                  setChannel(e.target.value as Channel)
                  setError(null)
                  form.resetFields(['credentials', 'settings'])
                }}
                options={channels.map((c) => ({ value: c.channel, label: t(`channels.${c.channel}`) }))}
                style={{ display: 'flex', flexWrap: 'wrap', rowGap: 8 }}
              />
            </Form.Item>
            {info && (
              <>
                <Alert
                  type="info"
                  showIcon
                  style={{ marginBottom: 16 }}
                  message={
                    info.oauth
                      ? t('shops.link.oauthHint', { channel: channelName })
                      : t('shops.link.keysHint')
                  }
                />
                <Form.Item
                  name="name"
                  label={t('shops.link.shopName')}
                  rules={[
                    {
                      required: true,
                      whitespace: true,
                      message: t('shops.link.required', { label: t('shops.link.shopName') }),
                    },
                  ]}
                >
                  <Input maxLength={200} placeholder={t('shops.link.shopNamePlaceholder')} />
                </Form.Item>
                <Typography.Title level={5}>{t('shops.link.credentials')}</Typography.Title>
                {info.credentials.map((f) => (
                  <Form.Item
                    key={f.name}
                    name={['credentials', f.name]}
                    label={label(f.name)}
                    extra={f.secret ? t('shops.link.secretHint') : undefined}
                    rules={
                      f.required
                        ? [
                            {
                              required: true,
                              whitespace: true,
                              message: t('shops.link.required', { label: label(f.name) }),
                            },
                          ]
                        : []
                    }
                  >
                    {f.secret ? (
                      <Input.Password autoComplete="new-password" maxLength={8192} />
                    ) : (
                      <Input autoComplete="off" maxLength={8192} />
                    )}
                  </Form.Item>
                ))}
                {required.length > 0 && (
                  <Typography.Title level={5}>{t('shops.link.settings')}</Typography.Title>
                )}
                {required.map((f) => (
                  <SettingField key={f.name} channel={info.channel} {...f} />
                ))}
                <Collapse
                  style={{ marginBottom: 16 }}
                  items={[
                    {
                      key: 'advanced',
                      label: t('shops.link.advanced'),
                      forceRender: true,
                      children: (
                        <>
                          <Typography.Paragraph type="secondary">
                            {t('shops.link.advancedHint')}
                          </Typography.Paragraph>
                          {optional.map((f) => (
                            <SettingField key={f.name} channel={info.channel} {...f} />
                          ))}
                          <Form.Item
                            name="warehouseIds"
                            label={t('shops.link.warehouses')}
                            extra={t('shops.link.warehousesHint')}
                          >
                            <Select
                              mode="multiple"
                              allowClear
                              options={warehouses.map((w) => ({
                                value: w.id,
                                label: t('shops.fmt.paren', { a: w.name, b: w.code }),
                              }))}
                            />
                          </Form.Item>
                        </>
                      ),
                    },
                  ]}
                />
                <LinkError error={error} />
                <Flex gap={8} wrap>
                  <Button type="primary" htmlType="submit" loading={busy !== null}>
                    {busy === 'redirecting'
                      ? t('shops.link.redirecting')
                      : info.oauth
                        ? t('shops.link.submitOauth')
                        : t('shops.link.submitKeys')}
                  </Button>
                  <Button onClick={() => void navigate('/shops')} disabled={false}>
                    {t('common.cancel')}
                  </Button>
                </Flex>
              </>
            )}
          </Form>
        )}
        {!channels && <ErrorAlert error={error} />}
      </Card>
    </div>
  )
}

/** What went wrong, and when the platform answered, its own words. */
function LinkError({ error }: { error: unknown }) {
  const i18n = useI18n()
  if (!error) return null
  const platform =
    error instanceof ApiError && ['credentials_rejected', 'upstream_unavailable'].includes(error.code)
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 12 }}
      message={errorMessage(i18n, error)}
      description={
        platform ? i18n.t('shops.linked.platformSaid', { message: (error as ApiError).message }) : undefined
      }
    />
  )
}
