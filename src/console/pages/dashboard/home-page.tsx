/**
 * 工作台: the home page of each role. Everyone: today's orders and GMV per channel (refreshed every
 * 30 s) and the orders per hour. Admin: plus exceptions, sync health, stock alerts, writebacks,
 * after-sales and the margin trend. Warehouse: the floor's queue (exceptions, stock alerts,
 * writebacks, after-sales). Accountant: GMV, the margin trend and the way into the finance screens.
 */
import { FullscreenOutlined } from '@ant-design/icons'
import { Button, Card, Col, Flex, List, Row, Statistic, Table, Tag, Tooltip, Typography } from 'antd'
import { Link } from 'react-router'
import type { DashboardSummary, Role, ShopHealthState } from '../../api/types'
import { useMe } from '../../app/session'
import { EChart } from '../../components/chart'
import { Money, Time } from '../../components/format'
import { useDesk } from '../../components/layout'
import { ErrorAlert } from '../../components/states'
import { formatMoney } from '../../format/money'
import { formatTime } from '../../format/time'
import { useI18n } from '../../i18n'
import {
  channelOption,
  exceptionsOpen,
  exceptionsOption,
  gmvByCurrency,
  hourlyOption,
  marginOption,
  ordersToday,
  ordersYesterday,
  useDashboard,
} from './data'

export const HEALTH_COLOR: Record<ShopHealthState, string> = {
  ok: 'green',
  lagging: 'orange',
  failing: 'red',
  never: 'default',
  disabled: 'default',
}

const FINANCE: readonly Role[] = ['admin', 'accountant']

export function HomePage() {
  const me = useMe()
  const { t, locale } = useI18n()
  const role = me.role
  const base = me.merchant.baseCurrency
  const { summary: s, margin, error } = useDashboard(FINANCE.includes(role))
  const look = { font: 12, narrow: !useDesk() }
  const zone = me.merchant.timezone

  const tile = (title: string, value: React.ReactNode, extra?: React.ReactNode, danger?: boolean) => (
    <Card size="small" styles={{ body: { padding: 16 } }} style={{ height: '100%' }}>
      <Statistic
        title={title}
        valueRender={() => (
          <span
            className="num"
            style={{ fontSize: 28, fontWeight: 600, color: danger ? '#cf1322' : undefined }}
          >
            {value}
          </span>
        )}
      />
      {extra && (
        <div className="ep-muted" style={{ marginTop: 4 }}>
          {extra}
        </div>
      )}
    </Card>
  )

  const gmv = s ? gmvByCurrency(s.today) : []
  const tiles = s
    ? [
        tile(
          t('dashboard.todayOrders'),
          ordersToday(s),
          t('dashboard.vsYesterday', { n: ordersYesterday(s) }),
        ),
        tile(
          t('dashboard.todayGmv'),
          formatMoney(gmv.find((g) => g.currency === base)?.amount ?? '0.00', base, locale),
          gmv
            .filter((g) => g.currency !== base)
            .map((g) => formatMoney(g.amount, g.currency, locale))
            .join('　') || undefined,
        ),
        ...(role !== 'accountant'
          ? [
              tile(t('dashboard.exceptionsOpen'), exceptionsOpen(s), undefined, exceptionsOpen(s) > 0),
              tile(t('dashboard.lowStock'), s.lowStock.count, undefined, s.lowStock.count > 0),
              tile(
                t('dashboard.writebacksFailed'),
                s.writebacks.failed,
                t('dashboard.writebacksPending') + ' ' + s.writebacks.pending,
                s.writebacks.failed > 0,
              ),
              tile(t('dashboard.afterSales'), s.afterSalesPending),
            ]
          : [tile(t('dashboard.alertsOpen'), s.alertsOpen, undefined, s.alertsOpen > 0)]),
      ]
    : []

  return (
    <div className="ep-page">
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('shell.menu.dashboard')}
        </Typography.Title>
        <Flex gap={8} align="center" wrap>
          {s && (
            <Typography.Text type="secondary" className="num">
              {t('dashboard.updatedAt', { time: formatTime(s.at, zone, { seconds: true }) })}
            </Typography.Text>
          )}
          <Link to="/wall">
            <Button icon={<FullscreenOutlined />}>{t('dashboard.openWall')}</Button>
          </Link>
        </Flex>
      </Flex>
      <ErrorAlert error={error} />
      <Row gutter={[12, 12]}>
        {tiles.map((x, i) => (
          // The GMV tile (an amount of up to 20 characters) takes the whole width of a handheld.
          <Col key={i} xs={i === 1 ? 24 : 12} md={8} xl={4}>
            {x}
          </Col>
        ))}
        {s && (
          <Col xs={24} xl={12}>
            <Card size="small" title={t('dashboard.byChannel')}>
              {s.today.length ? (
                <EChart
                  label={t('dashboard.byChannel')}
                  locale={locale}
                  height={260}
                  option={channelOption(s, t, look, base)}
                />
              ) : (
                <Typography.Text type="secondary">{t('dashboard.noOrders')}</Typography.Text>
              )}
              <ChannelTable s={s} />
            </Card>
          </Col>
        )}
        {s && (
          <Col xs={24} xl={12}>
            <Card size="small" title={t('dashboard.hourly')}>
              <EChart
                label={t('dashboard.hourly')}
                locale={locale}
                height={300}
                option={hourlyOption(s, t, look)}
              />
            </Card>
          </Col>
        )}
        {FINANCE.includes(role) && margin && (
          <Col xs={24} xl={role === 'accountant' ? 16 : 12}>
            <Card size="small" title={`${t('dashboard.marginTrend')} · ${base}`}>
              {margin.items.length ? (
                <EChart
                  label={t('dashboard.marginTrend')}
                  locale={locale}
                  height={280}
                  option={marginOption(margin, t, look, base)}
                />
              ) : (
                <Typography.Text type="secondary">{t('dashboard.noMargin')}</Typography.Text>
              )}
            </Card>
          </Col>
        )}
        {role === 'accountant' && (
          <Col xs={24} xl={8}>
            <Card size="small" title={t('shell.menu.finance')}>
              <Flex vertical gap={8}>
                <Link to="/finance/statements">
                  <Button block>{t('dashboard.goStatements')}</Button>
                </Link>
                <Link to="/finance/reconciliation">
                  <Button block>{t('dashboard.goReconciliation')}</Button>
                </Link>
                <Link to="/finance/settlements">
                  <Button block type="primary">
                    {t('dashboard.goImport')}
                  </Button>
                </Link>
              </Flex>
            </Card>
          </Col>
        )}
        {s && role !== 'accountant' && (
          <Col xs={24} xl={12}>
            <Card size="small" title={t('dashboard.exceptions')}>
              {s.exceptionsByReason.length ? (
                <EChart
                  label={t('dashboard.exceptions')}
                  locale={locale}
                  height={Math.max(120, s.exceptionsByReason.length * 40)}
                  option={exceptionsOption(s, t, look)}
                />
              ) : (
                <Typography.Text type="secondary">{t('dashboard.noExceptions')}</Typography.Text>
              )}
            </Card>
          </Col>
        )}
        {s && role !== 'accountant' && (
          <Col xs={24} xl={12}>
            <Card size="small" title={t('dashboard.lowStock')}>
              <List
                size="small"
                dataSource={s.lowStock.items}
                locale={{ emptyText: t('dashboard.noLowStock') }}
                renderItem={(i) => (
                  <List.Item
                    extra={
                      <span className="num" style={{ color: '#cf1322' }}>
                        {t('dashboard.available')} {i.available} / {t('dashboard.threshold')} {i.threshold}
                      </span>
                    }
                  >
                    <span className="mono">{i.code}</span>&nbsp;{i.name}
                  </List.Item>
                )}
              />
            </Card>
          </Col>
        )}
        {s && role === 'admin' && (
          <Col xs={24}>
            <Card size="small" title={t('dashboard.syncHealth')}>
              <SyncTable s={s} />
            </Card>
          </Col>
        )}
      </Row>
    </div>
  )
}

function ChannelTable({ s }: { s: DashboardSummary }) {
  const { t } = useI18n()
  return (
    <Table
      size="small"
      style={{ marginTop: 8 }}
      pagination={false}
      rowKey={(r) => `${r.channel}.${r.currency}`}
      dataSource={s.today}
      columns={[
        {
          title: t('dashboard.channel'),
          key: 'c',
          render: (_: unknown, r) => t(`channels.${r.channel}` as never),
        },
        {
          title: t('dashboard.orders'),
          dataIndex: 'orders',
          align: 'right',
          render: (n: number) => <span className="num">{n}</span>,
        },
        {
          title: t('dashboard.gmv'),
          key: 'g',
          align: 'right',
          render: (_: unknown, r) => <Money amount={r.gmv} currency={r.currency} />,
        },
      ]}
    />
  )
}

export function SyncTable({ s }: { s: DashboardSummary }) {
  const { t } = useI18n()
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="shopId"
      scroll={{ x: 'max-content' }}
      dataSource={s.shops}
      locale={{ emptyText: t('dashboard.noShops') }}
      columns={[
        { title: t('dashboard.shop'), dataIndex: 'name' },
        {
          title: t('dashboard.channel'),
          key: 'c',
          render: (_: unknown, r) => t(`channels.${r.channel}` as never),
        },
        {
          title: t('shops.health'),
          key: 'h',
          render: (_: unknown, r) => (
            <Tag color={HEALTH_COLOR[r.health]}>{t(`dashboard.health.${r.health}`)}</Tag>
          ),
        },
        {
          title: t('shops.lastSync'),
          key: 'ok',
          render: (_: unknown, r) =>
            r.lastOkAt ? (
              <Tooltip title={r.lastError ? `「${r.lastError}」` : undefined}>
                <span>
                  <Time value={r.lastOkAt} />{' '}
                  <span className="ep-muted">({t('dashboard.lag', { n: r.lagMinutes ?? 0 })})</span>
                </span>
              </Tooltip>
            ) : (
              '—'
            ),
        },
        {
          title: t('dashboard.errors24h'),
          dataIndex: 'errors24h',
          align: 'right',
          render: (n: number) => (
            <span className="num" style={{ color: n ? '#cf1322' : undefined }}>
              {n}
            </span>
          ),
        },
      ]}
    />
  )
}
