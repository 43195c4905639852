/**
 * The browser suite's world: the real API (its own database and Redis prefix) listening on a free
 * loopback port and serving the built console, Debian's Chromium driven by playwright-core, and
 * every request that would leave 127.0.0.1 refused and recorded.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { afterEach, expect } from 'vitest'
import { testEnv, type TestEnv } from '../helpers/app.js'
import { offsetClock, parseClockOffset } from '../../src/lib/clock.js'
import { seed, type Seeded } from './seed.js'

export const SCREENS = fileURLToPath(new URL('./screens/', import.meta.url))

export function chromiumPath(): string | null {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH
  try {
    return (
      execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
        encoding: 'utf8',
      }).trim() || null
    )
  } catch {
    return null
  }
}

/** Without Chromium the suite is skipped on a workstation, and fails in CI (.ci/run installs it). */
export const browserMissing = (): boolean => {
  const missing = chromiumPath() === null
  if (missing && process.env.CI)
    throw new Error('Chromium is required in CI: apt-get install -y chromium fonts-wqy-microhei')
  return missing
}

export interface World {
  env: TestEnv
  base: string
  browser: Browser
  data: Seeded
  /** Requests to anything but 127.0.0.1, refused. Must stay empty. */
  offsite: string[]
  /** How far the application's clock is from the real time; the browsers' clocks move with it. */
  clockOffsetMs: number
  close(): Promise<void>
}

/**
 * `fixedPort`: the API's public URL is its real address (chosen before it listens), for tests whose
 * browser is sent back by a platform (OAuth callbacks name PUBLIC_URL).
 */
export async function startWorld(o: { fixedPort?: boolean; clockFrom?: Date } = {}): Promise<World> {
  const port = o.fixedPort ? await freePort() : 0
  // `clockFrom`: the application's clock starts there and runs on, for screens that show "today".
  // Otherwise it is the process's clock, moved by ENTREPOT_CLOCK_OFFSET (`npm run test:future`).
  const clockOffsetMs = o.clockFrom
    ? o.clockFrom.getTime() - Date.now()
    : parseClockOffset(process.env.ENTREPOT_CLOCK_OFFSET)
  const clock = o.clockFrom ? offsetClock(clockOffsetMs) : undefined
  const env = await testEnv({
    ...(port ? { config: { PUBLIC_URL: `http://127.0.0.1:${port}` } } : {}),
    ...(clock ? { clock } : {}),
  })
  const data = await seed(env.ctx)
  const address = await env.app.listen({ host: '127.0.0.1', port })
  const browser = await chromium.launch({
    executablePath: chromiumPath()!,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
  mkdirSync(SCREENS, { recursive: true })
  return {
    env,
    base: address,
    browser,
    data,
    offsite: [],
    clockOffsetMs,
    async close() {
      await browser.close()
      await env.close()
    },
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

export interface PageOptions {
  width?: number
  height?: number
  locale?: string
  timezoneId?: string
  mobile?: boolean
}

/** A fresh context (its own cookies) in zh-CN, Asia/Shanghai, 1440×900 unless told otherwise. */
export async function openPage(
  w: World,
  o: PageOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await w.browser.newContext({
    viewport: { width: o.width ?? 1440, height: o.height ?? 900 },
    locale: o.locale ?? 'zh-CN',
    timezoneId: o.timezoneId ?? 'Asia/Shanghai',
    ...(o.mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  })
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url())
    if (url.hostname === '127.0.0.1' || url.protocol === 'data:') return route.continue()
    w.offsite.push(url.href)
    return route.abort()
  })
  // The application's clock moved (a world that starts on a given day, or the suite run with
  // ENTREPOT_CLOCK_OFFSET): the browser's clock moves with it, so the console's "this month",
  // "last 30 days" and "today" are the API's.
  const offset = w.clockOffsetMs
  if (offset !== 0)
    await context.addInitScript((ms: number) => {
      const Real = Date
      class Shifted extends Real {
        constructor(...args: ConstructorParameters<DateConstructor> | []) {
          if (args.length === 0) super(Real.now() + ms)
          else super(...(args as ConstructorParameters<DateConstructor>))
        }
        static override now(): number {
          return Real.now() + ms
        }
      }
      globalThis.Date = Shifted as DateConstructor
    }, offset)
  const page = await context.newPage()
  openPages.add(page)
  // DEBUG_CONSOLE=1: each page's console, errors, answers ≥ 300 and navigations, printed.
  if (process.env.DEBUG_CONSOLE) {
    page.on('console', (m) => console.log('[console]', m.type(), m.text()))
    page.on('pageerror', (e) => console.log('[pageerror]', e.message))
    page.on('response', (r) => r.status() >= 300 && console.log('[response]', r.status(), r.url()))
    page.on('framenavigated', (f) => f === page.mainFrame() && console.log('[nav]', f.url()))
    page.on('request', (r) => r.isNavigationRequest() && console.log('[navreq]', r.url()))
  }
  return { context, page }
}

/**
 * Signed in without the form (the browser context takes the session cookie from POST /auth/login),
 * for tests about what comes after; `signIn` goes through the form.
 */
export async function openSignedIn(
  w: World,
  login: string,
  password: string,
  path = '/app/',
  o: PageOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await openPage(w, o)
  const res = await opened.context.request.post(`${w.base}/auth/login`, { data: { login, password } })
  if (!res.ok()) throw new Error(`sign-in of ${login} failed: ${res.status()}`)
  await opened.page.goto(`${w.base}${path}`)
  return opened
}

export async function signIn(w: World, page: Page, login: string, password: string): Promise<void> {
  await page.goto(`${w.base}/app/login`)
  await page.getByLabel('邮箱或手机号').fill(login)
  await page.getByLabel('密码').fill(password)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((u) => !u.pathname.endsWith('/login'))
}

/**
 * Screenshots are for people looking at the screens (`npm run test:screens`, or SCREENSHOTS=1); CI
 * (CI=true) skips writing them unless asked: some 130 of them cost about a minute of the suite.
 */
export const SCREENSHOTS = process.env.SCREENSHOTS ? process.env.SCREENSHOTS !== '0' : !process.env.CI

/** A screenshot once every running animation (drawers sliding, modals fading) has finished. */
export async function shoot(page: Page, name: string): Promise<void> {
  await settle(page)
  if (SCREENSHOTS) await page.screenshot({ path: `${SCREENS}${name}.png`, fullPage: false })
}

/** Pages opened by the running test file, for the failure report below. */
const openPages = new Set<Page>()

// When a browser test fails, say what each open page showed (its address and the start of its
// text) and keep a screenshot of it: a timeout alone does not say why the expected thing never came.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') {
    let i = 0
    for (const page of openPages) {
      if (page.isClosed()) continue
      i++
      const text = await page
        .evaluate(() => document.body.innerText.replace(/\s+/g, ' ').slice(0, 1500))
        .catch((err: unknown) => `(no text: ${String(err)})`)
      console.log(`[failed: ${ctx.task.name}] page ${i} at ${page.url()}: ${text}`)
      const name = `failed-${ctx.task.name.replace(/[^\w\u4e00-\u9fff]+/g, '-').slice(0, 60)}-${i}`
      await page.screenshot({ path: `${SCREENS}${name}.png` }).catch(() => undefined)
    }
  }
  for (const page of openPages) if (page.isClosed()) openPages.delete(page)
})

/**
 * A selector suffix for an antd element that has stopped moving: its motion classes (rc-motion's
 * `ant-zoom-appear`, `ant-slide-up-enter`, …) are on it while it zooms or slides in or out.
 */
export const STILL = ':not([class*="-appear"]):not([class*="-enter"]):not([class*="-leave"])'

/**
 * Click an option of the open antd Select once its dropdown has finished sliding open. Clicked while
 * it slides, the option is "not stable" to Playwright, whose fourth try scrolls the option into view
 * with block 'start': that scrolls the page behind a dialog (overflow: hidden still scrolls by
 * script), the dropdown re-aligns to its select between mousedown and mouseup, the click lands
 * beside the option and the select keeps its value (an SF account stayed 菜鸟 under load).
 */
export async function pickOption(page: Page, option: string): Promise<void> {
  await page
    .locator(`.ant-select-dropdown${STILL}:not(.ant-select-dropdown-hidden)`)
    .locator('.ant-select-item-option', { hasText: option })
    .click()
}

/** Open an antd Select and choose an option (pickOption). */
export async function choose(page: Page, select: Locator, option: string): Promise<void> {
  await select.click()
  await pickOption(page, option)
}

/** A dialog once it has finished zooming in: a dropdown opened before then moves when the zoom ends. */
export function stillDialog(page: Page, hasText: string | RegExp): Locator {
  return page.locator(`.ant-modal${STILL}`, { hasText })
}

export async function settle(page: Page): Promise<void> {
  // Endless ones (spinners, a pulsing badge) never finish: only the finite ones are awaited.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  )
}

/** The fonts Chromium really used for an element's text (CDP), to catch tofu boxes. */
export async function fontsOf(page: Page, selector: string): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('DOM.enable')
  await cdp.send('CSS.enable')
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 })
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector })
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId })
  await cdp.detach()
  return fonts.map((f) => f.familyName)
}

/**
 * Wait until the page shows what is expected. The budget is generous on purpose: the suite shares
 * two cores with other work, and a slow answer is not what these tests are about.
 */
export const eventually = <T>(read: () => Promise<T> | T, message?: string) =>
  expect.poll(read, { timeout: 30_000, interval: 100, ...(message ? { message } : {}) })

/**
 * The handheld's rule: each target (a screen's primary action, a key column) lies wholly inside the
 * viewport's width, and nothing scrolls sideways, neither the page nor a table on it: a column cut
 * off at the edge of a table that scrolls inside its card is out of reach for a person with a
 * scanner in the other hand.
 */
export async function expectWithinHandheld(page: Page, targets: Locator[]): Promise<void> {
  const width = page.viewportSize()!.width
  for (const target of targets) {
    const box = await target.boundingBox()
    expect(box, `${String(target)} is not on the page`).not.toBeNull()
    expect(box!.x, `${String(target)} starts left of the screen`).toBeGreaterThanOrEqual(0)
    expect(box!.x + box!.width, `${String(target)} ends past ${width} px`).toBeLessThanOrEqual(width)
  }
  const sideways = await page.evaluate(() =>
    [
      document.documentElement,
      ...document.querySelectorAll<HTMLElement>('.ant-table-content, .ant-table-body'),
    ]
      .filter((el) => el.scrollWidth > el.clientWidth)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${el.scrollWidth} > ${el.clientWidth}`),
  )
  expect(sideways, 'scrolls sideways').toEqual([])
}

/**
 * Switch the console's language ('EN' or '中文') and wait until the choice is saved on the user
 * (PATCH /me): a page opened or reloaded before then starts in the language before.
 */
export async function chooseLanguage(page: Page, label: 'EN' | '中文'): Promise<void> {
  const saved = page.waitForResponse(
    (r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === '/me' && r.ok(),
  )
  await page.getByText(label, { exact: true }).click()
  await saved
}
