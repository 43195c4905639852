/** Reads behind the statement drill-down: journal lines with their entry, and labels for keys. */
import type { Executor } from '../db/connect.js'

export interface JournalLineFilter {
  from: Date
  to: Date
  channel?: string | undefined
  shopId?: string | undefined
  orderId?: string | undefined
  skuId?: string | undefined
  /** An account group (gross_sales, receivable…): the account or its per-shop sub-accounts. */
  account?: string | undefined
  shops: readonly string[] | null
  after?: readonly [Date, string] | undefined
  limit: number
}

export async function journalLines(db: Executor, merchantId: string, f: JournalLineFilter) {
  let q = db
    .selectFrom('journal_lines as l')
    .innerJoin('journal_entries as e', (j) =>
      j.onRef('e.merchant_id', '=', 'l.merchant_id').onRef('e.id', '=', 'l.entry_id'),
    )
    .leftJoin('orders as o', (j) =>
      j.onRef('o.merchant_id', '=', 'l.merchant_id').onRef('o.id', '=', 'l.order_id'),
    )
    .leftJoin('skus as k', (j) =>
      j.onRef('k.merchant_id', '=', 'l.merchant_id').onRef('k.id', '=', 'l.sku_id'),
    )
    .select([
      'l.id',
      'l.entry_id',
      'e.kind',
      'e.posting_key',
      'l.account',
      'l.debit',
      'l.credit',
      'l.currency',
      'l.event_at',
      'l.channel',
      'l.shop_id',
      'l.order_id',
      'o.external_id as order_external_id',
      'l.sku_id',
      'k.code as sku_code',
      'k.name as sku_name',
    ])
    .where('l.merchant_id', '=', merchantId)
    .where('l.event_at', '>=', f.from)
    .where('l.event_at', '<', f.to)
  if (f.channel) q = q.where('l.channel', '=', f.channel)
  if (f.shopId) q = q.where('l.shop_id', '=', f.shopId)
  if (f.shops) q = f.shops.length ? q.where('l.shop_id', 'in', f.shops) : q.where('l.shop_id', '=', '')
  if (f.orderId) q = q.where('l.order_id', '=', f.orderId)
  if (f.skuId) q = q.where('l.sku_id', '=', f.skuId)
  if (f.account) {
    const account = f.account
    q = q.where((eb) => eb.or([eb('l.account', '=', account), eb('l.account', 'like', `${account}:%`)]))
  }
  if (f.after) {
    const [at, id] = f.after
    q = q.where((eb) =>
      eb.or([eb('l.event_at', '>', at), eb.and([eb('l.event_at', '=', at), eb('l.id', '>', id)])]),
    )
  }
  return q
    .orderBy('l.event_at')
    .orderBy('l.id')
    .limit(f.limit + 1)
    .execute()
}

export async function skuLabels(db: Executor, merchantId: string, ids: readonly string[]) {
  if (ids.length === 0) return []
  return db
    .selectFrom('skus')
    .select(['id', 'code', 'name'])
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', ids)
    .execute()
}

export async function orderLabels(db: Executor, merchantId: string, ids: readonly string[]) {
  if (ids.length === 0) return []
  return db
    .selectFrom('orders as o')
    .innerJoin('shops as s', (j) =>
      j.onRef('s.merchant_id', '=', 'o.merchant_id').onRef('s.id', '=', 'o.shop_id'),
    )
    .select(['o.id', 'o.external_id', 'o.shop_id', 's.name as shop_name', 'o.channel'])
    .where('o.merchant_id', '=', merchantId)
    .where('o.id', 'in', ids)
    .execute()
}
