/**
 * 商品匹配: a shop's platform SKUs from its catalogue pull — conflicts, then unmapped, then mapped —
 * with search, mapping by hand to one of our SKUs, unmapping, and bulk export/import as XLSX.
 * While a pull runs the summary is polled and the list refreshes when it ends.
 */
import { DownloadOutlined, SyncOutlined, UploadOutlined } from '@ant-design/icons'
import { App, Button, Form, Input, Popover, Space, Tag, Tooltip, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { useNavigate } from 'react-router'
import { shopApi, type CatalogueSummary, type ListingSku, type ListingState } from '../../api/shops'
import { errorMessage } from '../../components/errors'
import { Money, Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { CursorPager, ListPage, QueryForm } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'
import { ImportModal } from './import-modal'
import { MapModal } from './map-modal'
import { ShopPicker, useShopParam } from './shop-picker'

const STATE_COLOR: Record<ListingState, string> = {
  conflict: 'red',
  unmapped: 'orange',
  mapped: 'green',
  deleted: 'default',
}
const TABS = ['all', 'conflict', 'unmapped', 'mapped', 'deleted'] as const

export function CataloguePage() {
  const i18n = useI18n()
  const { t, maybe } = i18n
  const { message, modal } = App.useApp()
  const navigate = useNavigate()
  const desk = useDesk()
  const { shops, shop, setShop, error: shopsError } = useShopParam()
  const [form] = Form.useForm<{ q?: string }>()
  const [q, setQ] = useState('')
  const [tab, setTab] = useState<(typeof TABS)[number]>('all')
  const [summary, setSummary] = useState<CatalogueSummary | null>(null)
  const [mapping, setMapping] = useState<ListingSku | null>(null)
  const [importing, setImporting] = useState(false)
  const [tick, setTick] = useState(0)
  const shopId = shop?.id

  const list = useCursorList(
    (cursor, limit) =>
      shopId
        ? shopApi.listings(shopId, {
            ...(tab !== 'all' ? { state: tab } : {}),
            ...(q ? { q } : {}),
            ...(cursor ? { cursor } : {}),
            limit,
          })
        : Promise.resolve({ items: [], next: null }),
    [shopId, tab, q, tick],
  )

  // The summary, polled while a pull runs (or none has started yet after linking).
  useEffect(() => {
    if (!shopId) return
    let live = true
    let timer: ReturnType<typeof setTimeout> | undefined
    let wasRunning = false
    const read = () =>
      shopApi.catalogue(shopId).then(
        (s) => {
          if (!live) return
          setSummary(s)
          const running = s.supported && (!s.lastPull || s.lastPull.status === 'running')
          if (wasRunning && !running) setTick((n) => n + 1)
          wasRunning = running
          if (running) timer = setTimeout(() => void read(), 1500)
        },
        () => undefined,
      )
    void read()
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [shopId, tick])

  const refresh = () => setTick((n) => n + 1)
  const pull = () =>
    shopId &&
    shopApi.pullCatalogue(shopId).then(
      () => {
        void message.success(t('shops.cat.pullQueued'))
        refresh()
      },
      (err: unknown) => void message.error(errorMessage(i18n, err)),
    )
  const unmap = (row: ListingSku) =>
    void modal.confirm({
      title: t('shops.cat.unmapConfirm'),
      okText: t('shops.cat.unmap'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: () =>
        shopApi.unmapListing(row.id).then(
          () => {
            void message.success(t('shops.cat.unmapped'))
            refresh()
          },
          (err: unknown) => void message.error(errorMessage(i18n, err)),
        ),
    })

  const counts = summary?.skus
  const last = summary?.lastPull
  if (shops && shops.length === 0)
    return (
      <div className="ep-page">
        <EmptyState
          text={t('shops.cat.noShops')}
          action={
            <Button type="primary" onClick={() => void navigate('/shops/new')}>
              {t('shops.add')}
            </Button>
          }
        />
      </div>
    )

  return (
    <>
      <ListPage<ListingSku>
        title={t('shops.cat.title')}
        error={list.error ?? shopsError}
        onRetry={list.reload}
        extra={
          <>
            {shops && <ShopPicker shops={shops} shop={shop} onChange={setShop} />}
            <Button icon={<SyncOutlined />} onClick={() => void pull()} disabled={!shopId}>
              {t('shops.cat.pull')}
            </Button>
            <Button
              icon={<DownloadOutlined />}
              href={shopId ? shopApi.exportUrl(shopId) : undefined}
              download
              disabled={!shopId}
            >
              {t('shops.cat.export')}
            </Button>
            <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} disabled={!shopId}>
              {t('shops.cat.import')}
            </Button>
          </>
        }
        intro={
          summary && (
            <span data-testid="pull-summary">
              {t('shops.fmt.labelled', { label: t('shops.cat.lastPull'), value: '' })}
              {last ? (
                <>
                  <Tag
                    color={
                      { running: 'blue', done: 'green', failed: 'red', unsupported: 'default' }[last.status]
                    }
                  >
                    {t(`shops.cat.pullStatus.${last.status}`)}
                  </Tag>
                  <Time value={last.finishedAt ?? last.startedAt} />
                  {t('shops.fmt.paren', { a: '', b: t(`shops.cat.pullReason.${last.reason}`) })}
                  {last.status === 'done' &&
                    ` ${t('shops.cat.pullSummary', { listings: last.listings, skus: last.skus, linked: last.linked })}`}
                  {last.error && <Typography.Text type="danger">「{last.error}」</Typography.Text>}
                </>
              ) : summary.supported ? (
                t('shops.cat.neverPulled')
              ) : (
                t('shops.cat.pullStatus.unsupported')
              )}
            </span>
          )
        }
        query={
          <QueryForm<{ q?: string }>
            form={form}
            onSearch={(v) => setQ(v.q?.trim() ?? '')}
            onReset={() => setQ('')}
          >
            <Form.Item name="q">
              <Input
                allowClear
                aria-label={t('shops.cat.searchLabel')}
                placeholder={t('shops.cat.searchPlaceholder')}
                style={{ width: desk ? 280 : '100%' }}
              />
            </Form.Item>
          </QueryForm>
        }
        tabs={{
          active: tab,
          onChange: (k) => setTab(k as (typeof TABS)[number]),
          items: TABS.map((k) => ({
            key: k,
            label: k === 'all' ? t('shops.cat.all') : t(`shops.cat.tab.${k}`),
            count: counts ? (k === 'all' ? counts.total - counts.deleted : counts[k]) : undefined,
          })),
        }}
        table={{
          rowKey: 'id',
          loading: list.loading,
          dataSource: list.items,
          pagination: false,
          locale: {
            emptyText: (
              <EmptyState
                text={t('shops.cat.empty')}
                filters={q ? [t('shops.fmt.labelled', { label: t('shops.cat.searchLabel'), value: q })] : []}
                onClear={() => {
                  form.resetFields()
                  setQ('')
                }}
              />
            ),
          },
          columns: [
            {
              title: t('shops.cat.platformSku'),
              key: 'title',
              fixed: desk ? 'left' : undefined,
              width: desk ? 240 : 180,
              render: (_: unknown, r) => (
                <div style={{ minWidth: 0 }}>
                  <Typography.Text ellipsis={{ tooltip: r.title }} style={{ maxWidth: desk ? 220 : 160 }}>
                    {r.title}
                  </Typography.Text>
                  {r.specText && (
                    <div className="ep-muted" style={{ fontSize: 13 }}>
                      {r.specText}
                    </div>
                  )}
                </div>
              ),
            },
            {
              title: t('shops.cat.sellerCode'),
              dataIndex: 'code',
              render: (c: string | null) => (c ? <span className="mono">{c}</span> : null),
            },
            {
              title: t('shops.cat.platformSkuKey'),
              dataIndex: 'platformSkuKey',
              render: (k: string) => <span className="mono">{k}</span>,
            },
            {
              title: t('shops.cat.price'),
              key: 'price',
              align: 'right',
              render: (_: unknown, r) =>
                r.price ? <Money amount={r.price} currency={r.currency ?? 'CNY'} /> : null,
            },
            {
              title: t('shops.cat.platformStock'),
              dataIndex: 'platformQuantity',
              align: 'right',
              render: (n: number | null) => (n === null ? null : <span className="num">{n}</span>),
            },
            {
              title: t('shops.cat.state'),
              key: 'state',
              render: (_: unknown, r) => {
                const tag = <Tag color={STATE_COLOR[r.state]}>{t(`shops.cat.tab.${r.state}`)}</Tag>
                // A hand-made link settles an unknown or missing code: only open questions are shown.
                const issue =
                  r.issue && r.state !== 'mapped' ? maybe(`shops.cat.issue.${r.issue}`) : undefined
                if (!issue) return tag
                return (
                  <Space direction="vertical" size={0}>
                    {r.duplicates.length > 0 ? (
                      <Popover
                        title={t('shops.cat.conflictWith')}
                        content={r.duplicates.map((d) => (
                          <div key={d.id}>
                            {d.title}
                            {t('shops.fmt.paren', {
                              a: d.specText ? ` ${d.specText}` : '',
                              b: d.platformSkuKey,
                            })}
                          </div>
                        ))}
                      >
                        {tag}
                      </Popover>
                    ) : (
                      tag
                    )}
                    <Typography.Text
                      type={r.state === 'conflict' ? 'danger' : 'secondary'}
                      style={{ fontSize: 13, display: 'inline-block', maxWidth: 200, whiteSpace: 'normal' }}
                    >
                      {issue}
                    </Typography.Text>
                    {r.duplicates.map((d) => (
                      <Typography.Text key={d.id} type="secondary" style={{ fontSize: 13 }} className="mono">
                        ↔ {d.platformSkuKey}
                      </Typography.Text>
                    ))}
                  </Space>
                )
              },
            },
            {
              title: t('shops.cat.mappedTo'),
              key: 'mapping',
              render: (_: unknown, r) =>
                r.mapping ? (
                  <Tooltip title={t(`shops.cat.source.${r.mapping.source as 'manual'}`)}>
                    <span className="mono">{r.mapping.skuCode}</span> {r.mapping.skuName}
                  </Tooltip>
                ) : r.suggested ? (
                  <Typography.Text type="secondary">
                    {t('shops.cat.suggested', { code: r.suggested.skuCode })}
                  </Typography.Text>
                ) : null,
            },
            {
              title: t('common.actions'),
              key: 'actions',
              fixed: desk ? 'right' : undefined,
              render: (_: unknown, r) => (
                <Space size={0}>
                  <Button type="link" size="small" onClick={() => setMapping(r)}>
                    {r.mapping ? t('shops.cat.remap') : t('shops.cat.map')}
                  </Button>
                  {r.mapping && (
                    <Button type="link" size="small" danger onClick={() => unmap(r)}>
                      {t('shops.cat.unmap')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ],
        }}
        pager={
          <CursorPager
            list={list}
            total={counts && !q ? (tab === 'all' ? counts.total - counts.deleted : counts[tab]) : undefined}
          />
        }
      />
      <MapModal
        listing={mapping}
        onClose={() => setMapping(null)}
        onMapped={(code) => {
          setMapping(null)
          void message.success(t('shops.cat.mapped', { code }))
          refresh()
        }}
      />
      {shopId && (
        <ImportModal
          open={importing}
          onClose={() => setImporting(false)}
          onImported={() => {
            setImporting(false)
            refresh()
          }}
        />
      )}
    </>
  )
}
