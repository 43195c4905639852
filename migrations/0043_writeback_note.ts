import type { Kysely } from 'kysely'
import { addColumn, dropColumn } from './columns.js'

// Why a writeback was recorded without being sent (a platform that takes one tracking number per order).
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumn(db, 'shipment_writebacks', 'note', 'VARCHAR(255) NULL')
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropColumn(db, 'shipment_writebacks', 'note')
}
