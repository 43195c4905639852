import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enqueueSyncTick, slotOf } from '../../../jobs/schedules.js'
import { jobId } from '../../../jobs/queues.js'
import { syncTick } from '../../../jobs/workers/sync-tick.js'
import { createShop } from '../../../src/shops/repo.js'
import { seedMerchant, testEnv, type TestEnv } from '../../helpers/app.js'
import type { Job } from 'bullmq'

let env: TestEnv
beforeAll(async () => {
  env = await testEnv()
})
afterAll(() => env.close())

describe('scheduler', () => {
  it('slots are per minute, in UTC, without ":"', () => {
    expect(slotOf(new Date('2026-11-24T10:05:59.999Z'))).toBe('2026-11-24T10.05')
    // A schedule with a seconds field (the demo pulls every 10 s) gets a slot per second.
    expect(slotOf(new Date('2026-11-24T10:05:10.004Z'), true)).toBe('2026-11-24T10.05.10')
    expect(jobId('sync-tick', '2026-11-24T10.05')).toBe('sync-tick.2026-11-24T10.05')
    expect(jobId(12345)).toBe('j.12345')
  })

  it('two schedulers firing for the same slot enqueue one tick', async () => {
    const at = new Date('2026-11-24T10:05:07Z')
    const later = new Date('2026-11-24T10:05:48Z')
    const ids = await Promise.all([
      enqueueSyncTick(env.ctx, at),
      enqueueSyncTick(env.ctx, later),
      enqueueSyncTick(env.ctx, at),
    ])
    expect(new Set(ids).size).toBe(1)
    expect(
      await env.ctx.queues['sync-tick'].getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized'),
    ).toBe(1)
    await enqueueSyncTick(env.ctx, new Date('2026-11-24T10:06:01Z'))
    expect(
      await env.ctx.queues['sync-tick'].getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized'),
    ).toBe(2)
  })

  it('a tick fans out one pull per active shop and stream, and a replayed tick adds nothing', async () => {
    const m = await seedMerchant(env.ctx)
    const key = env.ctx.config.secretKey
    const s1 = await createShop(env.ctx, key, m.id, {
      channel: 'woocommerce',
      name: 'one',
      credentials: { consumerKey: 'k', consumerSecret: 's' },
    })
    await createShop(env.ctx, key, m.id, { channel: 'woocommerce', name: 'no credentials' })
    const s3 = await createShop(env.ctx, key, m.id, { channel: 'selfstore', name: 'own store' })
    const disabled = await createShop(env.ctx, key, m.id, {
      channel: 'jd',
      name: 'off',
      credentials: { appKey: 'a' },
    })
    await env.ctx.db.updateTable('shops').set({ status: 'disabled' }).where('id', '=', disabled.id).execute()

    const run = syncTick(env.ctx)
    const job = { data: { slot: '2026-11-24T10.05' } } as Job<{ slot: string }>
    await run(job)
    await run(job)
    const jobs = await env.ctx.queues['shop-pull'].getJobs(['waiting', 'delayed', 'prioritized'])
    const got = jobs.map((j) => `${j.data.shopId}.${j.data.stream}`).sort()
    expect(got).toEqual([`${s1.id}.orders`, `${s1.id}.refunds`, `${s3.id}.orders`, `${s3.id}.refunds`].sort())
  })
})
