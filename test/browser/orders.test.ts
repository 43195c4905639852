/**
 * The order pool in Chromium against the real API and a sandbox self-run store: a new order
 * appears without reloading, the search finds it by its number, buyer and phone tail, and its
 * drawer shows the apportioned lines and raw versions and changes the receiver by hand.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  startSelfstoreSandbox,
  type SelfstoreSandbox,
  type StoreOrder,
} from '../../src/sandbox/selfstore-server.js'
import { pullStream } from '../../src/sync/pull.js'
import { bearer } from '../helpers/app.js'
import { browserMissing, eventually, openSignedIn, shoot, startWorld, type World } from './harness.js'
import { PASSWORD } from './seed.js'

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

describe.skipIf(browserMissing())('the order pool', () => {
  let w: World
  let store: SelfstoreSandbox
  let shopId = ''

  /** A paid order in the sandbox store, pulled into the hub the way the scheduler would. */
  async function newOrder(): Promise<StoreOrder> {
    // A second ago: the pull's window ends at its own now, exclusive.
    const [o] = store.generate(1, new Date(w.env.ctx.clock.now().getTime() - 1000))
    o!.status = 'paid'
    o!.paid_at = o!.created_at
    const r = await pullStream(w.env.ctx, w.data.merchantId, shopId, 'orders')
    expect(r.stored).toBeGreaterThanOrEqual(1)
    return o!
  }

  beforeAll(async () => {
    w = await startWorld()
    store = await startSelfstoreSandbox({
      seed: 3,
      catalogue: [
        { skuCode: 'TS-001-BK-M', title: '纯棉圆领T恤 黑色 M', price: '79.00' },
        { skuCode: 'MUG-350-WH', title: '陶瓷马克杯 350ml', price: '39.90' },
      ],
      apiKey: 'ss-key',
      webhookSecret: 'ss-secret',
    })
    const res = await w.env.app.inject({
      method: 'POST',
      url: '/shops',
      headers: bearer(w.data.adminKey),
      payload: {
        channel: 'selfstore',
        name: '好物小程序商城',
        settings: { baseUrl: store.url },
        credentials: { apiKey: 'ss-key', webhookSecret: 'ss-secret' },
      },
    })
    expect(res.statusCode).toBe(201)
    shopId = res.json<{ id: string }>().id
  })
  afterAll(async () => {
    expect(w.offsite).toEqual([])
    await store?.close()
    await w?.close()
  })

  it('a new order from the sandbox store appears in the open list without reloading', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/orders')
    await eventually(() => page.getByRole('tab', { name: /全部/ }).textContent()).toBe(
      `全部${w.data.orderCount}`,
    )
    let reloads = 0
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) reloads++
    })
    const o = await newOrder()
    const row = page.locator('.ant-table-row').filter({ hasText: o.id })
    await eventually(() => row.count(), 'the new order shows up by itself').toBe(1)
    // At the top, with the tab count moved on, and the page never reloaded.
    await expect(page.locator('.ant-table-row').first().textContent()).resolves.toContain(o.id)
    await eventually(() => page.getByRole('tab', { name: /全部/ }).textContent()).toBe(
      `全部${w.data.orderCount + 1}`,
    )
    expect(reloads).toBe(0)
    await shoot(page, 'orders-live')
    await context.close()
  })

  it('searches by a prefix of the order number, the buyer and the phone tail', async () => {
    const o = await newOrder()
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/orders')
    const search = async (text: string) => {
      await page.getByRole('textbox', { name: '搜索' }).fill(text)
      await page.getByRole('button', { name: '查询' }).click()
    }
    await search(o.id.slice(0, -1))
    await eventually(() => page.locator('.ant-table-row').filter({ hasText: o.id }).count()).toBe(1)
    const phone = (o.shipping_address as { phone: string }).phone
    await search(phone.slice(-4))
    await eventually(() => page.locator('.ant-table-row').filter({ hasText: o.id }).count()).toBe(1)
    // Nothing matches the middle of a number.
    await search(o.id.slice(3))
    await eventually(() => page.getByText('没有符合条件的记录。').count()).toBe(1)
    await page.getByRole('button', { name: '重置' }).click()
    await context.close()
  })

  it('the drawer shows the apportioned lines and the raw version, and a receiver fixed by hand', async () => {
    const o = await newOrder()
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/orders')
    await page.locator('.ant-table-row').filter({ hasText: o.id }).click()
    const drawer = page.getByRole('dialog')
    await drawer.getByText('商品明细').waitFor()
    await expect(drawer.getByText('商家优惠分摊').count()).resolves.toBeGreaterThan(0)
    await expect(drawer.getByText('平台原始版本').count()).resolves.toBe(1)
    await expect(drawer.getByText('当前采用').count()).resolves.toBe(1)
    await shoot(page, 'order-drawer-actions')

    await drawer.getByRole('button', { name: '修改地址' }).click()
    const modal = page.getByRole('dialog', { name: '修改收货信息' })
    await modal.getByLabel('详细地址').fill('文三路 478 号 华星时代广场 A 座 12 楼')
    await modal.getByLabel('收货人').fill('王小明')
    await shoot(page, 'order-receiver')
    await modal.getByRole('button', { name: '保存' }).click()
    await eventually(() => drawer.getByTestId('receiver-text').textContent()).toContain(
      '华星时代广场 A 座 12 楼',
    )
    await expect(drawer.getByTestId('receiver-text').textContent()).resolves.toContain('王小明')
    // Kept on the server, in the audit log, and over a re-run of the platform's version.
    const id = (
      await w.env.ctx.db
        .selectFrom('orders')
        .select('id')
        .where('merchant_id', '=', w.data.merchantId)
        .where('external_id', '=', o.id)
        .executeTakeFirstOrThrow()
    ).id
    await w.env.app.inject({ method: 'POST', url: `/orders/${id}/rerun`, headers: bearer(w.data.adminKey) })
    const detail = await w.env.app.inject({
      method: 'GET',
      url: `/orders/${id}`,
      headers: bearer(w.data.adminKey),
    })
    expect(detail.json<{ receiver: { address: string; name: string } }>().receiver).toMatchObject({
      address: '文三路 478 号 华星时代广场 A 座 12 楼',
      name: '王小明',
    })
    const audit = await w.env.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type'])
      .where('merchant_id', '=', w.data.merchantId)
      .where('entity_id', '=', id)
      .execute()
    expect(audit).toContainEqual(expect.objectContaining({ action: 'order.receiver', actor_type: 'user' }))
    await context.close()
  })

  it('the drawer fits a 360 px handheld, and reads in English', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/orders', {
      width: 360,
      height: 740,
      mobile: true,
    })
    await page.locator('.ant-table-row').first().waitFor()
    await shoot(page, 'orders-360')
    await page.locator('.ant-table-row').first().locator('td').first().click()
    await page.getByRole('dialog').getByText('商品明细').waitFor()
    await shoot(page, 'order-drawer-360')
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await context.close()
    const en = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/orders', {
      width: 1280,
      height: 800,
    })
    await en.page.getByText('EN', { exact: true }).click()
    await en.page.getByRole('heading', { name: 'Order pool' }).waitFor()
    await en.page.locator('.ant-table-row').first().click()
    await en.page.getByRole('dialog').getByText('Stock allocation').waitFor()
    await shoot(en.page, 'order-drawer-en')
    await en.page.keyboard.press('Escape')
    await en.page.getByRole('dialog').waitFor({ state: 'hidden' })
    await en.page.getByText('中文', { exact: true }).click()
    await en.page.getByRole('heading', { name: '订单池' }).waitFor()
    await en.context.close()
  })
})
