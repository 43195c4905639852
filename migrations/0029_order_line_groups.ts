import { sql, type Kysely } from 'kysely'

// Split (拆单) by hand: lines moved out of their order's shipment into another shipment group.
// A line without a row here ships with its order (and the order's merge group, if any).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS order_line_groups (
      merchant_id CHAR(26) NOT NULL,
      order_line_id CHAR(26) NOT NULL,
      order_id CHAR(26) NOT NULL,
      shipment_group_id CHAR(26) NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, order_line_id),
      KEY order_line_groups_order (merchant_id, order_id),
      KEY order_line_groups_group (merchant_id, shipment_group_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS order_line_groups`.execute(db)
}
