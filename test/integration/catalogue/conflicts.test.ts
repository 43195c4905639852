/**
 * The conflict classes of auto-mapping (catalogue-and-purchasing.md §A.8.2–A.8.3) end to end, on a
 * Taobao sandbox shop whose seller edited some codes: a missing code, an unknown code, one code on
 * two listings, a normalised match, an ambiguous code, and a link made by hand beforehand — none
 * silently overwritten; then mapping by hand, a re-pull that keeps it, a code changed since, a
 * listing gone from the shop, an older version that does not overwrite a newer one, and unlinking.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { findSku } from '../../../src/sandbox/catalogue.js'
import { startTopSandbox, type TopSandbox } from '../../../src/sandbox/top-server.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { CATALOGUE, linkShop, listings, pullAndPush, runJob, seedCatalogue, stockOf } from './harness.js'

const cred = { appKey: '12345678', appSecret: 'sandbox-secret', session: 'sandbox-session' }
let env: TestEnv
let m: TestMerchant
let top: TopSandbox
let shopId: string

const edit = (code: string) => findSku(top.listings, code)!.sku
const byKey = (rows: Awaited<ReturnType<typeof listings>>, code: string) =>
  rows.find((r) => r.platformSkuKey === top.skuIdOf(code))
const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  env.app.inject({ method, url, headers: bearer(m.keys.admin), ...(payload ? { payload } : {}) })

async function pullAgain(): Promise<void> {
  const res = await api('POST', `/shops/${shopId}/catalogue/pull`)
  expect(res.statusCode, res.body).toBe(202)
  await runJob(env, 'catalogue-pull', (res.json() as { queued: string }).queued)
}

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  top = await startTopSandbox({ seed: 31, catalogue: CATALOGUE, ...cred })
  await seedCatalogue(env, m)
  const extra = await api('POST', '/skus/bulk', {
    items: [
      // Two codes the database tells apart (a hyphen, an en dash) that normalise to one.
      { code: 'AB-9', name: 'hyphen' },
      { code: 'AB\u20139', name: 'en dash' },
    ],
  })
  expect(extra.statusCode).toBe(200)
})
afterAll(async () => {
  await top.close()
  await env.close()
})

it('links only what one code proves, lists every other case, and overwrites no link', async () => {
  edit('CUP-1').code = ''
  edit('CUP-2').code = 'NOPE-2'
  edit('CUP-3').code = 'TEA-1' // now TEA-1 is on two listings
  edit('SOAP-1').code = 'ｓｏａｐ－１' // full-width: matches SOAP-1 once normalised
  edit('SOAP-2').code = 'ab\u20129' // a figure dash: normalises to both merchant SKUs
  const { shopId: id, pullJobId } = await linkShop(env, m, {
    channel: 'taobao',
    name: 'tb',
    settings: { baseUrl: top.url, ratePerSecond: 1000 },
    credentials: cred,
  })
  shopId = id
  // A link the merchant made by hand before the pull ran: TEA-2's listing sells SCARF-1.
  const bulk = await api('POST', '/sku-mappings/bulk', {
    items: [
      {
        shopId,
        platformSkuId: top.skuIdOf('TEA-2'),
        platformItemId: top.itemIdOf('TEA-2'),
        skuCode: 'SCARF-1',
      },
    ],
  })
  expect(bulk.statusCode, bulk.body).toBe(200)
  const { pull, push } = await pullAndPush(env, pullJobId)
  expect(pull).toMatchObject({ skus: 8, linked: 2 })

  const rows = await listings(env, m, shopId)
  // Conflicts first, then unmapped, then mapped.
  expect(rows.map((r) => r.state)).toEqual([
    'conflict',
    'conflict',
    'conflict',
    'unmapped',
    'unmapped',
    'mapped',
    'mapped',
    'mapped',
  ])
  expect(byKey(rows, 'CUP-1')).toMatchObject({ state: 'unmapped', issue: 'missing_code', code: null })
  expect(byKey(rows, 'CUP-2')).toMatchObject({ state: 'unmapped', issue: 'unknown_code', code: 'NOPE-2' })
  const dupA = byKey(rows, 'CUP-3')!
  const dupB = byKey(rows, 'TEA-1')!
  expect(dupA).toMatchObject({
    state: 'conflict',
    issue: 'duplicate_code',
    mapping: null,
    suggested: { skuCode: 'TEA-1' },
  })
  expect(dupB).toMatchObject({ state: 'conflict', issue: 'duplicate_code', mapping: null })
  expect(dupA.duplicates.map((d) => d.id)).toEqual([dupB.id])
  expect(dupB.duplicates.map((d) => d.id)).toEqual([dupA.id])
  expect(byKey(rows, 'SOAP-1')).toMatchObject({
    state: 'mapped',
    matchMethod: 'normalised',
    mapping: { skuCode: 'SOAP-1', source: 'auto' },
  })
  expect(byKey(rows, 'SOAP-2')).toMatchObject({ state: 'conflict', issue: 'ambiguous_code', suggested: null })
  expect(byKey(rows, 'TEA-2')).toMatchObject({
    state: 'mapped',
    mapping: { skuCode: 'SCARF-1', source: 'bulk' },
    suggested: { skuCode: 'TEA-2' },
  })
  expect(byKey(rows, 'SCARF-1')).toMatchObject({ state: 'mapped', matchMethod: 'exact' })

  // Only the linked SKUs are pushed: the hand-made link pushes SCARF-1's stock to TEA-2's listing.
  expect(push).toMatchObject({ sent: 3, failed: 0 })
  expect(top.stock.get(top.skuIdOf('SOAP-1'))?.quantity).toBe(stockOf('SOAP-1'))
  expect(top.stock.get(top.skuIdOf('TEA-2'))?.quantity).toBe(stockOf('SCARF-1'))
  for (const c of ['CUP-1', 'CUP-2', 'CUP-3', 'TEA-1', 'SOAP-2'])
    expect(top.stock.has(top.skuIdOf(c))).toBe(false)

  const conflicts = await listings(env, m, shopId, '&state=conflict')
  expect(conflicts.map((r) => r.issue).sort()).toEqual(['ambiguous_code', 'duplicate_code', 'duplicate_code'])
  const found = await listings(env, m, shopId, '&q=nope')
  expect(found.map((r) => r.code)).toEqual(['NOPE-2'])

  const summary = await api('GET', `/shops/${shopId}/catalogue`)
  expect(summary.json()).toMatchObject({
    supported: true,
    lastPull: { reason: 'link', status: 'done', linked: 2, skus: 8 },
    listings: 4,
    skus: { total: 8, mapped: 3, unmapped: 2, conflict: 3, deleted: 0 },
    issues: { missing_code: 1, unknown_code: 1, duplicate_code: 2, ambiguous_code: 1 },
    matchMethods: { exact: 1, normalised: 1, bulk: 1 },
    stockModes: { normal: 8 },
  })
})

it('maps by hand; a re-pull keeps it, and flags it once the listing code changes', async () => {
  const rows = await listings(env, m, shopId)
  const cup1 = byKey(rows, 'CUP-1')!
  const mapped = await api('PUT', `/listings/${cup1.id}/mapping`, { skuCode: 'CUP-1' })
  expect(mapped.statusCode, mapped.body).toBe(200)
  expect(mapped.json()).toMatchObject({
    state: 'mapped',
    matchMethod: 'manual',
    mapping: { skuCode: 'CUP-1', source: 'manual' },
  })
  const dup = byKey(rows, 'CUP-3')!
  expect((await api('PUT', `/listings/${dup.id}/mapping`, { skuCode: 'CUP-3' })).statusCode).toBe(200)
  expect((await api('PUT', `/listings/${dup.id}/mapping`, { skuCode: 'NOT-A-SKU' })).json()).toMatchObject({
    error: { code: 'validation_failed', message: 'body/skuCode: no such merchant SKU' },
  })
  expect(
    (await api('PUT', `/listings/${dup.id}/mapping`, { skuCode: 'CUP-3', skuId: cup1.id })).statusCode,
  ).toBe(400)

  await pullAgain()
  let again = await listings(env, m, shopId)
  expect(byKey(again, 'CUP-1')).toMatchObject({
    state: 'mapped',
    issue: 'missing_code',
    mapping: { skuCode: 'CUP-1' },
  })
  expect(byKey(again, 'CUP-3')).toMatchObject({
    state: 'mapped',
    mapping: { skuCode: 'CUP-3', source: 'manual' },
  })
  expect(byKey(again, 'TEA-1')).toMatchObject({ state: 'conflict', issue: 'duplicate_code' })

  // The seller now gives CUP-1's listing the code CUP-2: the link stays, the change is shown.
  edit('').code = 'CUP-2'
  await pullAgain()
  again = await listings(env, m, shopId)
  expect(byKey(again, 'CUP-1')).toMatchObject({
    state: 'conflict',
    issue: 'mapping_differs',
    mapping: { skuCode: 'CUP-1', source: 'manual' },
    suggested: { skuCode: 'CUP-2' },
  })
  // Confirming the link by hand settles it.
  expect(
    (await api('PUT', `/listings/${byKey(again, 'CUP-1')!.id}/mapping`, { skuCode: 'CUP-1' })).json(),
  ).toMatchObject({
    state: 'mapped',
    issue: null,
  })
})

it('marks listings gone from the shop deleted, keeps a newer version over an older one, and unlinks', async () => {
  const before = await listings(env, m, shopId)
  const scarf = top.listings.find((l) => l.itemCode === 'SCARF')!
  scarf.deleted = true
  const soap = top.listings.find((l) => l.itemCode === 'SOAP')!
  soap.title = '旧标题'
  soap.modified = new Date(soap.modified.getTime() - 86_400_000)
  await pullAgain()
  const after = await listings(env, m, shopId)
  expect(after.map((r) => r.id).sort()).toEqual(
    before
      .filter((r) => r.code !== 'SCARF-1')
      .map((r) => r.id)
      .sort(),
  )
  const gone = await listings(env, m, shopId, '&state=deleted')
  expect(gone).toEqual([
    expect.objectContaining({
      code: 'SCARF-1',
      state: 'deleted',
      mapping: expect.objectContaining({ skuCode: 'SCARF-1' }),
    }),
  ])
  const last = await env.ctx.db
    .selectFrom('catalogue_pulls')
    .select(['removed'])
    .where('shop_id', '=', shopId)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow()
  expect(last.removed).toBe(1)
  const stored = await env.ctx.db
    .selectFrom('channel_listings')
    .select(['title', 'payload'])
    .where('platform_item_id', '=', soap.itemId)
    .executeTakeFirstOrThrow()
  expect(stored.title).not.toBe('旧标题')
  expect(stored.payload).toContain(`"num_iid":${soap.itemId}`)
  expect(stored.payload).not.toContain('旧标题')

  const soap1 = byKey(after, 'SOAP-1')!
  expect((await api('DELETE', `/listings/${soap1.id}/mapping`)).statusCode).toBe(204)
  expect((await api('GET', `/listings/${soap1.id}`)).json()).toMatchObject({
    state: 'unmapped',
    mapping: null,
  })
  expect((await api('DELETE', `/listings/${soap1.id}/mapping`)).statusCode).toBe(404)
})

it('answers 404 for another merchant’s shop or listing', async () => {
  const other = await seedMerchant(env.ctx, 'other')
  const rows = await listings(env, m, shopId)
  for (const url of [`/shops/${shopId}/listings`, `/shops/${shopId}/catalogue`, `/listings/${rows[0]!.id}`])
    expect((await env.app.inject({ method: 'GET', url, headers: bearer(other.keys.admin) })).statusCode).toBe(
      404,
    )
  const put = await env.app.inject({
    method: 'PUT',
    url: `/listings/${rows[0]!.id}/mapping`,
    headers: bearer(other.keys.admin),
    payload: { skuCode: 'CUP-1' },
  })
  expect(put.statusCode).toBe(404)
  const warehouse = await env.app.inject({
    method: 'POST',
    url: `/shops/${shopId}/catalogue/pull`,
    headers: bearer(m.keys.warehouse),
  })
  expect(warehouse.statusCode).toBe(403)
})
