import { sql, type Kysely } from 'kysely'
import { hasColumn } from './columns.js'

// Split orders in fulfillment: each shipment group (order_line_groups) of an order is its own pick
// slot and parcel. '' stands for the order's own lines (all of them when the order is not split),
// so existing rows keep their meaning. An order's group is in at most one open wave at a time, and
// a shipment records which group it shipped.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(await hasColumn(db, 'wave_orders', 'shipment_group_id'))) {
    // One statement, so a failure leaves the table as it was (DDL auto-commits).
    await sql`
      ALTER TABLE wave_orders
        ADD COLUMN shipment_group_id CHAR(26) NOT NULL DEFAULT '' AFTER order_id,
        DROP PRIMARY KEY,
        ADD PRIMARY KEY (merchant_id, wave_id, order_id, shipment_group_id),
        DROP INDEX wave_orders_one_open,
        ADD UNIQUE KEY wave_orders_one_open (merchant_id, order_id, shipment_group_id, open_marker)`.execute(
      db,
    )
  }
  if (!(await hasColumn(db, 'shipments', 'shipment_group_id'))) {
    await sql`ALTER TABLE shipments ADD COLUMN shipment_group_id CHAR(26) NOT NULL DEFAULT '' AFTER order_id`.execute(
      db,
    )
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE shipments DROP COLUMN shipment_group_id`.execute(db)
  await sql`
    ALTER TABLE wave_orders
      DROP PRIMARY KEY,
      ADD PRIMARY KEY (merchant_id, wave_id, order_id),
      DROP INDEX wave_orders_one_open,
      ADD UNIQUE KEY wave_orders_one_open (merchant_id, order_id, open_marker),
      DROP COLUMN shipment_group_id`.execute(db)
}
