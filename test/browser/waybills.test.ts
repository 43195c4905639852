/**
 * E-waybills (电子面单) on the warehouse floor in Chromium, against the provider sandbox and a fake
 * Cainiao print component (a local WebSocket server that records what it is sent): a wave takes its
 * waybills in one action (one parcel refused with the provider's own words: its branch's balance is
 * spent), prints them in pick order through the component, cancels one with a confirm; verify and
 * pack prints the next parcel's label on its last scan (taking its waybill first), ships by it, and
 * the writeback reaches the Taobao sandbox with the waybill's carrier code and number. Screens at
 * 1440 and 360 px, zh-CN and en. The admin's account screen: carriers, branches and balance,
 * an SF account added with write-only credentials, a warehouse's default carrier.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runWriteback } from '../../src/fulfillment/writeback.js'
import { allocateOrder } from '../../src/inventory/allocate.js'
import { receive } from '../../src/inventory/operations.js'
import { startPrintComponent, type FakePrintComponent } from '../../src/sandbox/print-component.js'
import { startWaybillSandbox, type WaybillSandbox } from '../../src/sandbox/waybill-server.js'
import { createShop } from '../../src/shops/repo.js'
import { upsertSkus } from '../../src/skus/repo.js'
import { seedOrder } from '../helpers/orders.js'
import {
  browserMissing,
  chooseLanguage,
  expectWithinHandheld,
  choose,
  eventually,
  openSignedIn,
  shoot,
  startWorld,
  STILL,
  stillDialog,
  type World,
} from './harness.js'
import { PASSWORD } from './seed.js'

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

const TOP = { appKey: 'tb-app', appSecret: 'tb-secret', session: 'tb-session' }
const SF = { partnerId: 'SFPARTNER', checkWord: 'sf-check-word-0001' }
const MASKED = {
  name: '张*',
  phone: '*******1234',
  country: 'CN',
  province: '北京',
  city: '北京市',
  district: '朝阳区',
  town: null,
  address: '**街道**号',
  postcode: null,
  masked: true,
  privacyRef: { oaid: 'OAID-SECRET-1', tid: '' },
}
const EXTERNAL = ['3678100000000000001', '3678100000000000002', '3678100000000000003']

async function scan(page: Page, code: string): Promise<void> {
  await page.getByTestId('scan-input').focus()
  await page.keyboard.type(code, { delay: 5 })
  await page.keyboard.press('Enter')
}

/** This PC's Cainiao print component is the fake one (the setting kept in the browser). */
async function pointAtComponent(page: Page, url: string): Promise<void> {
  await page.getByRole('button', { name: '打印组件' }).click()
  const field = page.getByLabel('菜鸟')
  await field.fill(url)
  await page.getByRole('button', { name: '保存' }).click()
  await page.getByText('已保存打印组件地址。').waitFor()
}

describe.skipIf(browserMissing())('e-waybills on the floor', () => {
  let w: World
  let sb: WaybillSandbox
  let comp: FakePrintComponent
  const orders: string[] = []

  const api = async (method: 'POST' | 'PUT', url: string, payload: object) => {
    const r = await w.env.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${w.data.adminKey}` },
      payload,
    })
    expect(r.statusCode, r.body).toBeLessThan(300)
    return r.body ? (r.json() as Record<string, unknown>) : {}
  }
  const liveWaybill = (orderId: string) =>
    w.env.ctx.db
      .selectFrom('waybills')
      .select(['id', 'waybill_code', 'cp_code', 'status', 'print_count'])
      .where('order_id', '=', orderId)
      .where('active_marker', '=', 1)
      .executeTakeFirst()

  beforeAll(async () => {
    w = await startWorld()
    const { db } = w.env.ctx
    const m = w.data.merchantId
    sb = await startWaybillSandbox({ top: TOP, sf: SF })
    comp = await startPrintComponent('cainiao')
    const taobao = await createShop(w.env.ctx, w.env.ctx.config.secretKey, m, {
      channel: 'taobao',
      name: '天猫旗舰店',
      settings: { baseUrl: `${sb.url}/top`, timeoutMs: 5000 },
      credentials: TOP,
    })
    const hz = (
      await db
        .selectFrom('warehouses')
        .select('id')
        .where('merchant_id', '=', m)
        .where('code', '=', 'HZ')
        .executeTakeFirstOrThrow()
    ).id
    await upsertSkus(w.env.ctx, m, [
      { code: 'CUP-W', name: '保温杯 500ml 白色', barcode: '6901234567892' },
      { code: 'TEA-W', name: '龙井茶 250g 罐装' },
    ])
    const sku = Object.fromEntries(
      (
        await db
          .selectFrom('skus')
          .select(['id', 'code'])
          .where('merchant_id', '=', m)
          .where('code', 'in', ['CUP-W', 'TEA-W'])
          .execute()
      ).map((s) => [s.code, s.id]),
    )
    for (const code of ['CUP-W', 'TEA-W'])
      await receive(
        db,
        m,
        { warehouseId: hz, skuId: sku[code]!, quantity: 20, unitCost: '10', currency: 'CNY' },
        { actor: 't' },
      )
    const lines = [
      [{ skuId: sku['CUP-W']!, quantity: 1 }],
      [{ skuId: sku['TEA-W']!, quantity: 1 }],
      [
        { skuId: sku['CUP-W']!, quantity: 1 },
        { skuId: sku['TEA-W']!, quantity: 1 },
      ],
    ]
    for (const [i, l] of lines.entries()) {
      const { orderId } = await seedOrder(db, m, taobao.id, l, {
        externalId: EXTERNAL[i]!,
        channel: 'taobao',
      })
      await db
        .updateTable('orders')
        .set({ receiver: JSON.stringify(MASKED), buyer_nick: `tb_buyer_${i + 1}` })
        .where('id', '=', orderId)
        .execute()
      expect(await allocateOrder(w.env.ctx, m, orderId)).toBe('allocated')
      orders.push(orderId)
    }
    // The admin's Cainiao account through the Taobao shop: 圆通 by default for the shop, and the
    // third order overridden to 中通, whose branch has no numbers left.
    const acct = await api('POST', '/waybill-accounts', {
      provider: 'cainiao',
      name: '菜鸟 杭州仓',
      shopId: taobao.id,
      baseUrl: `${sb.url}/top`,
      sender: {
        name: '杭州一仓',
        mobile: '13800000000',
        address: { province: '浙江省', city: '杭州市', district: '余杭区', detail: '文一西路969号' },
      },
    })
    await api('POST', `/waybill-accounts/${String(acct.id)}/refresh`, {})
    await api('PUT', '/waybill-defaults', { shopId: taobao.id, accountId: acct.id, cpCode: 'YTO' })
    await api('PUT', `/orders/${orders[2]}/waybill-choice`, { accountId: acct.id, cpCode: 'ZTO' })
    sb.setBalance('cainiao', 'ZTO', '571002', 0)
    await api('POST', '/waves', { warehouseId: hz, shopId: taobao.id })
  })
  afterAll(async () => {
    expect(w.offsite).toEqual([])
    await comp?.close()
    await sb?.close()
    await w?.close()
  })

  it('takes the whole wave’s waybills in one action (the provider’s refusal in its words), prints them in pick order, cancels one', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/floor/waves')
    const row = page.locator('.ant-table-row', { hasText: 'W000001' })
    await row.getByTestId('wave-waybills-open').click()
    await page.getByText('波次 W000001 的电子面单').waitFor()
    await pointAtComponent(page, comp.url)
    const table = page.getByTestId('wave-waybills')
    await eventually(() => table.locator('.ant-table-row').count()).toBe(3)

    await page.getByRole('button', { name: '整波取号' }).click()
    await eventually(() => page.getByTestId('waybill-notice').textContent()).toBe(
      '取号完成：成功 2 个，失败 1 个。',
    )
    const codes = await Promise.all(orders.map(async (o) => (await liveWaybill(o))?.waybill_code ?? null))
    expect(codes[0]).toMatch(/^YT/)
    expect(codes[1]).toMatch(/^YT/)
    expect(codes[2]).toBeNull()
    const third = table.locator('.ant-table-row', { hasText: EXTERNAL[2]! })
    await eventually(() => third.textContent()).toContain('取号失败')
    expect(await third.getByTestId('waybill-error').textContent()).toContain('网点电子面单余额不足')
    expect(await table.locator('.ant-table-row', { hasText: EXTERNAL[0]! }).textContent()).toContain(
      `圆通速递${codes[0]}`,
    )
    await shoot(page, 'waybills-wave-taken')

    await page.getByRole('button', { name: '按拣货顺序打印' }).click()
    await eventually(() => page.getByTestId('waybill-notice').textContent()).toBe('已打印 2 张面单。')
    // The component received one task per waybill, in pick order, with the print data as issued.
    expect(comp.tasks.map((t) => t.documentIds)).toEqual([[codes[0]], [codes[1]]])
    expect(comp.tasks.every((t) => t.ok)).toBe(true)
    const contents = (comp.tasks[0]!.message.task as { documents: { contents: { templateURL: string }[] }[] })
      .documents[0]!.contents[0]!
    expect(contents.templateURL).toMatch(/^http:\/\/cloudprint\.cainiao\.com\/template\/standard\//)
    expect(await table.locator('.ant-table-row', { hasText: EXTERNAL[0]! }).textContent()).toContain('已打印')
    await shoot(page, 'waybills-wave-printed')

    // Reprint one: the same number, a fresh task.
    await table
      .locator('.ant-table-row', { hasText: EXTERNAL[0]! })
      .getByRole('button', { name: '重打' })
      .click()
    await eventually(() => comp.tasks.length).toBe(3)
    expect(comp.tasks[2]!.documentIds).toEqual([codes[0]])

    // Cancel the second with its confirm: the provider voids the number.
    await table
      .locator('.ant-table-row', { hasText: EXTERNAL[1]! })
      .getByRole('button', { name: '取消面单' })
      .click()
    await page.getByText(`取消面单 ${codes[1]}？`).waitFor()
    await shoot(page, 'waybills-wave-cancel-confirm')
    // The confirm is a popover, placed on the page like a dropdown: clicked once it has stopped.
    await page.locator(`.ant-popconfirm${STILL}`).getByRole('button', { name: '取消面单' }).click()
    await page.getByText(`面单 ${codes[1]} 已取消。`).waitFor()
    expect(sb.issued.find((n) => n.code === codes[1])?.status).toBe('cancelled')
    await eventually(() =>
      table.locator('.ant-table-row', { hasText: EXTERNAL[1]! }).textContent(),
    ).toContain('未取号')
    await context.close()
  })

  it('verify and pack prints the label on the last scan (taking the waybill first), ships by it; the writeback carries its carrier and number', async () => {
    sb.setBalance('cainiao', 'ZTO', '571002', 10)
    const { page, context } = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/floor/pack')
    await page.getByRole('heading', { name: '验货打包' }).waitFor()
    await pointAtComponent(page, comp.url)
    const before = comp.tasks.length
    await scan(page, 'W000001-03')
    await eventually(() => page.getByTestId('pack-order').textContent()).toBe(EXTERNAL[2])
    await scan(page, 'CUP-W')
    await eventually(() => page.getByTestId('pack-progress').textContent()).toBe('还差 1 件。')
    // Nothing prints before the last item.
    expect(comp.tasks.length).toBe(before)
    await scan(page, 'TEA-W')
    await page.locator('[data-testid="scan-ok"], [data-testid="scan-error"]', { hasText: '面单' }).waitFor()
    await shoot(page, 'waybills-pack-printed')
    expect(await page.getByTestId('scan-ok').textContent()).toMatch(/^已扫齐，面单已打印：中通快递 /)
    expect(comp.tasks.length).toBe(before + 1)
    const wb = (await liveWaybill(orders[2]!))!
    expect(wb).toMatchObject({ cp_code: 'ZTO', status: 'printed' })
    expect(comp.tasks.at(-1)!.documentIds).toEqual([wb.waybill_code])
    expect(await page.getByTestId('scan-ok').textContent()).toBe(
      `已扫齐，面单已打印：中通快递 ${wb.waybill_code}`,
    )

    await page.getByRole('button', { name: '打包' }).click()
    await page.getByTestId('ship-waybill').waitFor()
    expect(await page.getByTestId('ship-waybill').textContent()).toContain(`中通快递 ${wb.waybill_code}`)
    await shoot(page, 'waybills-pack-ship')
    await page.getByRole('button', { name: '按面单发货' }).click()
    await eventually(() => page.getByTestId('pack-progress').textContent()).toContain(
      `中通快递 ${wb.waybill_code}`,
    )
    const pending = await w.env.ctx.db
      .selectFrom('shipment_writebacks')
      .select('id')
      .where('order_id', '=', orders[2]!)
      .execute()
    expect(pending).toHaveLength(1)
    expect(await runWriteback(w.env.ctx, w.data.merchantId, pending[0]!.id, false)).toBe('done')
    expect(sb.writebacks.at(-1)).toEqual({
      channel: 'taobao',
      orderId: EXTERNAL[2],
      trackingNumber: wb.waybill_code,
      companyCode: 'ZTO',
    })
    await context.close()
  })

  it('reads well at 360 px in Chinese and at 1440 px in English (screenshots to look at)', async () => {
    const hand = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/floor/waves', {
      width: 360,
      height: 740,
      mobile: true,
    })
    await hand.page.locator('.ant-table-row', { hasText: 'W000001' }).waitFor()
    await shoot(hand.page, 'waybills-waves-360')
    await hand.page
      .locator('.ant-table-row', { hasText: 'W000001' })
      .getByTestId('wave-waybills-open')
      .click()
    await eventually(() => hand.page.getByTestId('wave-waybills').locator('.ant-table-row').count()).toBe(3)
    expect(await hand.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)
    await shoot(hand.page, 'waybills-wave-360')
    await hand.page.goto(`${w.base}/app/floor/pack?order=${orders[2]}`)
    await eventually(() => hand.page.getByTestId('pack-order').textContent()).toBe(EXTERNAL[2])
    expect(await hand.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)
    await shoot(hand.page, 'waybills-pack-360')
    await hand.context.close()

    const desk = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/floor/waves')
    await desk.page.getByText('EN', { exact: true }).click()
    await desk.page.getByRole('heading', { name: 'Waves' }).waitFor()
    await desk.page
      .locator('.ant-table-row', { hasText: 'W000001' })
      .getByTestId('wave-waybills-open')
      .click()
    await desk.page.getByText('E-waybills of wave W000001').waitFor()
    await eventually(() => desk.page.getByTestId('wave-waybills').locator('.ant-table-row').count()).toBe(3)
    await shoot(desk.page, 'waybills-wave-en-1440')
    await desk.page.keyboard.press('Escape')
    await desk.page.locator('.ant-drawer-content').waitFor({ state: 'hidden' })
    await desk.page.getByText('中文', { exact: true }).click()
    await desk.page.getByRole('heading', { name: '波次' }).waitFor()
    await desk.context.close()
  })

  it('the admin lists the accounts with branches and balance, adds an SF account whose credentials are never shown again, and sets a default carrier', async () => {
    const { page, context } = await openSignedIn(
      w,
      w.data.logins.admin,
      PASSWORD,
      '/app/floor/waybill-accounts',
    )
    await page.getByRole('heading', { name: '电子面单账号' }).waitFor()
    const cainiao = page.locator('.ant-table-row', { hasText: '菜鸟 杭州仓' }).first()
    await cainiao.waitFor()
    const text = await cainiao.textContent()
    expect(text).toContain('天猫旗舰店')
    expect(text).toContain('圆通速递（YTO） · 杭州余杭区文一西路网点')
    expect(text).toContain('中通快递（ZTO） · 杭州余杭区仓前网点')
    await cainiao.getByRole('button', { name: '刷新余额' }).click()
    await page.getByText('已刷新 菜鸟 杭州仓 的网点和余额。').waitFor()
    await shoot(page, 'waybills-accounts')

    await page.getByRole('button', { name: '添加账号' }).click()
    // Once the dialog has finished zooming in: a dropdown opened before moves when the zoom ends.
    const modal = stillDialog(page, '添加电子面单账号')
    await choose(page, modal.getByLabel('服务商'), '顺丰丰桥')
    await modal.getByLabel('名称').fill('顺丰月结')
    await modal.getByLabel('接口地址').fill(`${sb.url}/sf`)
    await modal.getByLabel('月结卡号').fill('5710000001')
    await modal.getByLabel('顾客编码（partnerID）').fill(SF.partnerId)
    await modal.getByLabel('校验码（checkWord）').fill(SF.checkWord)
    await modal.getByLabel('发件人').fill('杭州一仓')
    await modal.getByLabel('手机').fill('13800000000')
    await modal.getByLabel('省').fill('浙江省')
    await modal.getByLabel('市', { exact: true }).fill('杭州市')
    await modal.getByLabel('区', { exact: true }).fill('余杭区')
    await modal.getByLabel('详细地址').fill('文一西路969号')
    await shoot(page, 'waybills-account-create')
    const created = page.waitForResponse(
      (r) => r.url().endsWith('/waybill-accounts') && r.request().method() === 'POST',
    )
    await modal.getByRole('button', { name: '保存' }).click()
    const body = await (await created).text()
    expect(body).not.toContain(SF.checkWord)
    await page.getByText('已添加 顺丰月结。').waitFor()
    const sf = page.locator('.ant-table-row', { hasText: '顺丰月结' }).first()
    await sf.getByRole('button', { name: '刷新余额' }).click()
    await eventually(() => sf.textContent()).toContain('顺丰速运（SF）')
    // Write-only: the edit form shows that credentials are set, never what they are.
    await sf.getByRole('button', { name: '编辑' }).click()
    const edit = page.locator('.ant-modal', { hasText: '编辑 顺丰月结' })
    expect(await edit.getByLabel('校验码（checkWord）').inputValue()).toBe('')
    expect(await edit.getByLabel('校验码（checkWord）').getAttribute('placeholder')).toBe('已设置，不显示')
    expect(await page.content()).not.toContain(SF.checkWord)
    await edit.getByRole('button', { name: '取消' }).click()

    // The warehouse HZ ships SF by default.
    const defaults = page.getByTestId('waybill-defaults')
    const hzRow = defaults.locator('.ant-table-row', { hasText: 'HZ' })
    await choose(page, hzRow.locator('.ant-select').first(), '顺丰月结')
    await page.getByText('已保存默认快递。').waitFor()
    await eventually(() => hzRow.textContent()).toContain('顺丰速运（SF）')
    const saved = await w.env.ctx.db
      .selectFrom('waybill_defaults')
      .select(['scope', 'cp_code'])
      .where('merchant_id', '=', w.data.merchantId)
      .where('scope', '=', 'warehouse')
      .execute()
    expect(saved).toEqual([{ scope: 'warehouse', cp_code: 'SF' }])
    await cainiao.scrollIntoViewIfNeeded()
    await shoot(page, 'waybills-accounts-after')
    await page.getByText('EN', { exact: true }).click()
    await page.getByRole('heading', { name: 'E-waybill accounts' }).waitFor()
    await shoot(page, 'waybills-accounts-en-1440')
    await page.getByText('中文', { exact: true }).click()
    await context.close()

    const hand = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/floor/waybill-accounts', {
      width: 360,
      height: 740,
      mobile: true,
    })
    await hand.page.locator('.ant-table-row', { hasText: '菜鸟 杭州仓' }).first().waitFor()
    // The warehouse reads and refreshes; it adds nothing.
    expect(await hand.page.getByRole('button', { name: '添加账号' }).count()).toBe(0)
    // Each account's branches with their balance and 刷新余额 on the screen; the defaults below too.
    const account = hand.page.locator('.ant-table-row', { hasText: '菜鸟 杭州仓' }).first()
    await expectWithinHandheld(hand.page, [
      account.getByText('中通快递（ZTO） · 杭州余杭区仓前网点'),
      account.getByRole('button', { name: '刷新余额' }),
      hand.page
        .getByTestId('waybill-defaults')
        .locator('.ant-table-row', { hasText: 'HZ' })
        .getByText('顺丰月结'),
    ])
    await shoot(hand.page, 'waybills-accounts-360')
    await chooseLanguage(hand.page, 'EN')
    await hand.page.getByRole('heading', { name: 'E-waybill accounts' }).waitFor()
    await expectWithinHandheld(hand.page, [account.getByRole('button', { name: 'Refresh balance' })])
    await shoot(hand.page, 'waybills-accounts-360-en')
    await chooseLanguage(hand.page, '中文')
    await hand.context.close()
  })
})
