/** API 密钥: the merchant's keys for other systems; a new key's token is shown once, then never. */
import { PlusOutlined } from '@ant-design/icons'
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Select, Tag } from 'antd'
import { useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import { ROLES, type ApiKey, type Role } from '../../api/types'
import { errorMessage } from '../../components/errors'
import { Time } from '../../components/format'
import { ListPage } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useDesk } from '../../components/layout'
import { useI18n } from '../../i18n'
import { OneTimeSecret } from './one-time-secret'

interface NewKey {
  name?: string
  role: Role
}

export function ApiKeysPage() {
  const desk = useDesk()
  const i18n = useI18n()
  const { t } = i18n
  const { message } = App.useApp()
  const [keys, setKeys] = useState<ApiKey[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<unknown>(null)
  const [tick, setTick] = useState(0)
  const [creating, setCreating] = useState(false)
  const [createError, setCreateError] = useState<unknown>(null)
  const [token, setToken] = useState<string | null>(null)
  const [form] = Form.useForm<NewKey>()

  useEffect(() => {
    let live = true
    setLoading(true)
    endpoints
      .apiKeys()
      .then((p) => live && (setKeys([...p.items].reverse()), setError(null)))
      .catch((err: unknown) => live && setError(err))
      .finally(() => live && setLoading(false))
    return () => {
      live = false
    }
  }, [tick])

  async function create(v: NewKey) {
    setCreateError(null)
    try {
      const res = await endpoints.createApiKey({
        role: v.role,
        ...(v.name?.trim() ? { name: v.name.trim() } : {}),
      })
      setCreating(false)
      form.resetFields()
      setToken(res.token)
      setTick((n) => n + 1)
    } catch (err) {
      setCreateError(err)
    }
  }

  async function revoke(key: ApiKey) {
    try {
      await endpoints.revokeApiKey(key.id)
      void message.success(t('settings.apiKeys.revoked_ok'))
      setTick((n) => n + 1)
    } catch (err) {
      void message.error(errorMessage(i18n, err))
    }
  }

  return (
    <>
      <ListPage<ApiKey>
        title={t('settings.apiKeys.title')}
        intro={t('settings.apiKeys.intro')}
        error={error}
        onRetry={() => setTick((n) => n + 1)}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('settings.apiKeys.create')}
          </Button>
        }
        table={{
          rowKey: 'id',
          loading,
          dataSource: keys,
          pagination: {
            defaultPageSize: 20,
            showSizeChanger: true,
            pageSizeOptions: [10, 20, 50, 100],
            showTotal: (n) => t('common.total', { n }),
          },
          locale: { emptyText: <EmptyState text={t('settings.apiKeys.emptyAll')} /> },
          columns: [
            { title: t('settings.apiKeys.name'), dataIndex: 'name' },
            {
              title: t('settings.apiKeys.role'),
              dataIndex: 'role',
              render: (r: Role) => <Tag>{t(`shell.role.${r}`)}</Tag>,
            },
            {
              title: t('settings.apiKeys.prefix'),
              dataIndex: 'prefix',
              render: (p: string) => <span className="mono">{p}…</span>,
            },
            {
              title: t('settings.apiKeys.createdAt'),
              dataIndex: 'createdAt',
              render: (v: string) => <Time value={v} />,
            },
            {
              title: t('settings.apiKeys.lastUsedAt'),
              dataIndex: 'lastUsedAt',
              render: (v: string | null) =>
                v ? <Time value={v} /> : <span className="ep-muted">{t('settings.apiKeys.never')}</span>,
            },
            {
              title: t('settings.apiKeys.status'),
              dataIndex: 'revokedAt',
              render: (v: string | null) =>
                v ? (
                  <Tag>{t('settings.apiKeys.revoked')}</Tag>
                ) : (
                  <Tag color="green">{t('settings.apiKeys.active')}</Tag>
                ),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              fixed: desk ? 'right' : false,
              render: (_: unknown, key) =>
                key.revokedAt ? null : (
                  <Popconfirm
                    title={t('settings.apiKeys.revoke')}
                    description={t('settings.apiKeys.revokeConfirm', { name: key.name })}
                    okText={t('settings.apiKeys.revoke')}
                    okButtonProps={{ danger: true }}
                    cancelText={t('common.cancel')}
                    onConfirm={() => void revoke(key)}
                  >
                    <Button type="link" danger size="small">
                      {t('settings.apiKeys.revoke')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ],
        }}
      />
      <Modal
        open={creating}
        title={t('settings.apiKeys.create')}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        onOk={() => form.submit()}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        {createError ? (
          <Alert
            type="error"
            showIcon
            message={errorMessage(i18n, createError)}
            style={{ marginBottom: 16 }}
          />
        ) : null}
        <Form<NewKey>
          form={form}
          layout="vertical"
          onFinish={(v) => void create(v)}
          initialValues={{ role: 'accountant' }}
          requiredMark={false}
        >
          <Form.Item name="name" label={t('settings.apiKeys.name')} rules={[{ max: 200 }]}>
            <Input placeholder={t('settings.apiKeys.namePlaceholder')} />
          </Form.Item>
          <Form.Item name="role" label={t('settings.apiKeys.role')} rules={[{ required: true }]}>
            <Select options={ROLES.map((r) => ({ value: r, label: t(`shell.role.${r}`) }))} />
          </Form.Item>
        </Form>
      </Modal>
      <OneTimeSecret
        open={token !== null}
        title={t('settings.apiKeys.tokenTitle')}
        help={t('settings.apiKeys.tokenHelp')}
        secret={token ?? ''}
        onClose={() => setToken(null)}
      />
    </>
  )
}
