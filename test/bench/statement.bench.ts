/**
 * Statements over a month of 1,000,000 orders as an accountant requests them: a merchant row with
 * its time zone (Asia/Shanghai), GET /statements through the API — totals, one channel, one shop,
 * the drill-down by SKU, and the drill-down by order, a page of 100 at a time as the API serves it
 * (the first page and the ones after it, each followed by its cursor) — each against a plain SQL
 * GROUP BY of the same figures over the journal lines in the same run (for the order drill-down,
 * the plain GROUP BY of every order of the month: the page is what the accountant waits for).
 * Every figure the API gives is checked against the plain sums.
 *
 * The journal — a sale and a COGS entry per order, a refund for one order in a hundred, one SKU
 * line per order over 2,000 SKUs and three shops, and a fifth of a month of October around it — is
 * generated inside MariaDB from its sequence engine with the secondary indexes off and built after
 * (seconds instead of minutes); the daily totals are then rebuilt from the lines: per day in SQL
 * (the zone has no DST), per SKU by the backfill migration itself (its time is reported).
 */
import { sql } from 'kysely'
import * as skuBackfill from '../../migrations/0058_journal_sku_daily_backfill.js'
import * as skusOnly from '../../migrations/0065_journal_sku_totals_skus_only.js'
import type { Db } from '../../src/db/connect.js'
import { money, sum } from '../../src/money/index.js'
import { createShop } from '../../src/shops/repo.js'
import { bearer, seedMerchant, testEnv } from '../helpers/app.js'
import { fmt, median, timed, type BenchResult } from './harness.js'

const ORDERS = Number(process.env.BENCH_STATEMENT_ORDERS ?? 1_000_000)
const SKUS = 2000
const PAGE = 100
/** The largest page the API serves (MAX_LIMIT): JSON pages the by-SKU rows too. */
const SKU_PAGE = 500

/** Drop a table's secondary indexes; returns the ALTER that puts them back exactly. */
async function withoutIndexes(db: Db, table: string): Promise<() => Promise<unknown>> {
  const rows = (
    await sql<{
      Key_name: string
      Column_name: string
      Non_unique: number | string
      Seq_in_index: number | string
    }>`SHOW INDEX FROM ${sql.id(table)}`.execute(db)
  ).rows.filter((r) => r.Key_name !== 'PRIMARY')
  const keys = new Map<string, { unique: boolean; columns: string[] }>()
  for (const r of [...rows].sort((a, b) => Number(a.Seq_in_index) - Number(b.Seq_in_index))) {
    const k = keys.get(r.Key_name) ?? { unique: Number(r.Non_unique) === 0, columns: [] }
    k.columns.push(r.Column_name)
    keys.set(r.Key_name, k)
  }
  if (keys.size === 0) return async () => undefined
  await sql`ALTER TABLE ${sql.id(table)} ${sql.join(
    [...keys.keys()].map((k) => sql`DROP KEY ${sql.id(k)}`),
    sql`, `,
  )}`.execute(db)
  return () =>
    sql`ALTER TABLE ${sql.id(table)} ${sql.join(
      [...keys].map(
        ([name, k]) =>
          sql`ADD ${sql.raw(k.unique ? 'UNIQUE KEY' : 'KEY')} ${sql.id(name)} (${sql.join(k.columns.map((c) => sql.id(c)))})`,
      ),
      sql`, `,
    )}`.execute(db)
}

/** The journal of `count` orders from sequence number `from`, spread evenly over the month. */
async function seedMonth(db: Db, m: string, shops: string[], month: string, from: number, count: number) {
  const seq = `seq_${from}_to_${from + count - 1}`
  const shop = `ELT(seq % 3 + 1, '${shops[0]}', '${shops[1]}', '${shops[2]}')`
  const channel = `ELT(seq % 3 + 1, 'taobao', 'jd', 'shopify')`
  const order = `CONCAT('O', LPAD(seq, 25, '0'))`
  const sku = `CONCAT('K', LPAD(seq % ${SKUS}, 25, '0'))`
  const at = `TIMESTAMP('${month}-01') - INTERVAL 8 HOUR + INTERVAL ((seq - ${from}) * 2592000 DIV ${count}) SECOND`
  const refundAt = `${at} + INTERVAL 3 DAY`
  const goods = '(10 + (seq % 20000) / 100)'
  const md = '((seq % 500) / 100)'
  const ship = '(CASE WHEN seq % 4 = 0 THEN 8 ELSE 0 END)'
  const cost = '(4 + (seq % 900) / 100)'
  const refund = '(5 + (seq % 300) / 100)'
  const entry = (kind: string, letter: string, when: string, where = '') =>
    sql.raw(`INSERT INTO journal_entries (id, merchant_id, posting_key, kind, order_id, shop_id, channel, currency, event_at, input_hash)
      SELECT CONCAT('${letter}', LPAD(seq, 25, '0')), '${m}', CONCAT('${kind}.', ${order}), '${kind}', ${order}, ${shop}, ${channel}, 'CNY', ${when}, SHA2(seq, 256)
      FROM ${seq} ${where}`)
  const line = (
    tag: string,
    letter: string,
    account: string,
    side: 'debit' | 'credit',
    amount: string,
    when: string,
    withSku: boolean,
    where = '',
  ) =>
    sql.raw(`INSERT INTO journal_lines (id, merchant_id, entry_id, account, debit, credit, currency, event_at, channel, shop_id, order_id, sku_id)
      SELECT CONCAT('${tag}', LPAD(seq, 23, '0')), '${m}', CONCAT('${letter}', LPAD(seq, 25, '0')), ${account},
             ${side === 'debit' ? amount : '0'}, ${side === 'credit' ? amount : '0'}, 'CNY', ${when}, ${channel}, ${shop}, ${order}, ${withSku ? sku : 'NULL'}
      FROM ${seq} ${where}`)
  for (const q of [
    entry('sale', 'S', at),
    entry('cogs', 'C', at),
    entry('refund', 'R', refundAt, 'WHERE seq % 100 = 0'),
    line('rcv', 'S', `CONCAT('receivable:', ${shop})`, 'debit', `${goods} - ${md} + ${ship}`, at, false),
    line('grs', 'S', "'gross_sales'", 'credit', goods, at, true),
    line('mds', 'S', "'merchant_discounts'", 'debit', md, at, true, 'WHERE seq % 500 <> 0'),
    line('shp', 'S', "'shipping_income'", 'credit', ship, at, false, 'WHERE seq % 4 = 0'),
    line('cgs', 'C', "'cogs'", 'debit', cost, at, true),
    line('inv', 'C', "'inventory'", 'credit', cost, at, true),
    line('rfd', 'R', "'refunds'", 'debit', refund, refundAt, true, 'WHERE seq % 100 = 0'),
    line(
      'rfr',
      'R',
      `CONCAT('receivable:', ${shop})`,
      'credit',
      refund,
      refundAt,
      false,
      'WHERE seq % 100 = 0',
    ),
  ])
    await q.execute(db)
}

type Plain = { k: string | null; account: string; d: string; c: string }

export async function run(): Promise<BenchResult[]> {
  const env = await testEnv({ config: { LOG_LEVEL: 'warn' } })
  const db = env.ctx.db
  try {
    const merchant = await seedMerchant(env.ctx, 'bench')
    const m = merchant.id
    const shops: string[] = []
    for (const [channel, name] of [
      ['taobao', 'tmall'],
      ['jd', 'jd'],
      ['shopify', 'intl'],
    ] as const)
      shops.push((await createShop(env.ctx, env.ctx.config.secretKey, m, { channel, name })).id)

    const restore = [await withoutIndexes(db, 'journal_lines'), await withoutIndexes(db, 'journal_entries')]
    const seeded = await timed(async () => {
      await seedMonth(db, m, shops, '2026-11', 1, ORDERS)
      await seedMonth(db, m, shops, '2026-10', ORDERS + 1, Math.round(ORDERS / 5))
    })
    const indexed = await timed(async () => {
      for (const r of restore) await r()
    })
    // The totals are rebuilt from the lines on one connection whose temporary tables may grow in
    // memory (the server's 16 MB default sends a GROUP BY of ~1M groups to disk: 14 min instead of
    // about one); the measured queries below run with the server's defaults.
    let rolledMs = 0
    let backfilledMs = 0
    await db.connection().execute(async (c) => {
      await sql`SET SESSION max_heap_table_size = 1073741824, tmp_table_size = 1073741824`.execute(c)
      rolledMs = (
        await timed(() =>
          sql`INSERT INTO journal_daily (merchant_id, day, channel, shop_id, account_group, currency, debit, credit)
            SELECT merchant_id, DATE(event_at + INTERVAL 8 HOUR), COALESCE(channel, ''), COALESCE(shop_id, ''), SUBSTRING_INDEX(account, ':', 1), currency, SUM(debit), SUM(credit)
            FROM journal_lines WHERE merchant_id = ${m} GROUP BY 1, 2, 3, 4, 5, 6`.execute(c),
        )
      ).ms
      backfilledMs = (
        await timed(async () => {
          await skuBackfill.up(c as never)
          await skusOnly.up(c as never)
        })
      ).ms
      await sql`SET SESSION max_heap_table_size = DEFAULT, tmp_table_size = DEFAULT`.execute(c)
    })
    const lines = Number(
      (
        await db
          .selectFrom('journal_lines')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
    await sql`ANALYZE TABLE journal_lines, journal_entries, journal_daily, journal_sku_daily`.execute(db)

    const from = new Date('2026-10-31T16:00:00Z')
    const to = new Date('2026-11-30T16:00:00Z')
    const plain = (key: 'sku_id' | 'order_id' | null, filter = sql``) =>
      sql<Plain>`SELECT ${key ? sql.ref(key) : sql`NULL`} AS k, account, SUM(debit) AS d, SUM(credit) AS c FROM journal_lines
        WHERE merchant_id = ${m} AND event_at >= ${from} AND event_at < ${to} ${filter}
        GROUP BY ${key ? sql`${sql.ref(key)}, ` : sql``}account`
    const api = async <T>(query: string) => {
      const res = await env.app.inject({
        method: 'GET',
        url: `/statements?from=2026-11-01&to=2026-12-01&${query}`,
        headers: bearer(merchant.keys.accountant),
      })
      if (res.statusCode !== 200) throw new Error(`GET /statements?${query}: ${res.statusCode} ${res.body}`)
      return res.json<T>()
    }
    type Row = Record<string, string> & { key: string | null; currency: string }
    /** Statement figures from plain (key, account) sums, for the checks. */
    const expected = (rows: readonly Plain[], key: string | null) => {
      const of = (account: string, col: 'd' | 'c') =>
        sum(
          rows
            .filter((r) => r.k === key && (r.account === account || r.account.startsWith(`${account}:`)))
            .map((r) => money(r[col])),
        )
      return {
        grossSales: of('gross_sales', 'c').toFixed(2),
        cogs: of('cogs', 'd').toFixed(2),
        refunds: of('refunds', 'd').toFixed(2),
        expectedReceivable: of('receivable', 'd').minus(of('receivable', 'c')).toFixed(2),
      }
    }
    const check = (what: string, got: Row | undefined, want: ReturnType<typeof expected>) => {
      for (const [k, v] of Object.entries(want))
        if (got?.[k] !== v) throw new Error(`${what}: ${k} ${got?.[k]} ≠ plain ${v}`)
    }
    /** The API three times (median), the plain GROUP BY once: it runs for tens of seconds. */
    const measure = async <T>(
      name: string,
      query: string,
      baseline: () => Promise<Plain[]>,
      verify: (r: T, plainRows: Plain[]) => void,
    ): Promise<BenchResult & { baselineMs: number }> => {
      const runs: number[] = []
      let last: T | undefined
      await api<T>(query) // warm
      for (let i = 0; i < 3; i++) {
        const r = await timed(() => api<T>(query))
        runs.push(r.ms)
        last = r.value
      }
      const base = await timed(baseline)
      verify(last!, base.value)
      const ratio = median(runs) / base.ms
      return {
        name,
        figure: `${fmt(median(runs), 1)} ms vs plain GROUP BY over the lines ${fmt(base.ms / 1000, 1)} s`,
        ratio,
        target: '≤ 0.05',
        ok: ratio <= 0.05,
        baselineMs: base.ms,
      }
    }

    const results: BenchResult[] = []
    const totals = await measure<{ items: Row[] }>(
      `one-month statement over ${fmt(ORDERS)} orders (${fmt(lines)} journal lines seeded in ${fmt(seeded.ms / 1000, 1)} s, indexed in ${fmt(indexed.ms / 1000, 1)} s; daily totals in ${fmt(rolledMs / 1000, 1)} s, per SKU by the backfill migrations in ${fmt(backfilledMs / 1000, 1)} s)`,
      '',
      async () => (await plain(null).execute(db)).rows,
      (r, rows) => check('totals', r.items[0], expected(rows, null)),
    )
    results.push(totals)
    results.push(
      await measure<{ items: Row[] }>(
        'one channel (taobao)',
        'channel=taobao',
        async () => (await plain(null, sql`AND channel = 'taobao'`).execute(db)).rows,
        (r, rows) => check('channel', r.items[0], expected(rows, null)),
      ),
    )
    results.push(
      await measure<{ items: Row[] }>(
        'one shop',
        `shopId=${shops[1]}`,
        async () => (await plain(null, sql`AND shop_id = ${shops[1]}`).execute(db)).rows,
        (r, rows) => check('shop', r.items[0], expected(rows, null)),
      ),
    )
    results.push(
      await measure<{ items: Row[] }>(
        `drill-down by SKU (${fmt(SKUS)} SKUs and the lines without one), the first page of ${SKU_PAGE} as the API serves it`,
        `by=sku&limit=${SKU_PAGE}`,
        async () => (await plain('sku_id').execute(db)).rows,
        (r, skuRows) => {
          const want = Math.min(SKU_PAGE, new Set(skuRows.map((x) => x.k)).size)
          if (r.items.length !== want) throw new Error(`by SKU: ${r.items.length} rows ≠ plain ${want}`)
          for (const row of r.items) check(`SKU ${row.key}`, row, expected(skuRows, row.key))
        },
      ),
    )
    // By order: pages as the API serves them, each request following the cursor of the one before.
    type Page = { items: Row[]; next: string | null }
    const pages: number[] = []
    let cursor: string | null = null
    await api<Page>(`by=order&limit=${PAGE}`) // warm
    for (let i = 0; i < 10; i++) {
      const r: { ms: number; value: Page } = await timed(() =>
        api<Page>(`by=order&limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`),
      )
      pages.push(r.ms)
      cursor = r.value.next
      if (r.value.items.length !== PAGE || !cursor)
        throw new Error(`page ${i + 1}: ${r.value.items.length} rows`)
      const ids = r.value.items.map((x) => x.key!)
      const want = (await plain('order_id', sql`AND order_id IN (${sql.join(ids)})`).execute(db)).rows
      for (const row of r.value.items) check(`order ${row.key}`, row, expected(want, row.key))
    }
    // Against the plain GROUP BY of the month's totals timed above: grouping every order of the
    // month over the lines instead takes far longer still (30 min here), so this ratio is the stricter.
    const baselineMs = totals.baselineMs
    const ratio = median(pages) / baselineMs
    results.push({
      name: `drill-down by order, a page of ${PAGE} orders as the API serves it (10 pages, each after the cursor of the one before)`,
      figure: `first page ${fmt(pages[0]!, 1)} ms, median page ${fmt(median(pages), 1)} ms vs the plain GROUP BY of the month's totals over the lines ${fmt(baselineMs / 1000, 1)} s (by order it takes far longer)`,
      ratio,
      target: '≤ 0.05',
      ok: ratio <= 0.05,
    })
    return results
  } finally {
    await env.close()
  }
}
