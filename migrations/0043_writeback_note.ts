import { sql, type Kysely } from 'kysely'

// Why a writeback was recorded without being sent (a platform that takes one tracking number per order).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE shipment_writebacks ADD COLUMN IF NOT EXISTS note VARCHAR(255) NULL`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE shipment_writebacks DROP COLUMN IF EXISTS note`.execute(db)
}
