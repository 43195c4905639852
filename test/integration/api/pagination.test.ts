/**
 * One list shape: every list of the OpenAPI document takes `cursor` and `limit` and answers
 * `{ items, next }`; walking any of them page by page gives every row exactly once, in order, and
 * no list ever cuts silently (the issue saw GET /stock answer 500 of 720 rows with no sign).
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { classicStatement } from '../../fixtures/taobao/alipay.js'
import { newId } from '../../../src/lib/ids.js'
import { raiseException } from '../../../src/orders/exceptions.js'
import { createShop } from '../../../src/shops/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { fillPath, openApi, operations, opName, type Operation } from '../../helpers/openapi.js'
import { seedOrder } from '../../helpers/orders.js'

let env: TestEnv
let m: TestMerchant
let ops: Operation[]
let shopId = ''
const SKUS = 23
const WAREHOUSES = 5

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  env.app.inject({
    method,
    url,
    headers: bearer(m.keys.admin),
    ...(payload === undefined ? {} : { payload: payload as object }),
  })

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  ops = operations(await openApi(env.app))
  const { db } = env.ctx
  for (let i = 0; i < 4; i++) await api('POST', '/api-keys', { role: 'warehouse', name: `k${i}` })
  const shops: Awaited<ReturnType<typeof createShop>>[] = []
  for (let i = 0; i < 5; i++)
    shops.push(
      await createShop(env.ctx, env.ctx.config.secretKey, m.id, {
        channel: i === 0 ? 'taobao' : 'selfstore',
        name: `shop ${i}`,
        settings: { baseUrl: 'https://store.example' },
      }),
    )
  shopId = shops[0]!.id
  const warehouses: string[] = []
  // Two warehouses share a priority: the code breaks the tie.
  for (let i = 0; i < WAREHOUSES; i++)
    warehouses.push(
      (await api('POST', '/warehouses', { code: `W${i}`, name: `仓 ${i}`, priority: i === 2 ? 1 : i })).json<{
        id: string
      }>().id,
    )
  for (let i = 0; i < 6; i++)
    await db
      .insertInto('waves')
      .values({
        id: newId(),
        merchant_id: m.id,
        warehouse_id: warehouses[i % 2]!,
        status: 'open',
        filters: '{}',
        created_by: null,
        number: i + 1,
      })
      .execute()
  const codes = Array.from({ length: SKUS }, (_, i) => `SKU-${String(i).padStart(3, '0')}`)
  await api('POST', '/skus/bulk', { items: codes.map((code) => ({ code, name: code })) })
  const skus = (await api('GET', '/skus?limit=500')).json<{ items: { id: string; code: string }[] }>().items
  for (const sku of skus)
    for (const warehouseId of warehouses)
      await api('POST', '/stock/receipts', {
        warehouseId,
        skuId: sku.id,
        quantity: 2,
        unitCost: '1.50',
        currency: 'CNY',
      })
  await api('PUT', '/stock/thresholds', { items: skus.map((s) => ({ skuId: s.id, threshold: 1000 })) })
  await api('POST', '/sku-mappings/bulk', {
    items: skus.flatMap((s, i) => [
      { shopId: shops[1]!.id, platformSkuId: `P${i}`, skuCode: s.code },
      ...(i < 5 ? [{ shopId: shops[2]!.id, platformSkuId: `Q${i}`, skuCode: s.code }] : []),
    ]),
  })
  await db
    .insertInto('stock_push_state')
    .values(
      Array.from({ length: 11 }, (_, i) => ({
        merchant_id: m.id,
        shop_id: shops[i % 2]!.id,
        platform_sku_key: `P${i % 4}`,
        location_id: `L${i}`,
        quantity: i,
        pushed_at: new Date(),
        ok: 1,
        error: null,
      })),
    )
    .execute()
  for (let i = 0; i < 9; i++) {
    const { orderId } = await seedOrder(db, m.id, shops[1]!.id, [{ skuId: skus[i]!.id, quantity: 1 }])
    await raiseException(db, m.id, { shopId: shops[1]!.id, orderId, reason: 'buyer_note', detail: {} })
    await db
      .insertInto('shipment_writebacks')
      .values({
        id: newId(),
        merchant_id: m.id,
        shipment_id: newId(),
        order_id: orderId,
        shop_id: shops[1]!.id,
        parcel_no: 1,
        status: 'failed',
        attempts: 1,
        last_error: 'x',
        note: null,
      })
      .execute()
  }
  const file = await env.app.inject({
    method: 'POST',
    url: `/settlements/import?shopId=${shopId}&filename=a.csv`,
    headers: { ...bearer(m.keys.admin), 'content-type': 'text/csv' },
    payload: Buffer.from(classicStatement()),
  })
  expect(file.statusCode).toBe(200)
  for (let i = 0; i < 6; i++)
    await db
      .insertInto('settlement_imports')
      .values({
        id: newId(),
        merchant_id: m.id,
        shop_id: shops[i % 2]!.id,
        source: 'api',
        filename: null,
        sha256: createHash('sha256').update(String(i)).digest('hex'),
        line_count: 0,
        inserted: 0,
        rejected: '[]',
        stated_total: null,
        parsed_total: '0',
      })
      .execute()
  for (let i = 0; i < 6; i++) {
    const accountId = newId()
    await db
      .insertInto('waybill_accounts')
      .values({
        id: accountId,
        merchant_id: m.id,
        provider: 'sf',
        name: `SF ${i}`,
        shop_id: null,
        base_url: null,
        credentials_enc: null,
        settings: '{}',
        sender: '{}',
        active: 1,
      })
      .execute()
    await db
      .insertInto('waybill_defaults')
      .values({ merchant_id: m.id, scope: 'order', scope_id: newId(), account_id: accountId, cp_code: 'SF' })
      .execute()
    await db
      .insertInto('waybills')
      .values({
        id: newId(),
        merchant_id: m.id,
        order_id: newId(),
        account_id: accountId,
        provider: 'sf',
        status: 'failed',
        cp_code: 'SF',
        carrier: 'SF',
        package_id: '1',
        parcel_no: 0,
        shipment_group_id: '',
        attempts: 1,
        print_count: 0,
      })
      .execute()
  }
  for (let month = 1; month <= 7; month++)
    await db
      .insertInto('ledger_periods')
      .values({ merchant_id: m.id, period: `2024-0${month}`, closed_at: new Date(), closed_by: 'test' })
      .execute()
  for (let i = 0; i < 6; i++)
    await api('POST', `/shops/${shopId}/commission-plans`, {
      name: `plan ${i}`,
      effectiveFrom: `2025-0${i + 1}-01`,
      effectiveTo: `2025-0${i + 1}-28`,
      rules: { rate: '0.05' },
    })
})
afterAll(() => env.close())

/**
 * Documents that hold a list of their own parts rather than being a list, and the product's own
 * fixed catalogues (the seven channels a shop can be linked on, the chart of accounts).
 */
const DOCUMENTS = new Set([
  'GET /waves/:id/picklist',
  'GET /channels',
  'GET /ledger/periods/:period/checklist',
  'GET /dashboard/margin', // a time series of the months asked for
  'GET /ledger/months', // the months asked for (at most 36), each with its state
  'GET /ledger/chart', // the product's fixed chart of accounts, with the merchant's names and codes
])
const isList = (op: Operation) => {
  const ok = op.responses['200']?.content?.['application/json']?.schema
  return ok?.properties?.items?.type === 'array' && !DOCUMENTS.has(opName(op))
}
const query = (op: Operation, name: string) => op.parameters.find((p) => p.in === 'query' && p.name === name)

it('every list takes cursor and limit and answers { items, next }', () => {
  const lists = ops.filter(isList)
  expect(lists.length).toBeGreaterThan(15)
  for (const op of lists) {
    const ok = op.responses['200']!.content!['application/json']!.schema!
    expect(Object.keys(ok.properties!), opName(op)).toContain('next')
    expect(ok.properties!.next, opName(op)).toMatchObject({ type: 'string', nullable: true })
    expect(query(op, 'cursor'), opName(op)).toBeDefined()
    expect(query(op, 'limit')?.schema, opName(op)).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 500,
    })
  }
})

/** Required query parameters of the lists that have them. */
const REQUIRED: Record<string, string> = {
  'GET /statements': 'from=2024-01-01&to=2030-01-01',
  'GET /reconciliation': 'from=2024-01-01&to=2030-01-01',
  'GET /ledger/journal-lines': 'from=2024-01-01&to=2030-01-01',
  'GET /ledger/journal': 'period=2024-01',
  'GET /ledger/entries': 'period=2024-01',
}
/** The fewest rows each seeded list must hold, so that walking it really turns pages. */
const AT_LEAST: Record<string, number> = {
  'GET /api-keys': 7,
  'GET /audit-log': 5,
  'GET /ledger/journal-lines': 5,
  'GET /shops': 5,
  'GET /warehouses': WAREHOUSES,
  'GET /skus': SKUS,
  'GET /sku-mappings': SKUS + 5,
  'GET /orders': 9,
  'GET /exceptions': 9,
  'GET /stock': SKUS * WAREHOUSES,
  'GET /stock/pushes': 11,
  'GET /stock/low': SKUS,
  'GET /stock/movements': SKUS * WAREHOUSES,
  'GET /writebacks': 9,
  'GET /waves': 6,
  'GET /waybill-accounts': 6,
  'GET /waybill-defaults': 6,
  'GET /waybills': 6,
  'GET /settlements/imports': 7,
  'GET /settlements/lines': 5,
  'GET /ledger/accounts': 8,
  'GET /ledger/periods': 7,
  'GET /shops/:id/commission-plans': 6,
}

/** Keys that are not camelCase, below free-form values (exception details, settings, rule tables). */
function snakeKeys(v: unknown, path: string): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => snakeKeys(x, `${path}/${i}`))
  if (typeof v !== 'object' || v === null) return []
  return Object.entries(v).flatMap(([k, x]) => [
    ...(/^[a-z][a-zA-Z0-9]*$/.test(k) ? [] : [`${path}/${k}`]),
    ...(['detail', 'settings', 'byCategory', 'bySku', 'summary', 'address'].includes(k)
      ? []
      : snakeKeys(x, `${path}/${k}`)),
  ])
}

it('walks every list page by page: each row once, in the order of one big page, nothing cut', async () => {
  const walked: string[] = []
  for (const op of ops.filter(isList)) {
    const base = `${fillPath(op, () => shopId)}?${REQUIRED[opName(op)] ?? ''}`
    // A list read with a body (a preview) is walked with an empty one.
    const method = op.method === 'POST' ? 'POST' : 'GET'
    const body = method === 'POST' ? {} : undefined
    const whole = await api(method, `${base}&limit=500`, body)
    expect(whole.statusCode, opName(op)).toBe(200)
    const all = whole.json<{ items: unknown[]; next: string | null }>()
    expect(all.next, opName(op)).toBeNull()
    expect(all.items.length, opName(op)).toBeGreaterThanOrEqual(AT_LEAST[opName(op)] ?? 0)
    expect(snakeKeys(all.items, opName(op))).toEqual([])
    const seen: unknown[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const res = await api(
        method,
        `${base}&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        body,
      )
      expect(res.statusCode, `${opName(op)} page ${pages}`).toBe(200)
      const page = res.json<{ items: unknown[]; next: string | null }>()
      expect(page.items.length, opName(op)).toBeLessThanOrEqual(4)
      if (page.next !== null) expect(page.items.length, opName(op)).toBe(4)
      seen.push(...page.items)
      cursor = page.next
      pages++
    } while (cursor !== null && pages < 100)
    expect(seen, opName(op)).toEqual(all.items)
    if (all.items.length > 4) walked.push(opName(op))
  }
  expect(walked.sort()).toEqual(Object.keys(AT_LEAST).sort())
})

it('uses the default limit when none is given, and says so with next', async () => {
  const res = (await api('GET', '/stock')).json<{ items: unknown[]; next: string | null }>()
  expect(res.items).toHaveLength(50)
  expect(res.next).not.toBeNull()
})

it("refuses another list's cursor, or something that is no cursor, naming it", async () => {
  const skuPage = (await api('GET', '/skus?limit=1')).json<{ next: string }>()
  for (const cursor of [skuPage.next, 'not-a-cursor', Buffer.from('[1,2,3]').toString('base64url')]) {
    const res = await api('GET', `/stock?cursor=${encodeURIComponent(cursor)}`)
    expect(res.statusCode).toBe(400)
    expect(res.json<{ error: { message: string } }>().error.message).toContain('querystring/cursor')
  }
})
