/** 店铺授权 (read-only for now): every linked shop with its channel, status and sync light. */
import { Badge, Form, Select, Table, Tag, Typography } from 'antd'
import { useEffect, useMemo, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import { CHANNELS, type Channel, type Shop, type SyncHealth } from '../../api/types'
import { DetailDrawer, Section } from '../../components/detail-drawer'
import { Time } from '../../components/format'
import { ListPage, QueryForm } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useI18n } from '../../i18n'
import { HEALTH_BADGE, healthOf, lastOk } from './health'

interface Filters {
  channel?: Channel
  status?: Shop['status']
}

export function ShopsPage() {
  const { t } = useI18n()
  const [form] = Form.useForm<Filters>()
  const [filters, setFilters] = useState<Filters>({})
  const [shops, setShops] = useState<Shop[]>([])
  const [sync, setSync] = useState<Record<string, SyncHealth>>({})
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
            (h) => live && setSync((all) => ({ ...all, [s.id]: h })),
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
    filters.channel && `${t('shops.channel')}：${t(`channels.${filters.channel}`)}`,
    filters.status && `${t('shops.status')}：${t(`shops.${filters.status}`)}`,
  ].filter((x): x is string => !!x)
  const clear = () => {
    form.resetFields()
    setFilters({})
  }

  return (
    <>
      <ListPage<Shop>
        title={t('shops.title')}
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
          onRow: (shop) => ({ onClick: () => setOpen(shop), style: { cursor: 'pointer' } }),
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
              render: (name: string) => <Typography.Text strong>{name}</Typography.Text>,
            },
            {
              title: t('shops.channel'),
              dataIndex: 'channel',
              render: (c: Channel) => <Tag>{t(`channels.${c}`)}</Tag>,
            },
            {
              title: t('shops.status'),
              dataIndex: 'status',
              render: (s: Shop['status']) => (
                <Tag color={s === 'active' ? 'green' : 'default'}>{t(`shops.${s}`)}</Tag>
              ),
            },
            {
              title: t('shops.health'),
              key: 'health',
              render: (_: unknown, shop) => {
                const h = healthOf(shop, sync[shop.id])
                return <Badge status={HEALTH_BADGE[h]} text={t(`shops.healthState.${h}`)} />
              },
            },
            {
              title: t('shops.lastSync'),
              key: 'lastOk',
              render: (_: unknown, shop) => <Time value={lastOk(sync[shop.id])} />,
            },
            {
              title: t('shops.createdAt'),
              dataIndex: 'createdAt',
              render: (v: string) => <Time value={v} />,
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
  sync: SyncHealth | undefined
  onClose: () => void
}) {
  const { t, maybe } = useI18n()
  return (
    <DetailDrawer open={!!shop} onClose={onClose} title={shop?.name} loading={!!shop && !sync}>
      {shop && sync && (
        <>
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
