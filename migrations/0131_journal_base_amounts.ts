import { sql, type Kysely } from 'kysely'
import { addColumn, dropColumn } from './columns.js'

// Every journal line keeps its transaction currency and amount (debit/credit, currency) and carries
// the amount in the merchant's base currency, with the rate, its date and source. The daily totals
// keep base sums beside the transaction sums. Lines already in the base currency are converted at
// 1 here; lines in another currency stay without a base amount (rate_origin NULL) until re-rated.
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumn(db, 'journal_lines', 'base_debit', 'DECIMAL(18,4) NOT NULL DEFAULT 0')
  await addColumn(db, 'journal_lines', 'base_credit', 'DECIMAL(18,4) NOT NULL DEFAULT 0')
  await addColumn(db, 'journal_lines', 'fx_rate', 'DECIMAL(24,12) NULL')
  await addColumn(db, 'journal_lines', 'rate_date', 'DATE NULL')
  await addColumn(db, 'journal_lines', 'rate_source', 'VARCHAR(24) NULL')
  await addColumn(db, 'journal_lines', 'rate_origin', 'VARCHAR(12) NULL')
  for (const t of ['journal_daily', 'journal_sku_daily', 'journal_sku_monthly']) {
    await addColumn(db, t, 'base_debit', 'DECIMAL(20,4) NOT NULL DEFAULT 0')
    await addColumn(db, t, 'base_credit', 'DECIMAL(20,4) NOT NULL DEFAULT 0')
  }
  await sql`UPDATE journal_lines l INNER JOIN merchants m ON m.id = l.merchant_id
    SET l.base_debit = l.debit, l.base_credit = l.credit, l.fx_rate = 1, l.rate_origin = 'identity'
    WHERE l.currency = m.base_currency AND l.rate_origin IS NULL`.execute(db)
  for (const t of ['journal_daily', 'journal_sku_daily', 'journal_sku_monthly'])
    await sql`UPDATE ${sql.id(t)} d INNER JOIN merchants m ON m.id = d.merchant_id
      SET d.base_debit = d.debit, d.base_credit = d.credit
      WHERE d.currency = m.base_currency AND d.base_debit = 0 AND d.base_credit = 0`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['journal_daily', 'journal_sku_daily', 'journal_sku_monthly']) {
    await dropColumn(db, t, 'base_credit')
    await dropColumn(db, t, 'base_debit')
  }
  for (const c of ['rate_origin', 'rate_source', 'rate_date', 'fx_rate', 'base_credit', 'base_debit'])
    await dropColumn(db, 'journal_lines', c)
}
