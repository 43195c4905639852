/**
 * The exception inbox in Chromium: an order from a sandbox store whose product is not mapped waits
 * as 商品未匹配 SKU; mapping it from the screen re-runs the order, and the inventory worker allocates
 * it from stock — the order shows as 已分配 without anyone touching the API.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startWorkers, type Workers } from '../../jobs/worker.js'
import { receive } from '../../src/inventory/operations.js'
import {
  startSelfstoreSandbox,
  type SelfstoreSandbox,
  type StoreOrder,
} from '../../src/sandbox/selfstore-server.js'
import { upsertSkus } from '../../src/skus/repo.js'
import { pullStream } from '../../src/sync/pull.js'
import { bearer } from '../helpers/app.js'
import {
  browserMissing,
  choose,
  eventually,
  openSignedIn,
  pickOption,
  shoot,
  startWorld,
  stillDialog,
  type World,
} from './harness.js'
import { PASSWORD } from './seed.js'

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

describe.skipIf(browserMissing())('the exception inbox', () => {
  let w: World
  let store: SelfstoreSandbox
  let workers: Workers
  let shopId = ''

  async function newOrder(): Promise<StoreOrder> {
    const [o] = store.generate(1, new Date(w.env.ctx.clock.now().getTime() - 1000))
    o!.status = 'paid'
    o!.paid_at = o!.created_at
    expect((await pullStream(w.env.ctx, w.data.merchantId, shopId, 'orders')).stored).toBe(1)
    return o!
  }
  const hubOrder = (externalId: string) =>
    w.env.ctx.db
      .selectFrom('orders')
      .select(['id', 'status', 'open_exceptions'])
      .where('merchant_id', '=', w.data.merchantId)
      .where('external_id', '=', externalId)
      .executeTakeFirstOrThrow()

  beforeAll(async () => {
    w = await startWorld()
    const { db } = w.env.ctx
    // The merchant's own code differs from the store's seller code: nothing maps by itself.
    await upsertSkus(w.env.ctx, w.data.merchantId, [{ code: 'TEA-GREEN-250', name: '明前龙井 250g' }])
    const [sku, hz] = await Promise.all([
      db
        .selectFrom('skus')
        .select('id')
        .where('merchant_id', '=', w.data.merchantId)
        .where('code', '=', 'TEA-GREEN-250')
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('warehouses')
        .select('id')
        .where('merchant_id', '=', w.data.merchantId)
        .where('code', '=', 'HZ')
        .executeTakeFirstOrThrow(),
    ])
    await receive(
      db,
      w.data.merchantId,
      { warehouseId: hz.id, skuId: sku.id, quantity: 20, unitCost: '35.00', currency: 'CNY' },
      { actor: 'browser-test' },
    )
    store = await startSelfstoreSandbox({
      seed: 11,
      catalogue: [{ skuCode: 'SS-LONGJING', title: '西湖龙井 明前特级 250g 礼盒', price: '168.00' }],
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
    workers = startWorkers(w.env.ctx, ['inventory-order-event'])
  })
  afterAll(async () => {
    expect(w.offsite).toEqual([])
    await workers?.close()
    await store?.close()
    await w?.close()
  })

  it('maps an unmapped SKU from the screen, and the order allocates', async () => {
    const o = await newOrder()
    expect(await hubOrder(o.id)).toMatchObject({ status: 'paid', open_exceptions: 1 })
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/exceptions')
    await page.getByRole('heading', { name: '异常订单' }).waitFor()
    await eventually(() => page.getByRole('tab', { name: /商品未匹配 SKU/ }).textContent()).toBe(
      '商品未匹配 SKU1',
    )
    const row = page.locator('.ant-table-row').filter({ hasText: o.id })
    await eventually(() => row.textContent()).toContain('西湖龙井 明前特级 250g 礼盒（SS-LONGJING）')
    await shoot(page, 'exceptions')

    await row.getByRole('button', { name: '对应 SKU' }).click()
    const modal = page.getByRole('dialog', { name: /对应 SKU/ })
    await stillDialog(page, /对应 SKU/).waitFor()
    await modal.getByRole('combobox').click()
    await modal.getByRole('combobox').fill('TEA-GREEN')
    await eventually(() => page.locator('.ant-select-dropdown:visible .ant-select-item-option').count()).toBe(
      1,
    )
    await pickOption(page, 'TEA-GREEN-250')
    await shoot(page, 'exceptions-map-sku')
    await modal.getByRole('button', { name: '保存' }).click()
    await page.getByText('已保存对应关系，1 个订单已重新处理').waitFor()
    // The exception is gone from the inbox, and the worker allocated the order from stock.
    await eventually(() => page.locator('.ant-table-row').filter({ hasText: o.id }).count()).toBe(0)
    await eventually(async () => (await hubOrder(o.id)).status, 'allocated by the worker').toBe('allocated')

    await page.goto(`${w.base}/app/orders`)
    await page.getByRole('textbox', { name: '搜索' }).fill(o.id)
    await page.getByRole('button', { name: '查询' }).click()
    const orderRow = page.locator('.ant-table-row').filter({ hasText: o.id })
    await eventually(() => orderRow.textContent()).toContain('已分配')
    await orderRow.locator('td').filter({ hasText: '好物小程序商城' }).click()
    const drawer = page.getByRole('dialog')
    await drawer.getByText('商品明细').waitFor()
    await eventually(() => drawer.getByTestId('allocations').textContent()).toContain('TEA-GREEN-250')
    await expect(drawer.getByTestId('allocations').textContent()).resolves.toContain('杭州仓')
    await shoot(page, 'order-allocated')
    await context.close()
  })

  it('assigns an exception and resolves several at once', async () => {
    // Two orders whose receiver has no address: 地址无法使用.
    const made: StoreOrder[] = []
    for (let i = 0; i < 2; i++) {
      const [o] = store.generate(1, new Date(w.env.ctx.clock.now().getTime() - 1000))
      o!.status = 'paid'
      o!.paid_at = o!.created_at
      ;(o!.shipping_address as Record<string, unknown>).address = ''
      made.push(o!)
    }
    await pullStream(w.env.ctx, w.data.merchantId, shopId, 'orders')
    // The SKU is mapped now: only the address holds them.
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/exceptions')
    await eventually(() => page.getByRole('tab', { name: /地址无法使用/ }).textContent()).toBe(
      '地址无法使用2',
    )
    await page.getByRole('tab', { name: /地址无法使用/ }).click()
    await eventually(() => page.locator('.ant-table-row').count()).toBe(2)

    const first = page.locator('.ant-table-row').filter({ hasText: made[0]!.id })
    await choose(page, first.getByRole('combobox', { name: '分配给' }), '王芳')
    await page.getByText('已分配给 王芳').waitFor()
    await page.getByText('我的', { exact: true }).click()
    await eventually(() => page.locator('.ant-table-row').count()).toBe(1)
    await page.getByText('所有人', { exact: true }).click()
    await eventually(() => page.locator('.ant-table-row').count()).toBe(2)

    for (const o of made)
      await page.locator('.ant-table-row').filter({ hasText: o.id }).locator('.ant-checkbox-input').check()
    await page.getByTestId('bulk-resolve').click()
    await page.getByRole('button', { name: '批量标记已处理' }).last().click()
    await page.getByText('已处理 2 个异常').waitFor()
    await eventually(() => page.locator('.ant-table-row').count()).toBe(0)
    await page.getByRole('switch').click()
    await eventually(() => page.locator('.ant-table-row').count()).toBeGreaterThanOrEqual(2)
    await shoot(page, 'exceptions-resolved')
    await context.close()
  })

  it('reads at 360 px and in English, every reason translated', async () => {
    const [o] = store.generate(1, new Date(w.env.ctx.clock.now().getTime() - 1000))
    o!.status = 'paid'
    o!.paid_at = o!.created_at
    ;(o!.shipping_address as Record<string, unknown>).address = ''
    await pullStream(w.env.ctx, w.data.merchantId, shopId, 'orders')
    const small = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/exceptions', {
      width: 360,
      height: 740,
      mobile: true,
    })
    await small.page.getByRole('heading', { name: '异常订单' }).waitFor()
    await eventually(() => small.page.locator('.ant-table-row').count()).toBe(1)
    await shoot(small.page, 'exceptions-360')
    const overflow = await small.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    // The fix column is whole on the handheld: every action of the row inside the table's visible
    // width (the table does not hide it behind a sideways scroll), in both languages.
    const fixesInView = async (names: string[]) => {
      const row = small.page.locator('.ant-table-row').filter({ hasText: o!.id })
      const table = (await small.page.locator('.ant-table-wrapper').boundingBox())!
      for (const name of names) {
        const box = (await row.getByRole('button', { name }).boundingBox())!
        expect(box.x + box.width, `${name} is whole`).toBeLessThanOrEqual(table.x + table.width)
      }
      expect(
        await small.page.locator('.ant-table-content').evaluate((e) => e.scrollWidth - e.clientWidth),
      ).toBeLessThanOrEqual(0)
    }
    await fixesInView(['修改地址', '查看订单', '标记已处理'])
    await small.page.getByText('EN', { exact: true }).click()
    await small.page.getByRole('heading', { name: 'Exception orders' }).waitFor()
    await fixesInView(['Fix address', 'View order', 'Mark resolved'])
    await shoot(small.page, 'exceptions-360-en')
    await small.page.getByText('中文', { exact: true }).click()
    await small.page.getByRole('heading', { name: '异常订单' }).waitFor()
    await small.context.close()

    const en = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/exceptions', {
      width: 1440,
      height: 900,
    })
    await en.page.getByRole('heading', { name: '异常订单' }).waitFor()
    await eventually(() => en.page.locator('.ant-table-row').filter({ hasText: o!.id }).count()).toBe(1)
    await shoot(en.page, 'exceptions-1440')
    await en.page.getByText('EN', { exact: true }).click()
    await en.page.getByRole('heading', { name: 'Exception orders' }).waitFor()
    await eventually(() =>
      en.page.locator('.ant-table-row').filter({ hasText: o!.id }).textContent(),
    ).toContain('Unusable address')
    await shoot(en.page, 'exceptions-en')
    const text = (await en.page.locator('.ant-table').textContent()) ?? ''
    // Reasons and states in words, never the API's codes.
    expect(text).not.toMatch(/sku_unmapped|address_unusable|conflicting_update|no_stock/)
    await en.page.getByText('中文', { exact: true }).click()
    await en.page.getByRole('heading', { name: '异常订单' }).waitFor()
    await en.context.close()
  })
})
