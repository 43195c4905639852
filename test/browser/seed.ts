/**
 * A merchant as the browser tests see it: one user per role, two warehouses, four shops (one
 * failing its sync, one disabled), and orders across every status with real-looking platform
 * numbers and exact amounts (a 19-digit Taobao tid, a 17-digit amount, a USD order). Fixed times:
 * nothing depends on today's date.
 */
import { Decimal } from 'decimal.js'
import type { AppContext } from '../../src/context.js'
import { newId } from '../../src/lib/ids.js'
import { createApiKey, createMerchant } from '../../src/merchants/repo.js'
import type { OrderStatus } from '../../src/orders/types.js'
import { createShop } from '../../src/shops/repo.js'
import { upsertSkus } from '../../src/skus/repo.js'
import { createUser } from '../../src/users/service.js'
import { createWarehouse } from '../../src/warehouses/repo.js'

export const PASSWORD = 'correct horse battery'

export interface Seeded {
  merchantId: string
  adminKey: string
  logins: { admin: string; warehouse: string; accountant: string }
  shops: { tmall: string; jd: string; store: string; shopify: string }
  orderCount: number
  byStatus: Record<OrderStatus, number>
}

const STATUSES: OrderStatus[] = [
  'paid',
  'paid',
  'allocated',
  'picking',
  'shipped',
  'shipped',
  'completed',
  'on_hold',
  'cancelled',
  'pending_payment',
]
const BUYERS = ['张三', '李小龙', 'tb_8823', '王五', 'jd_hz2024', '赵敏', 'Alice', '周杰', '吴小姐', '郑先生']
const PROVINCES = ['浙江省', '广东省', '北京市', '上海市', '江苏省']

export async function seed(ctx: AppContext): Promise<Seeded> {
  const { db } = ctx
  const m = await createMerchant(db, { name: '杭州好物商贸有限公司' })
  const adminKey = (await createApiKey(db, m.id, { role: 'admin', name: '订单导出脚本' }, ctx.clock.now()))
    .token
  const hz = await createWarehouse(db, m.id, { code: 'HZ', name: '杭州仓' })
  await createWarehouse(db, m.id, { code: 'SZ', name: '深圳仓' })
  const logins = {
    admin: 'wangfang@haowu.test',
    warehouse: '13800000001',
    accountant: 'hanmeimei@haowu.test',
  }
  await createUser(db, m.id, { email: logins.admin, name: '王芳', role: 'admin', password: PASSWORD })
  await createUser(db, m.id, {
    phone: logins.warehouse,
    name: '李雷',
    role: 'warehouse',
    password: PASSWORD,
    warehouseIds: [hz.id],
  })
  await createUser(db, m.id, {
    email: logins.accountant,
    name: '韩梅梅',
    role: 'accountant',
    password: PASSWORD,
  })

  const key = ctx.config.secretKey
  const shops = {
    tmall: (await createShop(ctx, key, m.id, { channel: 'taobao', name: '好物天猫旗舰店' })).id,
    jd: (await createShop(ctx, key, m.id, { channel: 'jd', name: '好物京东自营店' })).id,
    store: (await createShop(ctx, key, m.id, { channel: 'selfstore', name: '好物自营商城' })).id,
    shopify: (await createShop(ctx, key, m.id, { channel: 'shopify', name: 'Haowu Global (Shopify)' })).id,
  }
  await db.updateTable('shops').set({ status: 'disabled' }).where('id', '=', shops.shopify).execute()
  const at = (iso: string) => new Date(iso)
  await db
    .insertInto('sync_cursors')
    .values([
      {
        merchant_id: m.id,
        shop_id: shops.tmall,
        stream: 'orders',
        cursor_at: at('2026-12-07T05:50:00Z'),
        last_run_at: at('2026-12-07T06:00:00Z'),
        last_ok_at: at('2026-12-07T06:00:00Z'),
        last_error: null,
      },
      {
        merchant_id: m.id,
        shop_id: shops.jd,
        stream: 'orders',
        cursor_at: at('2026-12-07T03:00:00Z'),
        last_run_at: at('2026-12-07T06:00:00Z'),
        last_ok_at: at('2026-12-07T03:10:00Z'),
        last_error: 'B04: 订单状态不正确',
      },
    ])
    .execute()
  await db
    .insertInto('sync_errors')
    .values({
      id: newId(),
      merchant_id: m.id,
      shop_id: shops.jd,
      stream: 'orders',
      kind: 'auth_expired',
      message: '19: access_token已过期',
      http_status: 200,
      body: null,
    })
    .execute()

  await upsertSkus(ctx, m.id, [
    { code: 'TS-001-BK-M', name: '纯棉圆领T恤 黑色 M' },
    { code: 'MUG-350-WH', name: '陶瓷马克杯 350ml 白色' },
  ])
  const skus = await db.selectFrom('skus').select(['id', 'code']).where('merchant_id', '=', m.id).execute()

  const byStatus = Object.fromEntries(
    ['pending_payment', 'paid', 'allocated', 'picking', 'shipped', 'completed', 'on_hold', 'cancelled'].map(
      (s) => [s, 0],
    ),
  ) as Record<OrderStatus, number>
  const shopCycle = [shops.tmall, shops.jd, shops.store]
  const channelOf = { [shops.tmall]: 'taobao', [shops.jd]: 'jd', [shops.store]: 'selfstore' } as Record<
    string,
    string
  >
  const count = 36
  for (let i = 0; i < count; i++) {
    const status = STATUSES[i % STATUSES.length]!
    byStatus[status]++
    const shopId = shopCycle[i % 3]!
    const usd = i === 5
    // The first order carries the largest DECIMAL(18,4) amount to the cent: a float would show …99.98.
    const paid =
      i === 0
        ? '99999999999999.99'
        : new Decimal(59.9)
            .mul(i + 1)
            .plus(i % 2 ? '0.5' : '0')
            .toFixed(2)
    const orderId = newId(Date.UTC(2026, 11, 7, 6, 0) - (count - i) * 3_600_000)
    const placed = new Date(Date.UTC(2026, 11, 7, 6, 5) - (count - i) * 3_600_000)
    await db
      .insertInto('orders')
      .values({
        id: orderId,
        merchant_id: m.id,
        shop_id: shopId,
        channel: channelOf[shopId]!,
        external_id: {
          taobao: `38912045${String(10000000000 + i * 7919).slice(0, 11)}`,
          jd: `${320451000000 + i * 37}`,
          selfstore: `SO20261207${String(1000 + i)}`,
        }[channelOf[shopId]!]!,
        status,
        platform_status: status === 'pending_payment' ? 'WAIT_BUYER_PAY' : 'WAIT_SELLER_SEND_GOODS',
        refund_state: i === 4 ? 'partial' : 'none',
        currency: usd ? 'USD' : 'CNY',
        placed_at: placed,
        paid_at: status === 'pending_payment' ? null : placed,
        shipped_at: null,
        platform_updated_at: placed,
        buyer_id: `b${i}`,
        buyer_nick: BUYERS[i % BUYERS.length]!,
        buyer_email: null,
        receiver: JSON.stringify({
          name: '张*',
          phone: '138****0000',
          province: PROVINCES[i % 5],
          city: '杭州市',
          district: '西湖区',
          address: '文三路 *** 号',
        }),
        receiver_province: PROVINCES[i % 5]!,
        receiver_key: null,
        buyer_note: i === 1 ? '请用顺丰发货' : null,
        seller_note: null,
        goods_amount: paid,
        platform_discount: '0.00',
        merchant_discount: '0.00',
        shipping_amount: '0.00',
        tax_amount: '0.00',
        buyer_paid: paid,
        merge_group_id: null,
        open_exceptions: status === 'on_hold' ? 1 : 0,
        raw_inbox_id: null,
      })
      .execute()
    const sku = skus.find((k) => k.code === (i % 2 ? 'MUG-350-WH' : 'TS-001-BK-M'))!
    const lineId = newId()
    await db
      .insertInto('order_lines')
      .values({
        id: lineId,
        merchant_id: m.id,
        order_id: orderId,
        line_no: 1,
        external_line_id: `${i}-1`,
        platform_item_id: null,
        platform_sku_id: null,
        outer_code: sku.code,
        title: i % 2 ? '陶瓷马克杯 350ml' : '纯棉圆领T恤',
        sku_properties: i % 2 ? '颜色:白色' : '颜色:黑色;尺码:M',
        quantity: 1,
        unit_price: paid,
        goods_amount: paid,
        platform_discount: '0',
        merchant_discount: '0',
        shipping_share: '0',
        tax_amount: '0',
        paid_amount: paid,
        sku_id: sku.id,
        is_bundle: 0,
        platform_status: null,
        refund_state: 'none',
        refunded_quantity: 0,
        refunded_amount: '0',
      })
      .execute()
    await db
      .insertInto('order_line_skus')
      .values({
        id: newId(),
        merchant_id: m.id,
        order_id: orderId,
        order_line_id: lineId,
        sku_id: sku.id,
        quantity: 1,
        revenue_share: paid,
      })
      .execute()
  }
  return { merchantId: m.id, adminKey, logins, shops, orderCount: count, byStatus }
}
