/**
 * Settings in Chromium: an admin creates a user (the one-time password works once and must be
 * replaced), creates and revokes an API key (the token shown once), edits the merchant, and the
 * audit log shows every one of those writes with the admin's name.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  browserMissing,
  eventually,
  openPage,
  openSignedIn,
  settle,
  shoot,
  signIn,
  startWorld,
  type World,
} from './harness.js'
import { PASSWORD } from './seed.js'
import type { Page } from 'playwright-core'

/**
 * The one-time secret once the create dialog has closed; if it never shows, the failure says what
 * the page showed instead (the dialog's error, or no dialog at all) and keeps a screenshot.
 */
async function oneTimeSecret(page: Page) {
  const secret = page.getByTestId('one-time-secret')
  try {
    await secret.waitFor({ timeout: 60_000 })
  } catch (err) {
    await shoot(page, 'failed-one-time-secret').catch(() => undefined)
    const dialogs = await page.getByRole('dialog').allTextContents()
    throw new Error(`no one-time secret; dialogs on the page: ${JSON.stringify(dialogs)}`, { cause: err })
  }
  return secret
}

// Each test drives a real browser on a shared two-core machine: allow it minutes, not seconds.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

describe.skipIf(browserMissing())('settings screens', () => {
  let w: World
  beforeAll(async () => {
    w = await startWorld()
  })
  afterAll(async () => {
    expect(w.offsite).toEqual([])
    await w?.close()
  })

  it('creates a user whose one-time password signs in once and must be replaced', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/settings/users')
    await page.locator('.ant-table-row').filter({ hasText: '韩梅梅' }).waitFor()
    await shoot(page, 'users')

    await page.getByRole('button', { name: '新建用户' }).click()
    const dialog = page.getByRole('dialog')
    await settle(page)
    await dialog.getByLabel('姓名').fill('陈小仓')
    await dialog.getByRole('button', { name: '新建' }).click()
    // Neither an email nor a phone: the API says so at the field.
    await dialog.getByText('请填写邮箱或手机号，用于登录。').waitFor()
    await shoot(page, 'users-create-error')
    await dialog.getByLabel('邮箱').fill('chen@haowu.test')
    await dialog.getByRole('button', { name: '新建' }).click()
    const secret = await oneTimeSecret(page)
    const oneTime = (await secret.textContent())!.trim()
    expect(oneTime).toMatch(/^\w{4}-\w{4}-\w{4}-\w{4}$/)
    await shoot(page, 'users-one-time-password')
    await page.getByRole('button', { name: '我已保存' }).click()
    await eventually(() => page.getByText(oneTime).count()).toBe(0)
    await expect
      .poll(() => page.locator('.ant-table-row').filter({ hasText: '陈小仓' }).textContent())
      .toContain('待设置密码')

    const other = await openPage(w)
    await signIn(w, other.page, 'chen@haowu.test', oneTime)
    await other.page.waitForURL(/\/app\/password$/)
    await other.page.getByText('这是一次性密码登录，请先设置你自己的新密码。').waitFor()
    await shoot(other.page, 'first-password')
    await other.page.getByLabel('当前密码').fill(oneTime)
    await other.page.getByLabel('新密码', { exact: true }).fill('my own secret 42')
    await other.page.getByLabel('再次输入新密码').fill('my own secret 42')
    await other.page.getByRole('button', { name: '保存新密码' }).click()
    await other.page.waitForURL(/\/app\/floor\/waves$/) // a warehouse user starts on the floor
    // A warehouse user (the default role) sees no settings.
    await expect(
      other.page.getByRole('navigation').getByRole('menuitem', { name: '用户与角色' }).count(),
    ).resolves.toBe(0)
    await other.context.close()
    await context.close()
  })

  it('creates an API key whose token is shown once and works, then revokes it', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/settings/api-keys')
    await page.locator('.ant-table-row').first().waitFor()
    await page.getByRole('button', { name: '新建密钥' }).click()
    const dialog = page.getByRole('dialog')
    await settle(page) // the dialog has finished opening before it is typed into
    await dialog.getByLabel('名称').fill('对账脚本')
    await dialog.getByRole('button', { name: '新建' }).click()
    const secret = await oneTimeSecret(page)
    const token = (await secret.textContent())!.trim()
    expect(token).toMatch(/^ep_[\w-]{43}$/)
    await shoot(page, 'api-key-token')
    const works = await page.request.get(`${w.base}/me`, { headers: { authorization: `Bearer ${token}` } })
    expect(await works.json()).toMatchObject({ role: 'accountant', apiKeyId: expect.any(String) })
    await page.getByRole('button', { name: '我已保存' }).click()
    await eventually(() => page.getByText(token).count()).toBe(0)
    // The list shows the prefix only.
    const row = page.locator('.ant-table-row').filter({ hasText: '对账脚本' })
    await eventually(() => row.textContent()).toContain(token.slice(0, 10))
    expect(await row.textContent()).not.toContain(token.slice(10))
    await shoot(page, 'api-keys')

    await row.getByRole('button', { name: '吊销' }).click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: '吊销' }).click()
    await eventually(() => row.textContent()).toContain('已吊销')
    const refused = await page.request.get(`${w.base}/me`, { headers: { authorization: `Bearer ${token}` } })
    expect(refused.status()).toBe(401)
    await context.close()
  })

  it('changes the merchant name and shows it in the header', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/settings/merchant')
    await page.getByLabel('商户名称').fill('杭州好物商贸（总店）')
    await page.getByRole('button', { name: '保存' }).click()
    await eventually(() => page.getByTestId('merchant-name').textContent()).toBe('杭州好物商贸（总店）')
    await shoot(page, 'merchant')
    await context.close()
  })

  it('the audit log shows those writes with the person who made them', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/settings/audit')
    const row = (action: string) => page.locator('.ant-table-row').filter({ hasText: action }).first()
    for (const action of ['新建用户', '新建 API 密钥', '吊销 API 密钥', '修改商户信息']) {
      await eventually(() => row(action).textContent(), action).toContain('王芳')
    }
    await expect(row('新建用户').textContent()).resolves.toContain('chen@haowu.test')
    await expect(row('修改商户信息').textContent()).resolves.toContain('杭州好物商贸（总店）')
    // The new user's own sign-in and password change are theirs.
    await expect(row('修改密码').textContent()).resolves.toContain('陈小仓')
    await shoot(page, 'audit')
    await context.close()
  })

  it('shows the settings screens on a 360 px handheld without sideways scrolling', async () => {
    const { page, context } = await openSignedIn(w, w.data.logins.admin, PASSWORD, '/app/', {
      width: 360,
      height: 740,
      mobile: true,
    })
    for (const [path, name] of [
      ['settings/users', 'mobile-users'],
      ['settings/api-keys', 'mobile-api-keys'],
      ['settings/audit', 'mobile-audit'],
      ['settings/merchant', 'mobile-merchant'],
      ['shops', 'mobile-shops'],
    ] as const) {
      await page.goto(`${w.base}/app/${path}`)
      await page.locator('.ant-card').first().waitFor()
      await page.waitForLoadState('networkidle')
      await shoot(page, name)
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(360)
    }
    await context.close()
  })
})
