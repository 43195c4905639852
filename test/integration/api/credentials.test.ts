import { sql } from 'kysely'
import nock from 'nock'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { loadShopCredentials } from '../../../src/shops/repo.js'
import { bearer, seedMerchant, testEnv, type TestEnv, type TestMerchant } from '../../helpers/app.js'
import { searchAnswer } from '../../fixtures/jd/orders.js'

const SECRET = 'cs_super_secret_value_7f3a9c1e'
const TOKEN = 'shpat_token_value_b81d44aa'
let env: TestEnv
let m: TestMerchant
let shopId = ''
const bodies: string[] = []

beforeAll(async () => {
  env = await testEnv()
  m = await seedMerchant(env.ctx)
  // Linking a JD shop checks its keys with one order search first.
  nock('https://jd.example')
    .post('/routerjson')
    .query(true)
    .reply(200, searchAnswer([]))
    .post('/routerjson')
    .reply(200, searchAnswer([]))
  const created = await env.app.inject({
    method: 'POST',
    url: '/shops',
    headers: bearer(m.keys.admin),
    payload: {
      channel: 'jd',
      name: 'JD 旗舰店',
      settings: { baseUrl: 'https://jd.example/routerjson' },
      credentials: { appKey: 'ck_public', appSecret: SECRET, accessToken: 'initial-token' },
    },
  })
  expect(created.statusCode).toBe(201)
  bodies.push(created.body)
  shopId = created.json<{ id: string }>().id
  const put = await env.app.inject({
    method: 'PUT',
    url: `/shops/${shopId}/credentials`,
    headers: bearer(m.keys.admin),
    payload: { appKey: 'ck_public', appSecret: SECRET, accessToken: TOKEN },
  })
  expect(put.statusCode).toBe(204)
  for (const url of ['/shops', `/shops/${shopId}`]) {
    for (const key of Object.values(m.keys))
      bodies.push((await env.app.inject({ method: 'GET', url, headers: bearer(key) })).body)
  }
  bodies.push(
    (
      await env.app.inject({
        method: 'PATCH',
        url: `/shops/${shopId}`,
        headers: bearer(m.keys.admin),
        payload: { name: 'JD 2' },
      })
    ).body,
  )
})
afterAll(() => env.close())

it('no column of any table holds the plaintext secret', async () => {
  const columns = await sql<{ table_name: string; column_name: string }>`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = DATABASE() AND data_type IN ('char','varchar','text','longtext','mediumtext','json','blob','varbinary','longblob')`.execute(
    env.ctx.db,
  )
  expect(columns.rows.length).toBeGreaterThan(10)
  for (const { table_name, column_name } of columns.rows) {
    for (const secret of [SECRET, TOKEN]) {
      const hits = await sql<{ n: number | string }>`
        SELECT COUNT(*) AS n FROM ${sql.id(table_name)} WHERE CAST(${sql.id(column_name)} AS BINARY) LIKE ${`%${secret}%`}`.execute(
        env.ctx.db,
      )
      expect(Number(hits.rows[0]!.n), `${table_name}.${column_name}`).toBe(0)
    }
  }
})

it('the sealed credentials open with the configured key and only for their own shop', async () => {
  const creds = await loadShopCredentials(env.ctx.db, env.ctx.config.secretKey, m.id, shopId)
  expect(creds).toEqual({ appKey: 'ck_public', appSecret: SECRET, accessToken: TOKEN })
  const row = await env.ctx.db
    .selectFrom('shops')
    .select('credentials_enc')
    .where('id', '=', shopId)
    .executeTakeFirstOrThrow()
  const other = await env.app.inject({
    method: 'POST',
    url: '/shops',
    headers: bearer(m.keys.admin),
    payload: { channel: 'jd', name: 'Other' },
  })
  const otherId = other.json<{ id: string }>().id
  await env.ctx.db
    .updateTable('shops')
    .set({ credentials_enc: row.credentials_enc })
    .where('id', '=', otherId)
    .execute()
  await expect(loadShopCredentials(env.ctx.db, env.ctx.config.secretKey, m.id, otherId)).rejects.toThrow()
})

it('no API response and no log line contains the secret', async () => {
  expect(bodies.length).toBeGreaterThan(5)
  for (const body of bodies) {
    expect(body).not.toContain(SECRET)
    expect(body).not.toContain(TOKEN)
  }
  expect(env.logs.length).toBeGreaterThan(0)
  const logText = env.logs.join('\n')
  expect(logText).toContain('/shops')
  expect(logText).not.toContain(SECRET)
  expect(logText).not.toContain(TOKEN)
  expect(logText).not.toContain(m.keys.admin)
})
