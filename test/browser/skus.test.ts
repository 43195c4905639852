/**
 * SKUs and bundles in Chromium: create a SKU, refuse a code that exists, edit it, and make it a
 * bundle (组合装) of two SKUs that the API then returns as its composition.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { bearer } from '../helpers/app.js'
import {
  browserMissing,
  eventually,
  expectWithinHandheld,
  openSignedIn,
  pickOption,
  settle,
  shoot,
  startWorld,
  type World,
} from './harness.js'
import { PASSWORD } from './seed.js'

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

describe.skipIf(browserMissing())('SKUs and bundles', () => {
  let w: World
  beforeAll(async () => {
    w = await startWorld()
  })
  afterAll(async () => {
    expect(w.offsite).toEqual([])
    await w?.close()
  })

  it('creates a SKU, refuses a code that exists, and edits it', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/skus')
    await page.getByRole('heading', { name: 'SKU 与组合装' }).waitFor()
    await eventually(() => page.locator('.ant-table-row').count()).toBe(2)
    await shoot(page, 'skus')

    await page.getByRole('button', { name: '新建 SKU' }).click()
    const modal = page.getByRole('dialog', { name: '新建 SKU' })
    // The form has taken its defaults (the modal resets it when it opens): typing before that is lost.
    await eventually(() => modal.getByLabel('单位').inputValue()).toBe('pcs')
    await settle(page)
    await modal.getByLabel('SKU 编码').fill('MUG-350-WH')
    await modal.getByLabel('名称').fill('重复的杯子')
    await modal.getByRole('button', { name: '保存' }).click()
    await modal.getByText('编码 MUG-350-WH 已存在。').waitFor()

    await modal.getByLabel('SKU 编码').fill('GIFT-LJ-01')
    await modal.getByLabel('名称').fill('龙井茶礼盒（T恤 + 马克杯）')
    await modal.getByLabel('条码').fill('6901234567892')
    await shoot(page, 'sku-create')
    await modal.getByRole('button', { name: '保存' }).click()
    await page.getByText('已新建 SKU GIFT-LJ-01').waitFor()
    const row = page.locator('.ant-table-row').filter({ hasText: 'GIFT-LJ-01' })
    await eventually(() => row.textContent()).toContain('龙井茶礼盒（T恤 + 马克杯）')
    // The existing SKU was not overwritten.
    await expect(page.locator('.ant-table-row').filter({ hasText: '重复的杯子' }).count()).resolves.toBe(0)

    await row.getByRole('button', { name: '编辑' }).click()
    const edit = page.getByRole('dialog', { name: '编辑 SKU' })
    await expect(edit.getByLabel('SKU 编码').isDisabled()).resolves.toBe(true)
    await edit.getByLabel('名称').fill('龙井茶礼盒 2026 版')
    await edit.getByRole('button', { name: '保存' }).click()
    await eventually(() => row.textContent()).toContain('龙井茶礼盒 2026 版')
    await expect(row.textContent()).resolves.toContain('6901234567892')

    // Search by code prefix.
    await page.getByRole('textbox', { name: '搜索' }).fill('GIFT')
    await page.getByRole('button', { name: '查询' }).click()
    await eventually(() => page.locator('.ant-table-row').count()).toBe(1)
    await context.close()
  })

  it('makes the SKU a bundle of two SKUs', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/skus')
    const row = page.locator('.ant-table-row').filter({ hasText: 'GIFT-LJ-01' })
    await row.getByRole('button', { name: '组合装' }).click()
    const modal = page.getByRole('dialog', { name: /组合装：GIFT-LJ-01/ })
    await modal.getByText('还没有单品：这是一个普通 SKU。').waitFor()

    const addComponent = async (n: number, code: string, quantity: string, value: string) => {
      await modal.getByRole('button', { name: '添加单品' }).click()
      const picker = modal.getByRole('combobox', { name: '单品 SKU' }).nth(n)
      await picker.click()
      await picker.fill(code.slice(0, 4))
      // The options settle on the search's answer (one SKU per prefix here) before the pick.
      const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option')
      await eventually(() => options.count()).toBe(1)
      await pickOption(page, code)
      await modal.getByRole('spinbutton').nth(n).fill(quantity)
      await modal.getByLabel('单品价值（元）').nth(n).fill(value)
    }
    await addComponent(0, 'TS-001-BK-M', '1', '79.00')
    await addComponent(1, 'MUG-350-WH', '2', '39.90')
    await shoot(page, 'sku-bundle')
    await modal.getByRole('button', { name: '保存' }).click()
    await page.getByText('已保存组合装 GIFT-LJ-01（2 种单品）').waitFor()
    await eventually(() => row.textContent()).toContain('组合装')

    const skus = await w.env.app.inject({
      method: 'GET',
      url: '/skus?q=GIFT',
      headers: bearer(w.data.adminKey),
    })
    const id = skus.json<{ items: { id: string }[] }>().items[0]!.id
    const bundle = await w.env.app.inject({
      method: 'GET',
      url: `/skus/${id}/bundle`,
      headers: bearer(w.data.adminKey),
    })
    expect(bundle.json()).toEqual({
      components: [
        expect.objectContaining({ skuCode: 'MUG-350-WH', quantity: 2, unitValue: '39.9000' }),
        expect.objectContaining({ skuCode: 'TS-001-BK-M', quantity: 1, unitValue: '79.0000' }),
      ],
    })
    // Opened again, the composition reads back.
    await row.getByRole('button', { name: '组合装' }).click()
    await eventually(() => modal.getByRole('spinbutton').count()).toBe(2)
    await shoot(page, 'sku-bundle-reopened')
    await context.close()
  })

  it('reads at 360 px and in English; the warehouse sees the list without the editing buttons', async () => {
    const small = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/skus', {
      width: 360,
      height: 740,
      mobile: true,
    })
    await eventually(() => small.page.locator('.ant-table-row').count()).toBe(3)
    await shoot(small.page, 'skus-360')
    // Code, the whole name and the buttons on the screen; no column left to scroll to.
    const gift = small.page.locator('.ant-table-row').filter({ hasText: 'GIFT-LJ-01' })
    await expectWithinHandheld(small.page, [
      gift.getByText('GIFT-LJ-01'),
      gift.getByText('龙井茶礼盒 2026 版'),
      gift.getByText('6901234567892'),
      gift.getByRole('button', { name: /编\s*辑/ }),
      gift.getByRole('button', { name: '组合装' }),
    ])
    await small.context.close()

    const staff = await openSignedIn(w, w.data.logins.warehouse, PASSWORD, '/app/skus', {
      width: 1280,
      height: 800,
    })
    await eventually(() => staff.page.locator('.ant-table-row').count()).toBe(3)
    await expect(staff.page.getByRole('button', { name: '新建 SKU' }).count()).resolves.toBe(0)
    await staff.page.getByText('EN', { exact: true }).click()
    await staff.page.getByRole('heading', { name: 'SKUs and bundles' }).waitFor()
    await expect(staff.page.locator('.ant-table-row').filter({ hasText: 'Bundle' }).count()).resolves.toBe(1)
    await shoot(staff.page, 'skus-en')
    await staff.page.getByText('中文', { exact: true }).click()
    await staff.page.getByRole('heading', { name: 'SKU 与组合装' }).waitFor()
    await staff.context.close()
  })
})
