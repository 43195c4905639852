/**
 * 店铺授权: every linked shop with its light (sync, authorization, token expiry), the platform's
 * latest error, failed webhooks; pull now, enable/disable, re-authorize, and the way to its
 * product mapping and stock rules. 添加店铺 opens the link form.
 */
import { PlusOutlined } from '@ant-design/icons'
import { App, Badge, Button, Descriptions, Dropdown, Form, Select, Space, Table, Tag, Typography } from 'antd'
import { useEffect, useMemo, useState } from 'react'
import { useNavigate } from 'react-router'
import { endpoints } from '../../api/endpoints'
import { shopApi } from '../../api/shops'
import { CHANNELS, type Channel, type Shop } from '../../api/types'
import { DetailDrawer, Section } from '../../components/detail-drawer'
import { errorMessage } from '../../components/errors'
import { Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { ListPage, QueryForm } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useI18n } from '../../i18n'
import { HEALTH_BADGE, healthOf, lastOk, latestError, type ShopHealth } from './health'

interface Filters {
  channel?: Channel
  status?: Shop['status']
}

export function ShopsPage() {
  const i18n = useI18n()
  const { t } = i18n
  const { message, modal } = App.useApp()
  const navigate = useNavigate()
  const desk = useDesk()
  const [form] = Form.useForm<Filters>()
  const [filters, setFilters] = useState<Filters>({})
  const [shops, setShops] = useState<Shop[]>([])
  const [sync, setSync] = useState<Record<string, ShopHealth>>({})
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<unknown>(null)
  const [tick, setTick] = useState(0)
  const [open, setOpen] = useState<Shop | null>(null)

  useEffect(() => {
    let live = true
    setLoading(true)
    endpoints
      .shops()
      .then((page) => {
        if (!live) return
        setShops(page.items)
        setError(null)
        setLoading(false)
        // Each light comes on as its shop's answer arrives; the list does not wait for all of them.
        for (const s of page.items)
          endpoints.shopSync(s.id).then(
            (h) => live && setSync((all) => ({ ...all, [s.id]: h as ShopHealth })),
            () => undefined,
          )
      })
      .catch((err: unknown) => {
        if (!live) return
        setError(err)
        setLoading(false)
      })
    return () => {
      live = false
    }
  }, [tick])

  const rows = useMemo(
    () =>
      shops.filter(
        (s) =>
          (!filters.channel || s.channel === filters.channel) &&
          (!filters.status || s.status === filters.status),
      ),
    [shops, filters],
  )
  const active = [
    filters.channel &&
      t('shops.fmt.labelled', { label: t('shops.channel'), value: t(`channels.${filters.channel}`) }),
    filters.status &&
      t('shops.fmt.labelled', { label: t('shops.status'), value: t(`shops.${filters.status}`) }),
  ].filter((x): x is string => !!x)
  const clear = () => {
    form.resetFields()
    setFilters({})
  }

  const act = (p: Promise<string>) =>
    p.then(
      (text) => {
        void message.success(text)
        setTick((n) => n + 1)
      },
      (err: unknown) => void message.error(errorMessage(i18n, err)),
    )
  const pullNow = (shop: Shop) =>
    act(shopApi.pullNow(shop.id).then(() => t('shops.pullQueued', { name: shop.name })))
  const setEnabled = (shop: Shop, on: boolean) =>
    act(
      shopApi
        .setEnabled(shop.id, on)
        .then(() => t(on ? 'shops.enabled' : 'shops.disabledDone', { name: shop.name })),
    )
  const reauthorize = (shop: Shop) =>
    shopApi.authorize(shop.id).then(
      (r) => window.location.assign(r.authorizeUrl),
      (err: unknown) => void message.error(errorMessage(i18n, err)),
    )

  return (
    <>
      <ListPage<Shop>
        title={t('shops.title')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate('/shops/new')}>
            {t('shops.add')}
          </Button>
        }
        error={error}
        onRetry={() => setTick((n) => n + 1)}
        query={
          <QueryForm<Filters>
            form={form}
            onSearch={(v) => setFilters({ ...v })}
            onReset={() => setFilters({})}
          >
            <Form.Item name="channel" label={t('shops.channel')}>
              <Select
                allowClear
                style={{ width: 160 }}
                placeholder={t('common.all')}
                options={CHANNELS.map((c) => ({ value: c, label: t(`channels.${c}`) }))}
              />
            </Form.Item>
            <Form.Item name="status" label={t('shops.status')}>
              <Select
                allowClear
                style={{ width: 120 }}
                placeholder={t('common.all')}
                options={[
                  { value: 'active', label: t('shops.active') },
                  { value: 'disabled', label: t('shops.disabled') },
                ]}
              />
            </Form.Item>
          </QueryForm>
        }
        table={{
          rowKey: 'id',
          loading,
          dataSource: rows,
          onRow: (shop) => ({
            onClick: (e) => {
              // Buttons in the row act; the rest of the row opens the detail.
              if ((e.target as HTMLElement).closest('button,a,.ant-dropdown')) return
              setOpen(shop)
            },
            style: { cursor: 'pointer' },
          }),
          pagination: {
            defaultPageSize: 20,
            showSizeChanger: true,
            pageSizeOptions: [10, 20, 50, 100],
            showTotal: (n) => t('common.total', { n }),
          },
          locale: { emptyText: <EmptyState text={t('shops.emptyAll')} filters={active} onClear={clear} /> },
          columns: [
            {
              title: t('shops.name'),
              dataIndex: 'name',
              fixed: desk ? 'left' : undefined,
              render: (name: string, shop) => (
                <>
                  <Typography.Text strong style={{ maxWidth: 220 }} ellipsis={{ tooltip: name }}>
                    {name}
                  </Typography.Text>
                  {/* On a handheld the light rides under the name: the row's key fact stays in view. */}
                  {!desk && (
                    <div>
                      <Badge
                        status={HEALTH_BADGE[healthOf(shop, sync[shop.id])]}
                        text={t(`shops.healthState.${healthOf(shop, sync[shop.id])}`)}
                      />
                    </div>
                  )}
                </>
              ),
            },
            {
              title: t('shops.channel'),
              dataIndex: 'channel',
              render: (c: Channel) => <Tag>{t(`channels.${c}`)}</Tag>,
            },
            {
              title: t('shops.health'),
              key: 'health',
              render: (_: unknown, shop) => {
                const h = healthOf(shop, sync[shop.id])
                return (
                  <Badge status={HEALTH_BADGE[h]} text={t(`shops.healthState.${h}`)} data-testid="health" />
                )
              },
            },
            {
              title: t('shops.auth'),
              key: 'auth',
              render: (_: unknown, shop) => <AuthState link={sync[shop.id]?.link} />,
            },
            {
              title: t('shops.lastSync'),
              key: 'lastOk',
              render: (_: unknown, shop) => <Time value={lastOk(sync[shop.id])} />,
            },
            {
              title: t('shops.latestError'),
              key: 'error',
              render: (_: unknown, shop) => {
                const e = latestError(sync[shop.id])
                return e ? (
                  <Typography.Text type="danger" style={{ maxWidth: 240 }} ellipsis={{ tooltip: e }}>
                    「{e}」
                  </Typography.Text>
                ) : null
              },
            },
            {
              title: t('shops.failedWebhooks'),
              key: 'webhooks',
              align: 'right',
              render: (_: unknown, shop) => {
                const n = sync[shop.id]?.failedWebhooks.length
                return n ? (
                  <Typography.Text type="danger" className="num">
                    {n}
                  </Typography.Text>
                ) : null
              },
            },
            {
              title: t('common.actions'),
              key: 'actions',
              fixed: desk ? 'right' : undefined,
              render: (_: unknown, shop) => (
                <Space size={0} wrap={false}>
                  <Button
                    type="link"
                    size="small"
                    disabled={shop.status !== 'active'}
                    onClick={() => void pullNow(shop)}
                  >
                    {t('shops.pullNow')}
                  </Button>
                  <Button
                    type="link"
                    size="small"
                    onClick={() => void navigate(`/catalogue?shop=${shop.id}`)}
                  >
                    {t('shops.catalogue')}
                  </Button>
                  <Button
                    type="link"
                    size="small"
                    onClick={() => void navigate(`/stock-rules?shop=${shop.id}`)}
                  >
                    {t('shops.stockRules')}
                  </Button>
                  <Dropdown
                    trigger={['click']}
                    menu={{
                      items: [
                        ...(sync[shop.id]?.link?.oauth
                          ? [{ key: 'auth', label: t('shops.reauthorize') }]
                          : []),
                        shop.status === 'active'
                          ? { key: 'disable', danger: true, label: t('shops.disable') }
                          : { key: 'enable', label: t('shops.enable') },
                      ],
                      onClick: ({ key }) => {
                        if (key === 'auth') void reauthorize(shop)
                        if (key === 'enable') void setEnabled(shop, true)
                        if (key === 'disable')
                          void modal.confirm({
                            title: t('shops.disableConfirm', { name: shop.name }),
                            okText: t('shops.disable'),
                            okButtonProps: { danger: true },
                            cancelText: t('common.cancel'),
                            onOk: () => setEnabled(shop, false),
                          })
                      },
                    }}
                  >
                    <Button type="link" size="small">
                      {t('shops.more')}
                    </Button>
                  </Dropdown>
                </Space>
              ),
            },
          ],
        }}
      />
      <ShopDrawer shop={open} sync={open ? sync[open.id] : undefined} onClose={() => setOpen(null)} />
    </>
  )
}

function ShopDrawer({
  shop,
  sync,
  onClose,
}: {
  shop: Shop | null
  sync: ShopHealth | undefined
  onClose: () => void
}) {
  const { t, maybe } = useI18n()
  return (
    <DetailDrawer open={!!shop} onClose={onClose} title={shop?.name} loading={!!shop && !sync}>
      {shop && sync && (
        <>
          <Section title={t('shops.detail.link')}>
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={t('shops.health')}>
                <Badge
                  status={HEALTH_BADGE[healthOf(shop, sync)]}
                  text={t(`shops.healthState.${healthOf(shop, sync)}`)}
                />
              </Descriptions.Item>
              <Descriptions.Item label={t('shops.auth')}>
                <AuthState link={sync.link} />
              </Descriptions.Item>
              {sync.link?.refreshExpiresAt && (
                <Descriptions.Item label={t('shops.detail.refreshExpiresAt')}>
                  <Time value={sync.link.refreshExpiresAt} />
                </Descriptions.Item>
              )}
              {!!sync.settingsProblems?.length && (
                <Descriptions.Item label={t('shops.detail.settingsProblems')}>
                  {sync.settingsProblems.map((p) => (
                    <div key={`${p.path}${p.code}`}>
                      <Typography.Text type="danger">
                        {t('shops.fmt.labelled', {
                          label: p.path.slice(1).split('/').join('.'),
                          value: t('shops.fmt.quoted', { text: p.message }),
                        })}
                      </Typography.Text>
                    </div>
                  ))}
                </Descriptions.Item>
              )}
            </Descriptions>
          </Section>
          <Section title={t('shops.detail.streams')}>
            <Table
              size="small"
              rowKey="stream"
              pagination={false}
              scroll={{ x: 'max-content' }}
              dataSource={sync.streams}
              locale={{ emptyText: t('shops.healthState.never') }}
              columns={[
                {
                  title: t('shops.detail.stream'),
                  dataIndex: 'stream',
                  render: (s: string) => maybe(`shops.stream.${s}`) ?? s,
                },
                {
                  title: t('shops.detail.cursorAt'),
                  dataIndex: 'cursorAt',
                  render: (v: string | null) => <Time value={v} />,
                },
                {
                  title: t('shops.detail.lastRunAt'),
                  dataIndex: 'lastRunAt',
                  render: (v: string | null) => <Time value={v} />,
                },
                {
                  title: t('shops.detail.lastOkAt'),
                  dataIndex: 'lastOkAt',
                  render: (v: string | null) => <Time value={v} />,
                },
                {
                  title: t('shops.detail.lastError'),
                  dataIndex: 'lastError',
                  render: (v: string | null) => (v ? `「${v}」` : ''),
                },
              ]}
            />
          </Section>
          <Section title={t('shops.detail.errors')}>
            <Table
              size="small"
              rowKey={(e) => `${e.at}-${e.stream}-${e.message}`}
              pagination={false}
              scroll={{ x: 'max-content' }}
              dataSource={sync.errors}
              locale={{ emptyText: t('shops.detail.errorsEmpty') }}
              columns={[
                { title: t('shops.detail.at'), dataIndex: 'at', render: (v: string) => <Time value={v} /> },
                {
                  title: t('shops.detail.stream'),
                  dataIndex: 'stream',
                  render: (s: string) => maybe(`shops.stream.${s}`) ?? s,
                },
                {
                  title: t('shops.detail.kind'),
                  dataIndex: 'kind',
                  render: (k: string) => maybe(`shops.errorKind.${k}`) ?? k,
                },
                // The platform's own words, verbatim.
                { title: t('shops.detail.message'), dataIndex: 'message', render: (m: string) => `「${m}」` },
              ]}
            />
          </Section>
          <Section title={t('shops.detail.webhooks')}>
            <Table
              size="small"
              rowKey="id"
              pagination={false}
              scroll={{ x: 'max-content' }}
              dataSource={sync.failedWebhooks}
              locale={{ emptyText: t('shops.detail.webhooksEmpty') }}
              columns={[
                {
                  title: t('shops.detail.receivedAt'),
                  dataIndex: 'receivedAt',
                  render: (v: string) => <Time value={v} />,
                },
                { title: t('shops.detail.topic'), dataIndex: 'topic' },
                {
                  title: t('shops.detail.message'),
                  dataIndex: 'error',
                  render: (m: string | null) => (m ? `「${m}」` : ''),
                },
              ]}
            />
          </Section>
        </>
      )}
    </DetailDrawer>
  )
}

/** 已授权（有效至 …）, 等待平台回调, 密钥接入, 未填写凭证. */
function AuthState({ link }: { link: ShopHealth['link'] }) {
  const { t } = useI18n()
  if (!link) return null
  if (!link.hasCredentials) return <Tag>{t('shops.authState.none')}</Tag>
  if (link.waitingForCallback) return <Tag color="orange">{t('shops.authState.waiting')}</Tag>
  if (!link.oauth) return <Tag color="green">{t('shops.authState.keys')}</Tag>
  return (
    <Space size={4} wrap>
      <Tag color="green">{t('shops.authState.linked')}</Tag>
      {link.tokenExpiresAt && (
        <span className="ep-muted">
          {t('shops.detail.tokenExpiresAt')} <Time value={link.tokenExpiresAt} />
        </span>
      )}
    </Space>
  )
}
