import { sql, type Kysely } from 'kysely'

// Bundles (组合装): a merchant SKU made of component SKUs. unit_value weights the revenue split.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS sku_bundle_components (
      merchant_id CHAR(26) NOT NULL,
      bundle_sku_id CHAR(26) NOT NULL,
      component_sku_id CHAR(26) NOT NULL,
      quantity INT NOT NULL,
      unit_value DECIMAL(18,4) NOT NULL,
      PRIMARY KEY (merchant_id, bundle_sku_id, component_sku_id),
      KEY sku_bundle_component (merchant_id, component_sku_id),
      CONSTRAINT sku_bundle_qty CHECK (quantity > 0),
      CONSTRAINT sku_bundle_value CHECK (unit_value >= 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS sku_bundle_components`.execute(db)
}
