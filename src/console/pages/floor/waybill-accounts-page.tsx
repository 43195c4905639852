/**
 * 电子面单账号: the merchant's e-waybill accounts with their provider, the shop whose authorisation
 * they use, carriers and branches with the balance the provider last reported, and the sender; an
 * admin adds and edits them (credentials are write-only) and sets the default carrier per shop and
 * per warehouse. The warehouse sees the list and refreshes balances.
 */
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import {
  App,
  Button,
  Card,
  Col,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import {
  WAYBILL_PROVIDERS,
  type Shop,
  type Warehouse,
  type WaybillAccount,
  type WaybillDefault,
  type WaybillProvider,
} from '../../api/types'
import { useMe } from '../../app/session'
import { fieldErrors } from '../../components/errors'
import { Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { CursorPager, ListPage } from '../../components/list-page'
import { EmptyState, ErrorAlert } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'
import { waybillRefusal } from './waybill-print'

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

export function WaybillAccountsPage() {
  const i18n = useI18n()
  const { t } = i18n
  const desk = useDesk()
  const { message } = App.useApp()
  const admin = useMe().role === 'admin'
  const [shops, setShops] = useState<Shop[]>([])
  const [editing, setEditing] = useState<WaybillAccount | 'new' | null>(null)
  const [refreshing, setRefreshing] = useState<string | null>(null)
  const list = useCursorList<WaybillAccount>(
    (cursor, limit) => endpoints.waybillAccounts({ ...(cursor ? { cursor } : {}), limit }),
    [],
  )
  useEffect(() => {
    void endpoints.shops().then((s) => setShops(s.items))
  }, [])
  const shopName = (id: string | null) => (id ? (shops.find((s) => s.id === id)?.name ?? '—') : null)
  /** 圆通速递（YTO）: the carrier's name, then the provider's own code for it. */
  const carrierName = (cp: string) => {
    const c = list.items.flatMap((a) => a.subscriptions).find((s) => s.cpCode === cp)?.carrier ?? 'OTHER'
    return c === 'OTHER'
      ? cp
      : t('floor.accounts.carrierWithCode', { name: t(`floor.carrier.${c}`), code: cp })
  }

  const refresh = async (a: WaybillAccount) => {
    setRefreshing(a.id)
    try {
      const after = await endpoints.refreshWaybillAccount(a.id)
      if (after.checkError) void message.error(t('floor.accounts.checkError', { message: after.checkError }))
      else void message.success(t('floor.accounts.refreshed', { name: a.name }))
      list.reload()
    } catch (err) {
      void message.error(waybillRefusal(i18n, err))
    } finally {
      setRefreshing(null)
    }
  }

  return (
    <>
      <ListPage<WaybillAccount>
        title={t('floor.accounts.title')}
        extra={
          admin && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('floor.accounts.add')}
            </Button>
          )
        }
        error={list.error}
        onRetry={list.reload}
        table={{
          rowKey: 'id',
          loading: list.loading,
          dataSource: list.items,
          pagination: false,
          scroll: { x: 'max-content' },
          locale: { emptyText: <EmptyState text={t('floor.accounts.empty')} /> },
          columns: [
            {
              title: t('floor.accounts.name'),
              dataIndex: 'name',
              render: (name: string, a) => (
                <>
                  <Typography.Text strong>{name}</Typography.Text>
                  {!a.active && <Tag style={{ marginLeft: 8 }}>{t('floor.accounts.inactive')}</Tag>}
                  <div className="ep-muted">{t(`floor.accounts.provider_name.${a.provider}`)}</div>
                </>
              ),
            },
            {
              title: t('floor.accounts.shop'),
              key: 'shop',
              responsive: ['md'],
              render: (_: unknown, a) => shopName(a.shopId) ?? t('floor.accounts.direct'),
            },
            {
              title: t('floor.accounts.carriers'),
              key: 'carriers',
              render: (_: unknown, a) =>
                a.subscriptions.length === 0 ? (
                  '—'
                ) : (
                  <div data-testid="account-branches">
                    {a.subscriptions.flatMap((s) =>
                      s.branches.map((b) => (
                        <div
                          key={`${s.cpCode}|${b.branchCode}`}
                          style={{ whiteSpace: desk ? 'nowrap' : 'normal' }}
                        >
                          {carrierName(s.cpCode)} · {b.branchName || b.branchCode}
                          {/* The handheld has no room for the balance column: it follows its branch. */}
                          {!desk && b.quantity !== null && (
                            <Typography.Text className="num" type={b.quantity < 100 ? 'danger' : undefined}>
                              {' '}
                              · {t('floor.accounts.balance')} {b.quantity.toLocaleString(i18n.locale)}
                            </Typography.Text>
                          )}
                        </div>
                      )),
                    )}
                  </div>
                ),
            },
            {
              title: t('floor.accounts.balance'),
              key: 'balance',
              align: 'right',
              responsive: ['sm'],
              render: (_: unknown, a) =>
                a.subscriptions.length === 0
                  ? '—'
                  : a.subscriptions.flatMap((s) =>
                      s.branches.map((b) => (
                        <div key={`${s.cpCode}|${b.branchCode}`} className="num">
                          {b.quantity === null ? (
                            <span className="ep-muted">{t('floor.accounts.noBalance')}</span>
                          ) : (
                            <Typography.Text type={b.quantity < 100 ? 'danger' : undefined}>
                              {b.quantity.toLocaleString(i18n.locale)}
                            </Typography.Text>
                          )}
                        </div>
                      )),
                    ),
            },
            {
              title: t('floor.accounts.sender'),
              key: 'sender',
              responsive: ['lg'],
              render: (_: unknown, a) =>
                a.sender ? (
                  <>
                    <div>
                      {a.sender.name} <span className="mono">{a.sender.mobile}</span>
                    </div>
                    <div className="ep-muted" style={{ maxWidth: 260 }}>
                      {[a.sender.address.province, a.sender.address.city, a.sender.address.district]
                        .filter(Boolean)
                        .join('')}
                      {a.sender.address.detail}
                    </div>
                  </>
                ) : (
                  '—'
                ),
            },
            {
              title: t('floor.accounts.checkedAt'),
              key: 'checked',
              responsive: ['md'],
              render: (_: unknown, a) => (
                <>
                  {a.checkedAt ? <Time value={a.checkedAt} /> : t('floor.accounts.never')}
                  {a.checkError && (
                    <div>
                      <Typography.Text type="danger">
                        {t('floor.accounts.checkError', { message: a.checkError })}
                      </Typography.Text>
                    </div>
                  )}
                </>
              ),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_: unknown, a) => (
                <Space size={4} wrap>
                  <Button
                    size="small"
                    icon={<ReloadOutlined />}
                    loading={refreshing === a.id}
                    onClick={() => void refresh(a)}
                  >
                    {t('floor.accounts.refresh')}
                  </Button>
                  {admin && (
                    <Button size="small" onClick={() => setEditing(a)}>
                      {t('floor.accounts.edit')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ],
        }}
        pager={<CursorPager list={list} />}
      />
      <Defaults accounts={list.items} shops={shops} admin={admin} carrierName={carrierName} />
      {editing && (
        <AccountForm
          account={editing === 'new' ? null : editing}
          shops={shops}
          onClose={(saved) => {
            setEditing(null)
            if (saved) list.reload()
          }}
        />
      )}
    </>
  )
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

function AccountForm({
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

interface DefaultRow {
  key: string
  scope: 'shop' | 'warehouse'
  id: string
  name: string
  current: WaybillDefault | null
}

/** Default account and carrier per shop and per warehouse (GET/PUT /waybill-defaults). */
function Defaults({
  accounts,
  shops,
  admin,
  carrierName,
}: {
  accounts: WaybillAccount[]
  shops: Shop[]
  admin: boolean
  carrierName: (cp: string) => string
}) {
  const i18n = useI18n()
  const { t } = i18n
  const { message } = App.useApp()
  const [warehouses, setWarehouses] = useState<Warehouse[]>([])
  const [defaults, setDefaults] = useState<WaybillDefault[]>([])
  const [error, setError] = useState<unknown>(null)

  const load = useCallback(async () => {
    try {
      const [w, d] = await Promise.all([endpoints.warehouses(), endpoints.waybillDefaults({ limit: 500 })])
      setWarehouses(w.items)
      setDefaults(d.items)
      setError(null)
    } catch (err) {
      setError(err)
    }
  }, [])
  useEffect(() => void load(), [load])

  const rows: DefaultRow[] = [
    ...shops.map((s) => ({ key: `shop|${s.id}`, scope: 'shop' as const, id: s.id, name: s.name })),
    ...warehouses.map((w) => ({
      key: `warehouse|${w.id}`,
      scope: 'warehouse' as const,
      id: w.id,
      name: `${w.name}（${w.code}）`,
    })),
  ].map((r) => ({ ...r, current: defaults.find((d) => d.scope === r.scope && d.scopeId === r.id) ?? null }))

  const save = async (r: DefaultRow, accountId: string | null, cpCode?: string) => {
    try {
      await endpoints.setWaybillDefault({
        ...(r.scope === 'shop' ? { shopId: r.id } : { warehouseId: r.id }),
        accountId,
        ...(accountId && cpCode ? { cpCode } : {}),
      })
      void message.success(t('floor.accounts.defaults.saved'))
      await load()
    } catch (err) {
      void message.error(waybillRefusal(i18n, err))
    }
  }

  const carriersOf = (accountId: string | undefined) =>
    accounts.find((a) => a.id === accountId)?.subscriptions.map((s) => s.cpCode) ?? []

  return (
    <div className="ep-page" style={{ paddingTop: 0 }}>
      <Card title={t('floor.accounts.defaults.title')} styles={{ body: { padding: 16 } }}>
        <Typography.Paragraph type="secondary">{t('floor.accounts.defaults.hint')}</Typography.Paragraph>
        <ErrorAlert error={error} onRetry={() => void load()} />
        <Table<DefaultRow>
          rowKey="key"
          size="middle"
          pagination={false}
          dataSource={rows}
          scroll={{ x: 'max-content' }}
          data-testid="waybill-defaults"
          columns={[
            {
              title: t('floor.accounts.defaults.scope'),
              key: 'scope',
              render: (_: unknown, r) => (
                <>
                  <Tag>{t(`floor.accounts.defaults.${r.scope}`)}</Tag>
                  {r.name}
                </>
              ),
            },
            {
              title: t('floor.accounts.defaults.account'),
              key: 'account',
              render: (_: unknown, r) =>
                admin ? (
                  <Select
                    style={{ width: 200 }}
                    allowClear
                    placeholder={t('floor.accounts.defaults.none')}
                    aria-label={`${r.name} ${t('floor.accounts.defaults.account')}`}
                    value={r.current?.accountId}
                    options={accounts.map((a) => ({ value: a.id, label: a.name }))}
                    onChange={(id?: string) => {
                      if (!id) return void save(r, null)
                      const first = carriersOf(id)[0]
                      if (first) void save(r, id, first)
                    }}
                  />
                ) : (
                  (accounts.find((a) => a.id === r.current?.accountId)?.name ??
                  t('floor.accounts.defaults.none'))
                ),
            },
            {
              title: t('floor.accounts.defaults.carrier'),
              key: 'carrier',
              render: (_: unknown, r) =>
                admin && r.current ? (
                  <Select
                    style={{ width: 200 }}
                    aria-label={`${r.name} ${t('floor.accounts.defaults.carrier')}`}
                    value={r.current.cpCode}
                    options={carriersOf(r.current.accountId).map((cp) => ({
                      value: cp,
                      label: carrierName(cp),
                    }))}
                    onChange={(cp: string) => void save(r, r.current!.accountId, cp)}
                  />
                ) : r.current ? (
                  carrierName(r.current.cpCode)
                ) : (
                  '—'
                ),
            },
          ]}
        />
      </Card>
    </div>
  )
}
