/**
 * Storing one page of a catalogue pull: each listing's raw payload verbatim (a version older than
 * the stored one only marks the listing seen), and its SKUs as the mapper read them. A listing
 * the mapper cannot read is kept with its payload and the reason, never dropped.
 */
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { ListingDraft, RawListing } from '../../connectors/types.js'
import type { Executor } from '../db/connect.js'
import { newId } from '../lib/ids.js'
import { toDb } from '../money/index.js'
import type { MapResult } from '../orders/types.js'
import { normaliseCode } from './match.js'

export interface PulledListing {
  raw: RawListing
  mapped: MapResult<ListingDraft>
}

export interface StoredPage {
  listings: number
  skus: number
  unreadable: number
}

const cut = (v: string | null, n: number): string | null => (v === null ? null : v.slice(0, n))
const INT_MAX = 2_147_483_647
const int = (v: number | null): number | null => (v === null || Math.abs(v) > INT_MAX ? null : v)

export async function storeListings(
  db: Executor,
  merchantId: string,
  shopId: string,
  pullId: string,
  page: readonly PulledListing[],
  now: Date,
): Promise<StoredPage> {
  // One row per item id: a listing repeated within a page counts once (the last one wins).
  const byId = new Map(page.map((p) => [cut(p.raw.platformItemId, 64)!, p]))
  if (byId.size === 0) return { listings: 0, skus: 0, unreadable: 0 }
  const stored = new Map(
    (
      await db
        .selectFrom('channel_listings')
        .select(['id', 'platform_item_id', 'platform_updated_at'])
        .where('merchant_id', '=', merchantId)
        .where('shop_id', '=', shopId)
        .where('platform_item_id', 'in', [...byId.keys()])
        .execute()
    ).map((r) => [r.platform_item_id, r]),
  )
  const fresh: { itemId: string; listingId: string; p: PulledListing }[] = []
  const stale: string[] = []
  for (const [itemId, p] of byId) {
    const prev = stored.get(itemId)
    const at = p.raw.platformUpdatedAt
    if (prev?.platform_updated_at && at && at < prev.platform_updated_at) stale.push(prev.id)
    else fresh.push({ itemId, listingId: prev?.id ?? newId(), p })
  }
  if (stale.length > 0)
    await db
      .updateTable('channel_listings')
      .set({ last_seen_at: now, last_pull_id: pullId, deleted_at: null })
      .where('merchant_id', '=', merchantId)
      .where('id', 'in', stale)
      .execute()
  if (fresh.length > 0)
    await db
      .insertInto('channel_listings')
      .values(fresh.map((f) => listingRow(merchantId, shopId, pullId, f.listingId, f.itemId, f.p, now)))
      .onDuplicateKeyUpdate({
        title: sql`VALUES(title)`,
        item_code: sql`VALUES(item_code)`,
        status: sql`VALUES(status)`,
        platform_status: sql`VALUES(platform_status)`,
        currency: sql`VALUES(currency)`,
        payload: sql`VALUES(payload)`,
        content_hash: sql`VALUES(content_hash)`,
        map_error: sql`VALUES(map_error)`,
        platform_updated_at: sql`VALUES(platform_updated_at)`,
        last_seen_at: sql`VALUES(last_seen_at)`,
        last_pull_id: sql`VALUES(last_pull_id)`,
        deleted_at: null,
        updated_at: now,
      })
      .execute()
  const skuRows = fresh.flatMap((f) => skuRowsOf(merchantId, shopId, pullId, f.listingId, f.itemId, f.p, now))
  if (skuRows.length > 0)
    await db
      .insertInto('channel_listing_skus')
      .values(skuRows)
      .onDuplicateKeyUpdate({
        listing_id: sql`VALUES(listing_id)`,
        platform_item_id: sql`VALUES(platform_item_id)`,
        platform_sku_id: sql`VALUES(platform_sku_id)`,
        inventory_item_id: sql`VALUES(inventory_item_id)`,
        code_raw: sql`VALUES(code_raw)`,
        code_norm: sql`VALUES(code_norm)`,
        item_code: sql`VALUES(item_code)`,
        barcode: sql`VALUES(barcode)`,
        spec_text: sql`VALUES(spec_text)`,
        price: sql`VALUES(price)`,
        currency: sql`VALUES(currency)`,
        platform_qty: sql`VALUES(platform_qty)`,
        platform_held_qty: sql`VALUES(platform_held_qty)`,
        status: sql`VALUES(status)`,
        platform_status: sql`VALUES(platform_status)`,
        stock_mode: sql`VALUES(stock_mode)`,
        platform_updated_at: sql`VALUES(platform_updated_at)`,
        last_seen_at: sql`VALUES(last_seen_at)`,
        last_pull_id: sql`VALUES(last_pull_id)`,
        deleted_at: null,
        updated_at: now,
      })
      .execute()
  // The SKUs of a stale listing were seen too (unchanged since the newer version we hold).
  if (stale.length > 0)
    await db
      .updateTable('channel_listing_skus')
      .set({ last_seen_at: now, last_pull_id: pullId })
      .where('merchant_id', '=', merchantId)
      .where('listing_id', 'in', stale)
      .execute()
  return {
    listings: byId.size,
    skus: skuRows.length,
    unreadable: fresh.filter((f) => !f.p.mapped.ok).length,
  }
}

function listingRow(
  merchantId: string,
  shopId: string,
  pullId: string,
  id: string,
  itemId: string,
  p: PulledListing,
  now: Date,
) {
  const payload = JSON.stringify(p.raw.payload)
  const d = p.mapped.ok ? p.mapped.value : null
  return {
    id,
    merchant_id: merchantId,
    shop_id: shopId,
    platform_item_id: itemId,
    title: cut(d?.title ?? '', 500)!,
    item_code: cut(d?.itemCode ?? null, 255),
    status: d?.status ?? ('off_sale' as const),
    platform_status: cut(d?.platformStatus ?? null, 64),
    currency: d?.currency && /^[A-Z]{3}$/.test(d.currency) ? d.currency : null,
    payload,
    content_hash: createHash('sha256').update(payload).digest('hex'),
    map_error: p.mapped.ok ? null : cut(`${p.mapped.reason}: ${p.mapped.detail}`, 1000),
    platform_updated_at: p.raw.platformUpdatedAt,
    last_seen_at: now,
    last_pull_id: pullId,
    deleted_at: null,
    created_at: now,
    updated_at: now,
  }
}

function skuRowsOf(
  merchantId: string,
  shopId: string,
  pullId: string,
  listingId: string,
  itemId: string,
  p: PulledListing,
  now: Date,
) {
  if (!p.mapped.ok) return []
  const d = p.mapped.value
  const seen = new Set<string>()
  return d.skus
    .filter((s) => s.platformSkuKey.length <= 96 && !seen.has(s.platformSkuKey) && seen.add(s.platformSkuKey))
    .map((s) => ({
      id: newId(),
      merchant_id: merchantId,
      shop_id: shopId,
      listing_id: listingId,
      platform_item_id: itemId,
      platform_sku_key: s.platformSkuKey,
      platform_sku_id: cut(s.platformSkuId, 64),
      inventory_item_id: cut(s.inventoryItemId, 64),
      code_raw: cut(s.code, 255),
      code_norm: cut(normaliseCode(s.code), 255),
      item_code: cut(d.itemCode, 255),
      barcode: cut(s.barcode, 128),
      spec_text: cut(s.specText, 500),
      price: s.price ? toDb(s.price) : null,
      currency: d.currency && /^[A-Z]{3}$/.test(d.currency) ? d.currency : null,
      platform_qty: int(s.quantity),
      platform_held_qty: int(s.heldQuantity),
      status: d.status === 'deleted' ? ('deleted' as const) : s.status,
      platform_status: cut(s.platformStatus, 64),
      stock_mode: s.stockMode,
      platform_updated_at: s.platformUpdatedAt ?? d.platformUpdatedAt,
      last_seen_at: now,
      last_pull_id: pullId,
      deleted_at: null,
      created_at: now,
      updated_at: now,
    }))
}

/** After a complete pull: listings and SKUs it did not see are gone from the shop (kept, marked deleted). */
export async function markUnseen(
  db: Executor,
  merchantId: string,
  shopId: string,
  pullId: string,
  now: Date,
): Promise<number> {
  await db
    .updateTable('channel_listings')
    .set({ deleted_at: now })
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
    .where('last_pull_id', '<>', pullId)
    .where('deleted_at', 'is', null)
    .execute()
  const r = await db
    .updateTable('channel_listing_skus')
    .set({ deleted_at: now })
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
    .where('last_pull_id', '<>', pullId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return Number(r.numUpdatedRows)
}
