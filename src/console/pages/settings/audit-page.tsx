/** 审计日志: who changed what, newest first, with the person's name; filters by person, action, days. */
import { DatePicker, Form, Select, Tag, Tooltip, Typography } from 'antd'
import type { Dayjs } from 'dayjs'
import { useEffect, useMemo, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { AuditItem, User } from '../../api/types'
import { useMe } from '../../app/session'
import { Time } from '../../components/format'
import { CursorPager, ListPage, QueryForm } from '../../components/list-page'
import { EmptyState } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { zonedMidnight } from '../../format/time'
import { MESSAGES } from '../../i18n/messages'
import { useI18n, type Translate } from '../../i18n'

interface Filters {
  actorId?: string
  action?: string
  days?: [Dayjs, Dayjs] | null
}

const ACTIONS = Object.keys((MESSAGES['zh-CN'].audit as { actions: Record<string, string> }).actions)

export function AuditPage() {
  const { t, maybe } = useI18n()
  const zone = useMe().merchant.timezone
  const [form] = Form.useForm<Filters>()
  const [filters, setFilters] = useState<Filters>({})
  const [users, setUsers] = useState<User[]>([])

  useEffect(() => {
    endpoints.users({ limit: 500 }).then(
      (p) => setUsers(p.items),
      () => setUsers([]),
    )
  }, [])

  const query = useMemo(() => {
    const [from, to] = filters.days ?? []
    return {
      ...(filters.actorId ? { actorId: filters.actorId } : {}),
      ...(filters.action ? { action: filters.action } : {}),
      ...(from ? { from: zonedMidnight(from.format('YYYY-MM-DD'), zone).toISOString() } : {}),
      ...(to ? { to: zonedMidnight(to.add(1, 'day').format('YYYY-MM-DD'), zone).toISOString() } : {}),
    }
  }, [filters, zone])
  const list = useCursorList(
    (cursor, limit) => endpoints.auditLog({ ...query, ...(cursor ? { cursor } : {}), limit }),
    [query],
  )

  const actionLabel = (a: string) => maybe(`audit.actions.${a}`)
  const active = [
    filters.actorId &&
      `${t('audit.filterActor')}：${users.find((u) => u.id === filters.actorId)?.name ?? ''}`,
    filters.action && `${t('audit.filterAction')}：${actionLabel(filters.action) ?? filters.action}`,
    filters.days && `${filters.days[0].format('YYYY-MM-DD')} ~ ${filters.days[1].format('YYYY-MM-DD')}`,
  ].filter((x): x is string => !!x)
  const clear = () => {
    form.resetFields()
    setFilters({})
  }

  return (
    <ListPage<AuditItem>
      title={t('audit.title')}
      error={list.error}
      onRetry={list.reload}
      query={
        <QueryForm<Filters> form={form} onSearch={(v) => setFilters({ ...v })} onReset={() => setFilters({})}>
          <Form.Item name="actorId" label={t('audit.filterActor')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              placeholder={t('common.all')}
              style={{ width: 180 }}
              options={users.map((u) => ({ value: u.id, label: u.name }))}
            />
          </Form.Item>
          <Form.Item name="action" label={t('audit.filterAction')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              placeholder={t('common.all')}
              style={{ width: 200 }}
              options={ACTIONS.map((a) => ({ value: a, label: actionLabel(a) ?? a }))}
            />
          </Form.Item>
          <Form.Item name="days" label={t('audit.at')}>
            <DatePicker.RangePicker />
          </Form.Item>
        </QueryForm>
      }
      table={{
        rowKey: 'id',
        loading: list.loading,
        dataSource: list.items,
        pagination: false,
        locale: { emptyText: <EmptyState text={t('audit.emptyAll')} filters={active} onClear={clear} /> },
        columns: [
          { title: t('audit.at'), dataIndex: 'at', render: (v: string) => <Time value={v} /> },
          {
            title: t('audit.actor'),
            key: 'actor',
            render: (_: unknown, a) => (
              <span>
                {a.actorName ?? t(`audit.actorType.${a.actorType}`)}
                {a.actorType !== 'user' && a.actorName && (
                  <Tag style={{ marginInlineStart: 6 }}>{t(`audit.actorType.${a.actorType}`)}</Tag>
                )}
                {a.actorType === 'user' && a.actorLogin && <div className="ep-muted">{a.actorLogin}</div>}
              </span>
            ),
          },
          {
            title: t('audit.action'),
            dataIndex: 'action',
            render: (v: string) => actionLabel(v) ?? <span className="mono">{v}</span>,
          },
          {
            title: t('audit.entity'),
            responsive: ['md'],
            key: 'entity',
            render: (_: unknown, a) => (
              <Tooltip title={a.entityId}>
                <span>{maybe(`audit.entityType.${a.entityType}`) ?? a.entityType}</span>
              </Tooltip>
            ),
          },
          {
            title: t('audit.detail'),
            dataIndex: 'detail',
            render: (d: Record<string, unknown>) => (
              <Typography.Text style={{ maxWidth: 480, display: 'inline-block' }}>
                {describe(d, t, maybe)}
              </Typography.Text>
            ),
          },
        ],
      }}
      pager={<CursorPager list={list} />}
    />
  )
}

/** An entry's detail as text: known fields by name, roles translated, [before, after] as before → after. */
function describe(
  detail: Record<string, unknown>,
  t: Translate,
  maybe: (k: string) => string | undefined,
): string {
  const value = (key: string, v: unknown): string => {
    if (v === null || v === undefined)
      return ['warehouseIds', 'shopIds'].includes(key) ? t('common.all') : t('common.none')
    if (key === 'role' && typeof v === 'string') return maybe(`shell.role.${v}`) ?? v
    if (key === 'channel' && typeof v === 'string') return maybe(`channels.${v}`) ?? v
    if (Array.isArray(v)) return v.length ? String(v.length) : t('common.none')
    return typeof v === 'string' ? v : JSON.stringify(v)
  }
  return Object.entries(detail)
    .filter(([k]) => k !== 'userAgent')
    .map(([k, v]) => {
      const label = maybe(`audit.field.${k}`) ?? k
      const scopeKey = ['warehouseIds', 'shopIds'].includes(k)
      const isChange =
        Array.isArray(v) && v.length === 2 && (!scopeKey || v.every((x) => x === null || Array.isArray(x)))
      return isChange ? `${label}：${value(k, v[0])} → ${value(k, v[1])}` : `${label}：${value(k, v)}`
    })
    .join('；')
}
