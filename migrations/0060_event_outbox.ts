import { sql, type Kysely } from 'kysely'

// Transactional outbox of order events: written in the transaction that changes the pool, sent to
// the queues after commit, and swept up by the scheduler if the process died in between.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS event_outbox (
      merchant_id CHAR(26) NOT NULL,
      event_key VARCHAR(190) NOT NULL,
      payload JSON NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      sent_at DATETIME(3) NULL,
      PRIMARY KEY (merchant_id, event_key),
      KEY event_outbox_unsent (sent_at, created_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS event_outbox`.execute(db)
}
