/**
 * A one-month statement over 1,000,000 orders (about 6.3 million journal lines with a month of
 * other activity around it) through the ledger's statement() — which reads the daily totals every
 * posting keeps — against a plain SQL GROUP BY of the same totals over the journal lines, in the
 * same run; the statement summed from the lines is timed too and must give the same figures. The journal is generated inside MariaDB from
 * its sequence engine so that seeding takes seconds rather than minutes.
 */
import { sql } from 'kysely'
import { newId } from '../../src/lib/ids.js'
import { money, sum } from '../../src/money/index.js'
import { statement } from '../../src/ledger/statements.js'
import { freshDb } from '../helpers/db.js'
import { fmt, timed, type BenchResult } from './harness.js'

const ORDERS = Number(process.env.BENCH_STATEMENT_ORDERS ?? 1_000_000)

export async function run(): Promise<BenchResult> {
  const t = await freshDb()
  const db = t.db
  const m = newId()
  const shops = [newId(), newId(), newId()]
  try {
    const seed = async (
      account: string,
      side: 'debit' | 'credit',
      amount: string,
      where: string,
      from: number,
      count: number,
      month: string,
    ) => {
      // Orders spread over the month; channel and shop cycle over three; amounts exact decimals.
      await sql
        .raw(
          `INSERT INTO journal_lines (id, merchant_id, entry_id, account, debit, credit, currency, event_at, channel, shop_id, order_id, sku_id)
           SELECT CONCAT('${account.slice(0, 3)}', LPAD(seq, 23, '0')), '${m}', CONCAT('E', LPAD(seq, 25, '0')),
                  ${account.includes(':') ? `CONCAT('${account}', ELT(seq % 3 + 1, '${shops[0]}', '${shops[1]}', '${shops[2]}'))` : `'${account}'`},
                  ${side === 'debit' ? amount : '0'}, ${side === 'credit' ? amount : '0'}, 'CNY',
                  TIMESTAMP('${month}-01') - INTERVAL 8 HOUR + INTERVAL (seq % 2592000) SECOND,
                  ELT(seq % 3 + 1, 'taobao', 'jd', 'shopify'), ELT(seq % 3 + 1, '${shops[0]}', '${shops[1]}', '${shops[2]}'),
                  CONCAT('O', LPAD(seq, 25, '0')), NULL
           FROM seq_${from}_to_${from + count - 1} ${where}`,
        )
        .execute(db)
    }
    const goods = '(10 + (seq % 20000) / 100)'
    const md = '((seq % 500) / 100)'
    const ship = '(CASE WHEN seq % 4 = 0 THEN 8 ELSE 0 END)'
    const cost = '(4 + (seq % 900) / 100)'
    const seeded = await timed(async () => {
      for (const [month, from, count] of [
        ['2026-11', 1, ORDERS],
        ['2026-10', ORDERS + 1, Math.round(ORDERS / 5)],
      ] as const) {
        await seed('receivable:', 'debit', `${goods} - ${md} + ${ship}`, '', from, count, month)
        await seed('gross_sales', 'credit', goods, '', from, count, month)
        await seed('merchant_discounts', 'debit', md, 'WHERE seq % 500 <> 0', from, count, month)
        await seed('shipping_income', 'credit', ship, 'WHERE seq % 4 = 0', from, count, month)
        await seed('cogs', 'debit', cost, '', from, count, month)
        await seed('inventory', 'credit', cost, '', from, count, month)
      }
    })
    // The daily totals postEntry keeps line by line, built here in one pass (Asia/Shanghai has no DST).
    const rolled = await timed(() =>
      sql`INSERT INTO journal_daily (merchant_id, day, channel, shop_id, account_group, currency, debit, credit)
          SELECT merchant_id, DATE(event_at + INTERVAL 8 HOUR), COALESCE(channel, ''), COALESCE(shop_id, ''), SUBSTRING_INDEX(account, ':', 1), currency, SUM(debit), SUM(credit)
          FROM journal_lines WHERE merchant_id = ${m} GROUP BY 1, 2, 3, 4, 5, 6`.execute(db),
    )
    const lines = Number(
      (
        await db
          .selectFrom('journal_lines')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
    await sql`ANALYZE TABLE journal_lines`.execute(db)
    const q = { from: '2026-11-01', to: '2026-12-01', timezone: 'Asia/Shanghai' }
    const plain = () =>
      sql<{
        account: string
        d: string
        c: string
      }>`SELECT account, SUM(debit) AS d, SUM(credit) AS c FROM journal_lines
        WHERE merchant_id = ${m} AND event_at >= ${new Date('2026-10-31T16:00:00Z')} AND event_at < ${new Date('2026-11-30T16:00:00Z')}
        GROUP BY account`.execute(db)
    await plain() // warm the buffer pool for both
    const baseline: number[] = []
    const engine: number[] = []
    let figures: Awaited<ReturnType<typeof statement>> = []
    for (let i = 0; i < 3; i++) {
      baseline.push((await timed(plain)).ms)
      const r = await timed(() => statement(db, m, q))
      engine.push(r.ms)
      figures = r.value
    }
    // For the record: the same statement summed from the journal lines instead of the daily totals.
    const fromLines = await timed(() => statement(db, m, q, 'lines'))
    if (JSON.stringify(fromLines.value) !== JSON.stringify(figures))
      throw new Error('the daily totals disagree with the journal lines')
    // The statement must equal the plain totals it is measured against.
    const rows = (await plain()).rows
    const total = (account: string, col: 'd' | 'c') =>
      sum(
        rows
          .filter((r) => r.account === account || r.account.startsWith(`${account}:`))
          .map((r) => money(r[col])),
      )
    const f = figures[0]!
    if (
      !money(f.grossSales).eq(total('gross_sales', 'c')) ||
      !money(f.expectedReceivable).eq(total('receivable', 'd')) ||
      !money(f.cogs).eq(total('cogs', 'd'))
    ) {
      throw new Error(`the statement disagrees with the plain totals: ${JSON.stringify(f)}`)
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!
    const ratio = median(engine) / median(baseline)
    return {
      name: `one-month statement over ${fmt(ORDERS)} orders (${fmt(lines)} journal lines seeded in ${fmt(seeded.ms / 1000, 1)} s, daily totals in ${fmt(rolled.ms / 1000, 1)} s)`,
      figure: `${fmt(median(engine), 1)} ms vs plain GROUP BY ${fmt(median(baseline))} ms (summed from the lines instead: ${fmt(fromLines.ms)} ms); gross sales ${figures[0]!.grossSales}`,
      ratio,
      target: '≤ 2.0',
      ok: ratio <= 2,
    }
  } finally {
    await t.drop()
  }
}
