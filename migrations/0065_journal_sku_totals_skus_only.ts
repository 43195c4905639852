import { sql, type Kysely } from 'kysely'

// The totals per SKU hold lines with a SKU only: the lines without one (receivables, shipping,
// fees) are the day totals less the SKUs' (src/ledger/statements.ts), and a SKU-less row, touched
// by every posting of a shop, held every posting up at its commit. Their rows from 0057/0058 go.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM journal_sku_daily WHERE sku_id = ''`.execute(db)
  await sql`DELETE FROM journal_sku_monthly WHERE sku_id = ''`.execute(db)
}

export async function down(): Promise<void> {}
