/**
 * Linking listing SKUs by hand (the mapping screen, the XLSX import). A link made here records the
 * listing's code at that moment, so the next pull flags it only if that code changes; it also
 * settles a `mapping_differs` conflict, which was about the link the merchant just chose.
 */
import { sql } from 'kysely'
import type { AppContext } from '../context.js'
import type { Executor } from '../db/connect.js'
import { chunk } from '../lib/collections.js'
import { newId } from '../lib/ids.js'
import { scheduleShopPush } from '../inventory/schedule-push.js'

export interface HandLink {
  /** The listing SKU linked; null for a link whose listing was never pulled. */
  listingSkuId: string | null
  shopId: string
  platformSkuKey: string
  platformItemId: string | null
  platformSkuId: string | null
  code: string | null
  skuId: string
}

export async function linkByHand(
  db: Executor,
  merchantId: string,
  links: readonly HandLink[],
  source: 'manual' | 'bulk',
  now: Date,
): Promise<void> {
  for (const part of chunk(links, 500)) await saveLinks(db, merchantId, part, source, now)
}

async function saveLinks(
  db: Executor,
  merchantId: string,
  links: readonly HandLink[],
  source: 'manual' | 'bulk',
  now: Date,
): Promise<void> {
  await db
    .insertInto('sku_mappings')
    .values(
      links.map((l) => ({
        id: newId(),
        merchant_id: merchantId,
        shop_id: l.shopId,
        platform_sku_key: l.platformSkuKey,
        platform_item_id: l.platformItemId,
        platform_sku_id: l.platformSkuId,
        // '' records "linked while the listing had no code": a code set later is a change to flag.
        outer_code: l.code?.slice(0, 128) ?? '',
        sku_id: l.skuId,
        source,
        created_at: now,
        updated_at: now,
      })),
    )
    .onDuplicateKeyUpdate({
      sku_id: sql`VALUES(sku_id)`,
      source: sql`VALUES(source)`,
      outer_code: sql`VALUES(outer_code)`,
      updated_at: now,
    })
    .execute()
  const listed = links.map((l) => l.listingSkuId).filter((id): id is string => id !== null)
  if (listed.length === 0) return
  await db
    .updateTable('channel_listing_skus')
    .set({
      match_method: 'manual',
      issue: sql<string | null>`CASE WHEN issue = 'mapping_differs' THEN NULL ELSE issue END`,
      matched_at: now,
    })
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', listed)
    .execute()
}

export async function unlink(
  db: Executor,
  merchantId: string,
  shopId: string,
  platformSkuKey: string,
): Promise<boolean> {
  const r = await db
    .deleteFrom('sku_mappings')
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
    .where('platform_sku_key', '=', platformSkuKey)
    .executeTakeFirst()
  return r.numDeletedRows > 0n
}

/** A push of the shop's stock soon; hand-mapping clicks coalesce per shop like every stock change. */
export async function pushSoon(
  ctx: Pick<AppContext, 'queues'>,
  merchantId: string,
  shopId: string,
): Promise<void> {
  await scheduleShopPush(ctx, merchantId, shopId)
}
