/**
 * The typed database: one interface per table, composed from each module's tables file.
 * Conventions: snake_case columns; ids CHAR(26) ULIDs made in the app; DECIMAL → string (decimal.js
 * in code); DATETIME(3) UTC → Date; JSON columns come back parsed (mysql2 ≥3.23 on MariaDB and MySQL)
 * and are written as JSON text.
 */
import type { ColumnType } from 'kysely'
import type { Channel } from '../../connectors/types.js'
import type { AlertTables } from '../alerts/tables.js'
import type { CatalogueTables } from '../catalogue/tables.js'
import type { FulfillmentTables } from '../fulfillment/tables.js'
import type { InventoryTables } from '../inventory/tables.js'
import type { LedgerTables } from '../ledger/tables.js'
import type { OrderPoolTables, OrderTables, SkuMappingTables } from '../orders/tables.js'
import type { SyncTables } from '../sync/tables.js'
import type { WaybillTables } from '../waybills/tables.js'

/** A JSON column: reads as T (parsed by mysql2), written as a JSON string. */
export type Json<T> = ColumnType<T, string, string>
/** A timestamp column with a database default. */
export type CreatedAt = ColumnType<Date, Date | undefined, never>
export type UpdatedAt = ColumnType<Date, Date | undefined, Date>

export const ROLES = ['admin', 'warehouse', 'accountant'] as const
export type Role = (typeof ROLES)[number]

/** Channels are part of the connector contract; re-exported for the hub's tables and routes. */
export { CHANNELS, type Channel } from '../../connectors/types.js'

export interface MerchantTable {
  id: string
  name: string
  timezone: string
  base_currency: string
  /** 'zh-CN' | 'en' for what the server writes to people (alerts); NULL = the time zone's default. */
  locale: ColumnType<string | null, string | null | undefined, string | null>
  created_at: CreatedAt
}

export const USER_STATUSES = ['active', 'disabled'] as const
export type UserStatus = (typeof USER_STATUSES)[number]

export interface UserTable {
  id: string
  merchant_id: string
  /** A login: unique in the installation, stored lower-case. Email or phone (or both) is set. */
  email: string | null
  phone: string | null
  name: string
  role: Role
  /** argon2id PHC string; null until a password is set. */
  password_hash: string | null
  must_change_password: ColumnType<number, number | undefined, number>
  status: ColumnType<UserStatus, UserStatus | undefined, UserStatus>
  locale: string | null
  /** Scopes: null = every warehouse / shop of the merchant. */
  warehouse_ids: ColumnType<string[] | null, string | null | undefined, string | null>
  shop_ids: ColumnType<string[] | null, string | null | undefined, string | null>
  /** Bumped on a password change or deactivation: sessions of an older epoch end. */
  session_epoch: ColumnType<number, number | undefined, number>
  last_login_at: Date | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface ApiKeyTable {
  id: string
  merchant_id: string
  user_id: string | null
  name: string
  role: Role
  key_hash: string
  key_prefix: string
  created_at: CreatedAt
  last_used_at: Date | null
  revoked_at: Date | null
}

export interface ShopTable {
  id: string
  merchant_id: string
  channel: Channel
  name: string
  status: 'active' | 'disabled'
  settings: Json<Record<string, unknown>>
  /** AES-256-GCM sealed JSON of the shop's credentials (AAD = shop id); never returned, never logged. */
  credentials_enc: Buffer | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface WarehouseTable {
  id: string
  merchant_id: string
  code: string
  name: string
  priority: number
  /** Provinces / regions this warehouse serves first (e.g. ["浙江省","上海市"]); empty = everywhere. */
  regions: Json<string[]>
  address: Json<Record<string, string>>
  active: number
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface SkuTable {
  id: string
  merchant_id: string
  code: string
  name: string
  barcode: string | null
  category: string | null
  unit: string
  weight_g: number | null
  active: number
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface AuditLogTable {
  id: string
  merchant_id: string
  actor_type: 'api_key' | 'user' | 'cli' | 'system'
  actor_id: string | null
  action: string
  entity_type: string
  entity_id: string
  detail: Json<Record<string, unknown>>
  created_at: CreatedAt
}

export interface CoreTables {
  merchants: MerchantTable
  users: UserTable
  api_keys: ApiKeyTable
  shops: ShopTable
  warehouses: WarehouseTable
  skus: SkuTable
  audit_log: AuditLogTable
}

// Each module declares its own tables next to its code and is added here.
export interface DB
  extends
    CoreTables,
    OrderTables,
    SkuMappingTables,
    OrderPoolTables,
    InventoryTables,
    FulfillmentTables,
    SyncTables,
    LedgerTables,
    CatalogueTables,
    WaybillTables,
    AlertTables {}
