/**
 * The list page every screen reuses (the anchors' pattern, rebuilt on antd 6 since ProTable is not
 * on it): title and primary action, query form, status tabs with counts, the table, and
 * "共 N 条" paging. A detail drawer opens from a row (DetailDrawer).
 */
import {
  Button,
  Card,
  Flex,
  Form,
  Grid,
  Select,
  Space,
  Table,
  Tabs,
  Typography,
  type FormInstance,
  type TableProps,
} from 'antd'
import { DownOutlined, UpOutlined } from '@ant-design/icons'
import { Children, useState, type ReactNode } from 'react'
import { formatCount } from '../format/money'
import { useI18n } from '../i18n'
import type { CursorList } from './use-cursor-list'
import { ErrorAlert } from './states'

export interface StatusTab {
  key: string
  label: string
  count?: number | undefined
}

export interface ListPageProps<T> {
  title: ReactNode
  /** Primary and batch actions, right of the title. */
  extra?: ReactNode
  intro?: ReactNode
  /** A QueryForm. */
  query?: ReactNode
  tabs?: { items: StatusTab[]; active: string; onChange: (key: string) => void; extra?: ReactNode }
  table: TableProps<T>
  /** Below the table: a CursorPager, or nothing when the table pages itself. */
  pager?: ReactNode
  error?: unknown
  onRetry?: () => void
}

export function ListPage<T extends object>(p: ListPageProps<T>) {
  const { locale } = useI18n()
  return (
    <div className="ep-page">
      <Card styles={{ body: { padding: 16 } }}>
        <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 12 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {p.title}
          </Typography.Title>
          {p.extra && <Space wrap>{p.extra}</Space>}
        </Flex>
        {p.intro && (
          <Typography.Paragraph type="secondary" style={{ marginTop: -4 }}>
            {p.intro}
          </Typography.Paragraph>
        )}
        {p.query}
        {p.tabs && (
          <Tabs
            activeKey={p.tabs.active}
            onChange={p.tabs.onChange}
            size="small"
            style={{ marginBottom: 4 }}
            tabBarExtraContent={p.tabs.extra}
            items={p.tabs.items.map((tab) => ({
              key: tab.key,
              label: (
                <span>
                  {tab.label}
                  {tab.count !== undefined && (
                    <span className="num ep-muted" style={{ marginLeft: 4 }}>
                      {formatCount(tab.count, locale)}
                    </span>
                  )}
                </span>
              ),
            }))}
          />
        )}
        <ErrorAlert error={p.error} {...(p.onRetry ? { onRetry: p.onRetry } : {})} />
        <Table<T> size="small" scroll={{ x: 'max-content' }} {...p.table} />
        {p.pager}
      </Card>
    </div>
  )
}

/** Paging over cursors: "共 N 条" (when the count is known), previous / next, page size. */
export function CursorPager<T>({ list, total }: { list: CursorList<T>; total?: number | undefined }) {
  const { t, locale } = useI18n()
  return (
    <Flex justify="flex-end" align="center" gap={8} wrap style={{ marginTop: 12 }}>
      {total !== undefined && (
        <span className="num">{t('common.total', { n: formatCount(total, locale) })}</span>
      )}
      <span className="ep-muted">{t('common.page', { n: list.page })}</span>
      <Button size="small" disabled={list.page <= 1 || list.loading} onClick={list.prev}>
        {t('common.prevPage')}
      </Button>
      <Button size="small" disabled={!list.hasNext || list.loading} onClick={list.next}>
        {t('common.nextPage')}
      </Button>
      <Select
        size="small"
        value={list.limit}
        onChange={list.setLimit}
        style={{ width: 110 }}
        options={[10, 20, 50, 100].map((n) => ({ value: n, label: t('common.perPage', { n }) }))}
      />
    </Flex>
  )
}

/** The query form: fields on a grid, 查询 and 重置 at the end. */
export function QueryForm<V extends object>({
  form,
  children,
  onSearch,
  onReset,
}: {
  form: FormInstance<V>
  children: ReactNode
  onSearch: (values: V) => void
  onReset: () => void
}) {
  const { t } = useI18n()
  const screens = Grid.useBreakpoint()
  const [expanded, setExpanded] = useState(false)
  // On a handheld only the first field shows until 展开: the list stays above the fold.
  const fields = Children.toArray(children)
  const compact = screens.md === false && fields.length > 1
  return (
    <Form<V>
      form={form}
      layout="inline"
      colon={false}
      onFinish={onSearch}
      style={{ rowGap: 12, marginBottom: 12 }}
      onReset={onReset}
    >
      {fields.map((field, i) => (
        // Hidden, not unmounted: a collapsed filter keeps its value.
        <div key={i} style={compact && !expanded && i > 0 ? { display: 'none' } : { display: 'contents' }}>
          {field}
        </div>
      ))}
      <Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            {t('common.query')}
          </Button>
          <Button htmlType="reset">{t('common.reset')}</Button>
          {compact && (
            <Button
              type="link"
              onClick={() => setExpanded((e) => !e)}
              icon={expanded ? <UpOutlined /> : <DownOutlined />}
            >
              {expanded ? t('common.collapse') : t('common.expand')}
            </Button>
          )}
        </Space>
      </Form.Item>
    </Form>
  )
}
