import { sql, type Kysely } from 'kysely'

// Electronic waybills (电子面单): the merchant's accounts with each provider, the default account and
// carrier per shop / warehouse / order, and one waybill per parcel. active_marker is 1 while a
// waybill is live and NULL once cancelled, so the unique key allows one live waybill per parcel
// and keeps the cancelled ones as history.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS waybill_accounts (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      provider VARCHAR(16) NOT NULL,
      name VARCHAR(100) NOT NULL,
      shop_id CHAR(26) NULL,
      base_url VARCHAR(500) NULL,
      credentials_enc VARBINARY(4096) NULL,
      settings JSON NOT NULL,
      sender JSON NOT NULL,
      subscriptions JSON NULL,
      checked_at DATETIME(3) NULL,
      check_error VARCHAR(1000) NULL,
      active TINYINT NOT NULL DEFAULT 1,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      KEY waybill_accounts_merchant (merchant_id, provider),
      CONSTRAINT waybill_accounts_provider CHECK (provider IN ('cainiao','pdd','douyin','jd','sf','easypost'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS waybill_defaults (
      merchant_id CHAR(26) NOT NULL,
      scope VARCHAR(16) NOT NULL,
      scope_id CHAR(26) NOT NULL,
      account_id CHAR(26) NOT NULL,
      cp_code VARCHAR(32) NOT NULL,
      branch_code VARCHAR(64) NULL,
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (merchant_id, scope, scope_id),
      CONSTRAINT waybill_defaults_scope CHECK (scope IN ('shop','warehouse','order'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS waybills (
      id CHAR(26) NOT NULL PRIMARY KEY,
      merchant_id CHAR(26) NOT NULL,
      order_id CHAR(26) NOT NULL,
      shipment_group_id CHAR(26) NOT NULL DEFAULT '',
      parcel_no INT NOT NULL DEFAULT 0,
      active_marker TINYINT NULL DEFAULT 1,
      account_id CHAR(26) NOT NULL,
      provider VARCHAR(16) NOT NULL,
      status VARCHAR(16) NOT NULL,
      cp_code VARCHAR(32) NOT NULL,
      real_cp_code VARCHAR(32) NULL,
      carrier VARCHAR(16) NOT NULL,
      branch_code VARCHAR(64) NULL,
      waybill_code VARCHAR(64) NULL,
      parent_waybill_code VARCHAR(64) NULL,
      provider_ref VARCHAR(128) NULL,
      package_id VARCHAR(32) NOT NULL,
      claim_token CHAR(26) NULL,
      claimed_at DATETIME(3) NULL,
      print_kind VARCHAR(16) NULL,
      print_data MEDIUMTEXT NULL,
      label JSON NULL,
      error_code VARCHAR(128) NULL,
      error_message VARCHAR(1000) NULL,
      attempts INT NOT NULL DEFAULT 0,
      print_count INT NOT NULL DEFAULT 0,
      printed_at DATETIME(3) NULL,
      shipment_id CHAR(26) NULL,
      issued_at DATETIME(3) NULL,
      cancelled_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY waybills_one_live (merchant_id, order_id, shipment_group_id, parcel_no, active_marker),
      KEY waybills_list (merchant_id, status, id),
      KEY waybills_code (merchant_id, waybill_code),
      CONSTRAINT waybills_status CHECK (status IN ('requested','issued','printed','shipped','cancelled','failed'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS waybills`.execute(db)
  await sql`DROP TABLE IF EXISTS waybill_defaults`.execute(db)
  await sql`DROP TABLE IF EXISTS waybill_accounts`.execute(db)
}
