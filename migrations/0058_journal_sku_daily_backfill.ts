import { sql, type Kysely } from 'kysely'

// Backfill of journal_sku_daily from the journal lines, and of journal_sku_monthly from it, one merchant at a time, in one pass over
// its lines: the merchant-local day of a line is DATE(event_at + its zone's UTC offset at that
// instant), the offset written as a CASE over the zone's transitions in the journal's time range
// (found here with Intl, so the server needs no time zone tables). Re-runnable: a merchant's rows
// are replaced, not added to. Run it with the workers stopped, as every migration.
export async function up(db: Kysely<unknown>): Promise<void> {
  const merchants = await sql<{ id: string; timezone: string }>`SELECT id, timezone FROM merchants`.execute(
    db,
  )
  for (const m of merchants.rows) {
    const range = await sql<{ lo: Date | null; hi: Date | null }>`
      SELECT MIN(event_at) AS lo, MAX(event_at) AS hi FROM journal_lines WHERE merchant_id = ${m.id}`.execute(
      db,
    )
    const { lo, hi } = range.rows[0] ?? { lo: null, hi: null }
    await db.transaction().execute(async (tx) => {
      await sql`DELETE FROM journal_sku_daily WHERE merchant_id = ${m.id}`.execute(tx)
      await sql`DELETE FROM journal_sku_monthly WHERE merchant_id = ${m.id}`.execute(tx)
      if (!lo || !hi) return
      await sql`
        INSERT INTO journal_sku_daily (merchant_id, day, channel, shop_id, sku_id, account_group, currency, debit, credit)
        SELECT merchant_id, DATE(event_at + INTERVAL ${localOffsetSql(m.timezone, lo, hi)} MINUTE) AS day,
               COALESCE(channel, '') AS channel, COALESCE(shop_id, '') AS shop_id, COALESCE(sku_id, '') AS sku_id,
               SUBSTRING_INDEX(account, ':', 1) AS account_group, currency, SUM(debit), SUM(credit)
        FROM journal_lines WHERE merchant_id = ${m.id}
        GROUP BY merchant_id, day, channel, shop_id, sku_id, account_group, currency`.execute(tx)
      await sql`
        INSERT INTO journal_sku_monthly (merchant_id, month, channel, shop_id, sku_id, account_group, currency, debit, credit)
        SELECT merchant_id, DATE_FORMAT(day, '%Y-%m') AS month, channel, shop_id, sku_id, account_group, currency, SUM(debit), SUM(credit)
        FROM journal_sku_daily WHERE merchant_id = ${m.id}
        GROUP BY merchant_id, month, channel, shop_id, sku_id, account_group, currency`.execute(tx)
    })
  }
}

export async function down(): Promise<void> {}

/** Minutes east of UTC of a zone at an instant. */
function offsetMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at)
  const get = (t: string) => parseInt(parts.find((p) => p.type === t)!.value, 10)
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'))
  return Math.round((local - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000)
}

/** The zone's offset at event_at as SQL: a CASE over the transitions between lo and hi (a constant without any). */
function localOffsetSql(timeZone: string, lo: Date, hi: Date) {
  const day = 86_400_000
  const segments: { until: Date; offset: number }[] = []
  let at = lo.getTime()
  let offset = offsetMinutes(lo, timeZone)
  while (at < hi.getTime()) {
    const next = Math.min(at + day, hi.getTime())
    const o = offsetMinutes(new Date(next), timeZone)
    if (o !== offset) {
      // Bisect to the minute of the change (zones change at most once a day).
      let [a, b] = [at, next]
      while (b - a > 60_000) {
        const mid = a + Math.floor((b - a) / 120_000) * 60_000
        if (offsetMinutes(new Date(mid), timeZone) === offset) a = mid
        else b = mid
      }
      segments.push({ until: new Date(b), offset })
      offset = o
    }
    at = next
  }
  if (segments.length === 0) return sql`${offset}`
  return sql`(CASE ${sql.join(
    segments.map((s) => sql`WHEN event_at < ${s.until} THEN ${s.offset}`),
    sql` `,
  )} ELSE ${offset} END)`
}
