/**
 * The warehouse floor in Chromium: a wave made from filters with its preview, picked on a 360 px
 * handheld by scanning bins and items (one wrong item refused with a buzz, one short shelf), an
 * order verified and packed at the desk (an extra item refused, the scans surviving a reload),
 * shipped with a scanned tracking number and its writeback seen arriving at the sandbox store, and
 * the pick list and the packing slip in print preview (zh-CN).
 */
import { execFileSync } from 'node:child_process'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runWriteback } from '../../src/fulfillment/writeback.js'
import { allocateOrder } from '../../src/inventory/allocate.js'
import { receive } from '../../src/inventory/operations.js'
import { newId } from '../../src/lib/ids.js'
import { startSelfstoreSandbox, type SelfstoreSandbox } from '../../src/sandbox/selfstore-server.js'
import { createShop } from '../../src/shops/repo.js'
import { upsertSkus } from '../../src/skus/repo.js'
import { seedOrder } from '../helpers/orders.js'
import {
  browserMissing,
  chooseLanguage,
  eventually,
  expectWithinHandheld,
  openSignedIn,
  shoot,
  SCREENS,
  startWorld,
  type World,
} from './harness.js'
import { PASSWORD } from './seed.js'

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

declare global {
  interface Window {
    __epSounds?: string[]
  }
}

/** The Code 128 symbols zbarimg reads in a picture, or null without zbarimg. */
function zbar(png: string): string[] | null {
  try {
    return execFileSync('zbarimg', ['-q', '--raw', png], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter(Boolean)
  } catch (err) {
    const out =
      (err as { stdout?: string; code?: string }).code === 'ENOENT'
        ? null
        : (err as { stdout?: string }).stdout
    return out === null || out === undefined ? null : out.split('\n').filter(Boolean)
  }
}

/** A keyboard-wedge scan: fast keystrokes into the scan field, then Enter. */
async function scan(page: Page, code: string): Promise<void> {
  await page.getByTestId('scan-input').focus()
  await page.keyboard.type(code, { delay: 5 })
  await page.keyboard.press('Enter')
}

describe.skipIf(browserMissing())('the warehouse floor', () => {
  let w: World
  let store: SelfstoreSandbox
  let hz = ''
  const orders: { id: string; externalId: string }[] = []
  let waveId = ''

  beforeAll(async () => {
    w = await startWorld()
    const { db } = w.env.ctx
    const m = w.data.merchantId
    store = await startSelfstoreSandbox({
      seed: 15,
      catalogue: [
        { skuCode: 'CUP-A', title: '保温杯 500ml', price: '89.00' },
        { skuCode: 'TEA-B', title: '龙井茶 250g', price: '128.00' },
      ],
      apiKey: 'k-floor',
      webhookSecret: 's-floor',
    })
    const shop = await createShop(w.env.ctx, w.env.ctx.config.secretKey, m, {
      channel: 'selfstore',
      name: '好物小程序商城',
      settings: { baseUrl: store.url, defaultCarrier: 'SF' },
      credentials: { apiKey: 'k-floor', webhookSecret: 's-floor' },
    })
    hz = (
      await db
        .selectFrom('warehouses')
        .select('id')
        .where('merchant_id', '=', m)
        .where('code', '=', 'HZ')
        .executeTakeFirstOrThrow()
    ).id
    await upsertSkus(w.env.ctx, m, [
      { code: 'CUP-A', name: '保温杯 500ml 白色', barcode: '6901234567892' },
      { code: 'TEA-B', name: '龙井茶 250g 罐装' },
      { code: 'PEN-C', name: '中性笔 0.5mm 黑色' },
    ])
    const sku = Object.fromEntries(
      (await db.selectFrom('skus').select(['id', 'code']).where('merchant_id', '=', m).execute()).map((s) => [
        s.code,
        s.id,
      ]),
    )
    for (const [code, n] of [
      ['CUP-A', 10],
      ['TEA-B', 10],
      ['PEN-C', 1],
    ] as const)
      await receive(
        db,
        m,
        { warehouseId: hz, skuId: sku[code]!, quantity: n, unitCost: '10', currency: 'CNY' },
        { actor: 't' },
      )
    const bins = await w.env.app.inject({
      method: 'PUT',
      url: '/stock/bins',
      headers: { authorization: `Bearer ${w.data.adminKey}` },
      payload: {
        items: [
          { warehouseId: hz, skuId: sku['CUP-A'], bin: 'A-01-02' },
          { warehouseId: hz, skuId: sku['TEA-B'], bin: 'A-10-01' },
          { warehouseId: hz, skuId: sku['PEN-C'], bin: 'B-02-01' },
        ],
      },
    })
    expect(bins.statusCode).toBeLessThan(300)
    // The store's own orders, so that the writeback lands on an order it knows.
    const sold = store.generate(3)
    const lines = [
      [
        { skuId: sku['CUP-A']!, quantity: 1 },
        { skuId: sku['TEA-B']!, quantity: 1 },
      ],
      [{ skuId: sku['CUP-A']!, quantity: 1 }],
      [{ skuId: sku['PEN-C']!, quantity: 1 }],
    ]
    const buyers = ['陈小姐', '刘先生', '林女士']
    for (const [i, l] of lines.entries()) {
      const { orderId } = await seedOrder(db, m, shop.id, l, {
        externalId: sold[i]!.id,
        channel: 'selfstore',
      })
      await db
        .updateTable('orders')
        .set({ buyer_nick: buyers[i]!, buyer_note: i === 0 ? '请加一个保温袋' : null })
        .where('id', '=', orderId)
        .execute()
      expect(await allocateOrder(w.env.ctx, m, orderId)).toBe('allocated')
      orders.push({ id: orderId, externalId: sold[i]!.id })
    }
  })
  afterAll(async () => {
    expect(w.offsite).toEqual([])
    await store?.close()
    await w?.close()
  })

  it('makes a wave from filters after a preview of its orders and units, and lists it', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/')
    // The warehouse lands on its floor.
    await page.getByRole('heading', { name: '波次' }).waitFor()
    await page.getByRole('button', { name: '创建波次' }).click()
    await eventually(() => page.getByTestId('wave-preview').textContent()).toBe(
      '将生成 3 个订单、4 件商品的波次。',
    )
    await shoot(page, 'floor-wave-create')
    await page.getByRole('button', { name: '生成波次' }).click()
    const row = page.locator('.ant-table-row', { hasText: 'W000001' })
    await row.waitFor()
    expect(await row.textContent()).toContain('待拣货')
    await shoot(page, 'floor-waves')
    waveId = (
      await w.env.ctx.db
        .selectFrom('waves')
        .select('id')
        .where('merchant_id', '=', w.data.merchantId)
        .executeTakeFirstOrThrow()
    ).id
    await context.close()
  })

  it('picks the wave on a 360 px handheld by scanning bins and items; a wrong item is refused with a buzz; a short shelf goes to the shortage flow', async () => {
    const { page, context } = await openSignedIn(
      w,
      w.data.logins.warehouse,
      PASSWORD,
      `/app/floor/pick/${waveId}`,
      {
        width: 360,
        height: 740,
        mobile: true,
      },
    )
    await page.addInitScript(() => (window.__epSounds = []))
    await page.reload()
    await eventually(() => page.getByTestId('pick-bin').textContent()).toBe('A-01-02')
    expect(await page.getByTestId('scan-input').getAttribute('inputmode')).toBe('none')
    await shoot(page, 'floor-pick-360-bin')
    await scan(page, 'A-01-02')
    await page.getByText('请扫描商品').first().waitFor()
    // Wrong item: refused with a red banner and the buzz.
    await scan(page, 'MUG-350-WH')
    await eventually(() => page.getByTestId('scan-error').textContent()).toContain(
      '扫错了：「MUG-350-WH」不在这个波次里',
    )
    expect(await page.evaluate(() => window.__epSounds)).toContain('error')
    await shoot(page, 'floor-pick-360-wrong')
    // The barcode and the SKU code both name the cup: each unit is told its slot.
    await scan(page, '6901234567892')
    await eventually(() => page.getByTestId('pick-slot').textContent()).toBe('放入 1 号格')
    await shoot(page, 'floor-pick-360-slot')
    await scan(page, 'CUP-A')
    await eventually(() => page.getByTestId('pick-bin').textContent()).toBe('A-10-01')
    await scan(page, 'A-10-01')
    await page.getByText('请扫描商品').first().waitFor()
    await scan(page, 'TEA-B')
    await eventually(() => page.getByTestId('pick-bin').textContent()).toBe('B-02-01')
    await scan(page, 'B-02-01')
    // The shelf is empty: 缺货.
    const short = page.getByTestId('pick-short')
    expect((await short.boundingBox())!.height).toBeGreaterThanOrEqual(44)
    await short.click()
    await page.getByRole('button', { name: '确定' }).click()
    await page.getByText('这个波次已全部拣完。').waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)
    await shoot(page, 'floor-pick-360-done')
    const ex = await w.env.ctx.db
      .selectFrom('order_exceptions')
      .select('reason')
      .where('order_id', '=', orders[2]!.id)
      .where('status', '=', 'open')
      .execute()
    expect(ex.map((e) => e.reason)).toContain('pick_shortage')
    await context.close()
  })

  it('verifies and packs at the desk: an extra item is refused, the scans survive a reload; ships and the writeback arrives at the store', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/floor/pack')
    await page.getByRole('heading', { name: '验货打包' }).waitFor()
    // The sorting-wall slot names the order.
    await scan(page, 'W000001-01')
    await eventually(() => page.getByTestId('pack-order').textContent()).toBe(orders[0]!.externalId)
    await scan(page, 'CUP-A')
    await eventually(() => page.getByTestId('pack-progress').textContent()).toBe('还差 1 件。')
    await scan(page, 'CUP-A')
    await eventually(() => page.getByTestId('scan-error').textContent()).toContain(
      '多了：「CUP-A」已经扫够了',
    )
    await scan(page, 'PEN-C')
    await eventually(() => page.getByTestId('scan-error').textContent()).toContain(
      '扫错了：「PEN-C」不在这个订单里',
    )
    await shoot(page, 'floor-pack-refused')
    await page.reload()
    await eventually(() => page.getByTestId('pack-progress').textContent()).toBe('还差 1 件。')
    await scan(page, 'TEA-B')
    await eventually(() => page.getByTestId('pack-progress').textContent()).toBe('已扫齐，可以打包。')
    await page.getByRole('button', { name: '打包' }).click()
    await page.getByTestId('ship-form').waitFor()
    await page.getByTestId('get-waybill').waitFor()
    await shoot(page, 'floor-pack-packed')
    await page.getByPlaceholder('扫描或输入快递单号').focus()
    await page.keyboard.type('SF1234567001', { delay: 5 })
    await page.keyboard.press('Enter')
    await eventually(() => page.getByTestId('pack-progress').textContent()).toContain('顺丰速运 SF1234567001')
    await shoot(page, 'floor-pack-shipped')
    // The worker's turn: the queued writeback reaches the store.
    const pending = await w.env.ctx.db
      .selectFrom('shipment_writebacks')
      .select('id')
      .where('order_id', '=', orders[0]!.id)
      .execute()
    expect(pending).toHaveLength(1)
    expect(await runWriteback(w.env.ctx, w.data.merchantId, pending[0]!.id, false)).toBe('done')
    expect(store.shipments).toEqual([
      { orderId: orders[0]!.externalId, body: expect.objectContaining({ tracking_number: 'SF1234567001' }) },
    ])
    await page.goto(`${w.base}/app/floor/writebacks`)
    await page.getByRole('tab', { name: '已回传' }).click()
    const row = page.locator('.ant-table-row', { hasText: orders[0]!.externalId })
    await row.waitFor()
    expect(await row.textContent()).toContain('已回传')
    await shoot(page, 'floor-writebacks')
    await context.close()
  })

  it('prints the pick list (A4, legend, barcodes) and the packing slip (100 × 150 mm) in zh-CN', async () => {
    const { page, context } = await openSignedIn(
      w,
      w.data.logins.warehouse,
      PASSWORD,
      `/app/print/waves/${waveId}`,
    )
    await page.getByTestId('picklist-print').waitFor()
    await page.emulateMedia({ media: 'print' })
    expect(await page.getByRole('button', { name: '打印' }).isVisible()).toBe(false)
    const legend = await page.getByTestId('picklist-legend').textContent()
    expect(legend).toContain(orders[0]!.externalId)
    expect(legend).toContain('陈小姐')
    expect(await page.locator('svg[data-barcode="W000001"]').count()).toBe(1)
    expect(await page.locator('svg[data-barcode="6901234567892"]').count()).toBe(1)
    await page.screenshot({ path: `${SCREENS}print-picklist.png`, fullPage: true })
    // Where zbar is installed, the printed barcodes are read back as a scanner would.
    const decoded = zbar(`${SCREENS}print-picklist.png`)
    if (decoded)
      expect(decoded).toEqual(expect.arrayContaining(['W000001', 'W000001-01', '6901234567892', 'TEA-B']))
    const a4 = (await page.pdf({ preferCSSPageSize: true })).toString('latin1')
    expect(a4).toMatch(/MediaBox \[0 0 59[45]\.\d+ 84[12]\.\d+\]/)

    // The server's printable HTML opens with the session cookie alone (no Bearer header).
    const html = await page.goto(`${w.base}/waves/${waveId}/picklist?format=html`)
    expect(html!.status()).toBe(200)
    expect(await page.content()).toContain('(Asia/Shanghai)')

    await page.goto(`${w.base}/app/print/orders/${orders[0]!.id}/slip`)
    await page.getByTestId('slip-print').waitFor()
    await page.emulateMedia({ media: 'print' })
    expect(await page.locator(`svg[data-barcode="${orders[0]!.externalId}"]`).count()).toBe(1)
    const slip = await page.getByTestId('slip-print').textContent()
    expect(slip).toContain('杭州好物商贸有限公司')
    expect(slip).toContain('请加一个保温袋')
    expect(slip).not.toContain('138')
    await page.setViewportSize({ width: 420, height: 640 })
    await page.screenshot({ path: `${SCREENS}print-slip.png`, fullPage: true })
    const label = (await page.pdf({ preferCSSPageSize: true })).toString('latin1')
    expect(label).toMatch(/MediaBox \[0 0 28[23]\.\d+ 42[45]\.\d+\]/)
    await context.close()
  })

  it('reads well in English at 1280 px, and at 360 px in Chinese and English with the actions of every wave on the screen', async () => {
    const desk = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/floor/waves', {
      width: 1280,
      height: 800,
    })
    await desk.page.getByText('EN', { exact: true }).click()
    await desk.page.getByRole('heading', { name: 'Waves' }).waitFor()
    await desk.page.getByRole('tab', { name: 'All' }).click()
    await desk.page.locator('.ant-table-row', { hasText: 'W000001' }).waitFor()
    await shoot(desk.page, 'floor-waves-en-1280')
    await desk.page.goto(`${w.base}/app/floor/pack?order=${orders[0]!.id}`)
    await eventually(() => desk.page.getByTestId('pack-order').textContent()).toBe(orders[0]!.externalId)
    await shoot(desk.page, 'floor-pack-en-1280')
    await desk.page.goto(`${w.base}/app/floor/writebacks`)
    await desk.page.getByRole('heading', { name: 'Shipment writebacks' }).waitFor()
    await shoot(desk.page, 'floor-writebacks-en-1280')
    // Back to Chinese for the rest of the suite (the choice is kept on the user).
    // The choice is saved on the user (PATCH /me): wait for it, or the next context may start in English.
    const saved = desk.page.waitForResponse(
      (r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === '/me' && r.ok(),
    )
    await desk.page.getByText('中文', { exact: true }).click()
    await saved
    await desk.page.getByRole('heading', { name: '发货回传' }).waitFor()
    await desk.context.close()

    const hand = await openSignedIn(
      w,
      w.data.logins.warehouse,
      PASSWORD,
      `/app/floor/pack?order=${orders[0]!.id}`,
      {
        width: 360,
        height: 740,
        mobile: true,
      },
    )
    await eventually(() => hand.page.getByTestId('pack-order').textContent()).toBe(orders[0]!.externalId)
    expect(await hand.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)
    await shoot(hand.page, 'floor-pack-360')
    await hand.page.goto(`${w.base}/app/floor/waves`)
    await hand.page.getByRole('tab', { name: '全部' }).click()
    const wave = hand.page.locator('.ant-table-row', { hasText: 'W000001' })
    await wave.waitFor()
    // The wave is a card: its number, stage and both actions on the screen, none past its edge.
    await expectWithinHandheld(hand.page, [
      wave.getByText('W000001'),
      wave.getByText('已拣完'),
      wave.getByRole('button', { name: /拣\s*货/ }),
      wave.getByTestId('wave-waybills-open'),
      hand.page.getByRole('button', { name: '创建波次' }),
    ])
    await shoot(hand.page, 'floor-waves-360')
    // A writeback the store refused, as the worker leaves it after its last attempt: 重试 is the
    // handheld's one action on this screen.
    const refused = await w.env.ctx.db
      .selectFrom('orders')
      .select(['id', 'shop_id'])
      .where('id', '=', orders[1]!.id)
      .executeTakeFirstOrThrow()
    // (Once: a retried test finds it there.)
    await w.env.ctx.db.deleteFrom('shipment_writebacks').where('order_id', '=', refused.id).execute()
    await w.env.ctx.db
      .insertInto('shipment_writebacks')
      .values({
        id: newId(),
        merchant_id: w.data.merchantId,
        shipment_id: newId(),
        order_id: refused.id,
        shop_id: refused.shop_id,
        parcel_no: 1,
        status: 'failed',
        attempts: 6,
        last_error: 'order is cancelled and cannot be fulfilled',
        note: null,
        done_at: null,
      })
      .execute()
    await hand.page.goto(`${w.base}/app/floor/writebacks`)
    const failed = hand.page.locator('.ant-table-row', { hasText: orders[1]!.externalId })
    await failed.waitFor()
    await expectWithinHandheld(hand.page, [
      failed.getByText(orders[1]!.externalId),
      failed.getByText('失败'),
      failed.getByText('「order is cancelled and cannot be fulfilled」'),
      failed.getByRole('button', { name: /重\s*试/ }),
    ])
    await shoot(hand.page, 'floor-writebacks-360')
    await hand.page.getByRole('tab', { name: '全部' }).click()
    const sent = hand.page.locator('.ant-table-row', { hasText: orders[0]!.externalId })
    await sent.waitFor()
    await expectWithinHandheld(hand.page, [sent.getByText('顺丰速运 SF1234567001'), sent.getByText('已回传')])
    await chooseLanguage(hand.page, 'EN')
    await hand.page.getByRole('heading', { name: 'Shipment writebacks' }).waitFor()
    await hand.page.getByRole('tab', { name: 'Failed' }).click()
    await expectWithinHandheld(hand.page, [failed.getByRole('button', { name: 'Retry' })])
    await shoot(hand.page, 'floor-writebacks-360-en')
    await hand.page.goto(`${w.base}/app/floor/waves`)
    await hand.page.getByRole('tab', { name: 'All' }).click()
    await wave.waitFor()
    await expectWithinHandheld(hand.page, [
      wave.getByRole('button', { name: 'Pick' }),
      wave.getByTestId('wave-waybills-open'),
    ])
    await shoot(hand.page, 'floor-waves-360-en')
    await chooseLanguage(hand.page, '中文')
    await hand.context.close()
  })
})
