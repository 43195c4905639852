/**
 * Auto-mapping a shop's stored listing SKUs: load the listing SKUs, the merchant's active SKUs and
 * the shop's existing links, plan (match.ts, pure), then insert the new links (INSERT IGNORE: a
 * link made meanwhile by hand wins) and record on every listing SKU what the plan found.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import { chunk } from '../lib/collections.js'
import { newId } from '../lib/ids.js'
import { planMatches, type ExistingMapping, type MatchOutcome, type MerchantSkuForMatch } from './match.js'

export interface AutoMapReport {
  linked: number
  /** Platform SKU keys linked by this run. */
  linkedKeys: string[]
  outcomes: MatchOutcome[]
}

async function merchantSkus(db: Executor, merchantId: string): Promise<MerchantSkuForMatch[]> {
  const out: MerchantSkuForMatch[] = []
  let after = ''
  for (;;) {
    const rows = await db
      .selectFrom('skus')
      .select(['id', 'code', 'barcode'])
      .where('merchant_id', '=', merchantId)
      .where('active', '=', 1)
      .where('code', '>', after)
      .orderBy('code')
      .limit(5000)
      .execute()
    out.push(...rows)
    if (rows.length < 5000) return out
    after = rows.at(-1)!.code
  }
}

export async function autoMapShop(
  db: Executor,
  merchantId: string,
  shopId: string,
  now: Date,
): Promise<AutoMapReport> {
  const listing = await db
    .selectFrom('channel_listing_skus')
    .select([
      'id',
      'listing_id',
      'platform_sku_key',
      'platform_item_id',
      'platform_sku_id',
      'code_raw',
      'barcode',
      'item_code',
      'status',
      'deleted_at',
    ])
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
    .orderBy('id')
    .execute()
  const isLive = (l: (typeof listing)[number]) => l.deleted_at === null && l.status !== 'deleted'
  const liveSkus = new Map<string, number>()
  for (const l of listing.filter(isLive)) liveSkus.set(l.listing_id, (liveSkus.get(l.listing_id) ?? 0) + 1)
  const existing = new Map<string, ExistingMapping>(
    (
      await db
        .selectFrom('sku_mappings')
        .select(['platform_sku_key', 'sku_id', 'source', 'outer_code'])
        .where('merchant_id', '=', merchantId)
        .where('shop_id', '=', shopId)
        .execute()
    ).map((m) => [m.platform_sku_key, { skuId: m.sku_id, source: m.source, outerCode: m.outer_code }]),
  )
  const outcomes = planMatches(
    listing.map((l) => ({
      id: l.id,
      platformSkuKey: l.platform_sku_key,
      codeRaw: l.code_raw,
      barcode: l.barcode,
      // §A.8.2 step 4: the item code stands for the SKU only when the item sells exactly one.
      singleSkuItemCode: liveSkus.get(l.listing_id) === 1 ? l.item_code : null,
      deleted: !isLive(l),
    })),
    await merchantSkus(db, merchantId),
    existing,
  )
  const byId = new Map(listing.map((l) => [l.id, l]))
  const links = outcomes.filter((o) => o.link !== null)
  let linked = 0
  for (const part of chunk(links, 500)) {
    const r = await db
      .insertInto('sku_mappings')
      .ignore()
      .values(
        part.map((o) => {
          const l = byId.get(o.id)!
          return {
            id: newId(),
            merchant_id: merchantId,
            shop_id: shopId,
            platform_sku_key: l.platform_sku_key,
            platform_item_id: l.platform_item_id,
            platform_sku_id: l.platform_sku_id,
            outer_code: o.link!.code?.slice(0, 128) ?? null,
            sku_id: o.link!.skuId,
            source: 'auto' as const,
          }
        }),
      )
      .executeTakeFirst()
    linked += Number(r.numInsertedOrUpdatedRows ?? 0n)
  }
  await recordOutcomes(
    db,
    merchantId,
    outcomes.filter((o) => !byId.get(o.id)!.deleted_at),
    now,
  )
  return { linked, linkedKeys: links.map((o) => o.platformSkuKey), outcomes }
}

/** Each listing SKU's finding, in one UPDATE per 500 rows. */
async function recordOutcomes(
  db: Executor,
  merchantId: string,
  outcomes: readonly MatchOutcome[],
  now: Date,
): Promise<void> {
  for (const part of chunk(outcomes, 500)) {
    const caseOf = (value: (o: MatchOutcome) => string | null, otherwise = sql`NULL`) =>
      sql<string | null>`CASE id ${sql.join(
        part.map((o) => sql`WHEN ${o.id} THEN ${value(o) ?? otherwise}`),
        sql` `,
      )} END`
    await db
      .updateTable('channel_listing_skus')
      .set({
        issue: caseOf((o) => o.issue),
        suggested_sku_id: caseOf((o) => o.suggestedSkuId),
        // How the link was made: set when this run links; a link made otherwise keeps its own.
        match_method: caseOf((o) => o.link?.method ?? null, sql.ref('match_method')),
        matched_at: now,
      })
      .where('merchant_id', '=', merchantId)
      .where(
        'id',
        'in',
        part.map((o) => o.id),
      )
      .execute()
  }
}
