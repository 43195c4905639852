/**
 * 库存同步规则: a shop's rule (ratio, safety stock, virtual stock, on/off) and per-SKU rules, with
 * the quantity each mapped SKU would be pushed NOW under the rules being edited — beside what the
 * saved rules push and the last push with the platform's answer — before anything is saved. The
 * numbers come from the API's preview, which runs the push's own plan.
 */
import {
  App,
  Button,
  Card,
  Flex,
  Form,
  Input,
  InputNumber,
  Space,
  Switch,
  Tag,
  Tooltip,
  Typography,
} from 'antd'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { useNavigate } from 'react-router'
import { api } from '../../api/client'
import { shopApi, type PreviewItem, type StockSync, type StockSyncRule } from '../../api/shops'
import { readSync, syncPatch } from './stock-sync'
import { errorMessage } from '../../components/errors'
import { Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { CursorPager, ListPage, QueryForm } from '../../components/list-page'
import { EmptyState, ErrorAlert } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'
import { OverrideModal } from './override-modal'
import { PushLogDrawer } from './push-log-drawer'
import { ShopPicker, useShopParam } from './shop-picker'

export function StockRulesPage() {
  const i18n = useI18n()
  const { t } = i18n
  const { message } = App.useApp()
  const navigate = useNavigate()
  const desk = useDesk()
  const { shops, shop, setShop, error: shopsError } = useShopParam()
  const shopId = shop?.id
  const [saved, setSaved] = useState<StockSync | null>(null)
  const [draft, setDraft] = useState<StockSync | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [saving, setSaving] = useState(false)
  const [q, setQ] = useState('')
  const [form] = Form.useForm<{ q?: string }>()
  const [editing, setEditing] = useState<PreviewItem | null>(null)
  const [logOf, setLogOf] = useState<PreviewItem | null>(null)

  useEffect(() => {
    if (!shopId) return
    setSaved(null)
    setDraft(null)
    shopApi.shop(shopId).then((s) => {
      setSaved(readSync(s.settings))
      setDraft(readSync(s.settings))
      setLoadError(null)
    }, setLoadError)
  }, [shopId])

  const changed = useMemo(
    () =>
      !!saved &&
      !!draft &&
      JSON.stringify(syncPatch(saved, draft)) !== JSON.stringify(syncPatch(saved, saved)),
    [saved, draft],
  )
  // The preview follows the draft, a moment after the last keystroke.
  const [proposed, setProposed] = useState<Record<string, unknown> | undefined>()
  useEffect(() => {
    if (!saved || !draft) return
    const timer = setTimeout(() => setProposed(changed ? syncPatch(saved, draft) : undefined), 300)
    return () => clearTimeout(timer)
  }, [saved, draft, changed])

  const list = useCursorList(
    (cursor, limit) =>
      shopId
        ? shopApi.preview(shopId, proposed, { ...(q ? { q } : {}), ...(cursor ? { cursor } : {}), limit })
        : Promise.resolve({ items: [], next: null }),
    [shopId, proposed, q],
  )

  const save = async () => {
    if (!shopId || !saved || !draft) return
    setSaving(true)
    try {
      const s = await shopApi.updateSettings(shopId, { stockSync: syncPatch(saved, draft) })
      setSaved(readSync(s.settings))
      setDraft(readSync(s.settings))
      void message.success(t('shops.rules.saved'))
    } catch (err) {
      void message.error(errorMessage(i18n, err))
    } finally {
      setSaving(false)
    }
  }
  const pushNow = () =>
    shopId &&
    api.post<{ sent: number; failed: number; skipped: string | null }>(`/shops/${shopId}/stock-push`).then(
      (r) => {
        if (r.skipped) void message.warning(t('shops.rules.pushSkipped'))
        else void message.success(t('shops.rules.pushDone', { sent: r.sent, failed: r.failed }))
        list.reload()
      },
      (err: unknown) => void message.error(errorMessage(i18n, err)),
    )
  const set = useCallback((patch: Partial<StockSync>) => setDraft((d) => (d ? { ...d, ...patch } : d)), [])

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

  const rules = draft && (
    <Card size="small" title={t('shops.rules.shopRule')} style={{ marginBottom: 12 }}>
      <Form layout="inline" style={{ rowGap: 8 }}>
        <Form.Item label={t('shops.rules.enabled')}>
          <Switch
            aria-label={t('shops.rules.enabled')}
            checked={draft.enabled}
            onChange={(enabled) => set({ enabled })}
          />
        </Form.Item>
        <Form.Item label={t('shops.rules.ratio')} tooltip={t('shops.rules.ratioHint')}>
          <InputNumber<string>
            aria-label={t('shops.rules.ratio')}
            stringMode
            min="0.000001"
            max="1"
            step="0.05"
            value={String(draft.ratio)}
            onChange={(v) => v !== null && set({ ratio: v })}
            style={{ width: 110 }}
          />
        </Form.Item>
        <Form.Item label={t('shops.rules.safetyStock')} tooltip={t('shops.rules.safetyHint')}>
          <InputNumber
            aria-label={t('shops.rules.safetyStock')}
            min={0}
            max={1_000_000}
            precision={0}
            value={draft.safetyStock}
            onChange={(v) => set({ safetyStock: v ?? 0 })}
            style={{ width: 110 }}
          />
        </Form.Item>
        <Form.Item label={t('shops.rules.virtualStock')} tooltip={t('shops.rules.virtualHint')}>
          <InputNumber
            aria-label={t('shops.rules.virtualStock')}
            min={0}
            max={1_000_000}
            precision={0}
            value={draft.virtualStock}
            onChange={(v) => set({ virtualStock: v ?? 0 })}
            style={{ width: 110 }}
          />
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
        {t('shops.rules.formula')}
      </Typography.Paragraph>
      {changed && (
        <Typography.Paragraph type="warning" style={{ margin: '8px 0 0' }} data-testid="rules-changed">
          {t('shops.rules.changed')}
        </Typography.Paragraph>
      )}
      <Flex gap={8} style={{ marginTop: 8 }} wrap>
        <Button type="primary" disabled={!changed} loading={saving} onClick={() => void save()}>
          {t('shops.rules.save')}
        </Button>
        <Button disabled={!changed} onClick={() => saved && setDraft(saved)}>
          {t('common.reset')}
        </Button>
      </Flex>
    </Card>
  )

  const lastPush = (p: PreviewItem['lastPush']) =>
    p ? (
      <Space size={4} wrap={false}>
        <span className="num">{p.quantity}</span>
        <Tag color={p.ok ? 'green' : 'red'}>
          {p.ok ? t('shops.rules.lastPushOk') : t('shops.rules.lastPushFail')}
        </Tag>
        <Time value={p.pushedAt} />
        {p.error && (
          <Typography.Text type="danger" ellipsis={{ tooltip: p.error }} style={{ maxWidth: 200 }}>
            「{p.error}」
          </Typography.Text>
        )}
      </Space>
    ) : (
      <span className="ep-muted">{t('shops.rules.never')}</span>
    )

  return (
    <>
      <ListPage<PreviewItem>
        title={t('shops.rules.title')}
        error={list.error ?? loadError ?? shopsError}
        onRetry={list.reload}
        extra={
          <>
            {shops && <ShopPicker shops={shops} shop={shop} onChange={setShop} />}
            <Button onClick={() => void pushNow()} disabled={!shopId}>
              {t('shops.rules.pushNow')}
            </Button>
          </>
        }
        intro={rules}
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
                placeholder={t('shops.rules.searchPlaceholder')}
                style={{ width: desk ? 240 : '100%' }}
              />
            </Form.Item>
          </QueryForm>
        }
        table={{
          rowKey: (r) => `${r.platformSkuKey}|${r.locationId}`,
          loading: list.loading,
          dataSource: list.items,
          pagination: false,
          locale: {
            emptyText: (
              <EmptyState
                text={t('shops.rules.empty')}
                filters={q ? [t('shops.fmt.labelled', { label: t('shops.cat.searchLabel'), value: q })] : []}
                onClear={() => {
                  form.resetFields()
                  setQ('')
                }}
                action={
                  <Button onClick={() => void navigate(`/catalogue?shop=${shopId ?? ''}`)}>
                    {t('shops.menu.catalogue')}
                  </Button>
                }
              />
            ),
          },
          columns: [
            {
              title: t('shops.rules.sku'),
              key: 'sku',
              fixed: desk ? 'left' : undefined,
              render: (_: unknown, r) => (
                <div>
                  <span className="mono">{r.skuCode}</span>
                  <div className="ep-muted" style={{ fontSize: 13 }}>
                    {r.skuName}
                  </div>
                </div>
              ),
            },
            {
              title: t('shops.rules.platformSkuKey'),
              dataIndex: 'platformSkuKey',
              render: (k: string, r) => (
                <span className="mono">
                  {k}
                  {r.locationId ? ` @${r.locationId}` : ''}
                </span>
              ),
            },
            {
              title: t('shops.rules.available'),
              dataIndex: 'available',
              align: 'right',
              render: (n: number) => <span className="num">{n}</span>,
            },
            {
              title: t('shops.rules.rule'),
              key: 'rule',
              render: (_: unknown, r) => (
                <Tooltip title={r.rule === 'sku' ? ruleText(draft?.overrides[r.skuCode], t) : undefined}>
                  <Tag color={r.rule === 'sku' ? 'blue' : 'default'}>
                    {r.rule === 'sku' ? t('shops.rules.ruleSku') : t('shops.rules.ruleShop')}
                  </Tag>
                </Tooltip>
              ),
            },
            {
              title: t('shops.rules.savedQuantity'),
              dataIndex: 'savedQuantity',
              align: 'right',
              render: (n: number) => <span className="num">{n}</span>,
            },
            {
              title: t('shops.rules.quantity'),
              key: 'quantity',
              align: 'right',
              render: (_: unknown, r) =>
                r.pushes ? (
                  <Typography.Text
                    strong
                    className="num"
                    type={r.quantity !== r.savedQuantity ? 'warning' : undefined}
                    data-testid="preview-quantity"
                  >
                    {r.quantity}
                  </Typography.Text>
                ) : (
                  <span className="ep-muted">{t('shops.rules.notPushed')}</span>
                ),
            },
            {
              title: t('shops.rules.lastPush'),
              key: 'last',
              render: (_: unknown, r) => lastPush(r.lastPush),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              fixed: desk ? 'right' : undefined,
              render: (_: unknown, r) => (
                <Space size={0}>
                  <Button type="link" size="small" onClick={() => setEditing(r)}>
                    {draft?.overrides[r.skuCode]
                      ? t('shops.rules.editOverride')
                      : t('shops.rules.addOverride')}
                  </Button>
                  <Button type="link" size="small" onClick={() => setLogOf(r)}>
                    {t('shops.rules.log')}
                  </Button>
                </Space>
              ),
            },
          ],
        }}
        pager={<CursorPager list={list} />}
      />
      <OverrideModal
        item={editing}
        rule={editing ? draft?.overrides[editing.skuCode] : undefined}
        onClose={() => setEditing(null)}
        onChange={(code, rule) => {
          setEditing(null)
          setDraft((d) => {
            if (!d) return d
            const overrides = { ...d.overrides }
            if (rule) overrides[code] = rule
            else delete overrides[code]
            return { ...d, overrides }
          })
        }}
      />
      {shopId && <PushLogDrawer shopId={shopId} item={logOf} onClose={() => setLogOf(null)} />}
      {!shopId && shops === null && <ErrorAlert error={shopsError} />}
    </>
  )
}

function ruleText(rule: StockSyncRule | undefined, t: ReturnType<typeof useI18n>['t']): string {
  if (!rule) return ''
  return [
    rule.fixed !== undefined && `${t('shops.rules.fixed')} ${rule.fixed}`,
    rule.ratio !== undefined && `${t('shops.rules.ratio')} ${rule.ratio}`,
    rule.safetyStock !== undefined && `${t('shops.rules.safetyStock')} ${rule.safetyStock}`,
    rule.virtualStock !== undefined && `${t('shops.rules.virtualStock')} ${rule.virtualStock}`,
  ]
    .filter(Boolean)
    .join('，')
}
