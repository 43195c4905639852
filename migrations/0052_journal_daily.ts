import { sql, type Kysely } from 'kysely'

// Daily totals of the journal per merchant-local day, channel, shop, account group and currency,
// kept by every posting in the same transaction: a month's statement reads ~30 rows per account
// instead of every journal line. Existing journals are rolled up here.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS journal_daily (
      merchant_id CHAR(26) NOT NULL,
      day DATE NOT NULL,
      channel VARCHAR(32) NOT NULL DEFAULT '',
      shop_id VARCHAR(26) NOT NULL DEFAULT '',
      account_group VARCHAR(48) NOT NULL,
      currency CHAR(3) NOT NULL,
      debit DECIMAL(20,4) NOT NULL DEFAULT 0,
      credit DECIMAL(20,4) NOT NULL DEFAULT 0,
      PRIMARY KEY (merchant_id, day, channel, shop_id, account_group, currency)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  // Backfill: lines summed per 15-minute slot (every time zone's offset is a multiple of 15
  // minutes), each slot then placed on its merchant-local day.
  const merchants = await sql<{ id: string; timezone: string }>`SELECT id, timezone FROM merchants`.execute(
    db,
  )
  for (const m of merchants.rows) {
    const rows = await sql<{
      slot: string
      channel: string
      shop_id: string
      account_group: string
      currency: string
      debit: string
      credit: string
    }>`
      SELECT FLOOR(UNIX_TIMESTAMP(event_at) / 900) AS slot, COALESCE(channel, '') AS channel, COALESCE(shop_id, '') AS shop_id,
             SUBSTRING_INDEX(account, ':', 1) AS account_group, currency, SUM(debit) AS debit, SUM(credit) AS credit
      FROM journal_lines WHERE merchant_id = ${m.id}
      GROUP BY slot, channel, shop_id, account_group, currency`.execute(db)
    const day = new Intl.DateTimeFormat('en-CA', {
      timeZone: m.timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    })
    for (const r of rows.rows) {
      await sql`INSERT INTO journal_daily (merchant_id, day, channel, shop_id, account_group, currency, debit, credit)
        VALUES (${m.id}, ${day.format(new Date(Number(r.slot) * 900_000))}, ${r.channel}, ${r.shop_id}, ${r.account_group}, ${r.currency}, ${r.debit}, ${r.credit})
        ON DUPLICATE KEY UPDATE debit = debit + VALUES(debit), credit = credit + VALUES(credit)`.execute(db)
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS journal_daily`.execute(db)
}
