/**
 * Alerts against the real database: each rule's condition raises one alert, a rescan adds none,
 * a condition that goes away clears its alert (and a new occurrence opens a new one); delivery to
 * the WeCom and DingTalk group robots in their own formats (nock), DingTalk signed with
 * HmacSHA256 over "timestamp\nsecret" (the value below computed independently, with Python's hmac),
 * retries that end in `failed` with the robot's words, and the outbound guard on the webhook URL.
 */
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { setOutboundPolicy } from '../../../connectors/outbound.js'
import { jobId } from '../../../jobs/queues.js'
import { deliverAlert } from '../../../src/alerts/deliver.js'
import { dingTalkSign, webhookRequest } from '../../../src/alerts/format.js'
import { newId } from '../../../src/lib/ids.js'
import { createShop, type Shop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import {
  bearer,
  fixedClock,
  seedMerchant,
  testEnv,
  type TestEnv,
  type TestMerchant,
} from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

const NOW = '2026-12-07T06:00:00Z'
const NOW_MS = Date.parse(NOW)
const SECRET = 'SECf1b2c3d4e5f60718293a4b5c6d7e8f9'
// python3: base64(hmac.new(SECRET, f"{NOW_MS}\n{SECRET}", sha256).digest())
const SIGNATURE = 'tLAFMkK8kfrqhR75Q4AtMr7iGNZLgbFaSppHlDy9k40='
const WECOM = 'https://qyapi.weixin.qq.com'
const DING = 'https://oapi.dingtalk.com'

let env: TestEnv
let m: TestMerchant
let tmall: Shop
let jd: Shop
let exceptionId = ''

const api = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  payload?: unknown,
  role: 'admin' | 'warehouse' = 'admin',
) =>
  env.app.inject({
    method,
    url,
    headers: bearer(m.keys[role]),
    ...(payload === undefined ? {} : { payload: payload as object }),
  })

interface AlertItem {
  id: string
  kind: string
  subject: string
  status: string
  delivery: string
  deliveryError: string | null
}
const alerts = async (q = '') =>
  (await api('GET', `/alerts?limit=100${q}`)).json<{ items: AlertItem[] }>().items
const scan = async () =>
  (await api('POST', '/alerts/scan')).json<{ opened: number; cleared: number; open: number }>()

beforeAll(async () => {
  env = await testEnv({ clock: fixedClock(NOW) })
  m = await seedMerchant(env.ctx, '杭州好物商贸')
  const { db } = env.ctx
  tmall = await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
    channel: 'taobao',
    name: '好物天猫旗舰店',
  })
  jd = await createShop(env.ctx, env.ctx.config.secretKey, m.id, { channel: 'jd', name: '好物京东店' })
  const wh = await createWarehouse(db, m.id, { code: 'HZ', name: '杭州仓' })
  await upsertSkus(env.ctx, m.id, [{ code: 'MUG-350', name: '陶瓷马克杯' }])
  const sku = await db
    .selectFrom('skus')
    .select('id')
    .where('merchant_id', '=', m.id)
    .executeTakeFirstOrThrow()
  await db
    .insertInto('stock')
    .values({ merchant_id: m.id, warehouse_id: wh.id, sku_id: sku.id, on_hand: 2, reserved: 0 })
    .execute()
  await db
    .insertInto('stock_thresholds')
    .values({ merchant_id: m.id, sku_id: sku.id, threshold: 5 })
    .execute()
  await db
    .insertInto('sync_cursors')
    .values([
      {
        merchant_id: m.id,
        shop_id: tmall.id,
        stream: 'orders',
        cursor_at: new Date(NOW),
        last_run_at: new Date(NOW),
        last_ok_at: new Date(NOW),
        last_error: null,
      },
      {
        merchant_id: m.id,
        shop_id: jd.id,
        stream: 'orders',
        cursor_at: new Date('2026-12-07T03:00:00Z'),
        last_run_at: new Date(NOW),
        last_ok_at: new Date('2026-12-07T03:00:00Z'),
        last_error: '19: access_token已过期',
      },
    ])
    .execute()
  const { orderId } = await seedOrder(db, m.id, tmall.id, [{ skuId: sku.id, quantity: 1 }], {
    channel: 'taobao',
    externalId: '3891204512345678901',
    status: 'shipped',
  })
  exceptionId = newId()
  await db
    .insertInto('order_exceptions')
    .values({
      id: exceptionId,
      merchant_id: m.id,
      shop_id: tmall.id,
      order_id: orderId,
      raw_inbox_id: null,
      subject: 'SKU 未匹配',
      reason: 'sku_unmapped',
      detail: '{}',
      status: 'open',
      open_marker: 1,
      created_at: new Date('2026-12-05T06:00:00Z'),
      resolved_at: null,
      resolved_by: null,
      resolution: null,
    } as never)
    .execute()
  await db
    .insertInto('shipment_writebacks')
    .values({
      id: newId(),
      merchant_id: m.id,
      shipment_id: newId(),
      order_id: orderId,
      shop_id: tmall.id,
      parcel_no: 1,
      status: 'failed',
      attempts: 6,
      last_error: 'B04: 订单状态不正确，不能发货',
      note: null,
      done_at: null,
    })
    .execute()
  nock.disableNetConnect()
})
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([])
  nock.cleanAll()
})
afterAll(async () => {
  nock.enableNetConnect()
  await env.close()
})

describe('conditions and deduplication', () => {
  it('raises one alert per condition, and a rescan adds none', async () => {
    expect(await scan()).toEqual({ opened: 4, cleared: 0, open: 4 })
    const open = await alerts('&status=open')
    expect(open.map((a) => a.kind).sort()).toEqual([
      'exception_aged',
      'low_stock',
      'sync_stalled',
      'writeback_failed',
    ])
    expect(open.find((a) => a.kind === 'low_stock')!.subject).toBe('MUG-350 陶瓷马克杯 可用 2，低于预警值 5')
    expect(open.find((a) => a.kind === 'sync_stalled')!.subject).toBe(
      '店铺「好物京东店」已 180 分钟没有同步到订单（阈值 60 分钟）',
    )
    expect(open.find((a) => a.kind === 'writeback_failed')!.subject).toBe(
      '「好物天猫旗舰店」订单 3891204512345678901 发货回传失败',
    )
    expect(open.every((a) => a.delivery === 'none')).toBe(true)
    expect(await scan()).toEqual({ opened: 0, cleared: 0, open: 4 })
    expect(await alerts()).toHaveLength(4)
    expect((await api('GET', '/alerts/open-count', undefined, 'warehouse')).json()).toEqual({
      total: 4,
      byKind: { exception_aged: 1, low_stock: 1, sync_stalled: 1, writeback_failed: 1 },
    })
  })

  it('clears an alert when its condition goes away, and opens a new one when it comes back', async () => {
    const db = env.ctx.db
    await db
      .updateTable('order_exceptions')
      .set({ status: 'resolved', open_marker: null })
      .where('id', '=', exceptionId)
      .execute()
    expect(await scan()).toMatchObject({ opened: 0, cleared: 1 })
    expect((await alerts('&status=cleared')).map((a) => a.kind)).toEqual(['exception_aged'])
    await db
      .updateTable('order_exceptions')
      .set({ status: 'open', open_marker: 1 })
      .where('id', '=', exceptionId)
      .execute()
    expect(await scan()).toMatchObject({ opened: 1, cleared: 0 })
    const aged = (await alerts()).filter((a) => a.kind === 'exception_aged')
    expect(aged.map((a) => a.status)).toEqual(['open', 'cleared'])
  })

  it('follows the rules: a rule switched off clears its alerts, a threshold moves the line', async () => {
    const res = await api('PUT', '/alert-rules', {
      rules: [
        { kind: 'low_stock', enabled: false, threshold: null },
        { kind: 'sync_stalled', enabled: true, threshold: 240 },
      ],
      webhook: null,
    })
    expect(res.statusCode).toBe(200)
    expect(await scan()).toMatchObject({ opened: 0, cleared: 2, open: 2 })
    const back = await api('PUT', '/alert-rules', {
      rules: [
        { kind: 'low_stock', enabled: true, threshold: null },
        { kind: 'sync_stalled', enabled: true, threshold: null },
      ],
      webhook: null,
    })
    expect(back.json<{ rules: { kind: string; threshold: number | null }[] }>().rules).toContainEqual({
      kind: 'sync_stalled',
      enabled: true,
      threshold: null,
      defaultThreshold: 60,
    })
    expect(await scan()).toMatchObject({ opened: 2, cleared: 0, open: 4 })
  })

  it('refuses bad rules naming the field, and keeps rules for admins', async () => {
    const dup = await api('PUT', '/alert-rules', {
      rules: [
        { kind: 'low_stock', enabled: true, threshold: null },
        { kind: 'low_stock', enabled: false, threshold: null },
      ],
      webhook: null,
    })
    expect(dup.statusCode).toBe(400)
    expect(dup.json<{ error: { details: { field: string } } }>().error.details.field).toBe(
      'body/rules/1/kind',
    )
    const noThreshold = await api('PUT', '/alert-rules', {
      rules: [{ kind: 'writeback_failed', enabled: true, threshold: 3 }],
      webhook: null,
    })
    expect(noThreshold.statusCode).toBe(400)
    expect((await api('GET', '/alert-rules', undefined, 'warehouse')).statusCode).toBe(403)
  })
})

describe('delivery to group robots', () => {
  const newAlert = async () => {
    // A second failed writeback: a new condition, a new alert to deliver.
    const order = await env.ctx.db
      .selectFrom('orders')
      .select('id')
      .where('merchant_id', '=', m.id)
      .executeTakeFirstOrThrow()
    await env.ctx.db
      .insertInto('shipment_writebacks')
      .values({
        id: newId(),
        merchant_id: m.id,
        shipment_id: newId(),
        order_id: order.id,
        shop_id: tmall.id,
        parcel_no: 2,
        status: 'failed',
        attempts: 6,
        last_error: 'isv.logistics-offline-service-error:B150',
        note: null,
        done_at: null,
      })
      .execute()
    const r = await scan()
    expect(r.opened).toBe(1)
    return (await alerts('&status=open')).find((a) => a.delivery === 'pending')!
  }

  it('sends to a WeCom robot as markdown, once, and queues the delivery as a job', async () => {
    const put = await api('PUT', '/alert-rules', {
      rules: [],
      webhook: {
        url: `${WECOM}/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa`,
        format: 'wecom',
      },
    })
    expect(put.statusCode).toBe(200)
    // The robot's key is a credential: shown masked.
    expect(put.json<{ webhook: { url: string } }>().webhook.url).toBe(
      `${WECOM}/cgi-bin/webhook/send?key=****5aaa`,
    )
    const alert = await newAlert()
    const job = await env.ctx.queues['alert-deliver'].getJob(jobId('alert', alert.id))
    expect(job?.data).toEqual({ merchantId: m.id, alertId: alert.id })

    let body: { msgtype: string; markdown: { content: string } } | undefined
    nock(WECOM)
      .post('/cgi-bin/webhook/send', (b: typeof body) => ((body = b), true))
      .query({ key: '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa' })
      .reply(200, { errcode: 0, errmsg: 'ok' })
    expect(await deliverAlert(env.ctx, m.id, alert.id, false)).toBe('sent')
    expect(body!.msgtype).toBe('markdown')
    expect(body!.markdown.content).toContain('### 【Entrepot】发货回传失败')
    expect(body!.markdown.content).toContain(`> ${alert.subject}`)
    expect(body!.markdown.content).toContain('- 平台返回：「isv.logistics-offline-service-error:B150」')
    expect(body!.markdown.content).toContain('杭州好物商贸 · 2026-12-07 14:00（Asia/Shanghai）')
    // Sent is sent: a replayed job sends nothing.
    expect(await deliverAlert(env.ctx, m.id, alert.id, false)).toBe('already')
    expect((await alerts()).find((a) => a.id === alert.id)!.delivery).toBe('sent')
  })

  it('writes to the robot in English when the merchant’s language is English, subject and all', async () => {
    const patched = await api('PATCH', '/merchant', { locale: 'en' })
    expect(patched.json()).toMatchObject({ locale: 'en', alertLocale: 'en', timezone: 'Asia/Shanghai' })
    try {
      const alert = await newAlert()
      expect(alert.subject).toMatch(/^Shipment writeback failed for order \d+ of “好物天猫旗舰店”$/)
      let body: { markdown: { content: string } } | undefined
      nock(WECOM)
        .post('/cgi-bin/webhook/send', (b: typeof body) => ((body = b), true))
        .query(true)
        .reply(200, { errcode: 0, errmsg: 'ok' })
      expect(await deliverAlert(env.ctx, m.id, alert.id, false)).toBe('sent')
      const content = body!.markdown.content
      expect(content).toContain('### [Entrepot] Shipment writeback failed')
      expect(content).toContain(`> ${alert.subject}`)
      expect(content).toContain('- Shop: 好物天猫旗舰店')
      expect(content).toContain('- Platform answered: “isv.logistics-offline-service-error:B150”')
      expect(content).toContain('杭州好物商贸 · 2026-12-07 14:00 (Asia/Shanghai)')
      expect(content).not.toMatch(/[：「」（]|发货|店铺/)
    } finally {
      await api('PATCH', '/merchant', { locale: null })
    }
    // Back to the zone's default: Chinese for Asia/Shanghai.
    expect((await api('GET', '/merchant')).json()).toMatchObject({ locale: null, alertLocale: 'zh-CN' })
  })

  it('signs for a DingTalk robot with 加签: timestamp and HmacSHA256 of "timestamp\\nsecret", base64, URL-encoded', async () => {
    expect(decodeURIComponent(dingTalkSign(NOW_MS, SECRET))).toBe(SIGNATURE)
    expect(dingTalkSign(NOW_MS, SECRET)).toBe(encodeURIComponent(SIGNATURE))
    const req = webhookRequest(
      'dingtalk',
      `${DING}/robot/send?access_token=abc`,
      {
        id: 'x',
        kind: 'low_stock',
        lang: 'zh-CN',
        subject: 's',
        merchantName: 'm',
        openedAt: '2026-12-07 14:00',
        timezone: 'Asia/Shanghai',
        facts: [],
      },
      { secret: SECRET, nowMs: NOW_MS },
    )
    expect(req.url).toBe(
      `${DING}/robot/send?access_token=abc&timestamp=${NOW_MS}&sign=${encodeURIComponent(SIGNATURE)}`,
    )

    await api('PUT', '/alert-rules', {
      rules: [],
      webhook: { url: `${DING}/robot/send?access_token=f3b5e0c1d2`, format: 'dingtalk', secret: SECRET },
    })
    const settings = (await api('GET', '/alert-rules')).json<{ webhook: Record<string, unknown> }>()
    expect(settings.webhook).toEqual({
      url: `${DING}/robot/send?access_token=****c1d2`,
      format: 'dingtalk',
      hasSecret: true,
    })
    const audit = await env.ctx.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'alerts.settings')
      .execute()
    expect(JSON.stringify(audit)).not.toContain(SECRET)

    const alert = await newAlert()
    let body: { msgtype: string; markdown: { title: string; text: string } } | undefined
    nock(DING)
      .post('/robot/send', (b: typeof body) => ((body = b), true))
      .query({ access_token: 'f3b5e0c1d2', timestamp: String(NOW_MS), sign: SIGNATURE })
      .reply(200, { errcode: 0, errmsg: 'ok' })
    expect(await deliverAlert(env.ctx, m.id, alert.id, false)).toBe('sent')
    expect(body!.msgtype).toBe('markdown')
    expect(body!.markdown.title).toBe('发货回传失败')
    expect(body!.markdown.text).toContain(alert.subject)
  })

  it('keeps a refused delivery pending for the retry, then failed with the robot’s words', async () => {
    const alert = await newAlert()
    nock(DING)
      .post('/robot/send')
      .query(true)
      .reply(200, { errcode: 310000, errmsg: 'sign not match' })
      .post('/robot/send')
      .query(true)
      .reply(200, { errcode: 310000, errmsg: 'sign not match' })
    await expect(deliverAlert(env.ctx, m.id, alert.id, false)).rejects.toThrow(
      'errcode 310000: sign not match',
    )
    expect((await alerts()).find((a) => a.id === alert.id)).toMatchObject({ delivery: 'pending' })
    await expect(deliverAlert(env.ctx, m.id, alert.id, true)).rejects.toThrow('sign not match')
    const failed = (await alerts()).find((a) => a.id === alert.id)!
    expect(failed).toMatchObject({
      delivery: 'failed',
      deliveryError: '发货回传失败: errcode 310000: sign not match',
    })
    expect(failed.deliveryError).not.toContain(SECRET)
  })

  it('refuses a webhook on a private address when saved, naming the field (outbound guard)', async () => {
    setOutboundPolicy({ allowPrivate: false })
    try {
      for (const url of ['http://127.0.0.1:8080/hook', 'http://169.254.169.254/latest', 'http://[::1]/x']) {
        const res = await api('PUT', '/alert-rules', { rules: [], webhook: { url, format: 'json' } })
        expect(res.statusCode).toBe(400)
        expect(res.json<{ error: { details: { field: string } } }>().error.details.field).toBe(
          'body/webhook/url',
        )
      }
    } finally {
      setOutboundPolicy({ allowPrivate: env.ctx.config.outbound.allowPrivate })
    }
  })

  it('refuses to connect to a private address stored before, and records why', async () => {
    await env.ctx.db
      .updateTable('alert_webhooks')
      .set({ url: 'http://127.0.0.1:9/hook', format: 'json' })
      .where('merchant_id', '=', m.id)
      .execute()
    const alert = await newAlert()
    setOutboundPolicy({ allowPrivate: false })
    nock.enableNetConnect('127.0.0.1')
    try {
      await expect(deliverAlert(env.ctx, m.id, alert.id, true)).rejects.toThrow('EOUTBOUNDREFUSED')
    } finally {
      nock.disableNetConnect()
      setOutboundPolicy({ allowPrivate: env.ctx.config.outbound.allowPrivate })
    }
    expect((await alerts()).find((a) => a.id === alert.id)).toMatchObject({ delivery: 'failed' })
  })
})
