/**
 * 数据大屏: the office wall. Designed on a fixed 1920×1080 canvas and scaled to the screen with CSS
 * transform (one side fills, the other letterboxes), so a stitched LED wall or a 1366×768 TV keeps
 * the layout; dark, numbers of 56 px and more, refreshed every 30 s, no scrollbars.
 */
import { ExpandOutlined } from '@ant-design/icons'
import { useEffect, useState, type CSSProperties, type ReactNode } from 'react'
import type { Role } from '../../api/types'
import { useMe } from '../../app/session'
import { EChart } from '../../components/chart'
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

const W = 1920
const H = 1080
const FINANCE: readonly Role[] = ['admin', 'accountant']
const HEALTH_HEX = {
  ok: '#52c41a',
  lagging: '#faad14',
  failing: '#ff4d4f',
  never: '#8c8c8c',
  disabled: '#8c8c8c',
}

function useScale(): number {
  const read = () => Math.min(window.innerWidth / W, window.innerHeight / H)
  const [scale, setScale] = useState(read)
  useEffect(() => {
    const on = () => setScale(read())
    window.addEventListener('resize', on)
    return () => window.removeEventListener('resize', on)
  }, [])
  return scale
}

function useNow(): Date {
  const [now, setNow] = useState(() => new Date())
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 1000)
    return () => clearInterval(t)
  }, [])
  return now
}

const panel: CSSProperties = {
  background: 'linear-gradient(180deg, rgba(20,44,84,0.92), rgba(12,28,58,0.92))',
  border: '1px solid rgba(64,150,255,0.35)',
  borderRadius: 8,
  padding: '16px 20px',
  boxSizing: 'border-box',
  overflow: 'hidden',
  display: 'flex',
  flexDirection: 'column',
}
const panelTitle: CSSProperties = { fontSize: 24, fontWeight: 600, color: '#e6f0ff', marginBottom: 8 }

function Panel({ title, children, style }: { title: string; children: ReactNode; style?: CSSProperties }) {
  return (
    <section style={{ ...panel, ...style }} aria-label={title}>
      <div style={panelTitle}>{title}</div>
      <div style={{ flex: 1, minHeight: 0 }}>{children}</div>
    </section>
  )
}

function Kpi({
  label,
  value,
  sub,
  alarm,
}: {
  label: string
  value: ReactNode
  sub?: ReactNode
  alarm?: boolean
}) {
  return (
    <div style={{ ...panel, justifyContent: 'center' }} data-kpi={label}>
      <div style={{ fontSize: 24, color: '#a9bedb' }}>{label}</div>
      <div
        className="num"
        style={{ fontSize: 64, fontWeight: 700, lineHeight: 1.15, color: alarm ? '#ff7875' : '#ffffff' }}
      >
        {value}
      </div>
      <div className="num" style={{ fontSize: 20, color: '#a9bedb', minHeight: 28 }}>
        {sub}
      </div>
    </div>
  )
}

export function WallPage() {
  const me = useMe()
  const { t, locale } = useI18n()
  const scale = useScale()
  const now = useNow()
  const zone = me.merchant.timezone
  const base = me.merchant.baseCurrency
  const finance = FINANCE.includes(me.role)
  const { summary: s, margin, error } = useDashboard(finance)
  const look = { dark: true, font: 18 }
  const gmv = s ? gmvByCurrency(s.today) : []
  const baseGmv = gmv.find((g) => g.currency === base)?.amount ?? '0.00'

  // The wall owns the whole window: no page scrollbars behind the letterbox.
  useEffect(() => {
    const prev = document.body.style.overflow
    document.body.style.overflow = 'hidden'
    return () => {
      document.body.style.overflow = prev
    }
  }, [])

  return (
    <div
      style={{ position: 'fixed', inset: 0, background: '#050d1f', overflow: 'hidden' }}
      data-testid="wall"
    >
      <div
        data-scale={scale}
        style={{
          width: W,
          height: H,
          position: 'absolute',
          left: (window.innerWidth - W * scale) / 2,
          top: (window.innerHeight - H * scale) / 2,
          transform: `scale(${scale})`,
          transformOrigin: '0 0',
          background: 'radial-gradient(ellipse at top, #0f2a55 0%, #050d1f 70%)',
          color: '#e6f0ff',
          display: 'grid',
          gridTemplateRows: '88px 200px 1fr 1fr',
          gap: 16,
          padding: 20,
          boxSizing: 'border-box',
        }}
      >
        <header style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between' }}>
          <div style={{ fontSize: 40, fontWeight: 700, letterSpacing: 2 }}>
            {me.merchant.name} · {t('dashboard.wall')}
          </div>
          <div style={{ display: 'flex', alignItems: 'center', gap: 32, fontSize: 24, color: '#a9bedb' }}>
            {error ? <span style={{ color: '#ff7875' }}>⚠</span> : null}
            {s && (
              <span className="num">
                {t('dashboard.updatedAt', { time: formatTime(s.at, zone, { seconds: true }).slice(11) })}
              </span>
            )}
            <span className="num" style={{ fontSize: 36, color: '#ffffff' }}>
              {formatTime(now, zone, { seconds: true })}
            </span>
            <button
              type="button"
              aria-label={t('dashboard.openWall')}
              onClick={() => void document.documentElement.requestFullscreen?.().catch(() => undefined)}
              style={{
                background: 'transparent',
                border: '1px solid #40639a',
                color: '#a9bedb',
                borderRadius: 6,
                padding: '6px 10px',
                cursor: 'pointer',
                fontSize: 22,
              }}
            >
              <ExpandOutlined />
            </button>
          </div>
        </header>

        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(6, 1fr)', gap: 16 }}>
          <Kpi
            label={t('dashboard.todayOrders')}
            value={s ? ordersToday(s) : 0}
            sub={s ? t('dashboard.vsYesterday', { n: ordersYesterday(s) }) : ''}
          />
          <Kpi
            label={t('dashboard.todayGmv')}
            value={
              <span style={{ fontSize: baseGmv.length > 12 ? 44 : 56 }}>
                {formatMoney(baseGmv, base, locale)}
              </span>
            }
            sub={gmv
              .filter((g) => g.currency !== base)
              .map((g) => formatMoney(g.amount, g.currency, locale))
              .join('　')}
          />
          <Kpi
            label={t('dashboard.exceptionsOpen')}
            value={s ? exceptionsOpen(s) : 0}
            alarm={!!s && exceptionsOpen(s) > 0}
          />
          <Kpi
            label={t('dashboard.lowStock')}
            value={s?.lowStock.count ?? 0}
            alarm={!!s && s.lowStock.count > 0}
          />
          <Kpi
            label={t('dashboard.writebacksFailed')}
            value={s?.writebacks.failed ?? 0}
            sub={`${t('dashboard.writebacksPending')} ${s?.writebacks.pending ?? 0}`}
            alarm={!!s && s.writebacks.failed > 0}
          />
          <Kpi
            label={t('dashboard.afterSales')}
            value={s?.afterSalesPending ?? 0}
            sub={`${t('dashboard.alertsOpen')} ${s?.alertsOpen ?? 0}`}
          />
        </div>

        <div style={{ display: 'grid', gridTemplateColumns: '760px 1fr 520px', gap: 16, minHeight: 0 }}>
          <Panel title={t('dashboard.byChannel')}>
            {s && (
              <EChart
                dark
                label={t('dashboard.byChannel')}
                locale={locale}
                height="100%"
                option={channelOption(s, t, look, base)}
              />
            )}
          </Panel>
          <Panel title={t('dashboard.hourly')}>
            {s && (
              <EChart
                dark
                label={t('dashboard.hourly')}
                locale={locale}
                height="100%"
                option={hourlyOption(s, t, look)}
              />
            )}
          </Panel>
          <Panel title={t('dashboard.syncHealth')}>
            <div style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
              {(s?.shops ?? []).slice(0, 7).map((shop) => (
                <div
                  key={shop.shopId}
                  style={{ display: 'flex', alignItems: 'center', gap: 12, fontSize: 22 }}
                >
                  <span
                    style={{
                      width: 14,
                      height: 14,
                      borderRadius: 7,
                      background: HEALTH_HEX[shop.health],
                      flex: 'none',
                    }}
                  />
                  <span
                    style={{ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
                    title={shop.name}
                  >
                    {shop.name}
                  </span>
                  <span style={{ color: HEALTH_HEX[shop.health] }}>
                    {t(`dashboard.health.${shop.health}`)}
                  </span>
                  <span className="num" style={{ color: '#a9bedb', width: 140, textAlign: 'right' }}>
                    {shop.lagMinutes !== null && shop.health !== 'disabled'
                      ? t('dashboard.lag', { n: shop.lagMinutes })
                      : ''}
                  </span>
                </div>
              ))}
            </div>
          </Panel>
        </div>

        <div
          style={{
            display: 'grid',
            gridTemplateColumns: finance ? '640px 1fr 520px' : '1fr 520px',
            gap: 16,
            minHeight: 0,
          }}
        >
          <Panel title={t('dashboard.exceptions')}>
            {s && s.exceptionsByReason.length > 0 ? (
              <EChart
                dark
                label={t('dashboard.exceptions')}
                locale={locale}
                height="100%"
                option={exceptionsOption(s, t, look)}
              />
            ) : (
              <div style={{ fontSize: 24, color: '#a9bedb' }}>{t('dashboard.noExceptions')}</div>
            )}
          </Panel>
          {finance && (
            <Panel title={`${t('dashboard.marginTrend')} · ${base}`}>
              {margin && margin.items.length > 0 ? (
                <EChart
                  dark
                  label={t('dashboard.marginTrend')}
                  locale={locale}
                  height="100%"
                  option={marginOption(margin, t, look, base)}
                />
              ) : (
                <div style={{ fontSize: 24, color: '#a9bedb' }}>{t('dashboard.noMargin')}</div>
              )}
            </Panel>
          )}
          <Panel title={t('dashboard.stockAlerts')}>
            <div style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
              {(s?.lowStock.items ?? []).slice(0, 7).map((i) => (
                <div key={i.skuId} style={{ display: 'flex', gap: 12, fontSize: 22 }}>
                  <span className="num" style={{ color: '#91caff' }}>
                    {i.code}
                  </span>
                  <span
                    style={{ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
                    title={i.name}
                  >
                    {i.name}
                  </span>
                  <span className="num" style={{ color: '#ff7875' }}>
                    {i.available} / {i.threshold}
                  </span>
                </div>
              ))}
              {s && s.lowStock.items.length === 0 && (
                <div style={{ fontSize: 24, color: '#a9bedb' }}>{t('dashboard.noLowStock')}</div>
              )}
            </div>
          </Panel>
        </div>
      </div>
    </div>
  )
}
