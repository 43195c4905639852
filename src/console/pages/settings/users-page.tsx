/** 用户与角色: create users (one-time password shown once), change role, scope and status, reset passwords. */
import { PlusOutlined } from '@ant-design/icons'
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Select, Space, Tag, Typography } from 'antd'
import { useEffect, useMemo, useState } from 'react'
import type { Page } from '../../api/adapt'
import { endpoints } from '../../api/endpoints'
import { ROLES, type Role, type Shop, type User, type Warehouse } from '../../api/types'
import { useMe } from '../../app/session'
import { errorMessage, fieldErrors } from '../../components/errors'
import { Time } from '../../components/format'
import { ListPage } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useDesk } from '../../components/layout'
import { useI18n } from '../../i18n'
import { OneTimeSecret } from './one-time-secret'

interface Values {
  name: string
  email?: string
  phone?: string
  role: Role
  warehouseIds?: string[]
  shopIds?: string[]
}

/** Users are few: read every page. */
async function allUsers(): Promise<User[]> {
  const out: User[] = []
  let page: Page<User> = await endpoints.users({ limit: 500 })
  out.push(...page.items)
  while (page.next) {
    page = await endpoints.users({ limit: 500, cursor: page.next })
    out.push(...page.items)
  }
  return out
}

export function UsersPage() {
  const desk = useDesk()
  const i18n = useI18n()
  const { t } = i18n
  const me = useMe()
  const { message } = App.useApp()
  const [users, setUsers] = useState<User[]>([])
  const [warehouses, setWarehouses] = useState<Warehouse[]>([])
  const [shops, setShops] = useState<Shop[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<unknown>(null)
  const [tick, setTick] = useState(0)
  const [editing, setEditing] = useState<User | 'new' | null>(null)
  const [secret, setSecret] = useState<{ name: string; password: string } | null>(null)

  useEffect(() => {
    let live = true
    setLoading(true)
    Promise.all([allUsers(), endpoints.warehouses(), endpoints.shops()])
      .then(([u, w, s]) => {
        if (!live) return
        setUsers(u)
        setWarehouses(w.items)
        setShops(s.items)
        setError(null)
      })
      .catch((err: unknown) => live && setError(err))
      .finally(() => live && setLoading(false))
    return () => {
      live = false
    }
  }, [tick])

  const names = useMemo(
    () =>
      new Map([
        ...warehouses.map((w) => [w.id, w.name] as const),
        ...shops.map((s) => [s.id, s.name] as const),
      ]),
    [warehouses, shops],
  )
  const scopeText = (ids: string[] | null, all: string) =>
    ids === null ? all : ids.map((id) => names.get(id) ?? '').join('、')

  async function setStatus(u: User, status: User['status']) {
    try {
      await endpoints.updateUser(u.id, { status })
      void message.success(t('settings.users.updated'))
      setTick((n) => n + 1)
    } catch (err) {
      void message.error(errorMessage(i18n, err))
    }
  }

  async function reset(u: User) {
    try {
      const { oneTimePassword } = await endpoints.resetPassword(u.id)
      setSecret({ name: u.name, password: oneTimePassword })
      setTick((n) => n + 1)
    } catch (err) {
      void message.error(errorMessage(i18n, err))
    }
  }

  return (
    <>
      <ListPage<User>
        title={t('settings.users.title')}
        error={error}
        onRetry={() => setTick((n) => n + 1)}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('settings.users.create')}
          </Button>
        }
        table={{
          rowKey: 'id',
          loading,
          dataSource: users,
          pagination: {
            defaultPageSize: 20,
            showSizeChanger: true,
            pageSizeOptions: [10, 20, 50, 100],
            showTotal: (n) => t('common.total', { n }),
          },
          locale: { emptyText: <EmptyState text={t('settings.users.emptyAll')} /> },
          columns: [
            {
              title: t('settings.users.name'),
              dataIndex: 'name',
              fixed: desk ? 'left' : false,
              render: (n: string) => <Typography.Text strong>{n}</Typography.Text>,
            },
            {
              title: t('settings.users.login'),
              key: 'login',
              render: (_: unknown, u) => (
                <Space direction="vertical" size={0}>
                  {u.email && <span>{u.email}</span>}
                  {u.phone && <span className="num">{u.phone}</span>}
                </Space>
              ),
            },
            {
              title: t('settings.users.role'),
              dataIndex: 'role',
              render: (r: Role) => (
                <Tag color={r === 'admin' ? 'blue' : 'default'}>{t(`shell.role.${r}`)}</Tag>
              ),
            },
            {
              title: t('settings.users.status'),
              key: 'status',
              render: (_: unknown, u) =>
                u.status === 'disabled' ? (
                  <Tag>{t('settings.users.disabled')}</Tag>
                ) : u.mustChangePassword ? (
                  <Tag color="orange">{t('settings.users.pending')}</Tag>
                ) : (
                  <Tag color="green">{t('settings.users.active')}</Tag>
                ),
            },
            {
              title: t('settings.users.scope'),
              key: 'scope',
              render: (_: unknown, u) => (
                <Space direction="vertical" size={0}>
                  <span>
                    {t('settings.users.warehouses')}：
                    {scopeText(u.warehouseIds, t('settings.users.allWarehouses'))}
                  </span>
                  <span>
                    {t('settings.users.shops')}：{scopeText(u.shopIds, t('settings.users.allShops'))}
                  </span>
                </Space>
              ),
            },
            {
              title: t('settings.users.lastLogin'),
              dataIndex: 'lastLoginAt',
              render: (v: string | null) =>
                v ? <Time value={v} /> : <span className="ep-muted">{t('settings.users.never')}</span>,
            },
            {
              title: t('common.actions'),
              key: 'actions',
              fixed: desk ? 'right' : false,
              render: (_: unknown, u) => (
                <Space size={0} wrap>
                  <Button type="link" size="small" onClick={() => setEditing(u)}>
                    {t('common.edit')}
                  </Button>
                  <Popconfirm
                    title={t('settings.users.resetPassword')}
                    description={t('settings.users.resetConfirm', { name: u.name })}
                    okText={t('settings.users.resetPassword')}
                    cancelText={t('common.cancel')}
                    onConfirm={() => void reset(u)}
                  >
                    <Button type="link" size="small">
                      {t('settings.users.resetPassword')}
                    </Button>
                  </Popconfirm>
                  {u.id !== me.user?.id &&
                    (u.status === 'active' ? (
                      <Popconfirm
                        title={t('settings.users.disable')}
                        description={t('settings.users.disableConfirm', { name: u.name })}
                        okText={t('settings.users.disable')}
                        okButtonProps={{ danger: true }}
                        cancelText={t('common.cancel')}
                        onConfirm={() => void setStatus(u, 'disabled')}
                      >
                        <Button type="link" danger size="small">
                          {t('settings.users.disable')}
                        </Button>
                      </Popconfirm>
                    ) : (
                      <Button type="link" size="small" onClick={() => void setStatus(u, 'active')}>
                        {t('settings.users.enable')}
                      </Button>
                    ))}
                </Space>
              ),
            },
          ],
        }}
      />
      {editing && (
        <UserModal
          user={editing === 'new' ? null : editing}
          warehouses={warehouses}
          shops={shops}
          onClose={() => setEditing(null)}
          onSaved={(created) => {
            setEditing(null)
            setTick((n) => n + 1)
            if (created) setSecret(created)
            else void message.success(t('settings.users.updated'))
          }}
        />
      )}
      <OneTimeSecret
        open={secret !== null}
        title={t('settings.users.oneTimeTitle')}
        help={t('settings.users.oneTimeHelp', { name: secret?.name ?? '' })}
        secret={secret?.password ?? ''}
        onClose={() => setSecret(null)}
      />
    </>
  )
}

function UserModal({
  user,
  warehouses,
  shops,
  onClose,
  onSaved,
}: {
  user: User | null
  warehouses: Warehouse[]
  shops: Shop[]
  onClose: () => void
  onSaved: (created: { name: string; password: string } | null) => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  async function submit(v: Values) {
    setBusy(true)
    setError(null)
    const body = {
      name: v.name.trim(),
      role: v.role,
      warehouseIds: v.warehouseIds?.length ? v.warehouseIds : null,
      shopIds: v.shopIds?.length ? v.shopIds : null,
    }
    try {
      if (user) {
        await endpoints.updateUser(user.id, {
          ...body,
          email: v.email?.trim() || null,
          phone: v.phone?.trim() || null,
        })
        onSaved(null)
      } else {
        const res = await endpoints.createUser({
          ...body,
          ...(v.email?.trim() ? { email: v.email.trim() } : {}),
          ...(v.phone?.trim() ? { phone: v.phone.trim() } : {}),
        })
        onSaved({ name: res.user.name, password: res.oneTimePassword })
      }
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
    <Modal
      open
      title={user ? t('settings.users.editTitle') : t('settings.users.create')}
      okText={user ? t('common.save') : t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      width={560}
    >
      {error ? (
        <Alert type="error" showIcon message={errorMessage(i18n, error)} style={{ marginBottom: 16 }} />
      ) : null}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(v) => void submit(v)}
        requiredMark={false}
        initialValues={
          user
            ? {
                name: user.name,
                email: user.email ?? '',
                phone: user.phone ?? '',
                role: user.role,
                warehouseIds: user.warehouseIds ?? [],
                shopIds: user.shopIds ?? [],
              }
            : { role: 'warehouse' }
        }
      >
        <Form.Item
          name="name"
          label={t('settings.users.name')}
          rules={[{ required: true, whitespace: true, max: 200, message: t('errors.invalidField') }]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
          {t('settings.users.loginHelp')}
        </Typography.Paragraph>
        <Form.Item
          name="email"
          label={t('settings.users.email')}
          rules={[{ type: 'email', message: t('errors.reason.email_invalid') }]}
        >
          <Input autoComplete="off" inputMode="email" />
        </Form.Item>
        <Form.Item
          name="phone"
          label={t('settings.users.phone')}
          rules={[{ pattern: /^\+?[\d\s()-]{5,31}$/, message: t('errors.reason.phone_invalid') }]}
        >
          <Input autoComplete="off" inputMode="tel" />
        </Form.Item>
        <Form.Item name="role" label={t('settings.users.role')} rules={[{ required: true }]}>
          <Select
            options={ROLES.map((r) => ({
              value: r,
              label: (
                <span>
                  {t(`shell.role.${r}`)}{' '}
                  <span className="ep-muted">— {t(`settings.users.roleHelp.${r}`)}</span>
                </span>
              ),
            }))}
          />
        </Form.Item>
        <Typography.Paragraph type="secondary">{t('settings.users.scopeHelp')}</Typography.Paragraph>
        <Form.Item name="warehouseIds" label={t('settings.users.warehouses')}>
          <Select
            mode="multiple"
            allowClear
            placeholder={t('settings.users.allWarehouses')}
            options={warehouses.map((w) => ({ value: w.id, label: w.name }))}
          />
        </Form.Item>
        <Form.Item name="shopIds" label={t('settings.users.shops')}>
          <Select
            mode="multiple"
            allowClear
            placeholder={t('settings.users.allShops')}
            options={shops.map((s) => ({ value: s.id, label: s.name }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  )
}
