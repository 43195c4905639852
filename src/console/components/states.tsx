/** Empty, error, 403 and 404 states: what happened and what to do next, never a blank area. */
import { Alert, Button, Empty, Result, Space, Typography } from 'antd'
import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { ApiError } from '../api/client'
import { useI18n } from '../i18n'
import { errorMessage } from './errors'

export function EmptyState({
  text,
  filters,
  onClear,
  action,
}: {
  /** What to do next when nothing exists yet. */
  text: ReactNode
  /** The active filters, shown with a way to clear them. */
  filters?: string[]
  onClear?: () => void
  action?: ReactNode
}) {
  const { t } = useI18n()
  const filtered = !!filters?.length
  return (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <Space direction="vertical" size={4}>
          <Typography.Text strong>{t('common.empty')}</Typography.Text>
          <Typography.Text type="secondary">{filtered ? t('common.emptyFiltered') : text}</Typography.Text>
          {filtered && (
            <Typography.Text type="secondary">
              {t('common.activeFilters', { filters: filters.join('，') })}
            </Typography.Text>
          )}
        </Space>
      }
    >
      {filtered && onClear ? <Button onClick={onClear}>{t('common.clearFilters')}</Button> : action}
    </Empty>
  )
}

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const i18n = useI18n()
  if (!error) return null
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 12 }}
      message={errorMessage(i18n, error)}
      action={
        onRetry && (
          <Button size="small" onClick={onRetry}>
            {i18n.t('common.refresh')}
          </Button>
        )
      }
    />
  )
}

export function Forbidden() {
  const { t } = useI18n()
  return (
    <Result
      status="403"
      title={t('common.forbiddenTitle')}
      subTitle={t('common.forbidden')}
      extra={
        <Link to="/">
          <Button type="primary">{t('common.backHome')}</Button>
        </Link>
      }
    />
  )
}

export function NotFound() {
  const { t } = useI18n()
  return (
    <Result
      status="404"
      title={t('common.notFoundTitle')}
      subTitle={t('common.notFound')}
      extra={
        <Link to="/">
          <Button type="primary">{t('common.backHome')}</Button>
        </Link>
      }
    />
  )
}

export const isForbidden = (err: unknown) => err instanceof ApiError && err.status === 403
