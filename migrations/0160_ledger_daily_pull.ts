import type { Kysely } from 'kysely'
import { addColumn, dropColumn } from './columns.js'

// The rate providers a merchant has pulled every day (JSON ["CFETS", "ECB"]), from the base URLs in
// rate_providers; NULL or [] = none (rates come from files or manual pulls only).
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumn(db, 'ledger_settings', 'daily_pull', 'JSON NULL')
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropColumn(db, 'ledger_settings', 'daily_pull')
}
