/**
 * The console in Chromium against the real API: signing in, the menu per role, guards by URL, the
 * language switch, money and times as people read them, CJK fonts, and the 360 px handheld.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  browserMissing,
  eventually,
  fontsOf,
  openPage,
  openSignedIn,
  shoot,
  signIn,
  startWorld,
  type World,
} from './harness.js'
import { PASSWORD } from './seed.js'

// Each test drives a real browser on a shared two-core machine: allow it minutes, not seconds.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

describe.skipIf(browserMissing())('the console shell', () => {
  let w: World
  beforeAll(async () => {
    w = await startWorld()
  })
  afterAll(async () => {
    expect(w.offsite).toEqual([])
    await w?.close()
  })

  it('a wrong password is refused in Chinese; a right one lands on the orders with an httpOnly, SameSite=Lax cookie', async () => {
    const { page, context } = await openPage(w)
    await page.goto(`${w.base}/app/orders`)
    await page.waitForURL(/\/app\/login\?from=%2Forders/)
    await page.getByRole('button', { name: '登录' }).waitFor()
    await shoot(page, 'login')
    await page.getByLabel('邮箱或手机号').fill(w.data.logins.admin)
    await page.getByLabel('密码').fill('not the password')
    await page.getByRole('button', { name: '登录' }).click()
    await eventually(() => page.getByRole('alert').textContent()).toContain('用户名或密码错误')
    await shoot(page, 'login-error')

    await page.getByLabel('密码').fill(PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(/\/app\/orders$/)
    const cookie = (await context.cookies()).find((c) => c.name === 'ep_session')
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false })
    expect(await page.evaluate(() => document.cookie)).not.toContain('ep_session')
    // A reload keeps the session.
    await page.reload()
    await page.getByRole('heading', { name: '订单池' }).waitFor()
    await context.close()
  })

  const menus = {
    admin: {
      has: [
        '工作台',
        '店铺授权',
        '订单池',
        '对账单',
        '结算导入',
        '商户信息',
        '用户与角色',
        'API 密钥',
        '审计日志',
        '告警设置',
      ],
      not: [] as string[],
    },
    warehouse: {
      has: ['工作台', '数据大屏', '订单池', '波次', '验货打包', '发货回传'],
      not: ['店铺授权', '用户与角色', 'API 密钥', '审计日志', '商户信息', '对账单', '结算导入', '告警设置'],
    },
    accountant: {
      has: ['工作台', '订单池', '对账单', '结算导入', '佣金方案'],
      not: ['店铺授权', '用户与角色', 'API 密钥', '审计日志', '告警设置', '波次', '验货打包'],
    },
  }
  it.each(['admin', 'warehouse', 'accountant'] as const)('the %s sees only their own menu', async (role) => {
    const { page, context } = await openPage(w)
    await signIn(w, page, w.data.logins[role], PASSWORD)
    const nav = page.getByRole('navigation')
    await nav.getByRole('menuitem', { name: '订单池' }).waitFor()
    for (const name of menus[role].has)
      await expect(nav.getByRole('menuitem', { name }).count()).resolves.toBe(1)
    for (const name of menus[role].not)
      await expect(nav.getByRole('menuitem', { name }).count()).resolves.toBe(0)
    await shoot(page, `menu-${role}`)
    await context.close()
  })

  it('a warehouse user cannot open the shop or settings screens by URL, and the API refuses them too', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/')
    for (const path of [
      'shops',
      'settings/users',
      'settings/api-keys',
      'settings/audit',
      'finance/statements',
    ]) {
      await page.goto(`${w.base}/app/${path}`)
      await page.getByText('无权访问').waitFor()
      await expect(page.getByRole('table').count()).resolves.toBe(0)
    }
    await shoot(page, 'forbidden-warehouse')
    for (const api of ['/users', '/audit-log', '/api-keys']) {
      const res = await page.request.get(`${w.base}${api}`)
      expect(res.status(), api).toBe(403)
    }
    await context.close()
  })

  it('orders: status tab counts equal the API, amounts exact and right-aligned, times in the merchant zone wherever the browser is', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/orders', {
      timezoneId: 'America/New_York',
    })
    await page.getByRole('tab', { name: /全部/ }).waitFor()
    await expect
      .poll(() => page.getByRole('tab', { name: /全部/ }).textContent())
      .toBe(`全部${w.data.orderCount}`)
    await expect(page.getByRole('tab', { name: /已发货/ }).textContent()).resolves.toBe(
      `已发货${w.data.byStatus.shipped}`,
    )
    await eventually(() => page.getByText(`共 ${w.data.orderCount} 条`).count()).toBe(1)
    const firstRow = page.locator('.ant-table-row').first()
    // The newest order was placed at 05:05 UTC: 13:05 in Shanghai, never New York's 00:05.
    await expect(firstRow.textContent()).resolves.toContain('2026-12-07 13:05')
    await shoot(page, 'orders')

    // The 19-digit Taobao number in full, its 14-digit amount to the cent.
    await page.getByRole('textbox', { name: '搜索' }).fill('3891204510000000000')
    await page.getByRole('button', { name: '查询' }).click()
    await eventually(() => page.locator('.ant-table-row').count()).toBe(1)
    const cell = page.locator('.ant-table-row td').filter({ hasText: '¥99,999,999,999,999.99' })
    await expect(cell.count()).resolves.toBe(1)
    await expect(cell.evaluate((td) => getComputedStyle(td).textAlign)).resolves.toBe('right')
    await expect(page.getByText('3891204510000000000').count()).resolves.toBeGreaterThan(0)

    // A USD order says so.
    await page.getByRole('button', { name: '重置' }).click()
    await page.getByRole('tab', { name: /已发货/ }).click()
    await eventually(() => page.locator('.ant-table-row').filter({ hasText: 'US$' }).count()).toBe(1)

    // Paging: the next page has other orders.
    await page.getByRole('tab', { name: /全部/ }).click()
    await eventually(() => page.locator('.ant-table-row').count()).toBe(20)
    const before = await page.locator('.ant-table-row').first().textContent()
    await page.getByRole('button', { name: '下一页' }).click()
    await eventually(() => page.locator('.ant-table-row').count()).toBe(w.data.orderCount - 20)
    expect(await page.locator('.ant-table-row').first().textContent()).not.toBe(before)
    await context.close()
  })

  it('an order opens in a drawer with its lines and amounts', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/orders')
    await page.locator('.ant-table-row').first().click()
    const drawer = page.getByRole('dialog')
    await drawer.getByText('商品明细').waitFor()
    await expect(drawer.getByText('买家实付').count()).resolves.toBe(1)
    await expect(
      drawer
        .locator('td')
        .filter({ hasText: 'TS-001-BK-M' })
        .or(drawer.locator('td').filter({ hasText: 'MUG-350-WH' }))
        .count(),
    ).resolves.toBe(1)
    await shoot(page, 'order-drawer')
    await context.close()
  })

  it('shops show their sync light from the API', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/shops')
    const row = (name: string) => page.locator('.ant-table-row').filter({ hasText: name })
    // Each row reads its own sync health: a row shows 读取中 until its answer is in.
    await eventually(() => row('好物京东自营店').textContent()).toContain('同步失败')
    await eventually(() => row('好物天猫旗舰店').textContent()).toContain('正常')
    // Seeded without its store's API URL: its settings cannot work, and the light says so.
    await eventually(() => row('好物自营商城').textContent()).toContain('设置有误')
    await expect(row('Haowu Global (Shopify)').textContent()).resolves.toContain('已停用')
    await expect(page.getByText('共 4 条').count()).resolves.toBe(1)
    await shoot(page, 'shops')
    await row('好物京东自营店').click()
    // The platform's own words, verbatim.
    await page.getByRole('dialog').getByText('「19: access_token已过期」').waitFor()
    await shoot(page, 'shop-drawer')
    await context.close()
  })

  it('text is set in a CJK font at 14 px', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/orders')
    await page.getByRole('heading', { name: '订单池' }).waitFor()
    const fonts = await fontsOf(page, 'h4')
    expect(fonts.join(',')).toMatch(/WenQuanYi|Noto Sans CJK|Source Han|PingFang|YaHei/)
    const body = await page
      .locator('.ant-table-row td')
      .first()
      .evaluate((td) => getComputedStyle(td).fontSize)
    expect(body).toBe('14px')
    await context.close()
  })

  it('the language switch turns every label English and survives a reload; zh-CN comes back', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.accountant, PASSWORD, '/app/orders')
    await page.getByRole('heading', { name: '订单池' }).waitFor()
    await page.getByText('EN', { exact: true }).click()
    await page.getByRole('heading', { name: 'Order pool' }).waitFor()
    await expect(
      page.getByRole('navigation').getByRole('menuitem', { name: 'Order pool' }).count(),
    ).resolves.toBe(1)
    await eventually(() => page.getByText(`${w.data.orderCount} in total`).count()).toBe(1)
    await expect(page.getByPlaceholder('Start date').count()).resolves.toBe(1)
    await shoot(page, 'orders-en')
    await page.reload()
    await page.getByRole('heading', { name: 'Order pool' }).waitFor()
    // The choice lives on the server: another browser gets it too.
    const other = await openPage(w)
    await signIn(w, other.page, w.data.logins.accountant, PASSWORD)
    await other.page.getByRole('heading', { name: 'Dashboard' }).waitFor()
    await other.context.close()
    await page.getByText('中文', { exact: true }).click()
    await page.getByRole('heading', { name: '订单池' }).waitFor()
    await context.close()
  })

  it('on a 360 px handheld the page never scrolls sideways and the menu opens from a button', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/orders', {
      width: 360,
      height: 740,
      mobile: true,
    })
    await page.getByRole('heading', { name: '订单池' }).waitFor()
    await page.locator('.ant-table-row').first().waitFor()
    await shoot(page, 'mobile-orders')
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)
    const body = await page
      .locator('.ant-table-row td')
      .first()
      .evaluate((td) => getComputedStyle(td).fontSize)
    expect(body).toBe('16px')
    await page.getByRole('button', { name: '打开菜单' }).click()
    await page.getByRole('menuitem', { name: '订单池' }).waitFor()
    await shoot(page, 'mobile-menu')
    await page.keyboard.press('Escape')
    await page.getByTestId('user-menu').click()
    await page.getByText('退出登录').waitFor()
    await shoot(page, 'mobile-user-menu')
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)
    await page.getByText('退出登录').click()
    await page.waitForURL(/\/app\/login/)
    await shoot(page, 'mobile-login')
    // After signing out, Back shows the sign-in page, not the orders.
    await page.goBack()
    await page.waitForURL(/\/app\/login/)
    await context.close()
  })
})
