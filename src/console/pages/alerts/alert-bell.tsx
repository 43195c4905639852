/** The bell in the header: open alerts counted (refreshed every minute), the latest ten on click. */
import { BellOutlined } from '@ant-design/icons'
import { Badge, Button, Flex, List, Popover, Tag, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { Link } from 'react-router'
import { endpoints } from '../../api/endpoints'
import type { Alert } from '../../api/types'
import { Time } from '../../components/format'
import { useI18n } from '../../i18n'

export const ALERT_COLOR = 'red'

export function AlertBell({ compact }: { compact?: boolean }) {
  const { t } = useI18n()
  const [count, setCount] = useState(0)
  const [items, setItems] = useState<Alert[] | null>(null)
  const [open, setOpen] = useState(false)
  useEffect(() => {
    let live = true
    const load = () =>
      endpoints.alertCount().then(
        (c) => live && setCount(c.total),
        () => undefined,
      )
    void load()
    const timer = setInterval(() => void load(), 60_000)
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [])
  useEffect(() => {
    if (!open) return
    endpoints.alerts({ status: 'open', limit: 10 }).then(
      (p) => setItems(p.items),
      () => setItems([]),
    )
  }, [open])
  return (
    <Popover
      open={open}
      onOpenChange={setOpen}
      trigger="click"
      placement="bottomRight"
      title={t('alerts.title')}
      content={
        <div
          style={{ width: compact ? 280 : 380, maxHeight: 420, overflowY: 'auto' }}
          data-testid="alert-list"
        >
          <List
            size="small"
            loading={items === null}
            dataSource={items ?? []}
            locale={{ emptyText: t('alerts.none') }}
            renderItem={(a) => (
              <List.Item>
                <Flex vertical gap={2} style={{ width: '100%' }}>
                  <Flex justify="space-between" gap={8}>
                    <Tag color={ALERT_COLOR}>{t(`alerts.kind.${a.kind}`)}</Tag>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      <Time value={a.openedAt} />
                    </Typography.Text>
                  </Flex>
                  <Typography.Text>{a.subject}</Typography.Text>
                </Flex>
              </List.Item>
            )}
          />
          <Link to="/alerts" onClick={() => setOpen(false)}>
            {t('alerts.all')}
          </Link>
        </div>
      }
    >
      <Button
        type="text"
        aria-label={t('alerts.bell')}
        data-testid="alert-bell"
        style={{ paddingInline: compact ? 4 : 8 }}
      >
        <Badge count={count} size="small" overflowCount={99}>
          <BellOutlined style={{ fontSize: 18 }} />
        </Badge>
      </Button>
    </Popover>
  )
}
