/**
 * End to end over real HTTP: two sandbox self-run stores, a WooCommerce site, a Taobao shop (sandbox
 * TOP gateway) and a Shopify store → pulls → pool → allocation on shared stock → stock pushes back
 * to every shop → a wave picked and shipped → writebacks reach every shop → the statement's totals
 * equal what the shops themselves record as sold and shipped.
 */
import iconv from 'iconv-lite'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startWorkers, type Workers } from '../../../jobs/worker.js'
import type { QueueName } from '../../../jobs/queues.js'
import { checkInventory } from '../../../src/inventory/check.js'
import { receive } from '../../../src/inventory/operations.js'
import { money, sum, type Decimal } from '../../../src/money/index.js'
import { startSelfstoreSandbox, type SelfstoreSandbox } from '../../../src/sandbox/selfstore-server.js'
import { startShopifySandbox, type ShopifySandbox } from '../../../src/sandbox/shopify-server.js'
import { startTopSandbox, type TopSandbox } from '../../../src/sandbox/top-server.js'
import { startWooSandbox, type WooSandbox } from '../../../src/sandbox/woocommerce-server.js'
import { pullStream } from '../../../src/sync/pull.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { systemClock } from '../../../src/lib/clock.js'
import { newId } from '../../../src/lib/ids.js'
import { upsertRates } from '../../../src/ledger/rates.js'

let env: TestEnv
let m: TestMerchant
let workers: Workers
const stores: { sandbox: SelfstoreSandbox; shopId: string }[] = []
let woo: WooSandbox
let wooShopId = ''
let top: TopSandbox
let topShopId = ''
let shopifyStore: ShopifySandbox
let shopifyShopId = ''
const catalogue = [
  { skuCode: 'HOT-1', title: '爆款 保温杯', price: '99.00' },
  { skuCode: 'TEA-2', title: 'Green Tea 100g', price: '35.50' },
  { skuCode: 'MUG-3', title: 'Ceramic Mug', price: '45.00' },
]

async function drained(queues: QueueName[]): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const counts = await Promise.all(
      queues.map((q) => env.ctx.queues[q].getJobCounts('waiting', 'active', 'delayed', 'prioritized')),
    )
    if (counts.every((c) => Object.values(c).every((n) => n === 0))) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`queues ${queues.join(', ')} did not drain`)
}

beforeAll(async () => {
  env = await testEnv({ config: { STOCK_PUSH_DEBOUNCE_MS: '100', WORKER_CONCURRENCY: '4' } })
  m = await seedMerchant(env.ctx)
  // The USD shops' sales are converted to the base currency (CNY) at their day's rate: without one
  // they would wait. The sandboxes sell now, so the rates are of the days around now (UTC+8).
  const day = (offset: number) =>
    new Date(systemClock.now().getTime() + 8 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10)
  await upsertRates(
    env.ctx.db,
    m.id,
    newId(),
    [-2, -1, 0, 1].map((d) => ({
      source: 'MANUAL',
      rateDate: day(d),
      baseCcy: 'USD',
      quoteCcy: 'CNY',
      unit: 1,
      quoted: '7.1000',
      rate: money('7.1'),
    })),
  )
  const wh = await createWarehouse(env.ctx.db, m.id, { code: 'HZ', name: '杭州仓', regions: ['浙江省'] })
  await upsertSkus(
    env.ctx,
    m.id,
    catalogue.map((c) => ({ code: c.skuCode, name: c.title })),
  )
  const skus = await env.ctx.db
    .selectFrom('skus')
    .select(['id', 'code'])
    .where('merchant_id', '=', m.id)
    .execute()
  for (const s of skus)
    await receive(
      env.ctx.db,
      m.id,
      {
        warehouseId: wh.id,
        skuId: s.id,
        quantity: s.code === 'HOT-1' ? 6 : 500,
        unitCost: '10.00',
        currency: 'CNY',
      },
      { actor: 'e2e' },
    )
  for (const n of [0, 1]) {
    const sandbox = await startSelfstoreSandbox({
      seed: 42 + n,
      catalogue,
      apiKey: `key-${n}`,
      webhookSecret: `sec-${n}`,
    })
    const res = await env.app.inject({
      method: 'POST',
      url: '/shops',
      headers: bearer(m.keys.admin),
      payload: {
        channel: 'selfstore',
        name: `store ${n}`,
        settings: { baseUrl: sandbox.url },
        credentials: { apiKey: `key-${n}`, webhookSecret: `sec-${n}` },
      },
    })
    expect(res.statusCode).toBe(201)
    stores.push({ sandbox, shopId: res.json<{ id: string }>().id })
  }
  woo = await startWooSandbox({
    seed: 7,
    catalogue,
    consumerKey: 'ck_e2e',
    consumerSecret: 'cs_e2e',
    currency: 'USD',
  })
  const w = await env.app.inject({
    method: 'POST',
    url: '/shops',
    headers: bearer(m.keys.admin),
    payload: {
      channel: 'woocommerce',
      name: 'woo',
      settings: { baseUrl: woo.url },
      credentials: { consumerKey: 'ck_e2e', consumerSecret: 'cs_e2e', webhookSecret: 'x' },
    },
  })
  expect(w.statusCode).toBe(201)
  wooShopId = w.json<{ id: string }>().id
  // Refunds are left out here (refundRate 0): the sandbox tests cover them; this loop checks sale figures.
  top = await startTopSandbox({
    seed: 9,
    catalogue,
    appKey: '21000001',
    appSecret: 'top-secret',
    session: 'top-session',
    refundRate: 0,
  })
  const t = await env.app.inject({
    method: 'POST',
    url: '/shops',
    headers: bearer(m.keys.admin),
    payload: {
      channel: 'taobao',
      name: '淘宝店',
      settings: { baseUrl: top.url, signMethod: 'hmac-sha256', ratePerSecond: 1000 },
      credentials: { appKey: '21000001', appSecret: 'top-secret', session: 'top-session' },
    },
  })
  expect(t.statusCode).toBe(201)
  topShopId = t.json<{ id: string }>().id
  shopifyStore = await startShopifySandbox({
    seed: 5,
    catalogue,
    accessToken: 'shpat_e2e',
    webhookSecret: 'whsec_e2e',
    refundRate: 0,
  })
  const s = await env.app.inject({
    method: 'POST',
    url: '/shops',
    headers: bearer(m.keys.admin),
    payload: {
      channel: 'shopify',
      name: 'shopify',
      settings: {
        shopDomain: shopifyStore.shopDomain,
        baseUrl: shopifyStore.url,
        ratePerSecond: 1000,
        locations: { [wh.id]: shopifyStore.locationIds[0] },
      },
      credentials: { accessToken: 'shpat_e2e', webhookSecret: 'whsec_e2e' },
    },
  })
  expect(s.statusCode).toBe(201)
  shopifyShopId = s.json<{ id: string }>().id
  workers = startWorkers(env.ctx)
})
afterAll(async () => {
  await workers.close()
  for (const s of stores) await s.sandbox.close()
  await woo.close()
  await top.close()
  await shopifyStore.close()
  await env.close()
})

it('runs the whole loop: orders in, no oversell, stock out, ship, writeback, statement = what the stores sold', async () => {
  // Orders arrive on both stores; every order is pulled over HTTP exactly once into the pool.
  const at = new Date(systemClock.now().getTime() - 60_000)
  for (const s of stores) s.sandbox.generate(15, at)
  for (const s of stores) {
    const r = await pullStream(env.ctx, m.id, s.shopId, 'orders')
    expect(r.stored).toBe(15)
    await env.app.inject({
      method: 'POST',
      url: '/sku-mappings/auto',
      headers: bearer(m.keys.admin),
      payload: { shopId: s.shopId },
    })
  }
  woo.generate(10, at)
  expect((await pullStream(env.ctx, m.id, wooShopId, 'orders')).stored).toBe(10)
  await env.app.inject({
    method: 'POST',
    url: '/sku-mappings/auto',
    headers: bearer(m.keys.admin),
    payload: { shopId: wooShopId },
  })
  top.generate(15, at)
  shopifyStore.generate(12, at)
  for (const [shopId, n] of [
    [topShopId, 15],
    [shopifyShopId, 12],
  ] as const) {
    expect((await pullStream(env.ctx, m.id, shopId, 'orders')).stored).toBe(n)
    await env.app.inject({
      method: 'POST',
      url: '/sku-mappings/auto',
      headers: bearer(m.keys.admin),
      payload: { shopId },
    })
    // A second pull over the overlap stores nothing new: every order lands once.
    expect((await pullStream(env.ctx, m.id, shopId, 'orders')).stored).toBe(0)
  }
  const pool = await env.ctx.db
    .selectFrom('orders')
    .select(['id', 'external_id', 'shop_id', 'status'])
    .where('merchant_id', '=', m.id)
    .execute()
  expect(pool).toHaveLength(67)
  expect(new Set(pool.map((o) => `${o.shop_id}/${o.external_id}`)).size).toBe(67)
  // The hot SKU is sold on every channel.
  const hotShops = await env.ctx.db
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .select('o.shop_id')
    .distinct()
    .where('l.merchant_id', '=', m.id)
    .where('l.outer_code', '=', 'HOT-1')
    .execute()
  expect(hotShops.map((r) => r.shop_id).sort()).toEqual(
    [...stores.map((s) => s.shopId), wooShopId, topShopId, shopifyShopId].sort(),
  )
  await drained(['inventory-order-event', 'stock-push'])

  // The hot SKU had 6 units for both stores together: never more reserved than on hand.
  expect(await checkInventory(env.ctx.db, m.id)).toEqual([])
  const hot = await env.ctx.db
    .selectFrom('stock as s')
    .innerJoin('skus as k', 'k.id', 's.sku_id')
    .select(['s.on_hand', 's.reserved'])
    .where('k.code', '=', 'HOT-1')
    .executeTakeFirstOrThrow()
  expect(hot.reserved).toBeLessThanOrEqual(6)

  // Every store was told what it can sell: available = on hand − reserved (ratio 1, no safety stock).
  const levels = await env.ctx.db
    .selectFrom('stock as s')
    .innerJoin('skus as k', 'k.id', 's.sku_id')
    .select(['k.code', 's.on_hand', 's.reserved'])
    .where('s.merchant_id', '=', m.id)
    .execute()
  for (const s of stores)
    for (const l of levels)
      expect(s.sandbox.stock.get(l.code)?.quantity, `${l.code}`).toBe(l.on_hand - l.reserved)
  for (const l of levels)
    expect(woo.stock.get(woo.productIdOf(l.code)), `woo ${l.code}`).toBe(l.on_hand - l.reserved)
  for (const l of levels)
    expect(top.stock.get(top.skuIdOf(l.code))?.quantity, `taobao ${l.code}`).toBe(l.on_hand - l.reserved)
  for (const l of levels)
    expect(shopifyStore.available(l.code, shopifyStore.locationIds[0]!), `shopify ${l.code}`).toBe(
      l.on_hand - l.reserved,
    )

  // A wave is picked and shipped; every shipment is written back to the store it came from.
  const wave = await env.app.inject({
    method: 'POST',
    url: '/waves',
    headers: bearer(m.keys.warehouse),
    payload: {
      warehouseId: (await env.ctx.db.selectFrom('warehouses').select('id').executeTakeFirstOrThrow()).id,
      maxOrders: 1000,
    },
  })
  expect(wave.statusCode).toBe(201)
  const members = await env.ctx.db
    .selectFrom('wave_orders')
    .select('order_id')
    .where('wave_id', '=', wave.json<{ waveId: string }>().waveId)
    .execute()
  let tracking = 1000
  for (const o of members) {
    const res = await env.app.inject({
      method: 'POST',
      url: `/orders/${o.order_id}/ship`,
      headers: bearer(m.keys.warehouse),
      payload: { parcels: [{ carrier: 'SF', trackingNumber: `SF${tracking++}` }] },
    })
    expect(res.statusCode).toBe(200)
  }
  await drained(['shipment-writeback', 'ledger-order-event', 'stock-push'])
  const shipped = await env.ctx.db
    .selectFrom('orders')
    .select(['external_id', 'shop_id'])
    .where('merchant_id', '=', m.id)
    .where('status', '=', 'shipped')
    .execute()
  expect(shipped.length).toBe(members.length)
  const received = [
    ...stores.flatMap((s) => s.sandbox.shipments.map((x) => `${s.shopId}/${x.orderId}`)),
    ...woo.notes.map((n) => `${wooShopId}/${n.orderId}`),
    ...top.shipments.map((x) => `${topShopId}/${x.tid}`),
    ...[...new Set(shopifyStore.fulfillments.map((f) => f.orderId))].map((id) => `${shopifyShopId}/${id}`),
  ].sort()
  expect(received).toEqual(shipped.map((o) => `${o.shop_id}/${o.external_id}`).sort())
  for (const s of shipped.filter((o) => o.shop_id === topShopId))
    expect(top.trades.get(s.external_id)?.status).toBe('WAIT_BUYER_CONFIRM_GOODS')
  for (const s of shipped.filter((o) => o.shop_id === shopifyShopId))
    expect(shopifyStore.orders.get(s.external_id)?.fulfillmentOrder.status).toBe('CLOSED')
  expect(top.shipments.length).toBeGreaterThan(0)
  expect(shopifyStore.fulfillments.length).toBeGreaterThan(0)
  expect(await checkInventory(env.ctx.db, m.id)).toEqual([])

  // The statement, computed from the journal, equals the stores' own record of what was shipped.
  const shippedIds = new Set(
    shipped
      .filter((o) => o.shop_id !== wooShopId && o.shop_id !== shopifyShopId)
      .map((o) => `${o.shop_id}/${o.external_id}`),
  )
  const sold = [
    ...stores.flatMap((s) =>
      s.sandbox.sold.map((g) => ({ id: `${s.shopId}/SO${String(g.seq).padStart(6, '0')}`, g })),
    ),
    ...top.sold.map((g) => ({ id: `${topShopId}/${g.externalId}`, g })),
  ].filter((x) => shippedIds.has(x.id))
  expect(sold).toHaveLength(shippedIds.size)
  const platformDiscounts = sum(sold.flatMap((x) => x.g.lines.map((l) => money(l.platformDiscount))))
  const gross = sum(sold.flatMap((x) => x.g.lines.map((l) => money(l.goods))))
  const discounts = sum(sold.flatMap((x) => x.g.lines.map((l) => money(l.merchantDiscount))))
  const shipping = sum(sold.map((x) => money(x.g.shipping)))
  const today = new Date(systemClock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10)
  const tomorrow = new Date(systemClock.now().getTime() + 32 * 3600_000).toISOString().slice(0, 10)
  const stmt = (
    await env.app.inject({
      method: 'GET',
      url: `/statements?from=2026-01-01&to=${tomorrow > today ? tomorrow : today}`,
      headers: bearer(m.keys.accountant),
    })
  ).json<{ items: Record<string, string>[] }>()
  const cny = stmt.items.find((r) => r.currency === 'CNY')
  expect(cny).toMatchObject({
    currency: 'CNY',
    grossSales: gross.toFixed(2),
    merchantDiscounts: discounts.toFixed(2),
    platformDiscounts: platformDiscounts.toFixed(2),
    shippingIncome: shipping.toFixed(2),
    netSales: gross.minus(discounts).plus(shipping).toFixed(2),
  })
  expect(money(cny!.cogs!).gt(0)).toBe(true)
  // The WooCommerce store sells in USD: its own statement row equals its own record of what shipped.
  const wooShipped = new Set(shipped.filter((o) => o.shop_id === wooShopId).map((o) => o.external_id))
  expect(wooShipped.size).toBeGreaterThan(0)
  const wooSold = woo.sold.filter((_g, i) => wooShipped.has(String(5000 + i)))
  // The Shopify store sells in USD too: the USD row is both stores' own records of what shipped.
  const shopifyShipped = new Set(shipped.filter((o) => o.shop_id === shopifyShopId).map((o) => o.external_id))
  const usdSold = [...wooSold, ...shopifyStore.sold.filter((g) => shopifyShipped.has(g.externalId))]
  expect(usdSold.length).toBe(wooShipped.size + shopifyShipped.size)
  const usd = stmt.items.find((r) => r.currency === 'USD')!
  expect(usd).toMatchObject({
    grossSales: sum(usdSold.flatMap((g) => g.lines.map((l) => money(l.goods)))).toFixed(2),
    merchantDiscounts: sum(usdSold.flatMap((g) => g.lines.map((l) => money(l.merchantDiscount)))).toFixed(2),
    shippingIncome: sum(usdSold.map((g) => money(g.shipping))).toFixed(2),
  })

  // Settlement: the Shopify store pays out what it collected; the hub pulls the payout and its
  // balance transactions, posts them, and matches every shipped order to its charge.
  const payout = shopifyStore.payout(systemClock.now().toISOString().slice(0, 10))
  expect(payout).not.toBeNull()
  const pulled = await pullStream(env.ctx, m.id, shopifyShopId, 'settlements')
  expect(pulled.stored).toBeGreaterThan(0)
  expect((await pullStream(env.ctx, m.id, shopifyShopId, 'settlements')).stored).toBe(0) // pulled again: nothing new
  const shopifyStmt = (
    await env.app.inject({
      method: 'GET',
      url: `/statements?from=2026-01-01&to=${tomorrow > today ? tomorrow : today}&shopId=${shopifyShopId}`,
      headers: bearer(m.keys.accountant),
    })
  )
    .json<{ items: Record<string, string>[] }>()
    .items.find((r) => r.currency === 'USD')!
  expect(shopifyStmt.paidOut).toBe(payout!.amount)
  // Everything settled, less the payment fees, went to the bank: the platform balance is zero.
  expect(money(shopifyStmt.settled!).minus(money(shopifyStmt.paymentFees!)).toFixed(2)).toBe(payout!.amount)
  const rec = (
    await env.app.inject({
      method: 'GET',
      url: `/reconciliation?from=2026-01-01&to=${tomorrow > today ? tomorrow : today}&shopId=${shopifyShopId}`,
      headers: bearer(m.keys.accountant),
    })
  ).json<{ summary: Record<string, number>; items: { kind: string; orderExternalId: string }[] }>()
  expect(
    rec.items
      .filter((f) => f.kind === 'matched')
      .map((f) => f.orderExternalId)
      .sort(),
  ).toEqual([...shopifyShipped].sort())
  expect(rec.summary).toMatchObject({
    amount_differs: 0,
    unknown_order: 0,
    unknown_type: 0,
    fee_without_order: 0,
    fee_differs: 0,
  })
  // Charged but not shipped yet (revenue at shipment): awaiting the sale, not a discrepancy.
  const charged = new Set(
    (
      await env.ctx.db
        .selectFrom('settlement_lines')
        .select('order_external_id')
        .where('shop_id', '=', shopifyShopId)
        .where('type', '=', 'sale')
        .execute()
    ).map((l) => l.order_external_id),
  )
  expect(rec.summary.matched! + rec.summary.awaiting_sale!).toBe(charged.size)

  // The Tmall seller downloads the Alipay statement (GBK) for the shipped trades: each trade's
  // money, a 5% commission, and a withdrawal of the balance. Imported, it settles every shipped
  // trade exactly; importing it again changes nothing.
  const topShipped = top.sold.filter((g) => shippedIds.has(`${topShopId}/${g.externalId}`))
  expect(topShipped.length).toBeGreaterThan(0)
  const rows: string[][] = []
  let balance = money(0)
  let serial = 0
  const postedAt = new Date(systemClock.now().getTime() + 8 * 3600_000 - 60_000)
    .toISOString()
    .slice(0, 19)
    .replace('T', ' ')
  const add = (merchantNo: string, item: string, amount: Decimal, type: string, base = '') => {
    balance = balance.plus(amount)
    rows.push([
      `2026${String(++serial).padStart(12, '0')}`,
      `B${serial}`,
      merchantNo,
      item,
      postedAt,
      'x**1@163.com',
      amount.gt(0) ? amount.toFixed(2) : '',
      amount.lt(0) ? amount.toFixed(2) : '',
      balance.toFixed(2),
      '淘宝',
      type,
      '',
      '',
      '淘宝',
      base,
      '',
    ])
  }
  let commission = money(0)
  for (const g of topShipped) {
    const goodsLessDiscount = sum(g.lines.map((l) => money(l.goods).minus(money(l.merchantDiscount))))
    add(`T200P${g.externalId}`, '交易', goodsLessDiscount.plus(money(g.shipping)), '在线支付')
    const fee = goodsLessDiscount.mul('0.05').toDecimalPlaces(2)
    commission = commission.plus(fee)
    add('CAE_CHARGE', '天猫佣金（类目）', fee.neg(), '收费', g.externalId)
  }
  const withdrawn = balance
  add('', '提现-实时提现', withdrawn.neg(), '提现')
  const csv = [
    '#支付宝账务明细查询',
    '#账号：[20880123456789010156]',
    [
      '账务流水号',
      '业务流水号',
      '商户订单号',
      '商品名称',
      '发生时间',
      '对方账号',
      '收入金额（+元）',
      '支出金额（-元）',
      '账户余额（元）',
      '交易渠道',
      '业务类型',
      '备注',
      '业务描述',
      '业务账单来源',
      '业务基础订单号',
      '业务订单号',
    ].join(','),
    ...rows.map((r) => r.map((c) => `${c}\t`).join(',')),
    '#导出时间：[2026年11月26日 09:00:00]',
    '',
  ].join('\r\n')
  const upload = () =>
    env.app.inject({
      method: 'POST',
      url: `/settlements/import?shopId=${topShopId}`,
      headers: { ...bearer(m.keys.accountant), 'content-type': 'text/csv' },
      payload: iconv.encode(csv, 'gbk'),
    })
  const imported = await upload()
  expect(imported.json()).toMatchObject({ duplicateFile: false, inserted: rows.length, rejected: [] })
  expect((await upload()).json()).toMatchObject({ duplicateFile: true, inserted: 0 })
  const topRec = (
    await env.app.inject({
      method: 'GET',
      url: `/reconciliation?from=2026-01-01&to=${tomorrow > today ? tomorrow : today}&shopId=${topShopId}`,
      headers: bearer(m.keys.accountant),
    })
  ).json<{ summary: Record<string, number>; items: { kind: string; orderExternalId: string }[] }>()
  expect(
    topRec.items
      .filter((f) => f.kind === 'matched')
      .map((f) => f.orderExternalId)
      .sort(),
  ).toEqual(topShipped.map((g) => g.externalId).sort())
  expect(topRec.summary).toMatchObject({
    amount_differs: 0,
    unknown_order: 0,
    unknown_type: 0,
    fee_without_order: 0,
  })
  const topStmt = (
    await env.app.inject({
      method: 'GET',
      url: `/statements?from=2026-01-01&to=${tomorrow > today ? tomorrow : today}&shopId=${topShopId}`,
      headers: bearer(m.keys.accountant),
    })
  )
    .json<{ items: Record<string, string>[] }>()
    .items.find((r) => r.currency === 'CNY')!
  expect(topStmt).toMatchObject({
    commissions: commission.toFixed(2),
    paidOut: withdrawn.toFixed(2),
    difference: '0.00',
  })
  expect(topStmt.settled).toBe(topStmt.expectedReceivable)
})
