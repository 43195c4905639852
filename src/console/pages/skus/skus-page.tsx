/**
 * SKU 与组合装: the merchant's SKUs with search, create, edit, and bundle composition. At the desk a
 * table; on the handheld one stacked cell per SKU (SkuStack) and its buttons beside it.
 */
import { PlusOutlined } from '@ant-design/icons'
import { Button, Flex, Form, Input, Space, Tag, Typography } from 'antd'
import { useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { Sku } from '../../api/types'
import { useMe } from '../../app/session'
import { CursorPager, ListPage, QueryForm } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useDesk } from '../../components/layout'
import { useI18n } from '../../i18n'
import { BundleModal } from './bundle-modal'
import { SkuModal } from './sku-modal'

export function SkusPage() {
  const desk = useDesk()
  const { t } = useI18n()
  const admin = useMe().role === 'admin'
  const [form] = Form.useForm<{ q?: string }>()
  const [q, setQ] = useState('')
  const [editing, setEditing] = useState<Sku | 'new' | null>(null)
  const [bundle, setBundle] = useState<Sku | null>(null)
  const list = useCursorList(
    (cursor, limit) => endpoints.skus({ ...(q ? { q } : {}), ...(cursor ? { cursor } : {}), limit }),
    [q],
  )

  return (
    <>
      <ListPage<Sku>
        title={t('skus.title')}
        extra={
          admin && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('skus.create')}
            </Button>
          )
        }
        error={list.error}
        onRetry={list.reload}
        query={
          <QueryForm<{ q?: string }>
            form={form}
            onSearch={(v) => setQ(v.q?.trim() ?? '')}
            onReset={() => setQ('')}
          >
            <Form.Item name="q">
              <Input
                allowClear
                aria-label={t('common.search')}
                placeholder={t('skus.searchPlaceholder')}
                style={{ width: 240 }}
              />
            </Form.Item>
          </QueryForm>
        }
        table={{
          rowKey: 'id',
          loading: list.loading,
          dataSource: list.items,
          pagination: false,
          locale: {
            emptyText: (
              <EmptyState
                text={t('skus.emptyAll')}
                filters={q ? [`${t('common.search')}：${q}`] : []}
                onClear={() => {
                  form.resetFields()
                  setQ('')
                }}
              />
            ),
          },
          // On the handheld the cells wrap to the screen instead of scrolling sideways.
          ...(desk ? {} : { scroll: {} }),
          columns: desk
            ? [
                {
                  title: t('skus.code'),
                  dataIndex: 'code',
                  fixed: 'left',
                  render: (v: string) => (
                    <Typography.Text copyable={{ text: v }} className="mono">
                      {v}
                    </Typography.Text>
                  ),
                },
                { title: t('skus.name'), dataIndex: 'name' },
                {
                  title: t('skus.kind'),
                  dataIndex: 'isBundle',
                  render: (b: boolean) =>
                    b ? <Tag color="purple">{t('skus.bundle')}</Tag> : t('skus.single'),
                },
                {
                  title: t('skus.barcode'),
                  dataIndex: 'barcode',
                  responsive: ['md'],
                  render: (v: string | null) => <span className="num">{v}</span>,
                },
                { title: t('skus.category'), dataIndex: 'category', responsive: ['md'] },
                { title: t('skus.unit'), dataIndex: 'unit', responsive: ['lg'] },
                {
                  title: t('skus.weight'),
                  dataIndex: 'weightG',
                  align: 'right',
                  responsive: ['lg'],
                  render: (v: number | null) => <span className="num">{v ?? ''}</span>,
                },
                {
                  title: t('skus.active'),
                  dataIndex: 'active',
                  render: (a: boolean) => (
                    <Tag color={a ? 'green' : 'default'}>{a ? t('skus.enabled') : t('skus.disabled')}</Tag>
                  ),
                },
                ...(admin
                  ? [
                      {
                        title: t('common.actions'),
                        key: 'actions',
                        fixed: 'right' as const,
                        render: (_: unknown, s: Sku) => (
                          <Space size={0}>
                            <Button type="link" size="small" onClick={() => setEditing(s)}>
                              {t('common.edit')}
                            </Button>
                            <Button type="link" size="small" onClick={() => setBundle(s)}>
                              {t('skus.editBundle')}
                            </Button>
                          </Space>
                        ),
                      },
                    ]
                  : []),
              ]
            : [
                {
                  title: t('skus.title'),
                  key: 'sku',
                  render: (_: unknown, s: Sku) => <SkuStack sku={s} />,
                },
                ...(admin
                  ? [
                      {
                        title: t('common.actions'),
                        key: 'actions',
                        width: 1,
                        render: (_: unknown, s: Sku) => (
                          <Flex vertical align="end">
                            <Button type="link" size="large" onClick={() => setEditing(s)}>
                              {t('common.edit')}
                            </Button>
                            <Button type="link" size="large" onClick={() => setBundle(s)}>
                              {t('skus.editBundle')}
                            </Button>
                          </Flex>
                        ),
                      },
                    ]
                  : []),
              ],
        }}
        pager={<CursorPager list={list} />}
      />
      <SkuModal sku={editing} onClose={() => setEditing(null)} onSaved={list.reload} />
      <BundleModal sku={bundle} onClose={() => setBundle(null)} onSaved={list.reload} />
    </>
  )
}

/**
 * A SKU on the handheld: its code, its name in full (wrapped, never cut), a tag when it is a bundle
 * or disabled, then barcode, category, unit and weight in one muted line that wraps as it needs.
 */
function SkuStack({ sku: s }: { sku: Sku }) {
  const { t } = useI18n()
  const facts = [
    s.barcode && <span className="num">{s.barcode}</span>,
    s.category,
    s.unit,
    s.weightG !== null && <span className="num">{t('skus.weightValue', { n: s.weightG })}</span>,
  ].filter((f) => !!f)
  return (
    <Flex vertical gap={2} style={{ fontSize: 16 }} data-testid="sku-stack">
      <Flex wrap gap={6} align="center">
        <Typography.Text copyable={{ text: s.code }} className="mono" style={{ overflowWrap: 'anywhere' }}>
          {s.code}
        </Typography.Text>
        {s.isBundle && (
          <Tag color="purple" style={{ marginInlineEnd: 0 }}>
            {t('skus.bundle')}
          </Tag>
        )}
        {!s.active && <Tag style={{ marginInlineEnd: 0 }}>{t('skus.disabled')}</Tag>}
      </Flex>
      <div style={{ overflowWrap: 'anywhere' }}>{s.name}</div>
      {facts.length > 0 && (
        <div className="ep-muted" style={{ fontSize: 14, overflowWrap: 'anywhere' }}>
          {facts.map((f, i) => (
            <span key={i}>
              {i > 0 && ' · '}
              {f}
            </span>
          ))}
        </div>
      )}
    </Flex>
  )
}
