import type { Kysely } from 'kysely'
import { addColumn, dropColumn } from './columns.js'

// The merchant's language for what the server writes to people outside the console (alerts sent
// to WeCom / DingTalk robots): 'zh-CN' or 'en'; NULL = the default of its time zone (Chinese zones
// Chinese, others English: src/users/types.ts defaultLocale).
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumn(db, 'merchants', 'locale', 'VARCHAR(8) NULL')
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropColumn(db, 'merchants', 'locale')
}
