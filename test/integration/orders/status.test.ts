/**
 * One function changes an order's status (setOrderStatus): the transitions the rules refuse are
 * refused before anything is written, the allowed ones are conditional on the status the caller
 * read, scoped to the merchant, and land in the order's history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../../src/lib/clock.js'
import { createMerchant } from '../../../src/merchants/repo.js'
import { setOrderStatus, StatusChangeRefused } from '../../../src/orders/repo.js'
import { canChangeStatus, type StatusSource } from '../../../src/orders/state.js'
import { ORDER_STATUSES, type OrderStatus } from '../../../src/orders/types.js'
import { createShop } from '../../../src/shops/repo.js'
import { freshDb, type TestDb } from '../../helpers/db.js'
import { seedOrder } from '../../helpers/orders.js'

let t: TestDb
let merchantId: string
let otherId: string
let shopId: string

beforeAll(async () => {
  t = await freshDb()
  merchantId = (await createMerchant(t.db, { name: 'm' })).id
  otherId = (await createMerchant(t.db, { name: 'other' })).id
  shopId = (
    await createShop({ db: t.db, clock: systemClock }, Buffer.alloc(32), merchantId, {
      channel: 'selfstore',
      name: 'web',
    })
  ).id
})
afterAll(() => t.drop())

/** When the changes below happen: a fixed day, as the callers' clocks give it. */
const at = new Date('2031-06-07T08:09:10.000Z')

const order = async (status: OrderStatus) =>
  (await seedOrder(t.db, merchantId, shopId, [], { status })).orderId
const row = (id: string) =>
  t.db.selectFrom('orders').select(['status', 'updated_at']).where('id', '=', id).executeTakeFirstOrThrow()
const history = (id: string) =>
  t.db
    .selectFrom('order_status_history')
    .select(['from_status', 'to_status', 'source', 'note'])
    .where('order_id', '=', id)
    .execute()

describe('the transition rules', () => {
  const allowed = (source: StatusSource) =>
    ORDER_STATUSES.flatMap((from) =>
      ORDER_STATUSES.filter((to) => canChangeStatus(from, to, source)).map((to) => `${from}>${to}`),
    ).sort()

  it('give the hub its warehouse moves only', () => {
    expect(allowed('inventory')).toEqual([
      'allocated>on_hold',
      'paid>allocated',
      'paid>on_hold',
      'picking>on_hold',
    ])
    expect(allowed('wave')).toEqual(['allocated>picking'])
    expect(allowed('fulfillment')).toEqual(
      [
        'allocated>on_hold',
        'allocated>paid',
        'allocated>shipped',
        'picking>on_hold',
        'picking>paid',
        'picking>shipped',
      ].sort(),
    )
  })

  it('give the platform what nextStatus accepts, never backwards and never out of cancelled', () => {
    const p = allowed('platform')
    expect(p).toContain('pending_payment>paid')
    expect(p).toContain('paid>cancelled')
    expect(p).toContain('allocated>cancelled')
    expect(p).toContain('shipped>completed')
    for (const refused of [
      'paid>pending_payment',
      'shipped>paid',
      'completed>shipped',
      'paid>allocated', // a hub state never comes from a platform
      'allocated>picking',
      'on_hold>paid',
    ])
      expect(p).not.toContain(refused)
    expect(p.filter((x) => x.startsWith('cancelled>'))).toEqual([])
  })
})

describe('setOrderStatus', () => {
  it('refuses what the rules do not allow, before writing anything', async () => {
    const refused: [OrderStatus, OrderStatus, StatusSource][] = [
      ['shipped', 'paid', 'fulfillment'],
      ['cancelled', 'paid', 'platform'],
      ['paid', 'picking', 'wave'], // not allocated first
      ['paid', 'shipped', 'fulfillment'], // nothing reserved
      ['on_hold', 'shipped', 'fulfillment'],
      ['completed', 'allocated', 'inventory'],
      ['paid', 'paid', 'inventory'],
    ]
    for (const [from, to, source] of refused) {
      const id = await order(from)
      const before = await row(id)
      await expect(setOrderStatus(t.db, merchantId, id, { from, to, source, at })).rejects.toThrow(
        StatusChangeRefused,
      )
      expect(await row(id)).toEqual(before)
      expect(await history(id)).toEqual([])
    }
    // One refused state among several refuses the whole change.
    const id = await order('picking')
    await expect(
      setOrderStatus(t.db, merchantId, id, {
        from: ['picking', 'shipped'],
        to: 'paid',
        source: 'fulfillment',
        at,
      }),
    ).rejects.toThrow(StatusChangeRefused)
    expect((await row(id)).status).toBe('picking')
  })

  it('moves an order in the expected state and records the change', async () => {
    const id = await order('paid')
    expect(
      await setOrderStatus(t.db, merchantId, id, {
        from: 'paid',
        to: 'allocated',
        source: 'inventory',
        note: 'W1',
        at,
      }),
    ).toBe('paid')
    expect(await row(id)).toEqual({ status: 'allocated', updated_at: at })
    expect(await history(id)).toEqual([
      { from_status: 'paid', to_status: 'allocated', source: 'inventory', note: 'W1' },
    ])
  })

  it('does nothing to an order that is no longer in the state read, or is another merchant’s', async () => {
    const id = await order('cancelled')
    expect(
      await setOrderStatus(t.db, merchantId, id, { from: 'paid', to: 'allocated', source: 'inventory', at }),
    ).toBe(null)
    expect((await row(id)).status).toBe('cancelled')
    const mine = await order('paid')
    expect(
      await setOrderStatus(t.db, otherId, mine, { from: 'paid', to: 'allocated', source: 'inventory', at }),
    ).toBe(null)
    expect((await row(mine)).status).toBe('paid')
    expect(await history(mine)).toEqual([])
  })

  it('is conditional on the open exception count when asked', async () => {
    const id = await order('paid')
    expect(
      await setOrderStatus(t.db, merchantId, id, {
        from: 'paid',
        to: 'allocated',
        source: 'inventory',
        openExceptions: 1,
        at,
      }),
    ).toBe(null)
    expect((await row(id)).status).toBe('paid')
  })

  it('records the state it really left when several were allowed', async () => {
    const id = await order('allocated')
    const left = await t.db.transaction().execute((tx) =>
      setOrderStatus(tx, merchantId, id, {
        from: ['picking', 'allocated'],
        to: 'paid',
        source: 'fulfillment',
        at,
      }),
    )
    expect(left).toBe('allocated')
    expect(await history(id)).toEqual([
      { from_status: 'allocated', to_status: 'paid', source: 'fulfillment', note: null },
    ])
  })

  it('dates a shipment by the time given', async () => {
    const id = await order('picking')
    const shippedAt = new Date('2026-11-11T03:04:05.000Z')
    await setOrderStatus(t.db, merchantId, id, {
      from: 'picking',
      to: 'shipped',
      source: 'fulfillment',
      at: shippedAt,
    })
    const r = await t.db
      .selectFrom('orders')
      .select(['status', 'shipped_at', 'updated_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(r).toEqual({ status: 'shipped', shipped_at: shippedAt, updated_at: shippedAt })
  })
})
