/**
 * The dashboards' data, refreshed on a timer (the wall runs unattended: a failed refresh keeps the
 * last figures and tries again), and the ECharts options both the home page and the wall draw.
 */
import { useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { DashboardSummary, MarginSeries } from '../../api/types'
import type { ChartOption } from '../../components/chart'
import type { Translate } from '../../i18n'

export const REFRESH_MS = 30_000

export function useDashboard(withMargin: boolean, refreshMs = REFRESH_MS) {
  const [summary, setSummary] = useState<DashboardSummary | null>(null)
  const [margin, setMargin] = useState<MarginSeries | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    let live = true
    const load = async () => {
      try {
        const s = await endpoints.dashboard()
        if (!live) return
        setSummary(s)
        setError(null)
        if (withMargin) {
          const to = addDays(s.date, 1)
          const m = await endpoints.margin(addDays(s.date, -29), to)
          if (live) setMargin(m)
        }
      } catch (e) {
        if (live) setError(e)
      }
    }
    void load()
    const timer = setInterval(() => void load(), refreshMs)
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [withMargin, refreshMs])
  return { summary, margin, error }
}

export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

/** Sum of decimal strings to cents, exact (BigInt cents): GMV totals per currency for the KPI tile. */
export function sumAmounts(amounts: readonly string[]): string {
  let cents = 0n
  for (const a of amounts) {
    const neg = a.startsWith('-')
    const [i, f = ''] = a.replace('-', '').split('.')
    const c = BigInt(i || '0') * 100n + BigInt((f + '00').slice(0, 2))
    cents += neg ? -c : c
  }
  const neg = cents < 0n
  const abs = neg ? -cents : cents
  return `${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`
}

export function gmvByCurrency(rows: DashboardSummary['today']): { currency: string; amount: string }[] {
  const by = new Map<string, string[]>()
  for (const r of rows) by.set(r.currency, [...(by.get(r.currency) ?? []), r.gmv])
  return [...by]
    .sort(([a], [b]) => (a === 'CNY' ? -1 : b === 'CNY' ? 1 : a < b ? -1 : 1))
    .map(([currency, a]) => ({ currency, amount: sumAmounts(a) }))
}

export const ordersToday = (s: DashboardSummary) => s.today.reduce((n, r) => n + r.orders, 0)
export const ordersYesterday = (s: DashboardSummary) => s.yesterday.reduce((n, r) => n + r.orders, 0)
export const exceptionsOpen = (s: DashboardSummary) => s.exceptionsByReason.reduce((n, r) => n + r.count, 0)

interface Look {
  dark?: boolean
  /** Base font size of axis labels and legends. */
  font: number
  /** A phone-wide chart: category labels are turned to fit every one of them. */
  narrow?: boolean
}
const axisText = (l: Look) => ({ fontSize: l.font, color: l.dark ? '#c9d6ea' : '#595959' })
const splitLine = (l: Look) => ({ lineStyle: { color: l.dark ? 'rgba(255,255,255,0.12)' : '#f0f0f0' } })

/** Orders per channel today (bars) with the base-currency GMV (a second axis). */
export function channelOption(s: DashboardSummary, t: Translate, l: Look, base: string): ChartOption {
  const channels = [...new Set(s.today.map((r) => r.channel))]
  const orders = channels.map((c) => s.today.filter((r) => r.channel === c).reduce((n, r) => n + r.orders, 0))
  // Plotting needs numbers; the exact figures are in the tiles and the tables. A channel that sells
  // in another currency has no point on the base-currency line (a gap, not a zero).
  const gmv = channels.map((c) => {
    const own = s.today.filter((r) => r.channel === c && r.currency === base)
    return own.length === 0 ? null : Number(sumAmounts(own.map((r) => r.gmv)))
  })
  return {
    tooltip: { trigger: 'axis' },
    legend: { textStyle: axisText(l), top: 0 },
    grid: { left: 8, right: 8, top: l.font * 3, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: channels.map((c) => t(`channels.${c}` as never)),
      // Every channel named, never every other one: turned on a narrow chart.
      axisLabel: { ...axisText(l), interval: 0, rotate: l.narrow && channels.length > 3 ? 40 : 0 },
    },
    yAxis: [
      {
        type: 'value',
        axisLabel: axisText(l),
        splitLine: splitLine(l),
        minInterval: 1,
      },
      {
        type: 'value',
        axisLabel: axisText(l),
        splitLine: { show: false },
      },
    ],
    series: [
      {
        name: t('dashboard.orders'),
        type: 'bar',
        data: orders,
        barMaxWidth: 48,
        label: { show: true, position: 'top', ...axisText(l) },
      },
      {
        name: `${t('dashboard.gmv')} (${base})`,
        type: 'line',
        yAxisIndex: 1,
        data: gmv,
        symbolSize: l.font / 2,
      },
    ],
  }
}

export function hourlyOption(s: DashboardSummary, t: Translate, l: Look): ChartOption {
  const hours = Array.from({ length: 24 }, (_, h) => h)
  const counts = hours.map((h) => s.hourly.find((x) => x.hour === h)?.orders ?? 0)
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: hours.map((h) => t('dashboard.hour', { n: h })),
      axisLabel: axisText(l),
    },
    yAxis: { type: 'value', minInterval: 1, axisLabel: axisText(l), splitLine: splitLine(l) },
    series: [{ name: t('dashboard.orders'), type: 'bar', barMaxWidth: 24, data: counts }],
  }
}

export function exceptionsOption(s: DashboardSummary, t: Translate, l: Look): ChartOption {
  const rows = [...s.exceptionsByReason].reverse()
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, axisLabel: axisText(l), splitLine: splitLine(l) },
    yAxis: {
      type: 'category',
      data: rows.map((r) => t(`orders.reason.${r.reason}` as never)),
      axisLabel: axisText(l),
    },
    series: [
      {
        type: 'bar',
        data: rows.map((r) => r.count),
        itemStyle: { color: '#f5222d' },
        barMaxWidth: 32,
        label: { show: true, position: 'right', ...axisText(l) },
      },
    ],
  }
}

/** Margin % per channel per day in the base currency (the API converts every currency at its booked value). */
export function marginOption(m: MarginSeries, t: Translate, l: Look, base: string): ChartOption {
  const days = [...new Set(m.items.map((i) => i.day))].sort()
  const channels = [...new Set(m.items.filter((i) => i.currency === base).map((i) => i.channel))]
  return {
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v}%` : '—'),
    },
    legend: { textStyle: axisText(l), top: 0 },
    grid: { left: 8, right: 16, top: l.font * 3, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: days.map((d) => d.slice(5)), axisLabel: axisText(l) },
    yAxis: { type: 'value', axisLabel: { ...axisText(l), formatter: '{value}%' }, splitLine: splitLine(l) },
    series: channels.map((c) => ({
      name: t(`channels.${c}` as never),
      type: 'line',
      connectNulls: true,
      data: days.map((d) => {
        const p = m.items.find((i) => i.day === d && i.channel === c && i.currency === base)?.marginPercent
        return p === null || p === undefined ? null : Number(p)
      }),
    })),
  }
}
