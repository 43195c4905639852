/**
 * What every catalogue integration test does: a merchant whose SKUs are the sandbox's catalogue
 * with stock in one warehouse, a shop linked through the API (which queues the catalogue pull),
 * and the queued jobs run by their real processors — the pull, then the stock push it queues.
 */
import { expect } from 'vitest'
import type { JobPayloads, QueueName } from '../../../jobs/queues.js'
import { PROCESSORS } from '../../../jobs/workers/index.js'
import type { CataloguePullReport } from '../../../src/catalogue/pull.js'
import type { Channel } from '../../../src/db/schema.js'
import { receive } from '../../../src/inventory/operations.js'
import type { PushReport } from '../../../src/inventory/push.js'
import type { CatalogueItem } from '../../../src/sandbox/generator.js'
import { upsertSkus } from '../../../src/skus/repo.js'
import { createWarehouse } from '../../../src/warehouses/repo.js'
import { bearer, type TestEnv, type TestMerchant } from '../../helpers/app.js'

export const CATALOGUE: CatalogueItem[] = [
  { skuCode: 'CUP-1', title: '保温杯 500ml 黑色', price: '89.00' },
  { skuCode: 'CUP-2', title: '保温杯 500ml 白色', price: '89.00' },
  { skuCode: 'CUP-3', title: '保温杯 500ml 红色', price: '99.00' },
  { skuCode: 'TEA-1', title: '西湖龙井 明前 250g', price: '128.00' },
  { skuCode: 'TEA-2', title: '西湖龙井 明前 500g', price: '238.50' },
  { skuCode: 'SOAP-1', title: '手工皂 玫瑰', price: '28.00' },
  { skuCode: 'SOAP-2', title: '手工皂 薰衣草', price: '28.00' },
  { skuCode: 'SCARF-1', title: '羊毛围巾 格纹', price: '158.00' },
]

/** A catalogue of `items` products with four colours each (P01-1 … P16-4), for pulls that page. */
export function catalogueOf(items: number): CatalogueItem[] {
  const colours = ['黑色', '白色', '红色', '灰色']
  return Array.from({ length: items }, (_, i) =>
    colours.map((c, j) => ({
      skuCode: `P${String(i + 1).padStart(2, '0')}-${j + 1}`,
      title: `商品${i + 1} 纯棉 ${c}`,
      price: `${20 + i}.${j}0`,
    })),
  ).flat()
}

/** The hub's stock of each SKU (one warehouse): what a push must show. Derived from the code alone. */
export const stockOf = (code: string): number =>
  10 + [...code].reduce((n, ch) => (n * 31 + ch.charCodeAt(0)) % 997, 0)

export async function seedCatalogue(
  env: TestEnv,
  m: TestMerchant,
  items: readonly CatalogueItem[] = CATALOGUE,
): Promise<Map<string, string>> {
  await upsertSkus(
    env.ctx,
    m.id,
    items.map((c) => ({ code: c.skuCode, name: c.title })),
  )
  const ids = new Map(
    (
      await env.ctx.db.selectFrom('skus').select(['id', 'code']).where('merchant_id', '=', m.id).execute()
    ).map((s) => [s.code, s.id]),
  )
  const wh = await createWarehouse(env.ctx.db, m.id, { code: `W${ids.size}`, name: 'main' })
  for (const c of items)
    await receive(
      env.ctx.db,
      m.id,
      {
        warehouseId: wh.id,
        skuId: ids.get(c.skuCode)!,
        quantity: stockOf(c.skuCode),
        unitCost: '1',
        currency: 'CNY',
      },
      { actor: 'test' },
    )
  return ids
}

/** Link a shop through POST /shops: returns it and the catalogue pull the link queued. */
export async function linkShop(
  env: TestEnv,
  m: TestMerchant,
  body: {
    channel: Channel
    name: string
    settings: Record<string, unknown>
    credentials: Record<string, unknown>
  },
): Promise<{ shopId: string; pullJobId: string }> {
  const res = await env.app.inject({
    method: 'POST',
    url: '/shops',
    headers: bearer(m.keys.admin),
    payload: body,
  })
  expect(res.statusCode, res.body).toBe(201)
  const shopId = (res.json() as { id: string }).id
  const jobs = await env.ctx.queues['catalogue-pull'].getJobs(['waiting', 'delayed', 'prioritized'])
  const job = jobs.find((j) => j.data.shopId === shopId)
  expect(job?.data).toEqual({ merchantId: m.id, shopId, reason: 'link' })
  return { shopId, pullJobId: job!.id! }
}

/** Run one queued job by id with its queue's real processor. */
export async function runJob<Q extends QueueName>(env: TestEnv, queue: Q, id: string): Promise<unknown> {
  const job = await env.ctx.queues[queue].getJob(id)
  expect(job, `${queue} job ${id}`).toBeDefined()
  const processor = PROCESSORS[queue](env.ctx) as (j: typeof job) => Promise<unknown>
  const result = await processor(job)
  await job!.remove()
  return result
}

/** The pull, then the stock push it queued; returns both reports. */
export async function pullAndPush(
  env: TestEnv,
  pullJobId: string,
): Promise<{ pull: CataloguePullReport; push: PushReport }> {
  const job = await env.ctx.queues['catalogue-pull'].getJob(pullJobId)
  const data = job!.data as JobPayloads['catalogue-pull']
  await runJob(env, 'catalogue-pull', pullJobId)
  const pull = await env.ctx.db
    .selectFrom('catalogue_pulls')
    .selectAll()
    .where('shop_id', '=', data.shopId)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow()
  expect(pull.status, pull.error ?? '').toBe('done')
  const pushId = `catalogue-push.${data.shopId}.${pull.id}`
  const push = (await runJob(env, 'stock-push', pushId)) as PushReport
  return {
    pull: {
      pullId: pull.id,
      status: pull.status,
      listings: pull.listings,
      skus: pull.skus,
      unreadable: pull.unreadable,
      linked: pull.linked,
      removed: pull.removed,
      pushJobId: pushId,
      rerun: 0,
    },
    push,
  }
}

export interface ListingJson {
  id: string
  platformSkuKey: string
  platformItemId: string
  code: string | null
  state: string
  issue: string | null
  matchMethod: string | null
  platformQuantity: number | null
  price: string | null
  mapping: { skuCode: string; source: string } | null
  suggested: { skuCode: string } | null
  duplicates: { id: string }[]
}

/** Every listing SKU of the shop through the API, following `next`. */
export async function listings(
  env: TestEnv,
  m: TestMerchant,
  shopId: string,
  query = '',
  limit = 3,
): Promise<ListingJson[]> {
  const out: ListingJson[] = []
  let cursor: string | null = null
  do {
    const res = await env.app.inject({
      method: 'GET',
      url: `/shops/${shopId}/listings?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`,
      headers: bearer(m.keys.warehouse),
    })
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json() as { items: ListingJson[]; next: string | null }
    out.push(...body.items)
    cursor = body.next
  } while (cursor)
  return out
}
