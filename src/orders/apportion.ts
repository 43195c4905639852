/**
 * Apportionment of an order's amounts over its lines (pure). Order-level discounts (platform-
 * and merchant-funded kept apart) are spread by line value after line discounts, shipping by
 * goods value; the remainder goes to the last line (DESIGN.md) unless that would make a line
 * negative, in which case it moves to the nearest earlier line with room.
 *
 * Identity, exact for every order:  Σ line.paid = goods − platformDiscount − merchantDiscount
 *   where line.paid = line.goods − line.platformDiscount − line.merchantDiscount (after apportioning).
 */
import { apportion, Decimal, sum, ZERO } from '../money/index.js'

export interface LineAmounts {
  goods: Decimal
  platformDiscount: Decimal
  merchantDiscount: Decimal
}

export interface ApportionedLine {
  platformDiscount: Decimal
  merchantDiscount: Decimal
  shippingShare: Decimal
  paid: Decimal
}

/** Spread `total` over `caps`-bounded weights: shares sum to total, each share ≤ its cap when Σcaps ≥ total. */
export function apportionCapped(total: Decimal, caps: readonly Decimal[], dp = 2): Decimal[] {
  const shares = apportion(
    total,
    caps.map((c) => Decimal.max(c, ZERO)),
    dp,
  )
  for (let i = shares.length - 1; i >= 0; i--) {
    const excess = shares[i]!.minus(Decimal.max(caps[i]!, ZERO))
    if (excess.lte(0)) continue
    shares[i] = shares[i]!.minus(excess)
    let left = excess
    for (let j = shares.length - 1; j >= 0 && left.gt(0); j--) {
      if (j === i) continue
      const room = Decimal.max(caps[j]!, ZERO).minus(shares[j]!)
      const take = Decimal.min(room, left)
      if (take.gt(0)) {
        shares[j] = shares[j]!.plus(take)
        left = left.minus(take)
      }
    }
    shares[i] = shares[i]!.plus(left) // nothing had room: the discount exceeds the goods
  }
  return shares
}

export function apportionOrder(
  lines: readonly LineAmounts[],
  orderLevel: { platformDiscount: Decimal; merchantDiscount: Decimal },
  shipping: Decimal,
): ApportionedLine[] {
  if (lines.length === 0) return []
  const room1 = lines.map((l) => l.goods.minus(l.platformDiscount).minus(l.merchantDiscount))
  const platform = apportionCapped(orderLevel.platformDiscount, room1)
  const room2 = room1.map((r, i) => r.minus(platform[i]!))
  const merchant = apportionCapped(orderLevel.merchantDiscount, room2)
  const shippingShares = apportion(
    shipping,
    lines.map((l) => l.goods),
  )
  return lines.map((l, i) => {
    const platformDiscount = l.platformDiscount.plus(platform[i]!)
    const merchantDiscount = l.merchantDiscount.plus(merchant[i]!)
    return {
      platformDiscount,
      merchantDiscount,
      shippingShare: shippingShares[i]!,
      paid: l.goods.minus(platformDiscount).minus(merchantDiscount),
    }
  })
}

export const totalPaid = (lines: readonly ApportionedLine[]): Decimal => sum(lines.map((l) => l.paid))
