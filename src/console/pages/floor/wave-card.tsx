/**
 * A wave's stage, and a wave on the handheld: the whole row in one cell, stacked to the width of a
 * 360 px screen, so that 拣货 is a thumb's reach away and nothing hides at the edge of a table that
 * scrolls sideways. The number and the stage first, then where and when, what it holds, how far
 * picking has come, and its actions last.
 */
import { Flex, Progress, Tag, Typography } from 'antd'
import type { ReactNode } from 'react'
import type { Wave, WaveStage } from '../../api/types'
import { Time } from '../../components/format'
import { useI18n } from '../../i18n'

export const STAGE_COLOR: Record<WaveStage, string> = {
  to_pick: 'orange',
  picking: 'blue',
  picked: 'cyan',
  shipped: 'green',
  cancelled: 'default',
}

export function WaveStageTag({ stage }: { stage: WaveStage }) {
  const { t } = useI18n()
  return <Tag color={STAGE_COLOR[stage]}>{t(`floor.stage.${stage}`)}</Tag>
}

export function WaveCard({ wave: w, actions }: { wave: Wave; actions: ReactNode }) {
  const { t } = useI18n()
  return (
    <Flex vertical gap={4} data-testid="wave-card" className="ep-handheld">
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Typography.Text strong className="mono" style={{ fontSize: 18 }}>
          {w.code}
        </Typography.Text>
        <WaveStageTag stage={w.stage} />
      </Flex>
      <div className="ep-muted" style={{ overflowWrap: 'anywhere' }}>
        {w.warehouseName} · <Time value={w.createdAt} />
      </div>
      {/* Tabular digits without .num's nowrap: at 360 px the line may need to wrap. */}
      <div style={{ fontVariantNumeric: 'tabular-nums' }}>
        {t('floor.waves.ordersUnits', { orders: w.orders, units: w.units })}
        {w.heldOrders > 0 && (
          <Typography.Text type="danger">{t('floor.waves.heldOut', { n: w.heldOrders })}</Typography.Text>
        )}
        {w.shippedOrders > 0 && (
          <span className="ep-muted">
            {' · '}
            {t('floor.waves.shippedOf', { shipped: w.shippedOrders, orders: w.orders })}
          </span>
        )}
      </div>
      <Progress
        size="small"
        percent={w.units === 0 ? 0 : Math.round((w.pickedUnits / w.units) * 100)}
        format={() => `${w.pickedUnits}/${w.units}`}
        style={{ marginBlock: 0 }}
      />
      {actions}
    </Flex>
  )
}
