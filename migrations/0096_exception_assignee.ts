import { sql, type Kysely } from 'kysely'
import { hasColumn } from './columns.js'

// Who handles an exception order (a user of the merchant), for the console's inbox; NULL = nobody yet.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(await hasColumn(db, 'order_exceptions', 'assignee_id')))
    await sql`
      ALTER TABLE order_exceptions
        ADD COLUMN assignee_id CHAR(26) NULL AFTER status,
        ADD KEY order_exceptions_assignee (merchant_id, assignee_id, status)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE order_exceptions DROP KEY order_exceptions_assignee, DROP COLUMN assignee_id`.execute(
    db,
  )
}
