/**
 * The accountant's month end in Chromium against the real API: December 2026 of the seed merchant
 * (CNY books; one order in USD), seen on 5 January 2027. The USD sale waits for its rate; the
 * accountant imports a rate file (a refused file first, every bad line shown), sees the sale post,
 * the trial balance balanced, gives an account its GL code, exports the vouchers (Kingdee XLSX and the
 * generic CSV, parsed back and balanced), runs the checklist and closes the month acknowledging what
 * is left; an admin reopens it with a reason, which the month and the audit log keep. Screenshots
 * of the three screens at 1440 and 360 px in zh-CN and en (the close at 1366 px too), with nothing
 * scrolling sideways in the months of the close nor in its revaluation, and who closed the month one
 * line on the phone.
 */
import ExcelJS from 'exceljs'
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { parseCsv } from '../../connectors/cn/files.js'
import { handleLedgerEvent } from '../../src/ledger/events.js'
import { newId } from '../../src/lib/ids.js'
import { money, sum } from '../../src/money/index.js'
import {
  browserMissing,
  eventually,
  openSignedIn,
  openPage,
  shoot,
  signIn,
  startWorld,
  type World,
} from './harness.js'
import { PASSWORD } from './seed.js'

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

const PERIOD = '2026-12'

describe.skipIf(browserMissing())('the accountant closes a month', () => {
  let w: World
  let usdOrder = ''
  const files = { bad: '', good: '' }

  beforeAll(async () => {
    // The seed's orders are of 7 December 2026; the app's today is in January, so December has ended.
    w = await startWorld({ clockFrom: new Date('2027-01-05T02:00:00Z') })
    const { db } = w.env.ctx
    const m = w.data.merchantId
    const wh = await db
      .selectFrom('warehouses')
      .select('id')
      .where('merchant_id', '=', m)
      .where('code', '=', 'HZ')
      .executeTakeFirstOrThrow()
    // The USD order ships too: its sale needs a USD rate the merchant does not have yet.
    const usd = await db
      .selectFrom('orders')
      .select(['id', 'external_id'])
      .where('merchant_id', '=', m)
      .where('currency', '=', 'USD')
      .executeTakeFirstOrThrow()
    usdOrder = usd.external_id
    await db.updateTable('orders').set({ status: 'shipped' }).where('id', '=', usd.id).execute()
    const shipped = await db
      .selectFrom('orders')
      .innerJoin('order_line_skus as s', 's.order_id', 'orders.id')
      .select(['orders.id', 'orders.placed_at', 's.sku_id'])
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
    // One open exception: a warning the close asks to acknowledge.
    const held = await db
      .selectFrom('orders')
      .select('id')
      .where('merchant_id', '=', m)
      .where('status', '=', 'on_hold')
      .executeTakeFirstOrThrow()
    await db
      .insertInto('order_exceptions')
      .values({
        id: newId(),
        merchant_id: m,
        shop_id: w.data.shops.tmall,
        order_id: held.id,
        raw_inbox_id: null,
        subject: 'no_stock',
        reason: 'no_stock',
        detail: '{}',
        status: 'open',
        open_marker: null,
        resolved_at: null,
        resolved_by: null,
        resolution: null,
      } as never)
      .execute()

    // A CSV with a bad rate on line 3 (refused whole), and the XLSX the accountant means.
    files.bad = join(tmpdir(), `rates-bad-${process.pid}.csv`)
    writeFileSync(
      files.bad,
      'rate_date,base_ccy,quote_ccy,unit,rate,source\n2026-12-04,USD,CNY,1,7.1800,MANUAL\n2026-12-06,USD,CNY,1,abc,MANUAL\n',
    )
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('Rates')
    ws.addRow(['rate_date', 'base_ccy', 'quote_ccy', 'unit', 'rate', 'source'])
    for (const [d, r] of [
      ['2026-12-04', '7.1800'],
      ['2026-12-06', '7.1850'],
      ['2026-12-31', '7.1600'],
    ])
      ws.addRow([d, 'USD', 'CNY', '1', r, 'MANUAL'])
    files.good = join(tmpdir(), `rates-${process.pid}.xlsx`)
    writeFileSync(files.good, Buffer.from(await wb.xlsx.writeBuffer()))
  })
  afterAll(async () => {
    expect(w.offsite).toEqual([])
    await w?.close()
  })

  const accountant = () => w.data.logins.accountant

  it('signs in, sees the USD sale waiting for its rate, and the close refused for it', async () => {
    const { page, context } = await openPage(w)
    await signIn(w, page, accountant(), PASSWORD)
    const nav = page.getByRole('navigation')
    await nav.getByRole('menuitem', { name: '期末结账', exact: true }).waitFor()
    for (const name of ['汇率', '日记账与余额表', '期末结账'])
      await expect(nav.getByRole('menuitem', { name, exact: true }).count()).resolves.toBe(1)
    await nav.getByRole('menuitem', { name: '汇率', exact: true }).click()
    await page.getByRole('heading', { name: '汇率' }).waitFor()
    await page.getByRole('tab', { name: /待汇率分录/ }).click()
    const row = page.locator('.ep-held-table .ant-table-row').first()
    await eventually(() => row.textContent()).toContain('USD → CNY')
    // The platform order number, never an internal id.
    await eventually(() => row.textContent()).toContain(usdOrder)
    await shoot(page, 'rates-held')

    await page.goto(`${w.base}/app/finance/close?period=${PERIOD}`)
    const held = page.locator('[data-check="held_entries"]')
    await eventually(() => held.getAttribute('data-count')).toBe('1')
    await expect(held.textContent()).resolves.toContain('去补录汇率')
    await expect(page.getByRole('button', { name: '结账' }).isDisabled()).resolves.toBe(true)
    await expect(
      page.getByTestId('months').locator('.ant-table-row').filter({ hasText: PERIOD }).textContent(),
    ).resolves.toContain('1 笔待汇率')
    await shoot(page, 'close-held')
    await context.close()
  })

  it('imports a rate file: a refused file shows its bad line, the right one posts the waiting sale', async () => {
    const { page, context } = await openSignedIn(w, accountant(), PASSWORD, '/app/finance/rates')
    await page.getByRole('heading', { name: '汇率' }).waitFor()
    const chooser = async (file: string) => {
      const [fc] = await Promise.all([
        page.waitForEvent('filechooser'),
        page.getByRole('button', { name: '导入汇率文件' }).click(),
      ])
      await fc.setFiles(file)
    }
    await chooser(files.bad)
    const rejected = page.getByTestId('rate-rejected')
    await eventually(() => rejected.textContent()).toContain('汇率「abc」必须是大于 0 的数字')
    await expect(rejected.locator('.ant-table-row').first().textContent()).resolves.toMatch(/^3/)
    await shoot(page, 'rates-refused')
    // Nothing of the refused file was stored.
    const before = (await (await page.request.get(`${w.base}/ledger/rates`)).json()) as { items: unknown[] }
    expect(before.items).toHaveLength(0)

    await chooser(files.good)
    await eventually(() => page.getByTestId('rate-import-result').textContent()).toBe(
      '已导入 3 条汇率，1 笔暂挂分录已入账，仍有 0 笔在等待汇率。',
    )
    const table = page.locator('.ep-rates-table')
    await eventually(() => table.locator('.ant-table-row').count()).toBe(3)
    await expect(table.locator('.ant-table-row').first().textContent()).resolves.toContain(
      '1 USD = 7.1600 CNY',
    )
    await page.getByRole('tab', { name: /待汇率分录/ }).click()
    await page.getByText('没有等待汇率的分录。').waitFor()
    await page.getByRole('tab', { name: /汇率表/ }).click()
    await table.locator('.ant-table-row').first().waitFor()
    await shoot(page, 'rates')
    await context.close()
  })

  it('shows the journal with the USD sale converted, and the trial balance balanced', async () => {
    const { page, context } = await openSignedIn(
      w,
      accountant(),
      PASSWORD,
      `/app/finance/journal?period=${PERIOD}`,
    )
    const entries = page.getByTestId('journal-entries')
    await entries.locator('.ant-table-row').first().waitFor()
    await page.getByLabel('原币').click()
    await page.getByTitle('USD', { exact: true }).click()
    await page.getByRole('button', { name: '查询' }).click()
    await eventually(() => entries.textContent()).toContain(usdOrder)
    const text = (await entries.textContent()) ?? ''
    expect(text).toContain('US$')
    expect(text).toMatch(/7\.18/)
    await shoot(page, 'journal-usd')

    await page.getByRole('tab', { name: '科目余额表' }).click()
    const balance = page.getByTestId('tb-balance')
    await eventually(() => balance.getAttribute('data-balanced')).toBe('true')
    const api = (await (
      await page.request.get(`${w.base}/ledger/trial-balance?period=${PERIOD}`)
    ).json()) as { totals: { periodDebit: string; periodCredit: string } }
    expect(api.totals.periodDebit).toBe(api.totals.periodCredit)
    expect(money(api.totals.periodDebit).gt(0)).toBe(true)
    const shown = await page.locator('[data-total="periodDebit"]').textContent()
    expect(shown).toBe(`¥${api.totals.periodDebit.replace(/(\d)(?=(\d{3})+\.)/g, '$1,')}`)
    await expect(page.locator('[data-total="periodCredit"]').textContent()).resolves.toBe(shown)
    await shoot(page, 'trial-balance')

    // The chart: sales revenue gets the code of the merchant's general ledger.
    await page.getByRole('tab', { name: '会计科目' }).click()
    const chart = page.getByTestId('chart-of-accounts')
    await chart.locator('.ant-table-row').first().waitFor()
    await chart.getByRole('button', { name: '编辑 主营业务收入-销售额' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('科目编码').fill('6001')
    await dialog.getByRole('button', { name: '保存' }).click()
    await eventually(() => chart.locator('.ant-table-row').filter({ hasText: '6001' }).count()).toBe(1)
    await shoot(page, 'chart-of-accounts')
    await context.close()
  })

  /** A download from a link on the page, as its bytes. */
  async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
    const [d] = await Promise.all([page.waitForEvent('download'), click()])
    const path = await d.path()
    return { name: d.suggestedFilename(), bytes: readFileSync(path) }
  }

  it('exports the vouchers (parsed back and balanced), runs the checklist and closes the month', async () => {
    const { page, context } = await openSignedIn(
      w,
      accountant(),
      PASSWORD,
      `/app/finance/close?period=${PERIOD}`,
    )
    await page.getByRole('heading', { name: '期末结账' }).waitFor()
    const kingdee = await download(page, () => page.getByTestId('download-vouchers').click())
    expect(kingdee.name).toBe(`vouchers-kingdee-${PERIOD}.xlsx`)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(kingdee.bytes as unknown as ArrayBuffer)
    const rows: string[][] = []
    // Cells are text (codes, names) or numbers (amounts); nothing else is written.
    const cell = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '')
    wb.worksheets[0]!.eachRow((r) => rows.push((r.values as unknown[]).slice(1).map(cell)))
    const header = rows[0]!
    expect(header).toContain('借方金额')
    const col = (name: string) => header.indexOf(name)
    const lines = rows.slice(1)
    expect(lines.length).toBeGreaterThan(0)
    const dr = sum(lines.map((r) => money(r[col('借方金额')] || '0')))
    const cr = sum(lines.map((r) => money(r[col('贷方金额')] || '0')))
    expect(dr.toFixed(2)).toBe(cr.toFixed(2))
    expect(lines.some((r) => r[col('科目代码')] === '6001')).toBe(true)
    // The USD sale: its original currency and rate beside the base amount.
    expect(lines.some((r) => r[col('币别')] === 'USD')).toBe(true)

    await page.getByLabel('财务软件').click()
    await page.getByTitle('通用 CSV（Xero、QuickBooks）').click()
    const generic = await download(page, () => page.getByTestId('download-vouchers').click())
    expect(generic.name).toBe(`vouchers-generic-${PERIOD}.csv`)
    const csv = parseCsv(generic.bytes.toString('utf8').replace(/^\uFEFF/, '')).map((r) => r.cells)
    const h = csv[0]!
    expect(h.slice(0, 3)).toEqual(['JournalNo', 'JournalDate', 'Narration'])
    const body = csv.slice(1).filter((r) => r.length > 1)
    const gd = sum(body.map((r) => money(r[h.indexOf('Debit')]!)))
    const gc = sum(body.map((r) => money(r[h.indexOf('Credit')]!)))
    expect(gd.toFixed(2)).toBe(cr.toFixed(2))
    expect(gc.toFixed(2)).toBe(cr.toFixed(2))
    // Every journal (voucher) balances on its own.
    const byJournal = new Map<string, ReturnType<typeof money>>()
    for (const r of body)
      byJournal.set(r[0]!, (byJournal.get(r[0]!) ?? money(0)).plus(money(r[h.indexOf('Amount')]!)))
    for (const [no, net] of byJournal) expect(net.toFixed(2), no).toBe('0.00')

    // The checklist: no rate missing now, one exception and unsettled orders to acknowledge.
    await page.getByRole('button', { name: '重新检查' }).click()
    await eventually(() => page.locator('[data-check="held_entries"]').getAttribute('data-count')).toBe('0')
    await expect(page.locator('[data-check="missing_rates"]').getAttribute('data-count')).resolves.toBe('0')
    await expect(page.locator('[data-check="open_exceptions"]').getAttribute('data-count')).resolves.toBe('1')
    await expect(page.locator('[data-check="open_exceptions"]').textContent()).resolves.toContain(
      '去处理异常',
    )
    await shoot(page, 'close-checklist')
    await page.getByRole('button', { name: '结账' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByText('1 个异常订单尚未处理').waitFor()
    await expect(dialog.getByRole('button', { name: '结账' }).isDisabled()).resolves.toBe(true)
    await dialog.getByText('我已知悉以上事项，仍然结账').click()
    await shoot(page, 'close-confirm')
    await dialog.getByRole('button', { name: '结账' }).click()
    const month = page.getByTestId('months').locator('.ant-table-row').filter({ hasText: PERIOD })
    await eventually(() => month.textContent()).toContain('已结账')
    await expect(month.textContent()).resolves.toContain('韩梅梅')
    // The accountant cannot reopen: the screen says who can (the API refuses: console-routes.test.ts).
    await page.getByText('反结账需由管理员操作。').waitFor()
    await shoot(page, 'close-closed')
    await context.close()
    // A closed month's time and closer are the widest cells of the months: they fit on a laptop and a phone.
    await shootAll(
      `/app/finance/close?period=${PERIOD}`,
      'close-closed',
      async (p) => {
        await p.locator('[data-check="held_entries"]').waitFor()
        await p.getByTestId('months').getByText('韩梅梅').waitFor()
        await p.getByTestId('revaluation').locator('.ant-table-row').first().waitFor()
        if (p.viewportSize()!.width >= 400) return
        // On the phone who closed the month and on which day is one whole line; the time on a tap.
        const line = p.getByTestId('months').getByTestId('closed-line')
        await expect(line.textContent()).resolves.toMatch(/^(韩梅梅结账|By 韩梅梅) · 2027-01-05$/)
        const box = await line.evaluate((e) => ({
          height: e.getBoundingClientRect().height,
          line: parseFloat(getComputedStyle(e).lineHeight),
          cut: e.scrollHeight > e.clientHeight,
        }))
        expect(box.height).toBeLessThan(box.line * 1.5)
        expect(box.cut).toBe(false)
        await line.hover()
        const tip = p.getByRole('tooltip').filter({ hasText: '韩梅梅' })
        await eventually(() => tip.textContent()).toMatch(
          // The world's clock runs on from 10:00 Beijing: the minute depends on how long the run took.
          /^(韩梅梅于 2027-01-05 10:\d\d 结账|Closed by 韩梅梅 on 2027-01-05 10:\d\d)$/,
        )
        await p.mouse.move(1, 1)
        await tip.waitFor({ state: 'hidden' })
      },
      {
        sizes: [
          [1366, 768],
          [360, 740],
        ],
        fits: ['months', 'revaluation'],
      },
    )
  })

  it('an admin reopens the month with a reason, kept on the month and in the audit log', async () => {
    const { page, context } = await openSignedIn(
      w,
      w.data.logins.admin,
      PASSWORD,
      `/app/finance/close?period=${PERIOD}`,
    )
    await page.getByRole('button', { name: '反结账' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('button', { name: '反结账' }).click()
    await dialog.getByText('请填写反结账原因（至少 3 个字）').waitFor()
    await dialog.getByLabel('反结账原因').fill('补录 12 月 27 日的美元汇率后重新结账')
    await shoot(page, 'close-reopen')
    await dialog.getByRole('button', { name: '反结账' }).click()
    const month = page.getByTestId('months').locator('.ant-table-row').filter({ hasText: PERIOD })
    await eventually(() => month.textContent()).toContain('未结账')
    await eventually(() => page.getByTestId('last-reopen').textContent()).toContain(
      '「补录 12 月 27 日的美元汇率后重新结账」',
    )
    await expect(page.getByTestId('last-reopen').textContent()).resolves.toContain('王芳')
    const audit = (await (
      await page.request.get(`${w.base}/audit-log?action=ledger.reopen&entityType=period&entityId=${PERIOD}`)
    ).json()) as { items: { detail: { reason?: string } }[] }
    expect(audit.items.map((a) => a.detail.reason)).toEqual(['补录 12 月 27 日的美元汇率后重新结账'])
    await shoot(page, 'close-reopened')
    await context.close()
  })

  /**
   * The same screen at 1440 and 360 px (and any other sizes asked for), in Chinese and English; no
   * page-wide horizontal scroll, nor inside the tables `fits` names — stacked on the phone, in
   * columns at the desk, each shot too where it is below the fold.
   */
  async function shootAll(
    path: string,
    name: string,
    ready: (p: Page) => Promise<void>,
    o: { sizes?: readonly (readonly [number, number])[]; fits?: readonly string[] } = {},
  ) {
    const sizes = o.sizes ?? [
      [1440, 900],
      [360, 740],
    ]
    for (const [width, height] of sizes) {
      const { page, context } = await openSignedIn(w, accountant(), PASSWORD, path, {
        width,
        height,
        mobile: width === 360,
      })
      for (const lang of ['zh', 'en'] as const) {
        if (lang === 'en') {
          await page.getByText('EN', { exact: true }).click()
          await page.waitForTimeout(300)
        }
        await ready(page)
        await shoot(page, `${name}-${width}-${lang}`)
        expect(
          await page.evaluate(() => document.documentElement.scrollWidth),
          `${name} ${width} ${lang}`,
        ).toBeLessThanOrEqual(width)
        for (const id of o.fits ?? []) {
          const table = page.getByTestId(id)
          expect(await overflow(page, id), `${id} ${width} ${lang}`).toEqual([])
          await expect(table.getAttribute('data-layout'), `${id} ${width}`).resolves.toBe(
            width === 360 ? 'narrow' : 'wide',
          )
          const box = await table.boundingBox()
          if (!box || box.y + box.height > height) {
            await table.scrollIntoViewIfNeeded()
            await shoot(page, `${name}-${width}-${lang}-${id}`)
            await page.evaluate(() => window.scrollTo(0, 0))
          }
        }
      }
      await page.getByText('中文', { exact: true }).click()
      await page.waitForTimeout(200)
      await context.close()
    }
  }

  /** The elements under a test id (itself included) whose content is wider than they are. */
  const overflow = (page: Page, testId: string) =>
    page
      .getByTestId(testId)
      .evaluate((root) =>
        [root, ...root.querySelectorAll('*')]
          .filter((e) => e.scrollWidth > e.clientWidth && getComputedStyle(e).display !== 'inline')
          .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${e.scrollWidth} > ${e.clientWidth}`),
      )

  it('the three screens at 1440 and 360 px, in Chinese and English', async () => {
    await shootAll('/app/finance/rates', 'books-rates', async (p) => {
      await p.locator('.ep-rates-table .ant-table-row').first().waitFor()
    })
    await shootAll(`/app/finance/journal?period=${PERIOD}`, 'books-journal', async (p) => {
      await p.getByTestId('journal-entries').locator('.ant-table-row').first().waitFor()
    })
    await shootAll(`/app/finance/journal?period=${PERIOD}&tab=trial`, 'books-trial', async (p) => {
      await p.locator('[data-balanced="true"]').waitFor()
    })
    // The months fit their card on a handheld and on a laptop: no sideways scrolling inside it.
    await shootAll(
      `/app/finance/close?period=${PERIOD}`,
      'books-close',
      async (p) => {
        await p.locator('[data-check="held_entries"]').waitFor()
        await p.getByTestId('revaluation').locator('.ant-table-row').first().waitFor()
      },
      {
        sizes: [
          [1440, 900],
          [1366, 768],
          [360, 740],
        ],
        fits: ['months', 'revaluation'],
      },
    )
  })
})
