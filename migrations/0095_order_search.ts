import { sql, type Kysely } from 'kysely'
import { hasColumn } from './columns.js'

const hasIndex = async (db: Kysely<unknown>, table: string, index: string): Promise<boolean> => {
  const r = await sql<{ n: number }>`
    SELECT COUNT(*) AS n FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = ${table} AND index_name = ${index}`.execute(db)
  return Number(r.rows[0]?.n ?? 0) > 0
}

// The order search of the console (GET /orders?q=): prefix matches on the platform order number,
// the buyer and the line's seller code, and the last four digits of the receiver's phone (kept as a
// column, since the phone lives in the receiver JSON). Each is one index range, merchant first.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(await hasColumn(db, 'orders', 'receiver_phone_tail'))) {
    await sql`ALTER TABLE orders ADD COLUMN receiver_phone_tail CHAR(4) NULL AFTER receiver_province`.execute(
      db,
    )
    // Masked phones (138****0000) keep their last four digits; anything else stays NULL.
    await sql`
      UPDATE orders SET receiver_phone_tail = RIGHT(JSON_UNQUOTE(JSON_EXTRACT(receiver, '$.phone')), 4)
      WHERE RIGHT(JSON_UNQUOTE(JSON_EXTRACT(receiver, '$.phone')), 4) REGEXP '^[0-9]{4}$'`.execute(db)
  }
  const indexes: [string, string, string][] = [
    ['orders', 'orders_search_external', '(merchant_id, external_id)'],
    ['orders', 'orders_search_buyer', '(merchant_id, buyer_nick)'],
    ['orders', 'orders_search_phone', '(merchant_id, receiver_phone_tail)'],
    ['order_lines', 'order_lines_search_code', '(merchant_id, outer_code)'],
  ]
  for (const [table, name, columns] of indexes)
    if (!(await hasIndex(db, table, name)))
      await sql`CREATE INDEX ${sql.id(name)} ON ${sql.id(table)} ${sql.raw(columns)}`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX order_lines_search_code ON order_lines`.execute(db)
  await sql`DROP INDEX orders_search_phone ON orders`.execute(db)
  await sql`DROP INDEX orders_search_buyer ON orders`.execute(db)
  await sql`DROP INDEX orders_search_external ON orders`.execute(db)
  await sql`ALTER TABLE orders DROP COLUMN receiver_phone_tail`.execute(db)
}
