/**
 * insertRows writes what the insert builder would: every value back as given (quotes, backslashes,
 * a question mark, non-Latin text, a date to the millisecond in UTC whatever the process's zone,
 * NULL), a column left undefined at its default, and with `add` a row whose key exists adds to it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { insertRows } from '../../../src/db/insert-rows.js'
import { newId } from '../../../src/lib/ids.js'
import { freshDb, type TestDb } from '../../helpers/db.js'

let t: TestDb
beforeAll(async () => {
  t = await freshDb()
})
afterAll(() => t.drop())

it('inserts every value as given', async () => {
  const merchantId = newId()
  const rows = [
    {
      id: newId(),
      merchant_id: merchantId,
      posting_key: `it's a \\ "key"? 退款 ${'\u0000'}end`,
      kind: 'sale',
      order_id: null,
      shop_id: newId(),
      channel: 'selfstore',
      currency: 'CNY',
      event_at: new Date('2026-11-30T16:00:00.123Z'),
      original_event_at: null,
      input_hash: 'h'.repeat(64),
    },
    {
      id: newId(),
      merchant_id: merchantId,
      posting_key: 'plain',
      kind: 'cogs',
      order_id: newId(),
      shop_id: null,
      channel: null,
      currency: 'USD',
      event_at: new Date('2026-01-01T00:00:00.000Z'),
      original_event_at: new Date('2025-12-31T23:59:59.999Z'),
      input_hash: 'x'.repeat(64),
    },
  ]
  await insertRows(
    'journal_entries',
    [
      'id',
      'merchant_id',
      'posting_key',
      'kind',
      'order_id',
      'shop_id',
      'channel',
      'currency',
      'event_at',
      'original_event_at',
      'input_hash',
    ],
    rows,
  ).execute(t.db)
  const stored = await t.db
    .selectFrom('journal_entries')
    .select([
      'id',
      'merchant_id',
      'posting_key',
      'kind',
      'order_id',
      'shop_id',
      'channel',
      'currency',
      'event_at',
      'original_event_at',
      'input_hash',
    ])
    .where('merchant_id', '=', merchantId)
    .orderBy('id')
    .execute()
  expect(stored).toEqual(rows)
})

it('adds the `add` columns to a row whose key exists; a column left undefined takes its default', async () => {
  const merchantId = newId()
  const row = (debit: string, credit: string) => ({
    merchant_id: merchantId,
    day: '2026-11-02',
    channel: 'selfstore',
    shop_id: 'shop',
    account_group: 'gross_sales',
    currency: 'CNY',
    slot: 3,
    debit,
    credit,
    base_debit: undefined,
  })
  const columns = [
    'merchant_id',
    'day',
    'channel',
    'shop_id',
    'account_group',
    'currency',
    'slot',
    'debit',
    'credit',
    'base_debit',
  ] as const
  await insertRows('journal_daily', columns, [row('10.5000', '0.0000')], {
    add: ['debit', 'credit'],
  }).execute(t.db)
  await insertRows('journal_daily', columns, [row('2.2500', '1.0000'), { ...row('0.2500', '0'), slot: 4 }], {
    add: ['debit', 'credit'],
  }).execute(t.db)
  const stored = await t.db
    .selectFrom('journal_daily')
    .select(['slot', 'debit', 'credit', 'base_debit'])
    .where('merchant_id', '=', merchantId)
    .orderBy('slot')
    .execute()
  expect(stored).toEqual([
    { slot: 3, debit: '12.7500', credit: '1.0000', base_debit: '0.0000' },
    { slot: 4, debit: '0.2500', credit: '0.0000', base_debit: '0.0000' },
  ])
})
