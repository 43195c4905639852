/**
 * The accountant's console and the dashboards in Chromium against the real API: the accountant
 * lands on their 工作台, uploads a settlement statement (a damaged row shown as it was in the file),
 * drills from a statement figure down to the order's journal and settlement lines; the wall renders
 * with the API's numbers at 1920×1080 and scales at 1366×768; every role's home; the alert bell.
 * Screenshots in zh-CN and en at 360 and 1280 px.
 */
import iconv from 'iconv-lite'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { handleLedgerEvent } from '../../src/ledger/events.js'
import { newId } from '../../src/lib/ids.js'
import {
  browserMissing,
  eventually,
  openPage,
  openSignedIn,
  shoot,
  signIn,
  startWorld,
  type World,
} from './harness.js'
import { PASSWORD } from './seed.js'

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

const HEADER = [
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
]
const row = (cells: readonly string[]) => cells.map((c) => `${c}\t`).join(',')
const line = (
  id: string,
  merchantNo: string,
  item: string,
  at: string,
  income: string,
  expense: string,
  balance: string,
  type: string,
  memo = '',
  base = '',
) => [
  id,
  `2026${id}`,
  merchantNo,
  item,
  at,
  't**1@163.com',
  income,
  expense,
  balance,
  '淘宝',
  type,
  memo,
  '',
  '淘宝',
  base,
  '',
]

describe.skipIf(browserMissing())('the finance console and the dashboards', () => {
  let w: World
  let tmallOrders: { id: string; external_id: string; buyer_paid: string }[] = []
  let statementFile = ''
  const period = { from: '2026-12-01', to: '2027-01-01' }

  beforeAll(async () => {
    // The seed's orders are of 7 December 2026: the dashboards' "today" is that day, whenever this runs.
    w = await startWorld({ clockFrom: new Date('2026-12-07T08:00:00Z') })
    const { db } = w.env.ctx
    const m = w.data.merchantId
    const wh = await db
      .selectFrom('warehouses')
      .select('id')
      .where('merchant_id', '=', m)
      .where('code', '=', 'HZ')
      .executeTakeFirstOrThrow()
    // Shipped and completed orders are recognised: the ledger posts their sales and what they cost.
    const shipped = await db
      .selectFrom('orders')
      .innerJoin('order_line_skus as s', 's.order_id', 'orders.id')
      .select([
        'orders.id',
        'orders.shop_id',
        'orders.external_id',
        'orders.buyer_paid',
        'orders.placed_at',
        's.sku_id',
      ])
      .where('orders.merchant_id', '=', m)
      .where('orders.status', 'in', ['shipped', 'completed'])
      .execute()
    for (const o of shipped) {
      await db.updateTable('orders').set({ shipped_at: o.placed_at }).where('id', '=', o.id).execute()
      await db
        .insertInto('stock_movements')
        .values({
          id: newId(),
          merchant_id: m,
          warehouse_id: wh.id,
          sku_id: o.sku_id,
          kind: 'shipment',
          quantity: -1,
          unit_cost: '21.5000',
          currency: 'CNY',
          reason: null,
          ref_type: 'order',
          ref_id: o.id,
          actor: null,
          idempotency_key: `ship.${o.id}`,
        })
        .execute()
      await handleLedgerEvent(db, {
        merchantId: m,
        orderId: o.id,
        kind: 'shipped',
        key: `${o.id}.shipped`,
        shipmentId: `s${o.id}`,
      })
    }
    tmallOrders = shipped.filter((o) => o.shop_id === w.data.shops.tmall && !o.buyer_paid.startsWith('99999'))
    // Exceptions by reason, a SKU under its threshold, a failed writeback: the dashboards have work to show.
    const orderIds = (
      await db
        .selectFrom('orders')
        .select('id')
        .where('merchant_id', '=', m)
        .where('status', '=', 'on_hold')
        .execute()
    ).map((o) => o.id)
    for (const [i, reason] of (
      ['sku_unmapped', 'sku_unmapped', 'no_stock', 'address_unusable'] as const
    ).entries())
      await db
        .insertInto('order_exceptions')
        .values({
          id: newId(),
          merchant_id: m,
          shop_id: w.data.shops.tmall,
          order_id: orderIds[i % orderIds.length]!,
          raw_inbox_id: null,
          subject: reason,
          reason,
          detail: '{}',
          status: 'open',
          open_marker: null,
          resolved_at: null,
          resolved_by: null,
          resolution: null,
        } as never)
        .execute()
    const mug = await db
      .selectFrom('skus')
      .select('id')
      .where('merchant_id', '=', m)
      .where('code', '=', 'MUG-350-WH')
      .executeTakeFirstOrThrow()
    await db
      .insertInto('stock_thresholds')
      .values({ merchant_id: m, sku_id: mug.id, threshold: 20 })
      .execute()
    await db
      .insertInto('shipment_writebacks')
      .values({
        id: newId(),
        merchant_id: m,
        shipment_id: newId(),
        order_id: shipped[0]!.id,
        shop_id: shipped[0]!.shop_id,
        parcel_no: 1,
        status: 'failed',
        attempts: 6,
        last_error: 'B04: 订单状态不正确，不能发货',
        note: null,
        done_at: null,
      })
      .execute()

    // The Tmall shop's Alipay statement: two orders settled with their commission, one damaged row.
    const [a, b] = tmallOrders
    const rows = [
      line(
        '1207000001',
        `T200P${a!.external_id}`,
        '纯棉圆领T恤',
        '2026-12-07 10:00:00',
        a!.buyer_paid,
        '',
        '1000.00',
        '在线支付',
      ),
      line(
        '1207000002',
        'CAE_CHARGE_1',
        '天猫佣金（类目）',
        '2026-12-07 10:00:01',
        '',
        '-5.00',
        '995.00',
        '收费',
        '技术服务费扣款',
        a!.external_id,
      ),
      line(
        '1207000003',
        `T200P${b!.external_id}`,
        '陶瓷马克杯',
        '2026-12-07 11:00:00',
        'abc',
        '',
        '1200.00',
        '在线支付',
      ),
    ]
    statementFile = join(tmpdir(), `alipay-${process.pid}.csv`)
    writeFileSync(
      statementFile,
      iconv.encode(
        [
          '#支付宝账务明细查询',
          '#账号：[20880123456789010156]',
          row(HEADER),
          ...rows.map(row),
          '#-----账务明细列表结束-----',
          '',
        ].join('\r\n'),
        'gbk',
      ),
    )
  })
  afterAll(async () => {
    expect(w.offsite).toEqual([])
    await w?.close()
  })

  /** The same screen at 1280 and 360 px, in Chinese and English. */
  async function shootAll(login: string, path: string, name: string, ready: (p: Page) => Promise<void>) {
    for (const [width, height] of [
      [1280, 800],
      [360, 740],
    ] as const) {
      const { page, context } = await openSignedIn(w, login, PASSWORD, path, {
        width,
        height,
        mobile: width === 360,
      })
      await ready(page)
      await shoot(page, `${name}-${width}-zh`)
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth),
        `${name} ${width}`,
      ).toBeLessThanOrEqual(width)
      await page.getByText('EN', { exact: true }).click()
      await page.waitForTimeout(300)
      await ready(page)
      await shoot(page, `${name}-${width}-en`)
      await page.getByText('中文', { exact: true }).click()
      await page.waitForTimeout(200)
      await context.close()
    }
  }

  it('an accountant signs in and lands on their dashboard, with the finance menu', async () => {
    const { page, context } = await openPage(w)
    await signIn(w, page, w.data.logins.accountant, PASSWORD)
    await page.waitForURL(/\/app\/home$/)
    await page.getByRole('heading', { name: '工作台' }).waitFor()
    const nav = page.getByRole('navigation')
    for (const name of ['对账单', '对账', '结算导入', '佣金方案'])
      await expect(nav.getByRole('menuitem', { name, exact: true }).count()).resolves.toBe(1)
    await page.locator('[data-chart="各渠道毛利趋势（近 30 天）"] svg').waitFor()
    await context.close()
    await shootAll(w.data.logins.accountant, '/app/home', 'home-accountant', async (p) => {
      await p.locator('[data-chart] svg').first().waitFor()
    })
  })

  it('uploads a settlement file and shows the row it could not read, as it was in the file', async () => {
    const { page, context } = await openSignedIn(
      w,
      w.data.logins.accountant,
      PASSWORD,
      '/app/finance/settlements',
    )
    await page.getByRole('heading', { name: '结算导入' }).waitFor()
    await page.getByRole('button', { name: '上传并导入' }).click()
    await page.getByText('请先选择店铺').waitFor()
    await page.getByLabel('店铺').first().click()
    await page.getByTitle('好物天猫旗舰店').click()
    await page.locator('input[type=file]').setInputFiles(statementFile)
    await page.getByRole('button', { name: '上传并导入' }).click()
    const result = page.getByTestId('import-result')
    await eventually(() => result.textContent()).toContain(
      '共 2 行，新增 2 行，已导入过 0 行，无法读取 1 行。',
    )
    const rejected = page.getByTestId('rejected-rows')
    await expect(rejected.textContent()).resolves.toContain('abc')
    await shoot(page, 'settlement-upload')
    // The import is listed; opening it shows its lines and its rejected row.
    await page.locator('.ant-table-row').filter({ hasText: 'alipay-' }).first().click()
    await page.getByRole('dialog').getByTestId('settlement-lines').locator('.ant-table-row').first().waitFor()
    await shoot(page, 'settlement-import-drawer')
    await context.close()
    await shootAll(w.data.logins.accountant, '/app/finance/settlements', 'settlements', async (p) => {
      await p.locator('.ant-table-row').first().waitFor()
    })
  })

  it('drills from a statement figure to the order, its journal lines and its settlement lines', async () => {
    const { page, context } = await openSignedIn(
      w,
      w.data.logins.accountant,
      PASSWORD,
      '/app/finance/statements',
    )
    const api = await page.request.get(
      `${w.base}/statements?from=${period.from}&to=${period.to}&channel=taobao`,
    )
    const cny = ((await api.json()) as { items: { currency: string; grossSales: string }[] }).items.find(
      (r) => r.currency === 'CNY',
    )!
    const figure = page.locator('[data-figure="grossSales.taobao"]').first()
    await figure.waitFor()
    // The screen shows the API's figure, exactly.
    const shown = cny.grossSales.replace(/(\d)(?=(\d{3})+\.)/g, '$1,')
    await expect(figure.textContent()).resolves.toBe(`¥${shown}`)
    await shoot(page, 'statements')
    await figure.click()
    const drawer = page.getByRole('dialog')
    await drawer.getByRole('tab', { name: '按 SKU' }).waitFor()
    await drawer.locator('.ant-table-row').first().waitFor()
    await shoot(page, 'statement-drill-sku')
    await drawer.getByRole('tab', { name: '按订单' }).click()
    const [a] = tmallOrders
    const orderRow = drawer.locator('.ant-table-row').filter({ hasText: a!.external_id })
    await orderRow.waitFor()
    await orderRow.click()
    await drawer.getByText(`订单 ${a!.external_id}`).waitFor()
    const journal = drawer.getByTestId('journal-lines')
    await eventually(() =>
      journal.locator('.ant-table-row').filter({ hasText: '主营业务收入-销售额' }).count(),
    ).toBe(1)
    await expect(journal.textContent()).resolves.toContain('应收账款-平台 · 好物天猫旗舰店')
    const settlement = drawer.getByTestId('settlement-lines')
    await eventually(() => settlement.locator('.ant-table-row').count()).toBe(2)
    await expect(settlement.textContent()).resolves.toContain('「在线支付」')
    await shoot(page, 'statement-drill-order')
    await context.close()
    await shootAll(w.data.logins.accountant, '/app/finance/statements', 'statements', async (p) => {
      await p.locator('[data-figure="grossSales.taobao"]').first().waitFor()
    })
  })

  it('reconciliation shows findings by kind with counts and the action each needs', async () => {
    const { page, context } = await openSignedIn(
      w,
      w.data.logins.accountant,
      PASSWORD,
      '/app/finance/reconciliation',
    )
    await page.getByRole('heading', { name: '对账' }).waitFor()
    const api = await page.request.get(`${w.base}/reconciliation?from=${period.from}&to=${period.to}`)
    const summary = ((await api.json()) as { summary: Record<string, number> }).summary
    await eventually(() => page.getByRole('tab', { name: /已核对/ }).textContent()).toBe(
      `已核对${summary.matched}`,
    )
    await expect(page.locator('.ant-table-row').first().textContent()).resolves.toMatch(/处理|无需/)
    await shoot(page, 'reconciliation')
    await context.close()
    await shootAll(w.data.logins.accountant, '/app/finance/reconciliation', 'reconciliation', async (p) => {
      await p.locator('.ant-table-row').first().waitFor()
    })
  })

  it('commission plans per shop: add one, see it listed', async () => {
    const { page, context } = await openSignedIn(
      w,
      w.data.logins.accountant,
      PASSWORD,
      '/app/finance/commission-plans',
    )
    await page.getByRole('heading', { name: '佣金方案' }).waitFor()
    await page.getByRole('button', { name: '新增方案' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('方案名称').fill('天猫 2026 标准费率')
    await dialog.getByLabel('生效日期').click()
    await dialog.getByLabel('生效日期').fill('2026-01-01')
    await page.keyboard.press('Enter')
    await dialog.getByLabel('佣金费率').fill('0.05')
    await dialog.getByLabel('支付费率').fill('0.006')
    await shoot(page, 'commission-plan-form')
    await dialog.getByRole('button', { name: '保存' }).click()
    await eventually(() =>
      page.locator('.ant-table-row').filter({ hasText: '天猫 2026 标准费率' }).textContent(),
    ).toContain('5%')
    await shoot(page, 'commission-plans')
    await context.close()
  })

  it('the wall renders with the API’s numbers at 1920×1080, no scrollbars, and keeps 16:9 at 1366×768', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/wall', {
      width: 1920,
      height: 1080,
    })
    const summary = (await (await page.request.get(`${w.base}/dashboard/summary`)).json()) as {
      today: { orders: number }[]
    }
    const orders = summary.today.reduce((n, r) => n + r.orders, 0)
    expect(orders).toBeGreaterThan(0)
    await eventually(() => page.locator('[data-kpi="今日订单"]').textContent()).toContain(String(orders))
    for (const chart of [
      '各渠道今日订单与成交额',
      '今日每小时订单',
      '异常订单（按原因）',
      '各渠道毛利趋势（近 30 天）',
    ])
      await page.locator(`[data-chart="${chart}"] svg`).waitFor()
    const size = await page.evaluate(() => ({
      w: document.documentElement.scrollWidth,
      h: document.documentElement.scrollHeight,
    }))
    expect(size).toEqual({ w: 1920, h: 1080 })
    const big = await page
      .locator('[data-kpi="今日订单"] .num')
      .first()
      .evaluate((e) => parseFloat(getComputedStyle(e).fontSize))
    expect(big).toBeGreaterThanOrEqual(48)
    await page.waitForTimeout(600)
    await shoot(page, 'wall-1920-zh')
    await page.setViewportSize({ width: 1366, height: 768 })
    await eventually(() => page.locator('[data-scale]').getAttribute('data-scale')).toBe(String(768 / 1080))
    await shoot(page, 'wall-1366-zh')
    await context.close()
  })

  it('each role has its own home page', async () => {
    for (const role of ['admin', 'warehouse'] as const)
      await shootAll(w.data.logins[role], '/app/home', `home-${role}`, async (p) => {
        await p.locator('[data-chart] svg').first().waitFor()
      })
    const { page, context } = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/home')
    await page.locator('[data-chart="异常订单（按原因）"] svg').waitFor()
    // The warehouse sees no money of the margin trend, and the API would refuse it.
    await expect(page.locator('[data-chart="各渠道毛利趋势（近 30 天）"]').count()).resolves.toBe(0)
    expect(
      (await page.request.get(`${w.base}/dashboard/margin?from=2026-12-01&to=2026-12-08`)).status(),
    ).toBe(403)
    await context.close()
  })

  it('the bell lists open alerts', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/home')
    const scan = await page.request.post(`${w.base}/alerts/scan`, {
      headers: { authorization: `Bearer ${w.data.adminKey}` },
    })
    expect(scan.ok()).toBe(true)
    await page.reload()
    const bell = page.getByTestId('alert-bell')
    await eventually(() => bell.textContent()).toMatch(/\d/)
    await bell.click()
    const list = page.getByTestId('alert-list')
    await eventually(() => list.textContent()).toContain('库存预警')
    await expect(list.textContent()).resolves.toContain('发货回传失败')
    await shoot(page, 'alert-bell')
    await page.goto(`${w.base}/app/settings/alerts`)
    await page.getByRole('heading', { name: '告警设置' }).waitFor()
    await page.getByText('钉钉群机器人').click()
    await shoot(page, 'alert-settings')
    await context.close()
  })
})
