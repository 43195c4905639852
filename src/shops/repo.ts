import { sql } from 'kysely'
import type { AppContext } from '../context.js'
import type { Executor } from '../db/connect.js'
import type { Channel, ShopTable } from '../db/schema.js'
import { open, seal } from '../lib/crypto.js'
import { newId } from '../lib/ids.js'
import type { Selectable } from 'kysely'
import { parseSettings, type ParsedSettings } from './settings.js'

export interface Shop {
  id: string
  merchantId: string
  channel: Channel
  name: string
  status: 'active' | 'disabled'
  /** As stored: what the merchant set (PATCH merges into it, the API returns it). */
  settings: Record<string, unknown>
  /** The stored settings read with the channel's schema, once, when the shop is loaded. */
  parsed: ParsedSettings
  hasCredentials: boolean
  createdAt: Date
  updatedAt: Date
}

/** Shop credentials as the connector needs them (tokens, app keys). Never logged, never returned. */
export type ShopCredentials = Record<string, unknown>

const COLUMNS = [
  'id',
  'merchant_id',
  'channel',
  'name',
  'status',
  'settings',
  'created_at',
  'updated_at',
] as const

type ShopRow = Pick<Selectable<ShopTable>, (typeof COLUMNS)[number]> & { has_credentials: number | string }

function toShop(row: ShopRow): Shop {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    channel: row.channel,
    name: row.name,
    status: row.status,
    settings: row.settings ?? {},
    parsed: parseSettings(row.channel, row.settings ?? {}),
    hasCredentials: Number(row.has_credentials) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

const aad = (shopId: string) => `shop:${shopId}`

function openCredentials(key: Buffer, shopId: string, sealed: Buffer): ShopCredentials {
  return JSON.parse(open(key, sealed, aad(shopId))) as ShopCredentials
}

export function sealCredentials(key: Buffer, shopId: string, credentials: ShopCredentials): Buffer {
  return seal(key, JSON.stringify(credentials), aad(shopId))
}

/** Link a shop; the clock gives its createdAt. */
export async function createShop(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  key: Buffer,
  merchantId: string,
  input: {
    id?: string
    channel: Channel
    name: string
    settings?: Record<string, unknown>
    credentials?: ShopCredentials
  },
): Promise<Shop> {
  const { db } = ctx
  const id = input.id ?? newId()
  const now = ctx.clock.now()
  await db
    .insertInto('shops')
    .values({
      id,
      merchant_id: merchantId,
      channel: input.channel,
      name: input.name,
      status: 'active',
      settings: JSON.stringify(input.settings ?? {}),
      credentials_enc: input.credentials ? sealCredentials(key, id, input.credentials) : null,
      created_at: now,
      updated_at: now,
    })
    .execute()
  return (await getShop(db, merchantId, id))!
}

function selectShops(db: Executor, merchantId: string) {
  return db
    .selectFrom('shops')
    .select(COLUMNS)
    .select(sql<number>`credentials_enc IS NOT NULL`.as('has_credentials'))
    .where('merchant_id', '=', merchantId)
}

/**
 * A shop with its opened credentials, in one read: what a connector call needs. Scoped to the
 * merchant, or (a platform's webhook names only the shop) to the shop id alone.
 */
export async function getShopWithCredentials(
  db: Executor,
  key: Buffer,
  scope: { merchantId: string | null; shopId: string },
): Promise<{ shop: Shop; credentials: ShopCredentials } | undefined> {
  const row = await db
    .selectFrom('shops')
    .select(COLUMNS)
    .select(['credentials_enc'])
    .where('id', '=', scope.shopId)
    .$if(scope.merchantId !== null, (q) => q.where('merchant_id', '=', scope.merchantId!))
    .executeTakeFirst()
  if (!row) return undefined
  const { credentials_enc, ...rest } = row
  return {
    shop: toShop({ ...rest, has_credentials: credentials_enc ? 1 : 0 }),
    credentials: credentials_enc ? openCredentials(key, row.id, credentials_enc) : {},
  }
}

export async function getShop(db: Executor, merchantId: string, id: string): Promise<Shop | undefined> {
  const row = await selectShops(db, merchantId).where('id', '=', id).executeTakeFirst()
  return row && toShop(row)
}

export async function listShops(
  db: Executor,
  merchantId: string,
  filter: {
    channel?: Channel
    status?: 'active' | 'disabled'
    after?: string
    limit?: number
    /** Only these shops (a user limited to some shops); null or absent: all of the merchant's. */
    ids?: readonly string[] | null
  } = {},
): Promise<Shop[]> {
  let q = selectShops(db, merchantId)
  if (filter.ids) {
    if (filter.ids.length === 0) return []
    q = q.where('id', 'in', filter.ids)
  }
  if (filter.channel) q = q.where('channel', '=', filter.channel)
  if (filter.status) q = q.where('status', '=', filter.status)
  if (filter.after !== undefined) q = q.where('id', '>', filter.after)
  if (filter.limit !== undefined) q = q.limit(filter.limit)
  return (await q.orderBy('id').execute()).map(toShop)
}

/** All active shops of all merchants (schedulers fan out over these). */
export async function listActiveShops(db: Executor): Promise<Shop[]> {
  const rows = await db
    .selectFrom('shops')
    .select(COLUMNS)
    .select(sql<number>`credentials_enc IS NOT NULL`.as('has_credentials'))
    .where('status', '=', 'active')
    .orderBy('id')
    .execute()
  return rows.map(toShop)
}

export async function updateShop(
  db: Executor,
  merchantId: string,
  id: string,
  patch: { name?: string; settings?: Record<string, unknown>; status?: 'active' | 'disabled' },
): Promise<boolean> {
  const res = await db
    .updateTable('shops')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.settings !== undefined ? { settings: JSON.stringify(patch.settings) } : {}),
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      updated_at: new Date(),
    })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return res.numUpdatedRows > 0n
}

/** A shop's stored settings with its row locked until the transaction ends (PATCH read-merge-write). */
export async function lockShopSettings(
  tx: Executor,
  merchantId: string,
  id: string,
): Promise<{ channel: Channel; settings: Record<string, unknown> } | undefined> {
  const row = await tx
    .selectFrom('shops')
    .select(['channel', 'settings'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
  return row && { channel: row.channel, settings: row.settings ?? {} }
}

export async function setShopCredentials(
  db: Executor,
  key: Buffer,
  merchantId: string,
  id: string,
  credentials: ShopCredentials,
): Promise<boolean> {
  const res = await db
    .updateTable('shops')
    .set({ credentials_enc: sealCredentials(key, id, credentials), updated_at: new Date() })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return res.numUpdatedRows > 0n
}

/** Open a shop's sealed credentials; {} when none are stored. */
export async function loadShopCredentials(
  db: Executor,
  key: Buffer,
  merchantId: string,
  id: string,
): Promise<ShopCredentials> {
  const row = await db
    .selectFrom('shops')
    .select('credentials_enc')
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row?.credentials_enc) return {}
  return openCredentials(key, id, row.credentials_enc)
}
