import { sql, type Kysely } from 'kysely'

// Exception orders (异常单) with a machine-readable reason. subject is the order id, or
// `inbox:<raw id>` when no order could be made; open_marker keeps one open exception per subject+reason.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS order_exceptions (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NULL,
      order_id CHAR(26) NULL,
      raw_inbox_id CHAR(26) NULL,
      subject VARCHAR(64) NOT NULL,
      reason VARCHAR(32) NOT NULL,
      detail JSON NOT NULL,
      status VARCHAR(16) NOT NULL DEFAULT 'open',
      open_marker TINYINT NULL DEFAULT 1,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      resolved_at DATETIME(3) NULL,
      resolved_by VARCHAR(64) NULL,
      resolution VARCHAR(200) NULL,
      UNIQUE KEY order_exceptions_open (merchant_id, subject, reason, open_marker),
      KEY order_exceptions_list (merchant_id, status, created_at),
      KEY order_exceptions_order (merchant_id, order_id),
      CONSTRAINT order_exceptions_status CHECK (status IN ('open','resolved'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS order_exceptions`.execute(db)
}
