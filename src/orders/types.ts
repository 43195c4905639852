/**
 * The hub's order states. The unified order draft every connector produces is part of the
 * connector contract (connectors/types.ts) and re-exported here.
 */
export {
  REFUND_STATES,
  mapFailed,
  mapped,
  type MapFailureReason,
  type MapResult,
  type PlatformOrderStatus,
  type Receiver,
  type RefundState,
  type UnifiedLineDraft,
  type UnifiedOrderDraft,
} from '../../connectors/types.js'

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'allocated',
  'picking',
  'shipped',
  'completed',
  'on_hold',
  'cancelled',
] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]
