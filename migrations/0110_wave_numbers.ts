import { sql, type Kysely } from 'kysely'
import { addColumn, dropColumn } from './columns.js'

// A wave number people read and scan (波次号 W000012): per merchant, unique, given when the wave is made.
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumn(db, 'waves', 'number', 'INT NULL')
  const idx = await sql<{ n: number }>`
    SELECT COUNT(*) AS n FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'waves' AND index_name = 'waves_number'`.execute(db)
  if (Number(idx.rows[0]?.n ?? 0) === 0)
    await sql`ALTER TABLE waves ADD UNIQUE KEY waves_number (merchant_id, number)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropColumn(db, 'waves', 'number')
}
