import { sql, type Kysely } from 'kysely'

// Platform order and payout ids in settlement files vary by platform and export (PDD order_sn with
// dashes, Douyin statement numbers): room for any of them, so an import never fails on a long id.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE settlement_lines MODIFY COLUMN order_external_id VARCHAR(128) NULL, MODIFY COLUMN payout_id VARCHAR(128) NULL`.execute(
    db,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE settlement_lines MODIFY COLUMN order_external_id VARCHAR(64) NULL, MODIFY COLUMN payout_id VARCHAR(64) NULL`.execute(
    db,
  )
}
