/**
 * The one ECharts wrapper: echarts/core with only the charts and components the console uses (tree
 * shaken), the SVG renderer (crisp on the wall, readable in tests), resize with its box, disposed on
 * unmount. A chart gets its option and a height; the theme is 'dark' on the wall.
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { SVGRenderer } from 'echarts/renderers'
import { useEffect, useRef } from 'react'

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer])

export type ChartOption = echarts.EChartsCoreOption

export function EChart({
  option,
  height,
  dark,
  locale,
  label,
}: {
  option: ChartOption
  height: number | string
  dark?: boolean
  locale: 'zh-CN' | 'en'
  /** What the chart shows, for screen readers and tests. */
  label: string
}) {
  const box = useRef<HTMLDivElement>(null)
  const chart = useRef<echarts.ECharts | null>(null)

  useEffect(() => {
    if (!box.current) return
    const c = echarts.init(box.current, dark ? 'dark' : undefined, {
      renderer: 'svg',
      locale: locale === 'en' ? 'EN' : 'ZH',
    })
    chart.current = c
    const ro = new ResizeObserver(() => c.resize())
    ro.observe(box.current)
    return () => {
      ro.disconnect()
      c.dispose()
      chart.current = null
    }
  }, [dark, locale])

  useEffect(() => {
    chart.current?.setOption(
      { backgroundColor: 'transparent', animationDuration: 400, ...option },
      { notMerge: true },
    )
  }, [option, dark, locale])

  return <div ref={box} role="img" aria-label={label} data-chart={label} style={{ width: '100%', height }} />
}
