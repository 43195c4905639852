/**
 * schedulePush after a batch of stock changes: the calls made in one turn of the event loop (the
 * inventory worker settles a batch of orders at once) join one request, made after all of them; a
 * call made once that request has started sends its own.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Queues } from '../../../jobs/queues.js'
import { schedulePush } from '../../../src/inventory/schedule-push.js'
import { createShop } from '../../../src/shops/repo.js'
import { seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'

let env: TestEnv
let m: TestMerchant
const shops: string[] = []

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  for (const name of ['a', 'b'])
    shops.push(
      (
        await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
          channel: 'selfstore',
          name,
          settings: { baseUrl: 'https://s.example' },
        })
      ).id,
    )
})
afterAll(() => env.close())

it('joins the calls of one turn into one request for every active shop, and asks again after it started', async () => {
  const sent: { shopId: string }[][] = []
  const queues = {
    'stock-push': {
      addBulk: (jobs: { data: { shopId: string } }[]) => {
        sent.push(jobs.map((j) => ({ shopId: j.data.shopId })))
        return Promise.resolve([])
      },
    },
  } as unknown as Queues
  const ctx = { db: env.ctx.db, queues }
  await Promise.all(Array.from({ length: 50 }, () => schedulePush(ctx, m.id)))
  expect(sent).toHaveLength(1)
  expect(sent[0]!.map((j) => j.shopId).sort()).toEqual([...shops].sort())
  // A change after the request went: a request of its own.
  await schedulePush(ctx, m.id)
  expect(sent).toHaveLength(2)
})
