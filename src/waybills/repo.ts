/**
 * Waybill accounts, defaults and waybill rows: the SQL of the waybills module. Every query is
 * scoped by merchant_id. Account credentials are sealed like shop credentials (AAD binds them to
 * the account) and never leave this file except into a provider call.
 */
import type { Selectable } from 'kysely'
import type { Executor } from '../db/connect.js'
import { open, seal } from '../lib/crypto.js'
import { newId } from '../lib/ids.js'
import type { Subscription, WaybillProvider } from '../../connectors/waybill/types.js'
import type { Sender, WaybillAccountTable, WaybillDefaultTable, WaybillTable } from './tables.js'

export type AccountRow = Selectable<WaybillAccountTable>
export type WaybillRow = Selectable<WaybillTable>
export type DefaultRow = Selectable<WaybillDefaultTable>

const aad = (id: string) => `waybill_account:${id}`

export interface AccountInput {
  provider: WaybillProvider
  name: string
  shopId: string | null
  baseUrl: string | null
  settings: Record<string, unknown>
  sender: Sender | null
  credentials: Record<string, unknown> | null
}

export async function createAccount(
  db: Executor,
  key: Buffer,
  merchantId: string,
  input: AccountInput,
): Promise<string> {
  const id = newId()
  await db
    .insertInto('waybill_accounts')
    .values({
      id,
      merchant_id: merchantId,
      provider: input.provider,
      name: input.name,
      shop_id: input.shopId,
      base_url: input.baseUrl,
      credentials_enc: input.credentials ? seal(key, JSON.stringify(input.credentials), aad(id)) : null,
      settings: JSON.stringify(input.settings),
      sender: JSON.stringify(input.sender ?? {}),
      active: 1,
    })
    .execute()
  return id
}

export async function getAccount(
  db: Executor,
  merchantId: string,
  id: string,
): Promise<AccountRow | undefined> {
  return db
    .selectFrom('waybill_accounts')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function listAccounts(
  db: Executor,
  merchantId: string,
  opts: { limit: number; after?: string; provider?: WaybillProvider; shopIds?: readonly string[] | null },
): Promise<AccountRow[]> {
  let q = db.selectFrom('waybill_accounts').selectAll().where('merchant_id', '=', merchantId)
  if (opts.provider) q = q.where('provider', '=', opts.provider)
  // A shop-scoped caller sees the accounts of its shops and the hub-held ones (no shop).
  if (opts.shopIds) {
    const ids = opts.shopIds
    q = q.where((eb) => eb.or([eb('shop_id', 'is', null), ...(ids.length ? [eb('shop_id', 'in', ids)] : [])]))
  }
  if (opts.after) q = q.where('id', '>', opts.after)
  return q.orderBy('id').limit(opts.limit).execute()
}

export async function updateAccount(
  db: Executor,
  merchantId: string,
  id: string,
  patch: {
    name?: string
    baseUrl?: string | null
    settings?: Record<string, unknown>
    sender?: Sender
    active?: boolean
  },
  now: Date,
): Promise<void> {
  await db
    .updateTable('waybill_accounts')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.baseUrl !== undefined ? { base_url: patch.baseUrl } : {}),
      ...(patch.settings !== undefined ? { settings: JSON.stringify(patch.settings) } : {}),
      ...(patch.sender !== undefined ? { sender: JSON.stringify(patch.sender) } : {}),
      ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
      updated_at: now,
    })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .execute()
}

export async function setAccountCredentials(
  db: Executor,
  key: Buffer,
  merchantId: string,
  id: string,
  credentials: Record<string, unknown>,
  now: Date,
): Promise<void> {
  await db
    .updateTable('waybill_accounts')
    .set({ credentials_enc: seal(key, JSON.stringify(credentials), aad(id)), updated_at: now })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .execute()
}

export function openCredentials(
  key: Buffer,
  row: Pick<AccountRow, 'id' | 'credentials_enc'>,
): Record<string, unknown> {
  return row.credentials_enc
    ? (JSON.parse(open(key, row.credentials_enc, aad(row.id))) as Record<string, unknown>)
    : {}
}

export async function saveSubscriptions(
  db: Executor,
  merchantId: string,
  id: string,
  result: { subscriptions: Subscription[] } | { error: string },
  now: Date,
): Promise<void> {
  await db
    .updateTable('waybill_accounts')
    .set(
      'subscriptions' in result
        ? {
            subscriptions: JSON.stringify(result.subscriptions),
            checked_at: now,
            check_error: null,
            updated_at: now,
          }
        : { check_error: result.error.slice(0, 1000), checked_at: now, updated_at: now },
    )
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .execute()
}

// ------------------------------------------------------------------------------------------- defaults

export async function setDefault(
  db: Executor,
  merchantId: string,
  d: {
    scope: WaybillDefaultTable['scope']
    scopeId: string
    accountId: string
    cpCode: string
    branchCode: string | null
  },
  now: Date,
): Promise<void> {
  await db
    .insertInto('waybill_defaults')
    .values({
      merchant_id: merchantId,
      scope: d.scope,
      scope_id: d.scopeId,
      account_id: d.accountId,
      cp_code: d.cpCode,
      branch_code: d.branchCode,
      updated_at: now,
    })
    .onDuplicateKeyUpdate({
      account_id: d.accountId,
      cp_code: d.cpCode,
      branch_code: d.branchCode,
      updated_at: now,
    })
    .execute()
}

export async function clearDefault(
  db: Executor,
  merchantId: string,
  scope: WaybillDefaultTable['scope'],
  scopeId: string,
): Promise<void> {
  await db
    .deleteFrom('waybill_defaults')
    .where('merchant_id', '=', merchantId)
    .where('scope', '=', scope)
    .where('scope_id', '=', scopeId)
    .execute()
}

export async function listDefaults(
  db: Executor,
  merchantId: string,
  opts: {
    limit: number
    after?: readonly [WaybillDefaultTable['scope'], string]
    scope?: WaybillDefaultTable['scope']
  },
): Promise<DefaultRow[]> {
  let q = db.selectFrom('waybill_defaults').selectAll().where('merchant_id', '=', merchantId)
  if (opts.scope) q = q.where('scope', '=', opts.scope)
  if (opts.after) {
    const [scope, scopeId] = opts.after
    q = q.where((eb) =>
      eb.or([eb('scope', '>', scope), eb.and([eb('scope', '=', scope), eb('scope_id', '>', scopeId)])]),
    )
  }
  return q.orderBy('scope').orderBy('scope_id').limit(opts.limit).execute()
}

/** The account and carrier for an order: its own override, else its shop's, else its warehouse's default. */
export async function chooseDefault(
  db: Executor,
  merchantId: string,
  order: { id: string; shopId: string; warehouseId: string | null },
): Promise<DefaultRow | undefined> {
  const rows = await db
    .selectFrom('waybill_defaults')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where((eb) =>
      eb.or([
        eb.and([eb('scope', '=', 'order'), eb('scope_id', '=', order.id)]),
        eb.and([eb('scope', '=', 'shop'), eb('scope_id', '=', order.shopId)]),
        ...(order.warehouseId
          ? [eb.and([eb('scope', '=', 'warehouse'), eb('scope_id', '=', order.warehouseId)])]
          : []),
      ]),
    )
    .execute()
  const rank = { order: 0, shop: 1, warehouse: 2 } as const
  return rows.sort((a, b) => rank[a.scope] - rank[b.scope])[0]
}

// ------------------------------------------------------------------------------------------- waybills

export async function getWaybill(
  db: Executor,
  merchantId: string,
  id: string,
): Promise<WaybillRow | undefined> {
  return db
    .selectFrom('waybills')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function liveWaybill(
  db: Executor,
  merchantId: string,
  p: { orderId: string; group: string; parcelNo: number },
): Promise<WaybillRow | undefined> {
  return db
    .selectFrom('waybills')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', p.orderId)
    .where('shipment_group_id', '=', p.group)
    .where('parcel_no', '=', p.parcelNo)
    .where('active_marker', '=', 1)
    .executeTakeFirst()
}

export async function listWaybills(
  db: Executor,
  merchantId: string,
  opts: {
    limit: number
    before?: string
    orderIds?: readonly string[]
    status?: WaybillRow['status']
    shopIds?: readonly string[] | null
  },
): Promise<WaybillRow[]> {
  let q = db.selectFrom('waybills as w').selectAll('w').where('w.merchant_id', '=', merchantId)
  if (opts.orderIds) q = q.where('w.order_id', 'in', opts.orderIds.length ? opts.orderIds : [''])
  if (opts.status) q = q.where('w.status', '=', opts.status)
  if (opts.shopIds) {
    const ids = opts.shopIds.length ? opts.shopIds : ['']
    q = q.where('w.order_id', 'in', (eb) =>
      eb.selectFrom('orders').select('id').where('merchant_id', '=', merchantId).where('shop_id', 'in', ids),
    )
  }
  if (opts.before) q = q.where('w.id', '<', opts.before)
  return q.orderBy('w.id', 'desc').limit(opts.limit).execute()
}
