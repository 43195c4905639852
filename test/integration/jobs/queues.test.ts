/**
 * Retry policy belongs to the queue: whoever enqueues (a route, the scheduler, domain code), the
 * job carries its queue's attempts and backoff; a few policies depend on the job and are decided
 * in jobs/queues.ts too.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { enqueue, enqueueBulk, jobId, QUEUE_NAMES, QUEUE_OPTIONS } from '../../../jobs/queues.js'
import { enqueueSyncTick } from '../../../jobs/schedules.js'
import { syncTick } from '../../../jobs/workers/sync-tick.js'
import type { Job } from 'bullmq'
import { createShop } from '../../../src/shops/repo.js'
import { newId } from '../../../src/lib/ids.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

let env: TestEnv
let m: TestMerchant
let shopId = ''

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  shopId = (
    await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
      channel: 'selfstore',
      name: 'own',
      settings: { baseUrl: 'https://own.example/api' },
      credentials: { apiKey: 'k', webhookSecret: 's' },
    })
  ).id
})
beforeEach(async () => {
  for (const q of Object.values(env.ctx.queues)) await q.obliterate({ force: true })
})
afterAll(() => env.close())

const policy = (q: keyof typeof QUEUE_OPTIONS) => ({
  attempts: QUEUE_OPTIONS[q].attempts,
  backoff: QUEUE_OPTIONS[q].backoff,
})

it('every queue has a retry policy of its own', () => {
  for (const q of QUEUE_NAMES) {
    expect(QUEUE_OPTIONS[q].attempts, q).toBeGreaterThanOrEqual(1)
    expect(QUEUE_OPTIONS[q].removeOnComplete, q).toBeDefined()
  }
})

it('a job a route adds runs under its queue policy, not one the route chose', async () => {
  const res = await env.app.inject({
    method: 'POST',
    url: `/shops/${shopId}/sync`,
    headers: bearer(m.keys.admin),
    payload: { stream: 'orders' },
  })
  expect(res.statusCode).toBe(202)
  const pull = await env.ctx.queues['shop-pull'].getJob(res.json<{ queued: string }>().queued)
  expect(pull?.opts).toMatchObject(policy('shop-pull'))

  const writebackId = newId()
  await enqueue(
    env.ctx.queues,
    'shipment-writeback',
    { merchantId: m.id, writebackId },
    jobId('wb', writebackId),
  )
  const wb = await env.ctx.queues['shipment-writeback'].getJob(jobId('wb', writebackId))
  expect(wb?.opts).toMatchObject(policy('shipment-writeback'))
})

it('scheduled ticks and the pulls they fan out carry their queue policy; message pulls are not retried', async () => {
  const id = await enqueueSyncTick(env.ctx, new Date('2026-11-11T00:00:00Z'))
  const tick = await env.ctx.queues['sync-tick'].getJob(id)
  expect(tick?.opts).toMatchObject(policy('sync-tick'))
  await syncTick(env.ctx)({ data: { slot: '2026-11-11T00.02', kind: 'pull' } } as Job<{
    slot: string
    kind: 'pull'
  }>)
  const pulls = await env.ctx.queues['shop-pull'].getJobs(['waiting'])
  expect(pulls.length).toBeGreaterThan(0)
  for (const p of pulls) expect(p.opts).toMatchObject(policy('shop-pull'))
  await enqueue(
    env.ctx.queues,
    'shop-pull',
    { merchantId: m.id, shopId, stream: 'messages' },
    jobId('msgs', shopId, 'now'),
  )
  expect((await env.ctx.queues['shop-pull'].getJob(jobId('msgs', shopId, 'now')))?.opts.attempts).toBe(1)
})

it('incremental stock pushes of a shop coalesce in the queue; a full resync is its own job', async () => {
  const push = (full: boolean) => ({
    data: { merchantId: m.id, shopId, full },
    id: jobId('push', shopId, newId()),
  })
  await enqueueBulk(env.ctx.queues, 'stock-push', [push(false), push(false)])
  await enqueueBulk(env.ctx.queues, 'stock-push', [push(false), push(true)])
  const jobs = await env.ctx.queues['stock-push'].getJobs(['waiting'])
  expect(jobs.map((j) => j.data.full).sort()).toEqual([false, true])
  for (const j of jobs) expect(j.opts).toMatchObject(policy('stock-push'))
})

it('job ids never carry a colon', () => {
  expect(jobId('wb', 'a:b', 'c d')).toBe('wb.a_b.c_d')
  expect(jobId(42)).toBe('j.42')
})
