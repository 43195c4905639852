/**
 * The unified order state machine. Platforms report what they know (pending_payment, paid,
 * shipped, completed, cancelled); the hub adds its own warehouse states (allocated, picking,
 * on_hold). A platform update moves the order forward or leaves a hub state in place; an update
 * that would move it backwards is an invalid transition, surfaced as an exception.
 */
import { ORDER_STATUSES, type OrderStatus, type PlatformOrderStatus, type RefundState } from './types.js'

/**
 * `review` marks an accepted update that a person must still look at: the platform says shipped
 * (or completed) while the hub holds stock for the order (allocated, picking, on_hold), i.e. the
 * parcel left outside the hub. The hub status stays and an invalid_transition exception is raised,
 * so someone ships it in the hub (stock moves) or releases it; the platform data is still stored.
 */
export type Transition = { ok: true; status: OrderStatus; review?: string } | { ok: false; reason: string }

const HUB_WAREHOUSE_STATES: readonly OrderStatus[] = ['allocated', 'picking', 'on_hold']

export function nextStatus(
  current: OrderStatus | null,
  platform: PlatformOrderStatus,
  refund: RefundState = 'none',
): Transition {
  const ok = (status: OrderStatus): Transition => ({ ok: true, status })
  const bad = (): Transition => ({ ok: false, reason: `${current} → ${platform} is not a valid transition` })
  if (current === null || current === platform) return ok(platform)
  switch (current) {
    case 'pending_payment':
      return ok(platform)
    case 'paid':
    case 'allocated':
    case 'picking':
    case 'on_hold':
      if (platform === 'pending_payment') return bad()
      // The platform still says "paid" while the hub allocates and picks: the hub state stands.
      if (platform === 'paid') return ok(current)
      // Shipped outside the hub: with nothing reserved (paid) the order simply moves on.
      if ((platform === 'shipped' || platform === 'completed') && current !== 'paid') {
        return {
          ok: true,
          status: current,
          review: `the platform says ${platform} while the hub holds the order as ${current}: shipped outside the hub?`,
        }
      }
      return ok(platform)
    case 'shipped':
      if (platform === 'paid') return ok('shipped') // the platform has not seen the writeback yet
      if (platform === 'completed') return ok('completed')
      // A trade closed after a full refund of shipped goods: the refund state tells the story.
      if (platform === 'cancelled' && refund === 'refunded') return ok('shipped')
      return bad()
    case 'completed':
      if (platform === 'paid' || platform === 'shipped') return ok('completed')
      if (platform === 'cancelled' && refund === 'refunded') return ok('completed')
      return bad()
    case 'cancelled':
      return bad()
  }
}

export const isHubWarehouseState = (s: OrderStatus): boolean => HUB_WAREHOUSE_STATES.includes(s)

/**
 * Who changes an order's status: the platform (a newer version of the order, through the rules of
 * nextStatus above) or the hub's own steps (allocation, waves, picking, holds, shipment).
 */
export type StatusSource = 'platform' | 'inventory' | 'wave' | 'fulfillment'

const PLATFORM_STATUSES: readonly PlatformOrderStatus[] = [
  'pending_payment',
  'paid',
  'shipped',
  'completed',
  'cancelled',
]
const REFUND_CASES: readonly RefundState[] = ['none', 'refunded']

/** Every change a platform update can make, derived from nextStatus. */
const PLATFORM_MOVES = new Set(
  ORDER_STATUSES.flatMap((from) =>
    PLATFORM_STATUSES.flatMap((p) =>
      REFUND_CASES.flatMap((r) => {
        const t = nextStatus(from, p, r)
        return t.ok && t.status !== from ? [`${from}>${t.status}`] : []
      }),
    ),
  ),
)

/**
 * The hub's own moves: allocation (paid → allocated), a wave (allocated → picking), a shortage at
 * the shelf (back to paid, or on hold when part already shipped), a refund before shipment (on
 * hold), a shipment (allocated or picking → shipped).
 */
const HUB_MOVES: Readonly<Record<Exclude<StatusSource, 'platform'>, readonly string[]>> = {
  inventory: ['paid>allocated', 'paid>on_hold', 'allocated>on_hold', 'picking>on_hold'],
  wave: ['allocated>picking'],
  fulfillment: [
    'allocated>paid',
    'picking>paid',
    'allocated>on_hold',
    'picking>on_hold',
    'allocated>shipped',
    'picking>shipped',
  ],
}

/** Whether `source` may move an order from `from` to `to`. */
export function canChangeStatus(from: OrderStatus, to: OrderStatus, source: StatusSource): boolean {
  if (from === to) return false
  return source === 'platform'
    ? PLATFORM_MOVES.has(`${from}>${to}`)
    : HUB_MOVES[source].includes(`${from}>${to}`)
}
