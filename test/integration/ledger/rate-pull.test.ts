/**
 * The daily rate pull, end to end against the providers' sandbox (a real HTTP server speaking the
 * CFETS ccpr.json and ECB eurofxref-daily.xml formats), the clock pinned to Monday 3 March 2025,
 * 09:45 Beijing. Rates are CFETS's as published: USD/CNY 7.1739, 100JPY/CNY 4.7869 (per 100 yen),
 * CNY/MYR 0.6150 (ringgit per yuan). A USD sale of that day waiting for its rate:
 * USD 100.00 × 7.1739 = CNY 717.39, posted by the pull.
 */
import type { Job } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QUEUE_OPTIONS, type JobPayloads } from '../../../jobs/queues.js'
import { enqueueRatePullTick } from '../../../jobs/schedules.js'
import { ratePull, ratePullTick } from '../../../jobs/workers/rate-pull.js'
import { scanMerchant } from '../../../src/alerts/scan.js'
import { handleLedgerEvent } from '../../../src/ledger/events.js'
import { RatePullError } from '../../../src/ledger/rate-pull.js'
import { ymd } from '../../../src/ledger/rates.js'
import { startRatesSandbox, type RatesSandbox } from '../../../src/sandbox/rates-server.js'
import { createShop } from '../../../src/shops/repo.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import {
  bearer,
  fixedClock,
  seedMerchant,
  testEnv,
  type TestEnv,
  type TestMerchant,
} from '../../helpers/app.js'
import { seedOrder } from '../../helpers/orders.js'

const NOW = '2025-03-03T01:45:00Z'
let env: TestEnv
let sandbox: RatesSandbox
let cfetsOnly: TestMerchant
let both: TestMerchant
let none: TestMerchant
let orderId = ''

const api = (m: TestMerchant, method: 'GET' | 'PUT' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  env.app.inject({ method, url, headers: bearer(m.keys.admin), ...(payload ? { payload } : {}) })

const settings = (dailyPull?: string[]) => ({
  rateSources: ['CFETS', 'ECB'],
  maxStalenessDays: 5,
  revaluation: 'month_end',
  providers: { ecb: sandbox.url, cfets: sandbox.url },
  ...(dailyPull ? { dailyPull } : {}),
})

const pullJob = (data: JobPayloads['rate-pull'], attemptsMade = 0) =>
  ({ data, attemptsMade, opts: { attempts: QUEUE_OPTIONS['rate-pull'].attempts } }) as Job<
    JobPayloads['rate-pull']
  >

const rateRows = (merchantId: string) =>
  env.ctx.db
    .selectFrom('fx_rates')
    .select(['source', 'rate_date', 'base_ccy', 'quote_ccy', 'unit', 'quoted', 'rate', 'batch_id'])
    .where('merchant_id', '=', merchantId)
    .orderBy('base_ccy')
    .orderBy('quote_ccy')
    .execute()

const pulls = (merchantId: string) =>
  env.ctx.db
    .selectFrom('fx_rate_pulls')
    .select(['source', 'day', 'status', 'attempts', 'rate_date', 'rates', 'released', 'error'])
    .where('merchant_id', '=', merchantId)
    .orderBy('source')
    .execute()

const openAlerts = (merchantId: string) =>
  env.ctx.db
    .selectFrom('alerts')
    .select(['kind', 'condition_key', 'subject', 'detail'])
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'open')
    .execute()

beforeAll(async () => {
  env = await testEnv({ clock: fixedClock(NOW) })
  sandbox = await startRatesSandbox()
  cfetsOnly = await seedMerchant(env.ctx, 'CFETS merchant')
  both = await seedMerchant(env.ctx, 'Both providers')
  none = await seedMerchant(env.ctx, 'Files only')
  expect((await api(cfetsOnly, 'PUT', '/ledger/settings', settings(['CFETS']))).statusCode).toBe(204)
  expect((await api(both, 'PUT', '/ledger/settings', settings(['ECB', 'CFETS']))).statusCode).toBe(204)
  expect((await api(none, 'PUT', '/ledger/settings', settings())).statusCode).toBe(204)
  // A USD sale of the day, waiting for its rate.
  const shop = await createShop(env.ctx, env.ctx.config.secretKey, cfetsOnly.id, {
    channel: 'shopify',
    name: 'US store',
  })
  await upsertSkus(env.ctx, cfetsOnly.id, [{ code: 'MUG', name: 'Mug' }])
  const skuId = (
    await env.ctx.db
      .selectFrom('skus')
      .select('id')
      .where('merchant_id', '=', cfetsOnly.id)
      .executeTakeFirstOrThrow()
  ).id
  ;({ orderId } = await seedOrder(
    env.ctx.db,
    cfetsOnly.id,
    shop.id,
    [{ skuId, quantity: 1, paid: '100.00' }],
    { channel: 'shopify', currency: 'USD', status: 'shipped', externalId: '#1001' },
  ))
  const at = new Date('2025-03-03T01:00:00Z')
  await env.ctx.db
    .updateTable('orders')
    .set({ paid_at: at, placed_at: at, shipped_at: at })
    .where('id', '=', orderId)
    .execute()
  await env.ctx.db
    .updateTable('order_lines')
    .set({ goods_amount: '100.00' })
    .where('order_id', '=', orderId)
    .execute()
  expect(
    await handleLedgerEvent(env.ctx.db, {
      merchantId: cfetsOnly.id,
      orderId,
      kind: 'shipped',
      key: `${orderId}.shipped`,
      at: at.toISOString(),
    }),
  ).toBe('held')
})
afterAll(async () => {
  await sandbox.close()
  await env.close()
})

describe('the daily rate pull', () => {
  it('keeps each merchant’s providers in the settings', async () => {
    const s = (await api(both, 'GET', '/ledger/settings')).json<Record<string, unknown>>()
    expect(s).toMatchObject({ dailyPull: ['ECB', 'CFETS'], lastPulls: [] })
    // Saving the policy without naming the pulls keeps them.
    expect((await api(both, 'PUT', '/ledger/settings', settings())).statusCode).toBe(204)
    expect((await api(both, 'GET', '/ledger/settings')).json()).toMatchObject({ dailyPull: ['ECB', 'CFETS'] })
    expect((await api(none, 'GET', '/ledger/settings')).json()).toMatchObject({ dailyPull: [] })
    const bad = await api(none, 'PUT', '/ledger/settings', settings(['XE']))
    expect(bad.statusCode).toBe(400)
  })

  it('ticks once per provider and provider day, in the provider’s own zone', async () => {
    const ids = await Promise.all([
      enqueueRatePullTick(env.ctx, 'CFETS'),
      enqueueRatePullTick(env.ctx, 'CFETS', new Date('2025-03-03T15:59:00Z')), // 23:59 Beijing
      enqueueRatePullTick(env.ctx, 'CFETS'),
    ])
    expect(new Set(ids)).toEqual(new Set(['rate-pull-tick.CFETS.2025-03-03']))
    // 00:30 Beijing on the 4th is still the 3rd in Frankfurt.
    expect(await enqueueRatePullTick(env.ctx, 'ECB', new Date('2025-03-03T16:30:00Z'))).toBe(
      'rate-pull-tick.ECB.2025-03-03',
    )
    const tick = await env.ctx.queues['rate-pull-tick'].getJob('rate-pull-tick.CFETS.2025-03-03')
    expect(tick?.data).toEqual({ source: 'CFETS', day: '2025-03-03' })
    expect(tick?.opts).toMatchObject({ attempts: QUEUE_OPTIONS['rate-pull-tick'].attempts })
  })

  it('fans out one pull per merchant that pulls the provider, once however often it runs', async () => {
    const run = ratePullTick(env.ctx)
    const job = { data: { source: 'CFETS', day: '2025-03-03' } } as Job<JobPayloads['rate-pull-tick']>
    expect(await run(job)).toEqual({ merchants: 2 })
    await run(job)
    const jobs = await env.ctx.queues['rate-pull'].getJobs(['waiting', 'delayed', 'prioritized'])
    expect(jobs.map((j) => j.data.merchantId).sort()).toEqual([cfetsOnly.id, both.id].sort())
    for (const j of jobs)
      expect(j.opts).toMatchObject({
        attempts: QUEUE_OPTIONS['rate-pull'].attempts,
        backoff: QUEUE_OPTIONS['rate-pull'].backoff,
      })
  })

  it('stores the day’s rates as published and posts the sale that waited for them', async () => {
    const r = await ratePull(env.ctx)(
      pullJob({ merchantId: cfetsOnly.id, source: 'CFETS', day: '2025-03-03' }),
    )
    expect(r).toEqual({ rateDate: '2025-03-03', rates: 3, released: 1, stillHeld: 0 })
    const rows = await rateRows(cfetsOnly.id)
    expect(
      rows.map((x) => [
        x.source,
        ymd(x.rate_date as unknown as Date),
        x.base_ccy,
        x.quote_ccy,
        x.unit,
        x.quoted,
        x.rate,
      ]),
    ).toEqual([
      ['CFETS', '2025-03-03', 'CNY', 'MYR', 1, '0.6150', '0.615000000000'],
      ['CFETS', '2025-03-03', 'JPY', 'CNY', 100, '4.7869', '0.047869000000'],
      ['CFETS', '2025-03-03', 'USD', 'CNY', 1, '7.1739', '7.173900000000'],
    ])
    const sale = await env.ctx.db
      .selectFrom('journal_lines')
      .select(['debit', 'base_debit', 'rate_source'])
      .where('merchant_id', '=', cfetsOnly.id)
      .where('order_id', '=', orderId)
      .where('account', 'like', 'receivable:%')
      .executeTakeFirstOrThrow()
    expect(sale).toEqual({ debit: '100.0000', base_debit: '717.3900', rate_source: 'CFETS' })
    expect(await env.ctx.db.selectFrom('ledger_held_entries').selectAll().execute()).toEqual([])
    expect(await pulls(cfetsOnly.id)).toEqual([
      {
        source: 'CFETS',
        day: expect.anything() as unknown,
        status: 'ok',
        attempts: 1,
        rate_date: expect.anything() as unknown,
        rates: 3,
        released: 1,
        error: null,
      },
    ])
    const audit = await env.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type'])
      .where('merchant_id', '=', cfetsOnly.id)
      .where('action', '=', 'rates.pull')
      .execute()
    expect(audit).toEqual([{ action: 'rates.pull', actor_type: 'system' }])
  })

  it('run again, leaves the same rows and posts nothing twice', async () => {
    const before = await rateRows(cfetsOnly.id)
    const lines = await env.ctx.db
      .selectFrom('journal_lines')
      .select('id')
      .where('merchant_id', '=', cfetsOnly.id)
      .execute()
    const r = await ratePull(env.ctx)(
      pullJob({ merchantId: cfetsOnly.id, source: 'CFETS', day: '2025-03-03' }),
    )
    expect(r).toMatchObject({ rates: 3, released: 0 })
    expect(await rateRows(cfetsOnly.id)).toEqual(before)
    expect(
      await env.ctx.db
        .selectFrom('journal_lines')
        .select('id')
        .where('merchant_id', '=', cfetsOnly.id)
        .execute(),
    ).toEqual(lines)
  })

  it('a provider that keeps failing is recorded, retried, and alerted on the last attempt; a later pull clears it', async () => {
    sandbox.fault = '403'
    const data = { merchantId: both.id, source: 'CFETS' as const, day: '2025-03-03' }
    await expect(ratePull(env.ctx)(pullJob(data, 0))).rejects.toThrow(RatePullError)
    expect(await pulls(both.id)).toMatchObject([{ source: 'CFETS', status: 'retrying', attempts: 1 }])
    await scanMerchant(env.ctx, both.id)
    expect((await openAlerts(both.id)).filter((a) => a.kind === 'rate_pull_failed')).toEqual([])

    const last = QUEUE_OPTIONS['rate-pull'].attempts - 1
    await expect(ratePull(env.ctx)(pullJob(data, last))).rejects.toThrow('ccpr.json answered 403')
    expect(await pulls(both.id)).toMatchObject([{ source: 'CFETS', status: 'failed', attempts: 2 }])
    // The last failure asks for a scan at once, not at the next five-minute tick.
    const scan = await env.ctx.queues['alert-scan'].getJobs(['waiting', 'delayed', 'prioritized'])
    expect(scan.map((j) => j.data)).toContainEqual({ merchantId: both.id, slot: 'rates.CFETS.2025-03-03' })
    await scanMerchant(env.ctx, both.id)
    const alerts = await openAlerts(both.id)
    expect(alerts.map((a) => [a.kind, a.condition_key, a.subject])).toEqual([
      [
        'rate_pull_failed',
        'rate_pull_failed.CFETS',
        '2025-03-03 的中国外汇交易中心人民币汇率中间价拉取失败（已尝试 2 次），外币分录将等待汇率',
      ],
    ])
    const shown = (await api(both, 'GET', '/ledger/settings')).json<{
      lastPulls: Record<string, unknown>[]
    }>()
    expect(shown.lastPulls).toEqual([
      {
        source: 'CFETS',
        day: '2025-03-03',
        status: 'failed',
        attempts: 2,
        rateDate: null,
        error: expect.stringContaining('403') as unknown,
        at: new Date(NOW).toISOString(),
      },
    ])

    sandbox.fault = 'none'
    await ratePull(env.ctx)(pullJob(data, 0))
    expect(await pulls(both.id)).toMatchObject([{ source: 'CFETS', status: 'ok', attempts: 3, error: null }])
    expect((await scanMerchant(env.ctx, both.id)).cleared).toHaveLength(1)
    expect(await openAlerts(both.id)).toEqual([])
  })

  it('a manual pull of the provider answers the same report and records the day', async () => {
    const res = await api(both, 'POST', '/ledger/rates/pull', { source: 'ECB' })
    expect(res.statusCode).toBe(200)
    // The sandbox's ECB day is 2024-06-28 (a Friday's document): stored as published.
    expect(res.json()).toMatchObject({ rates: 5, released: 0, rateDate: '2024-06-28' })
    const s = (await api(both, 'GET', '/ledger/settings')).json<{
      lastPulls: { source: string; day: string }[]
    }>()
    expect(s.lastPulls.map((p) => [p.source, p.day]).sort()).toEqual([
      ['CFETS', '2025-03-03'],
      ['ECB', '2025-03-03'],
    ])
  })
})
