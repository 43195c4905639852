/**
 * The shop screens in Chromium against the sandbox marketplaces, with the real catalogue-pull and
 * stock-push workers running: a WooCommerce shop linked through its form (a wrong secret refused in
 * the platform's words first), a Taobao shop through the sandbox's authorize page (refused once,
 * then approved from the console's result page), the catalogue appearing and mapped by hand, a
 * stock rule changed with its preview and its push arriving at the sandbox, and a warehouse user
 * kept out even by URL. Screenshots of every screen in zh-CN go to test/browser/screens/.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startWorkers, type Workers } from '../../jobs/worker.js'
import { startTopSandbox, type TopSandbox } from '../../src/sandbox/top-server.js'
import { startWooSandbox, type WooSandbox } from '../../src/sandbox/woocommerce-server.js'
import {
  browserMissing,
  eventually,
  openSignedIn,
  pickOption,
  shoot,
  startWorld,
  type World,
} from './harness.js'
import { PASSWORD } from './seed.js'

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

const WOO = [
  { skuCode: 'CUP-1', title: '保温杯 500ml 黑色', price: '89.00' },
  { skuCode: 'CUP-2', title: '保温杯 500ml 白色', price: '89.00' },
  { skuCode: 'SOAP-1', title: '手工皂 玫瑰', price: '28.00' },
  { skuCode: 'NEW-9', title: '节日礼盒 红色', price: '199.00' },
  { skuCode: 'TEA-1', title: '西湖龙井 250g', price: '128.00' },
  { skuCode: 'TEA-2', title: '西湖龙井 500g', price: '238.50' },
]
const TOP = [
  { skuCode: 'CUP-1', title: '保温杯 500ml 黑色', price: '89.00' },
  { skuCode: 'SOAP-1', title: '手工皂 玫瑰', price: '28.00' },
]
const STOCK: Record<string, number> = {
  'CUP-1': 41,
  'CUP-2': 7,
  'SOAP-1': 12,
  'TEA-1': 5,
  'TEA-2': 3,
  'GIFT-BOX': 9,
}

describe.skipIf(browserMissing())('shop screens', () => {
  let w: World
  let woo: WooSandbox
  let top: TopSandbox
  let workers: Workers
  let wooShop = ''
  let topShop = ''
  const api = async <T>(method: 'GET' | 'POST', url: string, payload?: object): Promise<T> => {
    const res = await w.env.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${w.data.adminKey}` },
      ...(payload ? { payload } : {}),
    })
    expect(res.statusCode, res.body).toBeLessThan(300)
    return res.json<T>()
  }

  beforeAll(async () => {
    w = await startWorld({ fixedPort: true })
    woo = await startWooSandbox({
      seed: 14,
      catalogue: WOO,
      consumerKey: 'ck_haowu',
      consumerSecret: 'cs_haowu',
    })
    // Two listings carry one seller code: the merchant must see the conflict.
    const tea2 = woo.listings.find((l) => l.skus.some((s) => s.code === 'TEA-2'))!
    tea2.skus[0]!.code = 'TEA-1'
    top = await startTopSandbox({
      seed: 15,
      catalogue: TOP,
      appKey: '23456789',
      appSecret: 'top-sandbox-secret',
      session: 'sandbox-session-haowu',
      sellerNick: '好物天猫旗舰店',
    })
    workers = startWorkers(w.env.ctx, ['catalogue-pull', 'stock-push'])
    await api('POST', '/skus/bulk', {
      items: [
        { code: 'CUP-1', name: '保温杯 500ml 黑色' },
        { code: 'CUP-2', name: '保温杯 500ml 白色' },
        { code: 'SOAP-1', name: '手工皂 玫瑰' },
        { code: 'TEA-1', name: '西湖龙井 250g' },
        { code: 'TEA-2', name: '西湖龙井 500g' },
        { code: 'GIFT-BOX', name: '节日礼盒' },
      ],
    })
    const skus = (await api<{ items: { id: string; code: string }[] }>('GET', '/skus?limit=100')).items
    const hz = (await api<{ items: { id: string; code: string }[] }>('GET', '/warehouses')).items.find(
      (x) => x.code === 'HZ',
    )!
    for (const [code, quantity] of Object.entries(STOCK))
      await api('POST', '/stock/receipts', {
        warehouseId: hz.id,
        skuId: skus.find((s) => s.code === code)!.id,
        quantity,
        unitCost: '10.00',
        currency: 'CNY',
      })
  })
  afterAll(async () => {
    expect(w.offsite).toEqual([])
    await workers?.close()
    await woo?.close()
    await top?.close()
    await w?.close()
  })

  it('links a WooCommerce shop through its form; the catalogue appears, conflicts and unmapped first, and maps by hand', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/shops')
    await page.locator('.ant-table-row').filter({ hasText: '好物京东自营店' }).waitFor()
    await eventually(() => page.getByTestId('health').filter({ hasText: '同步失败' }).count()).toBe(1)
    await shoot(page, 'shops')

    await page.getByRole('button', { name: '添加店铺' }).click()
    await page.waitForURL(/\/app\/shops\/new$/)
    await page.getByText('WooCommerce', { exact: true }).click()
    await page.getByLabel('店铺名称').fill('好物 Woo 海外站')
    await page.getByLabel('Consumer Key').fill('ck_haowu')
    await page.getByLabel('Consumer Secret').fill('cs_wrong')
    await page.getByLabel('站点地址').fill(woo.url)
    await page.getByRole('button', { name: '保存并接入' }).click()
    // Refused by the platform: said in Chinese, with the platform's own words quoted.
    await page.getByText('平台拒绝了这组凭证，请检查后重试。').waitFor()
    await page.getByText(/平台返回：「.+」/).waitFor()
    await shoot(page, 'shop-link-woocommerce-refused')
    await page.getByLabel('Consumer Secret').fill('cs_haowu')
    await page.getByRole('button', { name: '保存并接入' }).click()
    await page.waitForURL(/\/app\/catalogue\?shop=/)
    wooShop = new URL(page.url()).searchParams.get('shop')!

    // The pull runs in the worker; the page follows it and lists what it found.
    await page.getByTestId('pull-summary').filter({ hasText: '已完成' }).waitFor()
    const rows = page.locator('.ant-table-row')
    await eventually(() => rows.count()).toBe(6)
    const texts = await rows.allTextContents()
    // Conflicts first (the two listings sharing TEA-1), then the unmapped NEW-9, then the mapped.
    expect(texts.slice(0, 2).every((t) => t.includes('冲突'))).toBe(true)
    expect(texts[2]).toContain('NEW-9')
    expect(texts[2]).toContain('未匹配')
    expect(texts.slice(3).every((t) => t.includes('已匹配'))).toBe(true)
    await page.getByText('同一商家编码出现在多个平台商品上').first().waitFor()
    await shoot(page, 'catalogue')

    const unmapped = rows.filter({ hasText: 'NEW-9' })
    await unmapped.getByRole('button', { name: '匹配' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('输入 SKU 编码或名称搜索').fill('GIFT')
    await pickOption(page, 'GIFT-BOX')
    await shoot(page, 'catalogue-map')
    await dialog.getByRole('button', { name: '保存' }).click()
    await page.getByText('已匹配到 GIFT-BOX').waitFor()
    await eventually(() => rows.filter({ hasText: 'NEW-9' }).textContent()).toContain('GIFT-BOX')
    // Searching finds it by its seller code.
    await page.getByLabel('搜索', { exact: true }).fill('NEW')
    await page.getByRole('button', { name: '查询' }).click()
    await eventually(() => rows.count()).toBe(1)
    await context.close()
  })

  it('links a Taobao shop through the sandbox authorize page: waiting, refused, then authorized', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/shops/new')
    await page.getByText('淘宝/天猫', { exact: true }).click()
    await page.getByText('通过平台授权接入').waitFor()
    await page.getByLabel('店铺名称').fill('好物淘宝企业店')
    await page.getByLabel('App Key').fill('23456789')
    await page.getByLabel('App Secret').fill('top-sandbox-secret')
    await page.getByText('高级设置（选填）').click()
    await page.getByLabel('接口地址').fill(top.url)
    await page.getByLabel('授权地址').fill(top.oauthUrl)
    await shoot(page, 'shop-link-taobao')
    await page.getByRole('button', { name: '保存并前往授权' }).click()

    // The platform's page (the sandbox's): while it is open, the shop list says the shop waits.
    await page.waitForURL((u) => u.href.startsWith(`${top.oauthUrl}/authorize`))
    await page.getByText('授权应用访问你的店铺（沙箱）').waitFor()
    const list = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/shops')
    const waiting = list.page.locator('.ant-table-row').filter({ hasText: '好物淘宝企业店' })
    await eventually(() => waiting.textContent()).toContain('等待平台回调')
    await expect.poll(() => waiting.getByTestId('health').textContent()).toBe('等待授权')
    await shoot(list.page, 'shops-waiting-callback')
    await list.context.close()

    await page.getByRole('button', { name: '取消' }).click()
    await page.waitForURL(/\/app\/shops\/linked\?/)
    await page.getByText('授权没有完成').waitFor()
    await expect.poll(() => page.getByTestId('platform-answer').textContent()).toContain('用户拒绝授权')
    await shoot(page, 'shop-oauth-refused')

    await page.getByRole('button', { name: '重新授权' }).click()
    await page.waitForURL((u) => u.href.startsWith(`${top.oauthUrl}/authorize`))
    await page.getByRole('button', { name: '授权' }).click()
    await page.waitForURL(/\/app\/shops\/linked\?shop=/)
    await page.getByText('店铺已授权').waitFor()
    await page.getByText('「好物淘宝企业店」已完成授权').waitFor()
    topShop = new URL(page.url()).searchParams.get('shop')!
    await shoot(page, 'shop-oauth-linked')
    expect(top.oauthGranted).toBe(1)

    // Linked: its catalogue is pulled and matched by seller code at once.
    await page.getByRole('button', { name: '查看商品匹配' }).click()
    await page.waitForURL(new RegExp(`/app/catalogue\\?shop=${topShop}`))
    await page.getByTestId('pull-summary').filter({ hasText: '已完成' }).waitFor()
    await eventually(() => page.locator('.ant-table-row').filter({ hasText: '已匹配' }).count()).toBe(2)
    await page.goto(`${w.base}/app/shops`)
    const linked = page.locator('.ant-table-row').filter({ hasText: '好物淘宝企业店' })
    await eventually(() => linked.textContent()).toContain('已授权')
    await context.close()
  })

  it('previews a stock rule before it is saved, saves it, and the push arrives at the sandbox', async () => {
    const { page, context } = await openSignedIn(
      w,
      w.data.logins.admin,
      PASSWORD,
      `/app/stock-rules?shop=${wooShop}`,
    )
    const cup = page.locator('.ant-table-row').filter({ hasText: 'CUP-1' })
    await cup.waitFor()
    // The catalogue pull's push already told the shop everything available.
    await eventually(() => woo.stock.get(woo.productIdOf('CUP-1'))).toBe(41)
    await expect.poll(() => cup.getByTestId('preview-quantity').textContent()).toBe('41')

    await page.getByLabel('同步比例').fill('0.5')
    await page.getByLabel('安全库存').fill('1')
    await page.getByTestId('rules-changed').waitFor()
    // floor((41 − 1) × 0.5) = 20, shown before anything is saved.
    await eventually(() => cup.getByTestId('preview-quantity').textContent()).toBe('20')
    expect(woo.stock.get(woo.productIdOf('CUP-1'))).toBe(41)
    await shoot(page, 'stock-rules-preview')

    await page.getByRole('button', { name: '保存规则' }).click()
    await page.getByText('规则已保存，库存将按新规则推送。').waitFor()
    await eventually(() => woo.stock.get(woo.productIdOf('CUP-1'))).toBe(20)
    await eventually(() => woo.stock.get(woo.productIdOf('CUP-2'))).toBe(3)

    // A SKU's own rule, previewed then saved. The list refreshes its push states as they land: a
    // row re-rendered between the press and the release takes no click (seen once in CI under
    // load), so the button is pressed again until the dialog is there.
    const dialog = page.getByRole('dialog')
    await expect
      .poll(
        async () => {
          if (!(await dialog.isVisible()))
            await page
              .locator('.ant-table-row')
              .filter({ hasText: 'SOAP-1' })
              .getByRole('button', { name: '设置单独规则' })
              .click({ timeout: 5_000 })
              .catch(() => undefined)
          return dialog.getByLabel('固定数量').isVisible()
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(true)
    await dialog.getByLabel('固定数量').fill('4')
    await dialog.getByRole('button', { name: '确定' }).click()
    const soap = page.locator('.ant-table-row').filter({ hasText: 'SOAP-1' })
    await eventually(() => soap.getByTestId('preview-quantity').textContent()).toBe('4')
    await page.getByRole('button', { name: '保存规则' }).click()
    await eventually(() => woo.stock.get(woo.productIdOf('SOAP-1'))).toBe(4)

    await page.reload()
    await eventually(() => cup.textContent()).toContain('成功')
    await cup.getByRole('button', { name: '推送记录' }).click()
    const drawer = page.locator('.ant-drawer').filter({ hasText: 'CUP-1 的推送记录' })
    await drawer.waitFor()
    await eventually(() => drawer.locator('.ant-table-row').count()).toBe(2)
    expect(await drawer.locator('.ant-table-row').first().textContent()).toContain('20')
    await shoot(page, 'stock-rules-push-log')
    await context.close()
  })

  it('keeps a warehouse user out of the shop screens, even by URL', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/orders')
    await page.locator('.ant-table-row').first().waitFor()
    await expect.poll(() => page.getByRole('navigation').textContent()).not.toContain('店铺')
    for (const path of [
      '/app/shops',
      '/app/shops/new',
      `/app/catalogue?shop=${wooShop}`,
      '/app/stock-rules',
    ]) {
      await page.goto(`${w.base}${path}`)
      await page.getByText('无权访问').waitFor()
    }
    await shoot(page, 'shops-forbidden-warehouse')
    await context.close()
  })

  it('reads on a 360 px handheld and in English', async () => {
    const mobile = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/shops', {
      width: 360,
      height: 740,
      mobile: true,
    })
    await mobile.page.locator('.ant-table-row').first().waitFor()
    const overflow = () => mobile.page.evaluate(() => document.documentElement.scrollWidth)
    await expect.poll(overflow).toBeLessThanOrEqual(360)
    await shoot(mobile.page, 'shops-360')
    await mobile.page.goto(`${w.base}/app/stock-rules?shop=${wooShop}`)
    await mobile.page.locator('.ant-table-row').first().waitFor()
    await expect.poll(overflow).toBeLessThanOrEqual(360)
    await shoot(mobile.page, 'stock-rules-360')
    await mobile.page.goto(`${w.base}/app/shops/new`)
    await mobile.page.getByText('WooCommerce', { exact: true }).click()
    await expect.poll(overflow).toBeLessThanOrEqual(360)
    await shoot(mobile.page, 'shop-link-360')
    await mobile.context.close()

    const en = await openSignedIn(w, w.data.logins.admin, PASSWORD, `/app/catalogue?shop=${wooShop}`, {
      width: 1280,
    })
    await en.page.getByText('EN', { exact: true }).click()
    await en.page.getByText('Product mapping').first().waitFor()
    await en.page.locator('.ant-table-row').first().waitFor()
    await shoot(en.page, 'catalogue-en')
    await en.page.goto(`${w.base}/app/shops`)
    await en.page.getByText('Linked shops').first().waitFor()
    await shoot(en.page, 'shops-en')
    // Back to Chinese for whoever signs in next.
    await en.page.getByText('中文', { exact: true }).click()
    await en.context.close()
  })
})
