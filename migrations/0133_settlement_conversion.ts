import type { Kysely } from 'kysely'
import { addColumn, dropColumn } from './columns.js'

// A payout the bank received in another currency than the platform balance it empties (Shopify
// Payments converting USD, a PayPal withdrawal, 结汇): the amount that arrived, as the document says.
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumn(db, 'settlement_lines', 'converted_amount', 'DECIMAL(18,4) NULL')
  await addColumn(db, 'settlement_lines', 'converted_currency', 'CHAR(3) NULL')
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropColumn(db, 'settlement_lines', 'converted_currency')
  await dropColumn(db, 'settlement_lines', 'converted_amount')
}
