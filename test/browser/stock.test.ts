/**
 * The warehouse floor's stock screens in Chromium: a receipt of three lines entered by scanning
 * (keyboard-wedge: fast keystrokes ending with Enter) on a 360 px handheld and posted once; a blind
 * count on the handheld approved by a second person; a transfer shipped and received with a
 * discrepancy; and the movements ledger showing every one of them, with its XLSX export.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { bearer } from '../helpers/app.js'
import {
  browserMissing,
  chooseLanguage,
  eventually,
  expectWithinHandheld,
  openSignedIn,
  shoot,
  startWorld,
  type World,
} from './harness.js'
import { PASSWORD } from './seed.js'

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

const HANDHELD = { width: 360, height: 740, mobile: true }

/** A keyboard-wedge scan: the code typed fast, then Enter. */
async function scan(page: Page, code: string, testId = 'scan-input'): Promise<void> {
  await page.getByTestId(testId).focus()
  await page.keyboard.type(code, { delay: 5 })
  await page.keyboard.press('Enter')
}

/** Pick the n-th option (0-based) of the antd Select labelled `label`, by keyboard as a person can. */
async function pick(page: Page, label: string, n: number): Promise<void> {
  const box = page.getByRole('combobox', { name: label })
  await box.focus()
  await page.keyboard.press('ArrowDown')
  await page.locator('.ant-select-dropdown').filter({ visible: true }).first().waitFor()
  for (let i = 0; i < n; i++) await page.keyboard.press('ArrowDown')
  await page.keyboard.press('Enter')
}

const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= 360)

describe.skipIf(browserMissing())('stock screens', () => {
  let w: World
  const skus: Record<string, string> = {}
  const wh: Record<string, string> = {}
  const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
    const res = await w.env.app.inject({
      method,
      url,
      headers: bearer(w.data.adminKey),
      ...(payload !== undefined ? { payload: payload as object } : {}),
    })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json<Record<string, unknown>>()
  }

  beforeAll(async () => {
    w = await startWorld()
    await api('POST', '/skus/bulk', { items: [{ code: 'CAP-RED-F', name: '棒球帽 红色 均码' }] })
    for (const s of (await api('GET', '/skus')).items as { id: string; code: string }[]) skus[s.code] = s.id
    for (const x of (await api('GET', '/warehouses')).items as { id: string; code: string }[])
      wh[x.code] = x.id
    await api('PUT', `/skus/${skus['TS-001-BK-M']}/barcodes`, {
      items: [{ code: '6901234567892', kind: 'ean13' }],
    })
    await api('PUT', `/skus/${skus['MUG-350-WH']}/barcodes`, {
      items: [{ code: 'MUG350WH-C128', kind: 'code128' }],
    })
    await api('PUT', '/stock/bins', {
      items: [
        { warehouseId: wh.HZ, skuId: skus['TS-001-BK-M'], bin: 'A-01-01' },
        { warehouseId: wh.HZ, skuId: skus['MUG-350-WH'], bin: 'A-01-02' },
        { warehouseId: wh.HZ, skuId: skus['CAP-RED-F'], bin: 'A-02-01' },
      ],
    })
    await api('POST', '/stock/receipts', {
      warehouseId: wh.HZ,
      skuId: skus['TS-001-BK-M'],
      quantity: 20,
      unitCost: '25.00',
      currency: 'CNY',
    })
  })
  afterAll(async () => {
    expect(w.offsite).toEqual([])
    await w?.close()
  })

  it('receives three lines by scanning on a 360 px handheld, previews the average cost and posts once', async () => {
    const { page, context } = await openSignedIn(
      w,
      w.data.logins.warehouse,
      PASSWORD,
      '/app/stock/receipts/new',
      HANDHELD,
    )
    await page.addInitScript(() => {
      ;(window as unknown as { buzzes: number }).buzzes = 0
      ;(window as unknown as { entrepotScanError: () => void }).entrepotScanError = () => {
        ;(window as unknown as { buzzes: number }).buzzes++
      }
    })
    await page.reload()
    const input = page.getByTestId('scan-input')
    await input.waitFor()
    expect(await input.getAttribute('inputmode')).toBe('none')
    // An EAN-13, a Code128 and a SKU code: three lines; the EAN again adds one to its line.
    await scan(page, '6901234567892')
    await page.getByTestId('scan-ok').filter({ hasText: 'TS-001-BK-M' }).waitFor()
    await scan(page, 'MUG350WH-C128')
    await page.getByTestId('scan-ok').filter({ hasText: 'MUG-350-WH' }).waitFor()
    await scan(page, 'CAP-RED-F')
    await page.getByTestId('scan-ok').filter({ hasText: 'CAP-RED-F' }).waitFor()
    await scan(page, '6901234567892')
    await eventually(() => page.getByLabel('数量 TS-001-BK-M').inputValue()).toBe('2')
    // A code nobody knows: a red banner naming it, and one buzz.
    await scan(page, '6909999999999')
    await page.getByTestId('scan-error').filter({ hasText: '6909999999999' }).waitFor()
    expect(await page.evaluate(() => (window as unknown as { buzzes: number }).buzzes)).toBe(1)
    await shoot(page, 'stock-receipt-scan-error-360')
    await expect(page.locator('[data-testid="receipt-lines"] .ant-table-row').count()).resolves.toBe(3)

    await page.getByLabel('数量 TS-001-BK-M').fill('20')
    await page.getByLabel('单价 TS-001-BK-M').fill('31')
    await page.getByLabel('库位 TS-001-BK-M').fill('A-01-01')
    await page.getByLabel('单价 MUG-350-WH').fill('12.5')
    await page.getByLabel('单价 CAP-RED-F').fill('9.90')
    await page.getByRole('button', { name: '保存草稿' }).click()
    await page.waitForURL(/\/app\/stock\/receipts\/[0-9A-Z]{26}$/)
    // (20 × 25.00 + 20 × 31.00) / 40 = 28.00, shown before posting.
    await page.getByText('¥28.00').waitFor()
    expect(await noHorizontalScroll(page)).toBe(true)
    await shoot(page, 'stock-receipt-draft-360')
    await page.getByTestId('post-receipt').click()
    await page.getByRole('button', { name: /^确\s*定$/ }).click()
    await page.locator('.ant-tag').filter({ hasText: '已过账' }).first().waitFor()
    await shoot(page, 'stock-receipt-posted-360')
    const number = (await page.getByRole('heading').first().textContent())!.match(/RK\d{8}-\d{4}/)![0]
    // Posting again through the API changes nothing.
    const id = page.url().split('/').pop()!
    const again = await api('POST', `/receipts/${id}/post`)
    expect(again.alreadyPosted).toBe(true)
    const stock = (await api('GET', `/stock?skuId=${skus['TS-001-BK-M']}&warehouseId=${wh.HZ}`)).items as {
      onHand: number
      avgCost: string
    }[]
    expect(stock[0]).toMatchObject({ onHand: 40, avgCost: '28.0000' })
    expect(number).toMatch(/^RK/)
    await context.close()
  })

  it('counts blind on the handheld; the counter may not approve, a second person does', async () => {
    const { page, context } = await openSignedIn(
      w,
      w.data.logins.warehouse,
      PASSWORD,
      '/app/stock/counts',
      HANDHELD,
    )
    await page.getByRole('button', { name: '新建盘点单' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('起始库位').fill('A-01-01')
    await dialog.getByLabel('结束库位').fill('A-01-99')
    await dialog.getByRole('button', { name: /^新\s*建$/ }).click()
    await page.waitForURL(/\/app\/stock\/counts\/[0-9A-Z]{26}$/)
    await page.getByText('盲盘：不显示账面数量').waitFor()
    // Blind: no book quantity column anywhere.
    await expect(page.getByRole('columnheader', { name: '账面' }).count()).resolves.toBe(0)
    for (let i = 0; i < 3; i++) {
      await scan(page, 'MUG350WH-C128')
      await page
        .getByTestId('last-count')
        .filter({ hasText: `→ ${i + 1}` })
        .waitFor()
    }
    // 38 T-shirts found of 40: typed, not scanned one by one.
    await page.getByLabel('实盘 TS-001-BK-M').fill('38')
    await page.getByLabel('实盘 TS-001-BK-M').blur()
    await eventually(
      async () => (await api('GET', `/stock-counts/${page.url().split('/').pop()}`)).lines,
    ).toEqual(expect.arrayContaining([expect.objectContaining({ skuCode: 'TS-001-BK-M', counted: 38 })]))
    await shoot(page, 'stock-count-blind-360')
    expect(await noHorizontalScroll(page)).toBe(true)
    await page.getByRole('button', { name: '提交审核' }).click()
    await page.getByRole('button', { name: /^确\s*定$/ }).click()
    await page.locator('.ant-tag').filter({ hasText: '待审核' }).waitFor()
    // The counter tries to approve their own count: refused, in Chinese.
    await page.getByTestId('approve-count').click()
    await page.getByText('盘点人不能审核自己的盘点单').waitFor()
    await shoot(page, 'stock-count-self-approval-refused-360')
    const countUrl = page.url().replace(w.base, '')
    await context.close()

    const admin = await openSignedIn(w, w.data.logins.admin, PASSWORD, countUrl, { width: 1280, height: 800 })
    await admin.page.getByRole('columnheader', { name: '账面' }).waitFor()
    const tee = admin.page
      .locator('[data-testid="count-lines"] .ant-table-row')
      .filter({ hasText: 'TS-001-BK-M' })
    await expect(tee.textContent()).resolves.toContain('−2')
    await shoot(admin.page, 'stock-count-review-1280')
    await admin.page.getByTestId('approve-count').click()
    await admin.page.locator('.ant-tag').filter({ hasText: '已审核' }).waitFor()
    await shoot(admin.page, 'stock-count-approved-1280')
    await admin.context.close()
    const stock = (await api('GET', `/stock?skuId=${skus['TS-001-BK-M']}&warehouseId=${wh.HZ}`)).items as {
      onHand: number
    }[]
    expect(stock[0]!.onHand).toBe(38)
  })

  it('ships a transfer (in transit, available nowhere) and receives it with a discrepancy', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/stock/transfers', {
      width: 1280,
      height: 800,
    })
    await page.getByRole('button', { name: '新建调拨单' }).click()
    const dialog = page.getByRole('dialog')
    await pick(page, '调出仓', 0) // 杭州仓
    await pick(page, '调入仓', 1) // 深圳仓
    for (let i = 0; i < 5; i++) {
      await scan(page, '6901234567892', 'transfer-scan')
      await eventually(() => dialog.getByLabel('数量 TS-001-BK-M').inputValue()).toBe(String(i + 1))
    }
    await dialog.getByRole('button', { name: '保存调拨单' }).click()
    await page.waitForURL(/\/app\/stock\/transfers\/[0-9A-Z]{26}$/)
    await page.getByRole('button', { name: '确认发出' }).click()
    await page.getByRole('button', { name: /^确\s*定$/ }).click()
    await page.locator('.ant-tag').filter({ hasText: '在途' }).first().waitFor()
    // In transit: gone from Hangzhou, not yet available in Shenzhen.
    const tee = (await api('GET', `/stock?skuId=${skus['TS-001-BK-M']}`)).items as {
      warehouseCode: string
      available: number
    }[]
    expect(tee.reduce((n, r) => n + r.available, 0)).toBe(33)
    await shoot(page, 'stock-transfer-in-transit-1280')
    await page.getByLabel('本次收到 TS-001-BK-M').fill('4')
    await page.getByPlaceholder('例如：1 件外箱破损，拒收').fill('1 件外箱破损，拒收')
    await page.getByTestId('receive-transfer').click()
    await page.locator('.ant-tag').filter({ hasText: '已收货' }).first().waitFor()
    await page.getByText('1 件外箱破损，拒收').waitFor()
    await expect(
      page
        .locator('[data-testid="transfer-lines"] .ant-table-row')
        .first()
        .locator('td')
        .last()
        .textContent(),
    ).resolves.toBe('1')
    await shoot(page, 'stock-transfer-received-1280')
    await context.close()
  })

  it('shows every movement on the ledger screen, in Chinese and English, and exports XLSX', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/stock/movements', {
      width: 1280,
      height: 800,
    })
    const rows = page.locator('.ant-table-row')
    await rows.first().waitFor()
    const text = await page.locator('.ant-table-tbody').textContent()
    for (const word of ['入库', '盘点调整', '调拨出库', '调拨入库', 'RK', 'PD', 'DB', '李雷', '王芳'])
      expect(text).toContain(word)
    await shoot(page, 'stock-movements-1280')
    // Filter by a transfer's number: its out and in.
    const transfers = (await api('GET', '/transfers')).items as { number: string }[]
    await page.getByLabel('单号').fill(transfers[0]!.number)
    await page.getByRole('button', { name: /查\s*询/ }).click()
    await eventually(() => rows.count()).toBe(2)
    const href = await page.getByTestId('movements-export').getAttribute('href')
    expect(href).toContain(`ref=${transfers[0]!.number}`)
    const file = await context.request.get(`${w.base}${href}`)
    expect(file.status()).toBe(200)
    expect(file.headers()['content-type']).toContain('spreadsheetml')
    await context.close()

    const levels = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/stock', {
      width: 1280,
      height: 800,
    })
    await levels.page.locator('.ant-table-row').first().waitFor()
    await shoot(levels.page, 'stock-levels-1280')
    await levels.context.close()

    const small = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/stock/movements', HANDHELD)
    await small.page.locator('.ant-table-row').first().waitFor()
    expect(await noHorizontalScroll(small.page)).toBe(true)
    await shoot(small.page, 'stock-movements-360')
    await small.page.getByText('EN', { exact: true }).click()
    await small.page.getByText('Movements').first().waitFor()
    await shoot(small.page, 'stock-movements-360-en')
    await small.context.close()
  })

  it('lists receipts, count sheets and transfers on a 360 px handheld in Chinese and English', async () => {
    const { page, context } = await openSignedIn(
      w,
      w.data.logins.warehouse,
      PASSWORD,
      '/app/stock/receipts',
      HANDHELD,
    )
    // Each list: 新建 and every row's number, state and figure (units, amount, progress) on the screen.
    const lists = [
      ['receipts', '新建入库单', 'New receipt', '已过账', 'Posted', '¥'],
      ['counts', '新建盘点单', 'New count sheet', '已审核', 'Approved', '/'],
      ['transfers', '新建调拨单', 'New transfer', '已收货', 'Received', '4/5'],
    ] as const
    for (const lang of ['zh', 'en'] as const) {
      if (lang === 'en') await chooseLanguage(page, 'EN')
      for (const [path, zhNew, enNew, zhState, enState, figure] of lists) {
        await page.goto(`${w.base}/app/stock/${path}`)
        const row = page.locator('.ant-table-row').first()
        await row.waitFor()
        await expectWithinHandheld(page, [
          page.getByRole('button', { name: lang === 'zh' ? zhNew : enNew }),
          row.locator('.mono').first(),
          row.getByText(lang === 'zh' ? zhState : enState),
          row.locator('td').last().getByText(figure),
        ])
        await shoot(page, `stock-${path}-360${lang === 'en' ? '-en' : ''}`)
      }
    }
    await chooseLanguage(page, '中文')
    await context.close()
  })
})
