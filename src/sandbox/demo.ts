/**
 * `npm run demo`: the whole product on one machine with MySQL/MariaDB and Redis and nothing else.
 * Creates a fresh demo database (entrepot_demo) and its own Redis prefix, seeds a merchant, keys and a console user for
 * each role, three warehouses and a few hundred SKUs with stock, bins and costs, starts sandbox
 * marketplaces (self-run stores over real HTTP), the API, the workers and the schedules; orders
 * start flowing, a warehouse robot waves and ships them, and the stores receive stock and tracking.
 * `npm run demo -- --for 60` stops by itself after 60 seconds.
 */
import { Redis } from 'ioredis'
import { sql } from 'kysely'
import { loadConfig } from '../../config/index.js'
import { startScheduler } from '../../jobs/schedules.js'
import { startWorkers } from '../../jobs/worker.js'
import { enqueue, jobId } from '../../jobs/queues.js'
import { buildApp } from '../app.js'
import { createDb, databaseName, withDatabase } from '../db/connect.js'
import { migrateToLatest } from '../db/migrate.js'
import { receive } from '../inventory/operations.js'
import { money } from '../money/index.js'
import { createApiKey, createMerchant } from '../merchants/repo.js'
import { ensureConsoleBuilt } from '../cli/console-build.js'
import { oneTimePassword } from '../users/password.js'
import { createUser } from '../users/service.js'
import { closeContext, createContext } from '../runtime.js'
import { createShop, listShops } from '../shops/repo.js'
import { enqueueCataloguePull } from '../catalogue/enqueue.js'
import { findSku } from './catalogue.js'
import { upsertSkus } from '../skus/repo.js'
import { createWarehouse } from '../warehouses/repo.js'
import { PRODUCT_NAMES, prng, type CatalogueItem } from './generator.js'
import { startSelfstoreSandbox, type SelfstoreSandbox } from './selfstore-server.js'
import { startShopifySandbox } from './shopify-server.js'
import { startTopSandbox } from './top-server.js'
import { startDouyinSandbox } from './douyin-server.js'
import { startJdSandbox } from './jd-server.js'
import { startPddSandbox } from './pdd-server.js'
import { startWooSandbox } from './woocommerce-server.js'
import { startRatesSandbox } from './rates-server.js'
import { startWaybillSandbox } from './waybill-server.js'
import {
  startPrintComponent,
  wsConnect,
  type ComponentKind,
  type FakePrintComponent,
} from './print-component.js'

const forSeconds = (() => {
  const i = process.argv.indexOf('--for')
  return i > 0 ? Number(process.argv[i + 1]) : null
})()

const base = loadConfig()
const demoUrl = process.env.DEMO_DATABASE_URL ?? withDatabase(base.db.url, 'entrepot_demo')
const config = loadConfig({
  ...process.env,
  DATABASE_URL: demoUrl,
  QUEUE_PREFIX: process.env.DEMO_QUEUE_PREFIX ?? '{entrepot-demo}',
  SYNC_PULL_CRON: '*/10 * * * * *',
  STOCK_PUSH_DEBOUNCE_MS: '1000',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  WORKER_CONCURRENCY: '4',
  // The sandbox marketplaces listen on 127.0.0.1.
  OUTBOUND_ALLOW_PRIVATE: 'true',
})
const say = (s = '') => process.stdout.write(`${s}\n`)

async function freshDatabase() {
  const name = databaseName(demoUrl)!
  if (!/demo/.test(name))
    throw new Error(`refusing to reset ${name}: the demo only resets a database whose name contains "demo"`)
  const admin = createDb({ url: withDatabase(demoUrl, null), poolSize: 1 })
  await sql`DROP DATABASE IF EXISTS ${sql.id(name)}`.execute(admin)
  await sql`CREATE DATABASE ${sql.id(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`.execute(admin)
  await admin.destroy()
  const r = new Redis(config.redis.url)
  let cursor = '0'
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${config.redis.prefix}:*`, 'COUNT', 1000)
    if (keys.length) await r.del(...keys)
    cursor = next
  } while (cursor !== '0')
  await r.quit()
}

function catalogue(): CatalogueItem[] {
  const colours = ['黑色', '白色', 'Blue', 'Red', '灰色']
  const items: CatalogueItem[] = []
  PRODUCT_NAMES.forEach(([title, price], i) => {
    for (const [j, c] of colours.entries()) {
      for (const size of ['S', 'M', 'L', 'XL'])
        items.push({
          skuCode: `P${String(i + 1).padStart(2, '0')}-${j + 1}${size}`,
          title: `${title} ${c} ${size}`,
          price,
        })
    }
  })
  return items // 12 × 5 × 4 = 240 SKUs
}

async function main() {
  say('Entrepot demo — preparing a fresh demo database…')
  await freshDatabase()
  const ctx = createContext(config)
  await migrateToLatest(ctx.db)
  const merchant = await createMerchant(ctx.db, {
    name: '杭州好物 Demo Co.',
    timezone: 'Asia/Shanghai',
    baseCurrency: 'CNY',
  })
  const keys: Record<string, string> = Object.fromEntries(
    await Promise.all(
      (['admin', 'warehouse', 'accountant'] as const).map(
        async (role) =>
          [
            role,
            (await createApiKey(ctx.db, merchant.id, { role, name: `demo ${role}` }, ctx.clock.now())).token,
          ] as const,
      ),
    ),
  )
  // One console user per role; the demo's passwords are printed and need no change at sign-in.
  const logins = {
    admin: { login: 'admin@demo.entrepot.test', name: '王芳' },
    warehouse: { login: '13800000001', name: '李雷' },
    accountant: { login: 'accountant@demo.entrepot.test', name: '韩梅梅' },
  }
  const passwords: Record<string, string> = {}
  for (const [role, u] of Object.entries(logins) as [keyof typeof logins, (typeof logins)['admin']][]) {
    passwords[role] = oneTimePassword()
    await createUser(ctx.db, merchant.id, {
      ...(u.login.includes('@') ? { email: u.login } : { phone: u.login }),
      name: u.name,
      role,
      password: passwords[role],
    })
  }
  const warehouses = [
    await createWarehouse(ctx.db, merchant.id, {
      code: 'HZ1',
      name: '杭州仓',
      priority: 10,
      regions: ['浙江省', '上海市', '江苏省'],
    }),
    await createWarehouse(ctx.db, merchant.id, {
      code: 'SZ1',
      name: '深圳仓',
      priority: 20,
      regions: ['广东省', '福建省'],
    }),
    await createWarehouse(ctx.db, merchant.id, {
      code: 'BJ1',
      name: '北京仓',
      priority: 30,
      regions: ['北京市', '天津市'],
    }),
  ]
  const items = catalogue()
  await upsertSkus(
    ctx,
    merchant.id,
    items.map((c) => ({ code: c.skuCode, name: c.title })),
  )
  const skuIds = new Map(
    (
      await ctx.db.selectFrom('skus').select(['id', 'code']).where('merchant_id', '=', merchant.id).execute()
    ).map((s) => [s.code, s.id]),
  )
  const rnd = prng(7)
  for (const [i, item] of items.entries()) {
    for (const [w, wh] of warehouses.entries()) {
      const qty = i === 0 ? 5 : 5 + Math.floor(rnd() * 40) // P01-1S is the hot SKU with little stock
      const cost = money(item.price)
        .mul(35 + Math.floor(rnd() * 20))
        .div(100)
        .toFixed(2) // cost 35–54 % of the price
      await receive(
        ctx.db,
        merchant.id,
        {
          warehouseId: wh.id,
          skuId: skuIds.get(item.skuCode)!,
          quantity: qty,
          unitCost: cost,
          currency: 'CNY',
        },
        { actor: 'demo' },
      )
      await ctx.db
        .insertInto('bin_locations')
        .values({
          merchant_id: merchant.id,
          warehouse_id: wh.id,
          sku_id: skuIds.get(item.skuCode)!,
          bin: `${String.fromCharCode(65 + (i % 6))}-${1 + (Math.floor(i / 6) % 20)}-${1 + w + (i % 4)}`,
        })
        .execute()
    }
  }

  await ensureConsoleBuilt(say)
  const app = await buildApp(ctx)
  const address = await app
    .listen({ host: config.api.host, port: config.api.port })
    .catch(async () => app.listen({ host: config.api.host, port: 0 }))
  const sandboxes: { name: string; sandbox: SelfstoreSandbox; shopId: string }[] = []
  for (const [n, name] of ['官网 Web store', '小程序商城 Mini-program store'].entries()) {
    const sandbox = await startSelfstoreSandbox({
      seed: 100 + n,
      catalogue: items,
      apiKey: `demo-key-${n}`,
      webhookSecret: `demo-secret-${n}`,
    })
    const shop = await createShop(ctx, config.secretKey, merchant.id, {
      channel: 'selfstore',
      name,
      settings: {
        baseUrl: sandbox.url,
        defaultCarrier: n === 0 ? 'SF' : 'ZTO',
        allowSplit: true,
        stockSync: { ratio: '0.9', safetyStock: 1 },
      },
      credentials: { apiKey: `demo-key-${n}`, webhookSecret: `demo-secret-${n}` },
    })
    if (n === 0) sandbox.setWebhookUrl(`${address}/webhooks/selfstore/${shop.id}`)
    sandboxes.push({ name, sandbox, shopId: shop.id })
  }
  // The shops abroad price in US dollars: about 1.4 × the yuan price at 7.2 yuan to the dollar,
  // ending in .99 — so their margins read like a cross-border shop's, not 7 times a home one's.
  const abroad = items.map((c) => ({
    ...c,
    price: money(c.price).mul('1.4').div('7.2').floor().plus('0.99').toFixed(2),
  }))
  // A WooCommerce site abroad, selling in USD: a second channel and a second currency.
  const woo = await startWooSandbox({
    seed: 300,
    catalogue: abroad,
    consumerKey: 'ck_demo',
    consumerSecret: 'cs_demo',
    currency: 'USD',
  })
  const wooShop = await createShop(ctx, config.secretKey, merchant.id, {
    channel: 'woocommerce',
    name: 'WooCommerce global store',
    settings: { baseUrl: woo.url, defaultCarrier: 'DHL', allowSplit: true },
    credentials: { consumerKey: 'ck_demo', consumerSecret: 'cs_demo', webhookSecret: 'wc_demo' },
  })
  woo.generate(3)
  // A Taobao shop through a sandbox TOP gateway (signed calls, 19-digit ids, masked receivers).
  const top = await startTopSandbox({
    seed: 400,
    catalogue: items,
    appKey: '21000000',
    appSecret: 'demo-top-secret',
    session: 'demo-top-session',
  })
  const topShop = await createShop(ctx, config.secretKey, merchant.id, {
    channel: 'taobao',
    name: '淘宝旗舰店 Taobao store',
    settings: {
      baseUrl: top.url,
      signMethod: 'hmac-sha256',
      tmc: true,
      defaultCarrier: 'YTO',
      allowSplit: true,
      stockSync: { ratio: '0.8', safetyStock: 2 },
    },
    credentials: { appKey: '21000000', appSecret: 'demo-top-secret', session: 'demo-top-session' },
  })
  top.generate(4)
  // A Shopify store (USD, EUR presentment) with one location per demo warehouse; orders also arrive by signed webhook.
  const shopifyStore = await startShopifySandbox({
    seed: 500,
    catalogue: abroad,
    accessToken: 'shpat_demo',
    webhookSecret: 'demo-shopify-secret',
  })
  const shopifyShop = await createShop(ctx, config.secretKey, merchant.id, {
    channel: 'shopify',
    name: 'Shopify EU store',
    settings: {
      shopDomain: shopifyStore.shopDomain,
      baseUrl: shopifyStore.url,
      defaultCarrier: 'DHL',
      allowSplit: true,
      locations: Object.fromEntries(warehouses.map((w, i) => [w.id, shopifyStore.locationIds[i]!])),
    },
    credentials: { accessToken: 'shpat_demo', webhookSecret: 'demo-shopify-secret' },
  })
  shopifyStore.setWebhookUrl(`${address}/webhooks/shopify/${shopifyShop.id}`)
  shopifyStore.generate(3)
  // JD, Pinduoduo and Douyin shops: signed gateways, masked receivers, 19-digit ids; Douyin also pushes signed messages.
  const jdStore = await startJdSandbox({
    seed: 600,
    catalogue: items,
    appKey: 'demo-jd-key',
    appSecret: 'demo-jd-secret',
    accessToken: 'demo-jd-token',
  })
  const jdShop = await createShop(ctx, config.secretKey, merchant.id, {
    channel: 'jd',
    name: '京东 POP 店',
    settings: { baseUrl: jdStore.url, allowSplit: true },
    credentials: { appKey: 'demo-jd-key', appSecret: 'demo-jd-secret', accessToken: 'demo-jd-token' },
  })
  jdStore.generate(3)
  const pddStore = await startPddSandbox({
    seed: 700,
    catalogue: items,
    clientId: 'demo-pdd-client',
    clientSecret: 'demo-pdd-secret',
    accessToken: 'demo-pdd-token',
  })
  const pddShop = await createShop(ctx, config.secretKey, merchant.id, {
    channel: 'pdd',
    name: '拼多多 专营店',
    settings: { baseUrl: pddStore.url, allowSplit: true },
    credentials: {
      clientId: 'demo-pdd-client',
      clientSecret: 'demo-pdd-secret',
      accessToken: 'demo-pdd-token',
    },
  })
  pddStore.generate(3)
  const douyinStore = await startDouyinSandbox({
    seed: 800,
    catalogue: items,
    appKey: 'demo-douyin-key',
    appSecret: 'demo-douyin-secret',
    accessToken: 'demo-douyin-token',
  })
  const douyinShop = await createShop(ctx, config.secretKey, merchant.id, {
    channel: 'douyin',
    name: '抖音小店',
    settings: { baseUrl: douyinStore.url, allowSplit: true },
    credentials: {
      appKey: 'demo-douyin-key',
      appSecret: 'demo-douyin-secret',
      accessToken: 'demo-douyin-token',
    },
  })
  douyinStore.setWebhookUrl(`${address}/webhooks/douyin/${douyinShop.id}`)
  douyinStore.generate(3)
  const cnStores = [
    { name: 'JD JOS gateway, CNY', store: jdStore, shopId: jdShop.id },
    { name: 'Pinduoduo gateway, CNY', store: pddStore, shopId: pddShop.id },
    { name: 'Douyin shop open API, CNY, signed pushes', store: douyinStore, shopId: douyinShop.id },
  ]
  // Each shop's catalogue is pulled as on a real link and mapped by seller code (the stock push
  // follows). The Taobao seller left one code empty and typed another twice: the mapping screen
  // (GET /shops/:id/listings) shows them first.
  findSku(top.listings, 'P02-3M')!.sku.code = ''
  findSku(top.listings, 'P03-1S')!.sku.code = 'P03-1M'
  const demoShops = [
    ...sandboxes.map((s) => s.shopId),
    wooShop.id,
    topShop.id,
    shopifyShop.id,
    ...cnStores.map((c) => c.shopId),
  ]
  for (const shop of await listShops(ctx.db, merchant.id))
    if (demoShops.includes(shop.id)) await enqueueCataloguePull(ctx, shop, 'link')
  // Exchange rates: the Shopify and WooCommerce shops sell in USD, and a USD sale posts once the
  // ledger has a USD→CNY rate for its day. A CFETS sandbox publishes the central parity each day
  // at 09:15 Beijing (before that, yesterday's stands, as on chinamoney.com.cn); the merchant's
  // ledger pulls it every day (the schedule) and once now, as an accountant would on setting it up.
  const rates = await startRatesSandbox()
  const publishRates = () => {
    const beijing = new Date(ctx.clock.now().getTime() + 8 * 3600_000)
    if (beijing.getUTCHours() * 60 + beijing.getUTCMinutes() < 9 * 60 + 15)
      beijing.setUTCDate(beijing.getUTCDate() - 1)
    rates.cfets.lastDate = `${beijing.toISOString().slice(0, 10)} 9:15`
  }
  publishRates()
  const ratesSet = await app.inject({
    method: 'PUT',
    url: '/ledger/settings',
    headers: { authorization: `Bearer ${keys.accountant}` },
    payload: {
      rateSources: ['MANUAL', 'CSV', 'CFETS', 'ECB'],
      maxStalenessDays: 5,
      revaluation: 'month_end',
      providers: { ecb: rates.url, cfets: rates.url },
      dailyPull: ['CFETS'],
    },
  })
  const pulled = await app.inject({
    method: 'POST',
    url: '/ledger/rates/pull',
    headers: { authorization: `Bearer ${keys.accountant}` },
    payload: { source: 'CFETS' },
  })
  if (ratesSet.statusCode !== 204 || pulled.statusCode !== 200)
    throw new Error(`demo: setting up exchange rates failed: ${ratesSet.body} ${pulled.body}`)
  // The platforms' published fees on each marketplace shop, so that commissions accrue per order.
  for (const shopId of demoShops) {
    const plans = await app.inject({
      method: 'POST',
      url: `/shops/${shopId}/commission-plans/defaults`,
      headers: { authorization: `Bearer ${keys.accountant}` },
    })
    if (plans.statusCode !== 200) throw new Error(`demo: installing fee plans failed: ${plans.body}`)
  }
  const workers = startWorkers(ctx)
  const scheduler = startScheduler(ctx)
  for (const s of sandboxes) s.sandbox.generate(5)

  const api = (method: 'GET' | 'POST', url: string, key: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(payload ? { payload: payload as object } : {}),
    })
  const apiPut = (url: string, payload: unknown) =>
    app.inject({
      method: 'PUT',
      url,
      headers: { authorization: `Bearer ${keys.admin}` },
      payload: payload as object,
    })
  // Orders keep coming; now and then a buyer cancels.
  const flow = setInterval(() => {
    publishRates()
    for (const s of sandboxes) {
      s.sandbox.generate(1)
      if (rnd() < 0.1) s.sandbox.cancel([...s.sandbox.orders.keys()].at(-2) ?? '')
    }
    if (rnd() < 0.5) woo.generate(1)
    top.generate(1)
    if (rnd() < 0.1) top.cancel([...top.trades.keys()].at(-2) ?? '')
    if (rnd() < 0.5) shopifyStore.generate(1)
    if (rnd() < 0.05) shopifyStore.cancel([...shopifyStore.orders.keys()].at(-2) ?? '')
    for (const c of cnStores) {
      if (rnd() < 0.5) c.store.generate(1)
      if (rnd() < 0.05) c.store.refund(c.store.sold.at(-2)?.orderId ?? '')
    }
  }, 3000)
  // Shopify pays out what it collected every half minute; the hub pulls the payout and posts it.
  const payouts = setInterval(() => {
    if (!shopifyStore.payout()) return
    void enqueue(
      ctx.queues,
      'shop-pull',
      { merchantId: merchant.id, shopId: shopifyShop.id, stream: 'settlements' },
      jobId('demo-payout', shopifyShop.id, Date.now()),
    ).catch(() => undefined)
  }, 30000)
  // E-waybills: every provider's sandbox on one server, an account per provider (the marketplace
  // ones through their shop's authorisation), defaults per shop and per warehouse, and a fake print
  // component per platform for the robot's packing station.
  const waybills = await startWaybillSandbox({
    top: { appKey: '21000000', appSecret: 'demo-top-secret', session: 'demo-top-session' },
    pdd: { clientId: 'demo-pdd-client', clientSecret: 'demo-pdd-secret', accessToken: 'demo-pdd-token' },
    douyin: { appKey: 'demo-douyin-key', appSecret: 'demo-douyin-secret', accessToken: 'demo-douyin-token' },
    jd: { appKey: 'demo-jd-key', appSecret: 'demo-jd-secret', accessToken: 'demo-jd-token' },
    sf: { partnerId: 'DEMO-SF', checkWord: 'demo-sf-check-word' },
    easypost: { apiKey: 'EZTK-demo' },
    balance: 100000,
  })
  const waybillSender = {
    name: '杭州好物仓',
    mobile: '13800000000',
    address: {
      province: '浙江省',
      city: '杭州市',
      district: '余杭区',
      detail: '文一西路969号',
      postcode: '311121',
    },
  }
  const waybillAccounts: [string, Record<string, unknown>, string, string | null][] = [
    [
      'cainiao',
      { shopId: topShop.id, baseUrl: `${waybills.url}/top`, settings: { userId: 2200000001 } },
      'YTO',
      topShop.id,
    ],
    [
      'pdd',
      {
        shopId: pddShop.id,
        baseUrl: `${waybills.url}/pdd`,
        settings: { userId: 9000001, erpId: '1001', isvName: 'Entrepot' },
      },
      'YTO',
      pddShop.id,
    ],
    [
      'douyin',
      { shopId: douyinShop.id, baseUrl: `${waybills.url}/douyin`, settings: { userId: -1 } },
      'zhongtong',
      douyinShop.id,
    ],
    [
      'jd',
      {
        shopId: jdShop.id,
        baseUrl: `${waybills.url}/jd`,
        settings: { vendorCode: 'DEMO', vendorName: '杭州好物' },
      },
      'ZTO',
      jdShop.id,
    ],
    [
      'sf',
      {
        baseUrl: `${waybills.url}/sf`,
        settings: { monthlyCard: '5710000001' },
        credentials: { partnerId: 'DEMO-SF', checkWord: 'demo-sf-check-word' },
      },
      'SF',
      null,
    ],
    [
      'easypost',
      {
        baseUrl: `${waybills.url}/easypost`,
        settings: { carrierAccounts: [{ id: 'ca_usps_sandbox', carrier: 'USPS' }] },
        credentials: { apiKey: 'EZTK-demo' },
      },
      'USPS',
      null,
    ],
  ]
  for (const [provider, extra, cpCode, shopId] of waybillAccounts) {
    const made = await api('POST', '/waybill-accounts', keys.admin!, {
      provider,
      name: `${provider} demo`,
      sender: waybillSender,
      ...extra,
    })
    const accountId = made.json<{ id: string }>().id
    await api('POST', `/waybill-accounts/${accountId}/refresh`, keys.admin!)
    if (shopId) await apiPut('/waybill-defaults', { shopId, accountId, cpCode })
    if (provider === 'sf')
      for (const wh of warehouses)
        await apiPut('/waybill-defaults', { warehouseId: wh.id, accountId, cpCode })
    if (provider === 'easypost')
      for (const id of [shopifyShop.id, wooShop.id])
        await apiPut('/waybill-defaults', { shopId: id, accountId, cpCode })
  }
  const components = new Map<ComponentKind, FakePrintComponent>()
  for (const k of ['cainiao', 'pdd', 'douyin', 'jd'] as const) components.set(k, await startPrintComponent(k))
  // A warehouse robot: waves what is allocated, takes the marketplaces' own waybills for the wave,
  // sends the print tasks to the print components (or fetches the hub's PDF label) and ships each
  // parcel with its waybill. A parcel whose waybill failed stays unshipped, its error on the waybill.
  const robot = setInterval(() => {
    void (async () => {
      for (const wh of warehouses) {
        const wave = await api('POST', '/waves', keys.warehouse!, { warehouseId: wh.id, maxOrders: 20 })
        if (wave.statusCode !== 201) continue
        const { waveId } = wave.json<{ waveId: string }>()
        const got = await api('POST', '/shipments/waybills', keys.warehouse!, { waveId })
        if (got.statusCode !== 200) continue
        const parcels = got.json<{
          parcels: { orderId: string; waybillId: string | null; result: string }[]
        }>().parcels
        const printed = await api('POST', '/waybills/print-tasks', keys.warehouse!, {
          waveId,
          printer: 'KM-118',
        })
        if (printed.statusCode === 200)
          for (const t of printed.json<{
            tasks: { kind: string; component?: ComponentKind; message?: unknown; labelUrl?: string }[]
          }>().tasks) {
            if (t.kind === 'label' && t.labelUrl) await api('GET', t.labelUrl, keys.warehouse!)
            const c = t.component && components.get(t.component)
            if (!c) continue
            const ws = await wsConnect(c.url)
            ws.send(t.message)
            await ws.next()
            ws.close()
          }
        for (const p of parcels)
          if (p.waybillId && (p.result === 'issued' || p.result === 'existing'))
            await api('POST', `/orders/${p.orderId}/ship`, keys.warehouse!, {
              parcels: [{ waybillId: p.waybillId }],
            })
      }
    })().catch(() => undefined)
  }, 15000)

  say()
  say(`API          ${address}    docs ${address}/docs    health ${address}/healthz`)
  for (const s of sandboxes) say(`sandbox      ${s.sandbox.url}    (${s.name}, shop ${s.shopId})`)
  say(`sandbox      ${woo.url}    (WooCommerce REST v3, USD, shop ${wooShop.id})`)
  say(`sandbox      ${top.url}    (Taobao TOP gateway, CNY, shop ${topShop.id})`)
  say(
    `sandbox      ${waybills.url}    (e-waybills: Cainiao /top, PDD /pdd, Douyin /douyin, JD /jd, SF /sf, EasyPost /easypost)`,
  )
  for (const [k, c] of components) say(`print        ${c.url}    (fake ${k} print component)`)
  say(
    `sandbox      ${shopifyStore.url}    (Shopify Admin GraphQL ${shopifyStore.shopDomain}, USD, shop ${shopifyShop.id})`,
  )
  for (const c of cnStores) say(`sandbox      ${c.store.url}    (${c.name}, shop ${c.shopId})`)
  say(
    `sandbox      ${rates.url}    (exchange rates: CFETS central parity, ECB reference rates; pulled daily)`,
  )
  say(`database     ${demoUrl}    queue prefix ${config.redis.prefix}`)
  say()
  say(`console      ${address}/app/    sign in as`)
  for (const [role, u] of Object.entries(logins))
    say(`  ${role.padEnd(11)} ${u.login.padEnd(32)} password ${passwords[role]}`)
  say()
  say(`admin key       ${keys.admin}`)
  say(`warehouse key   ${keys.warehouse}`)
  say(`accountant key  ${keys.accountant}`)
  say()
  say('Try:')
  say(`  curl -s -H "Authorization: Bearer ${keys.admin}" ${address}/orders?limit=5`)
  say(`  curl -s -H "Authorization: Bearer ${keys.admin}" "${address}/exceptions?status=open"`)
  say(`  curl -s -H "Authorization: Bearer ${keys.warehouse}" "${address}/stock?limit=5"`)
  say(`  curl -s -H "Authorization: Bearer ${keys.admin}" ${address}/stock/pushes | head -c 600`)
  say(
    `  curl -s -H "Authorization: Bearer ${keys.admin}" "${address}/shops/${topShop.id}/listings?limit=3"   (conflicts and unmapped SKUs first)`,
  )
  say(`  curl -s -H "Authorization: Bearer ${keys.admin}" "${address}/sku-mappings/export" -o mappings.xlsx`)
  const day = (offsetDays: number) =>
    new Date(ctx.clock.now().getTime() + 8 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10) // Asia/Shanghai calendar day
  say(
    `  curl -s -H "Authorization: Bearer ${keys.accountant}" "${address}/statements?from=${day(0)}&to=${day(1)}"`,
  )
  say(
    `  curl -s -H "Authorization: Bearer ${keys.accountant}" "${address}/reconciliation?from=${day(0)}&to=${day(1)}&shopId=${shopifyShop.id}" | head -c 600   (Shopify pays out every 30 s)`,
  )
  say(
    `  curl -s -H "Authorization: Bearer ${keys.warehouse}" "${address}/waves" -X POST -H 'content-type: application/json' -d '{"warehouseId":"${warehouses[0]!.id}"}'`,
  )
  say(`  open ${address}/docs  (authorize with the admin key)`)
  say()
  say(
    'Orders arrive every few seconds (webhooks from the web store and Shopify, signed pushes from Douyin, TMC messages from Taobao, scheduled pulls from all eight shops); a warehouse robot takes the e-waybills of each wave, prints them and ships every 15 s. Ctrl-C stops.',
  )

  const report = setInterval(() => {
    void (async () => {
      const byStatus = await ctx.db
        .selectFrom('orders')
        .select(['status', (eb) => eb.fn.countAll().as('n')])
        .where('merchant_id', '=', merchant.id)
        .groupBy('status')
        .execute()
      const byChannel = await ctx.db
        .selectFrom('orders')
        .select(['channel', (eb) => eb.fn.countAll().as('n')])
        .where('merchant_id', '=', merchant.id)
        .groupBy('channel')
        .execute()
      const pushed =
        sandboxes.reduce((n, s) => n + s.sandbox.stock.size, 0) +
        woo.stock.size +
        top.stock.size +
        shopifyStore.pushed.size +
        cnStores.reduce((n, c) => n + c.store.stock.size, 0)
      const shipped =
        sandboxes.reduce((n, s) => n + s.sandbox.shipments.length, 0) +
        woo.notes.length +
        top.shipments.length +
        shopifyStore.fulfillments.length +
        cnStores.reduce((n, c) => n + c.store.shipments.length, 0)
      say(
        `[${new Date().toISOString().slice(11, 19)}] pool: ${byStatus.map((r) => `${r.status} ${r.n}`).join(', ')} · by channel: ${byChannel.map((r) => `${r.channel} ${r.n}`).join(', ')} · SKU levels with pushed stock ${pushed} · writebacks received by the shops ${shipped}`,
      )
    })().catch(() => undefined)
  }, 10000)

  const stop = async () => {
    clearInterval(payouts)
    clearInterval(flow)
    clearInterval(robot)
    clearInterval(report)
    await app.close()
    await scheduler.stop()
    await workers.close()
    for (const s of sandboxes) await s.sandbox.close()
    await woo.close()
    await top.close()
    await shopifyStore.close()
    for (const c of cnStores) await c.store.close()
    await waybills.close()
    await rates.close()
    for (const c of components.values()) await c.close()
    await closeContext(ctx)
    process.exit(0)
  }
  process.once('SIGINT', () => void stop())
  process.once('SIGTERM', () => void stop())
  if (forSeconds) setTimeout(() => void stop(), forSeconds * 1000)
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
