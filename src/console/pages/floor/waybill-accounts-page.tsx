/**
 * 电子面单账号: the merchant's e-waybill accounts with their provider, the shop whose authorisation
 * they use, carriers and branches with the balance the provider last reported, and the sender; an
 * admin adds and edits them (credentials are write-only) and sets the default carrier per shop and
 * per warehouse. The warehouse sees the list and refreshes balances.
 */
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { App, Button, Flex, Tag, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { Shop, WaybillAccount } from '../../api/types'
import { useMe } from '../../app/session'
import { Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { CursorPager, ListPage } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'
import { AccountForm } from './waybill-account-form'
import { Defaults } from './waybill-defaults'
import { waybillRefusal } from './waybill-print'

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

  const name = (a: WaybillAccount) => (
    <div>
      <Typography.Text strong>{a.name}</Typography.Text>
      {!a.active && <Tag style={{ marginLeft: 8 }}>{t('floor.accounts.inactive')}</Tag>}
      <div className="ep-muted">{t(`floor.accounts.provider_name.${a.provider}`)}</div>
    </div>
  )
  const branches = (a: WaybillAccount) =>
    a.subscriptions.length === 0 ? (
      '—'
    ) : (
      <div data-testid="account-branches">
        {a.subscriptions.flatMap((s) =>
          s.branches.map((b) => (
            <div key={`${s.cpCode}|${b.branchCode}`} style={{ whiteSpace: desk ? 'nowrap' : 'normal' }}>
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
    )
  const checked = (a: WaybillAccount) => (
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
  )
  /** 刷新余额 for everyone, 编辑 for the admin; on the handheld large buttons sharing the width. */
  const actions = (a: WaybillAccount) => (
    <Flex gap={desk ? 4 : 8} wrap>
      <Button
        size={desk ? 'small' : 'large'}
        style={desk ? undefined : { flex: 1 }}
        icon={<ReloadOutlined />}
        loading={refreshing === a.id}
        onClick={() => void refresh(a)}
      >
        {t('floor.accounts.refresh')}
      </Button>
      {admin && (
        <Button
          size={desk ? 'small' : 'large'}
          style={desk ? undefined : { flex: 1 }}
          onClick={() => setEditing(a)}
        >
          {t('floor.accounts.edit')}
        </Button>
      )}
    </Flex>
  )

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
          locale: { emptyText: <EmptyState text={t('floor.accounts.empty')} /> },
          // On the handheld the account is one stacked cell that wraps instead of scrolling sideways.
          ...(desk ? {} : { scroll: {} }),
          columns: desk
            ? [
                {
                  title: t('floor.accounts.name'),
                  dataIndex: 'name',
                  render: (_: string, a) => name(a),
                },
                {
                  title: t('floor.accounts.shop'),
                  key: 'shop',
                  render: (_: unknown, a) => shopName(a.shopId) ?? t('floor.accounts.direct'),
                },
                {
                  title: t('floor.accounts.carriers'),
                  key: 'carriers',
                  render: (_: unknown, a) => branches(a),
                },
                {
                  title: t('floor.accounts.balance'),
                  key: 'balance',
                  align: 'right',
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
                  render: (_: unknown, a) => checked(a),
                },
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, a) => actions(a),
                },
              ]
            : [
                {
                  title: t('floor.accounts.name'),
                  key: 'account',
                  render: (_: unknown, a) => (
                    <Flex vertical gap={4} style={{ fontSize: 16 }}>
                      {name(a)}
                      <div className="ep-muted">{shopName(a.shopId) ?? t('floor.accounts.direct')}</div>
                      {branches(a)}
                      <div className="ep-muted">{checked(a)}</div>
                      {actions(a)}
                    </Flex>
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
