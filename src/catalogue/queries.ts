/**
 * Reading a shop's listing SKUs for the mapping screen: each with its link (sku_mappings, keyed
 * the same way), the SKU its code points to, and a state derived at read time — so a link made
 * by any route (by hand, bulk, import, the order pipeline) shows at once. Conflicts first, then
 * unmapped, then mapped; deleted ones only when asked for.
 */
import { sql, type Expression, type SqlBool } from 'kysely'
import type { Executor } from '../db/connect.js'
import { CONFLICTS } from './match.js'

export const STATES = ['conflict', 'unmapped', 'mapped', 'deleted'] as const
export type ListingState = (typeof STATES)[number]

/** The state as a rank: the screen's order (conflicts, unmapped, mapped, deleted). */
export const RANK = sql<number>`CASE
  WHEN l.deleted_at IS NOT NULL OR l.status = 'deleted' THEN 3
  WHEN (m.id IS NULL AND l.issue IN ('duplicate_code', 'ambiguous_code'))
    OR (m.id IS NOT NULL AND l.issue = 'mapping_differs') THEN 0
  WHEN m.id IS NULL THEN 1
  ELSE 2 END`

export interface ListingQuery {
  state?: ListingState
  /** Part of the title or spec, or the start of the seller code, the platform key or the mapped SKU code. */
  q?: string
  after?: { rank: number; id: string }
  limit: number
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

export function listingSkusQuery(db: Executor, merchantId: string) {
  return db
    .selectFrom('channel_listing_skus as l')
    .innerJoin('channel_listings as i', (j) =>
      j.onRef('i.merchant_id', '=', 'l.merchant_id').onRef('i.id', '=', 'l.listing_id'),
    )
    .leftJoin('sku_mappings as m', (j) =>
      j
        .onRef('m.merchant_id', '=', 'l.merchant_id')
        .onRef('m.shop_id', '=', 'l.shop_id')
        .onRef('m.platform_sku_key', '=', 'l.platform_sku_key'),
    )
    .leftJoin('skus as s', (j) =>
      j.onRef('s.merchant_id', '=', 'm.merchant_id').onRef('s.id', '=', 'm.sku_id'),
    )
    .leftJoin('skus as g', (j) =>
      j.onRef('g.merchant_id', '=', 'l.merchant_id').onRef('g.id', '=', 'l.suggested_sku_id'),
    )
    .select([
      'l.id',
      'l.shop_id',
      'l.listing_id',
      'l.platform_item_id',
      'l.platform_sku_key',
      'l.platform_sku_id',
      'l.inventory_item_id',
      'l.code_raw',
      'l.code_norm',
      'l.item_code',
      'l.barcode',
      'l.spec_text',
      'l.price',
      'l.currency',
      'l.platform_qty',
      'l.platform_held_qty',
      'l.status',
      'l.platform_status',
      'l.stock_mode',
      'l.platform_updated_at',
      'l.last_seen_at',
      'l.deleted_at',
      'l.issue',
      'l.match_method',
      'l.matched_at',
      'i.title',
      'm.id as mapping_id',
      'm.sku_id as mapping_sku_id',
      'm.source as mapping_source',
      'm.updated_at as mapping_updated_at',
      's.code as mapping_sku_code',
      's.name as mapping_sku_name',
      'g.id as suggested_sku_id',
      'g.code as suggested_sku_code',
      'g.name as suggested_sku_name',
      RANK.as('rank'),
    ])
    .where('l.merchant_id', '=', merchantId)
}

export type ListingSkuRow = Awaited<ReturnType<ReturnType<typeof listingSkusQuery>['execute']>>[number]

export async function listListingSkus(
  db: Executor,
  merchantId: string,
  shopId: string,
  opts: ListingQuery,
): Promise<ListingSkuRow[]> {
  let q = listingSkusQuery(db, merchantId).where('l.shop_id', '=', shopId)
  if (opts.state) q = q.where(RANK, '=', STATES.indexOf(opts.state))
  else q = q.where(RANK, '<', 3)
  if (opts.q) {
    const like = escapeLike(opts.q)
    q = q.where((eb) =>
      eb.or([
        eb('l.code_raw', 'like', `${like}%`),
        eb('l.code_norm', 'like', `${escapeLike(opts.q!.toUpperCase())}%`),
        eb('l.platform_sku_key', 'like', `${like}%`),
        eb('l.platform_item_id', '=', opts.q!),
        eb('l.barcode', 'like', `${like}%`),
        eb('s.code', 'like', `${like}%`),
        eb('i.title', 'like', `%${like}%`),
        eb('l.spec_text', 'like', `%${like}%`),
      ]),
    )
  }
  if (opts.after) {
    const { rank, id } = opts.after
    q = q.where((eb): Expression<SqlBool> =>
      eb.or([eb(RANK, '>', rank), eb.and([eb(RANK, '=', rank), eb('l.id', '>', id)])]),
    )
  }
  return q.orderBy(RANK).orderBy('l.id').limit(opts.limit).execute()
}

export async function getListingSku(
  db: Executor,
  merchantId: string,
  id: string,
): Promise<ListingSkuRow | undefined> {
  return listingSkusQuery(db, merchantId).where('l.id', '=', id).executeTakeFirst()
}

/** For each code of the page, the other live listing SKUs of the shop carrying it (a duplicate code). */
export async function sameCodeOthers(
  db: Executor,
  merchantId: string,
  shopId: string,
  codes: readonly string[],
) {
  if (codes.length === 0) return []
  return db
    .selectFrom('channel_listing_skus as l')
    .innerJoin('channel_listings as i', (j) =>
      j.onRef('i.merchant_id', '=', 'l.merchant_id').onRef('i.id', '=', 'l.listing_id'),
    )
    .select(['l.id', 'l.code_norm', 'l.platform_item_id', 'l.platform_sku_key', 'i.title', 'l.spec_text'])
    .where('l.merchant_id', '=', merchantId)
    .where('l.shop_id', '=', shopId)
    .where('l.code_norm', 'in', codes)
    .where('l.deleted_at', 'is', null)
    .where('l.status', '<>', 'deleted')
    .orderBy('l.id')
    .limit(1000)
    .execute()
}

/** Counts for the shop's catalogue summary: by state, by issue, by how links were found, by stock mode. */
export async function catalogueCounts(db: Executor, merchantId: string, shopId: string) {
  const rows = await db
    .selectFrom('channel_listing_skus as l')
    .leftJoin('sku_mappings as m', (j) =>
      j
        .onRef('m.merchant_id', '=', 'l.merchant_id')
        .onRef('m.shop_id', '=', 'l.shop_id')
        .onRef('m.platform_sku_key', '=', 'l.platform_sku_key'),
    )
    .select([
      RANK.as('rank'),
      'l.issue',
      'l.match_method',
      'l.stock_mode',
      sql<string | null>`m.source`.as('source'),
      (eb) => eb.fn.countAll<string>().as('n'),
    ])
    .where('l.merchant_id', '=', merchantId)
    .where('l.shop_id', '=', shopId)
    .groupBy([RANK, 'l.issue', 'l.match_method', 'l.stock_mode', 'm.source'])
    .execute()
  const listings = await db
    .selectFrom('channel_listings')
    .select([
      sql<string>`SUM(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END)`.as('live'),
      sql<string>`SUM(CASE WHEN map_error IS NOT NULL AND deleted_at IS NULL THEN 1 ELSE 0 END)`.as(
        'unreadable',
      ),
    ])
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
    .executeTakeFirst()
  return { rows, listings: Number(listings?.live ?? 0), unreadable: Number(listings?.unreadable ?? 0) }
}

export const isConflictIssue = (issue: string | null): boolean =>
  issue !== null && (CONFLICTS as readonly string[]).includes(issue)
