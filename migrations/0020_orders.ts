import { sql, type Kysely } from 'kysely'

// The unified order pool: one row per platform order, unique per (merchant, channel, shop, external id).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS orders (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      shop_id CHAR(26) NOT NULL,
      channel VARCHAR(32) NOT NULL,
      external_id VARCHAR(64) NOT NULL,
      status VARCHAR(24) NOT NULL,
      platform_status VARCHAR(64) NOT NULL,
      refund_state VARCHAR(16) NOT NULL DEFAULT 'none',
      currency CHAR(3) NOT NULL,
      placed_at DATETIME(3) NULL,
      paid_at DATETIME(3) NULL,
      shipped_at DATETIME(3) NULL,
      platform_updated_at DATETIME(3) NOT NULL,
      buyer_id VARCHAR(128) NULL,
      buyer_nick VARCHAR(200) NULL,
      buyer_email VARCHAR(320) NULL,
      receiver JSON NOT NULL,
      receiver_province VARCHAR(64) NULL,
      receiver_key CHAR(64) NULL,
      buyer_note TEXT NULL,
      seller_note TEXT NULL,
      goods_amount DECIMAL(18,4) NOT NULL,
      platform_discount DECIMAL(18,4) NOT NULL,
      merchant_discount DECIMAL(18,4) NOT NULL,
      shipping_amount DECIMAL(18,4) NOT NULL,
      tax_amount DECIMAL(18,4) NOT NULL,
      buyer_paid DECIMAL(18,4) NOT NULL,
      merge_group_id CHAR(26) NULL,
      open_exceptions INT NOT NULL DEFAULT 0,
      raw_inbox_id CHAR(26) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY orders_external (merchant_id, channel, shop_id, external_id),
      KEY orders_status (merchant_id, status, paid_at),
      KEY orders_shop_time (merchant_id, shop_id, platform_updated_at),
      KEY orders_paid (merchant_id, paid_at),
      KEY orders_receiver (merchant_id, shop_id, receiver_key),
      CONSTRAINT orders_status_check CHECK (status IN ('pending_payment','paid','allocated','picking','shipped','completed','on_hold','cancelled')),
      CONSTRAINT orders_refund_check CHECK (refund_state IN ('none','requested','partial','refunded'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS orders`.execute(db)
}
