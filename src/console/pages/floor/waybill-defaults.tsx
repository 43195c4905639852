/** Default account and carrier per shop and per warehouse (GET/PUT /waybill-defaults). */
import { App, Card, Flex, Select, Table, Tag, Typography } from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { Shop, Warehouse, WaybillAccount, WaybillDefault } from '../../api/types'
import { useDesk } from '../../components/layout'
import { ErrorAlert } from '../../components/states'
import { useI18n } from '../../i18n'
import { waybillRefusal } from './waybill-print'

interface DefaultRow {
  key: string
  scope: 'shop' | 'warehouse'
  id: string
  name: string
  current: WaybillDefault | null
}

export function Defaults({
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
  const desk = useDesk()
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

  const scope = (r: DefaultRow) => (
    <>
      <Tag>{t(`floor.accounts.defaults.${r.scope}`)}</Tag>
      {r.name}
    </>
  )
  const account = (r: DefaultRow, width: number | string) =>
    admin ? (
      <Select
        style={{ width }}
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
      (accounts.find((a) => a.id === r.current?.accountId)?.name ?? t('floor.accounts.defaults.none'))
    )
  const carrier = (r: DefaultRow, width: number | string) =>
    admin && r.current ? (
      <Select
        style={{ width }}
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
    )

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
          // On the handheld the one cell wraps instead of scrolling sideways.
          scroll={desk ? { x: 'max-content' } : {}}
          data-testid="waybill-defaults"
          columns={
            desk
              ? [
                  {
                    title: t('floor.accounts.defaults.scope'),
                    key: 'scope',
                    render: (_: unknown, r) => scope(r),
                  },
                  {
                    title: t('floor.accounts.defaults.account'),
                    key: 'account',
                    render: (_: unknown, r) => account(r, 200),
                  },
                  {
                    title: t('floor.accounts.defaults.carrier'),
                    key: 'carrier',
                    render: (_: unknown, r) => carrier(r, 200),
                  },
                ]
              : [
                  // The handheld: the shop or warehouse, its account and carrier under it.
                  {
                    title: t('floor.accounts.defaults.scope'),
                    key: 'scope',
                    render: (_: unknown, r) => (
                      <Flex vertical gap={4} style={{ fontSize: 16 }}>
                        <div style={{ overflowWrap: 'anywhere' }}>{scope(r)}</div>
                        {account(r, '100%')}
                        <div className="ep-muted">{carrier(r, '100%')}</div>
                      </Flex>
                    ),
                  },
                ]
          }
        />
      </Card>
    </div>
  )
}
