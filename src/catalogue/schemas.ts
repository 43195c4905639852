/** Response shapes of the catalogue routes, and the row → JSON mapping (one place). */
import { Type, type Static } from 'typebox'
import { LISTING_STATUSES, STOCK_MODES } from '../../connectors/types.js'
import { iso } from '../api/schemas.js'
import { money } from '../money/index.js'
import { ISSUES, MATCH_METHODS } from './match.js'
import { STATES, type ListingSkuRow } from './queries.js'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const Str = Type.String()

const SkuRef = Type.Object({ skuId: Str, skuCode: Str, skuName: Str })

export const ListingSkuSchema = Type.Object({
  id: Str,
  shopId: Str,
  listingId: Str,
  platformItemId: Str,
  platformSkuKey: Str,
  platformSkuId: Nullable(Str),
  inventoryItemId: Nullable(Str),
  title: Str,
  specText: Nullable(Str),
  code: Nullable(Str),
  itemCode: Nullable(Str),
  barcode: Nullable(Str),
  price: Nullable(Str),
  currency: Nullable(Str),
  platformQuantity: Nullable(Type.Integer()),
  platformHeldQuantity: Nullable(Type.Integer()),
  status: Type.Enum(LISTING_STATUSES),
  platformStatus: Nullable(Str),
  stockMode: Type.Enum(STOCK_MODES),
  platformUpdatedAt: Nullable(Str),
  lastSeenAt: Str,
  deletedAt: Nullable(Str),
  state: Type.Enum(STATES),
  issue: Nullable(Type.Enum(ISSUES)),
  matchMethod: Nullable(Type.Enum(MATCH_METHODS)),
  mapping: Nullable(
    Type.Object({
      id: Str,
      skuId: Str,
      skuCode: Str,
      skuName: Str,
      source: Type.Enum(['manual', 'auto', 'bulk'] as const),
      updatedAt: Str,
    }),
  ),
  suggested: Nullable(SkuRef),
  duplicates: Type.Array(
    Type.Object({ id: Str, platformItemId: Str, platformSkuKey: Str, title: Str, specText: Nullable(Str) }),
  ),
})
export type ListingSkuJson = Static<typeof ListingSkuSchema>

const price = (p: string | null): string | null => {
  if (p === null) return null
  const d = money(p)
  return d.toFixed(Math.max(2, d.decimalPlaces()))
}

export function listingSkuJson(
  r: ListingSkuRow,
  duplicates: ListingSkuJson['duplicates'] = [],
): ListingSkuJson {
  const state = STATES[Number(r.rank)] ?? 'unmapped'
  // 'mapping_differs' is about a link; once the link is gone the listing is simply unmapped.
  const issue = r.issue === 'mapping_differs' && r.mapping_id === null ? null : r.issue
  return {
    id: r.id,
    shopId: r.shop_id,
    listingId: r.listing_id,
    platformItemId: r.platform_item_id,
    platformSkuKey: r.platform_sku_key,
    platformSkuId: r.platform_sku_id,
    inventoryItemId: r.inventory_item_id,
    title: r.title,
    specText: r.spec_text,
    code: r.code_raw,
    itemCode: r.item_code,
    barcode: r.barcode,
    price: price(r.price),
    currency: r.currency,
    platformQuantity: r.platform_qty,
    platformHeldQuantity: r.platform_held_qty,
    status: r.status,
    platformStatus: r.platform_status,
    stockMode: r.stock_mode,
    platformUpdatedAt: iso(r.platform_updated_at),
    lastSeenAt: r.last_seen_at.toISOString(),
    deletedAt: iso(r.deleted_at),
    state,
    issue: issue as ListingSkuJson['issue'],
    matchMethod: r.match_method as ListingSkuJson['matchMethod'],
    mapping:
      r.mapping_id && r.mapping_sku_id && r.mapping_source && r.mapping_updated_at
        ? {
            id: r.mapping_id,
            skuId: r.mapping_sku_id,
            skuCode: r.mapping_sku_code ?? '',
            skuName: r.mapping_sku_name ?? '',
            source: r.mapping_source,
            updatedAt: r.mapping_updated_at.toISOString(),
          }
        : null,
    suggested: r.suggested_sku_id
      ? {
          skuId: r.suggested_sku_id,
          skuCode: r.suggested_sku_code ?? '',
          skuName: r.suggested_sku_name ?? '',
        }
      : null,
    duplicates,
  }
}

const Counts = Type.Record(Type.String({ maxLength: 32 }), Type.Integer())

export const CatalogueSummarySchema = Type.Object({
  shopId: Str,
  supported: Type.Boolean(),
  lastPull: Nullable(
    Type.Object({
      id: Str,
      reason: Type.Enum(['link', 'manual', 'schedule'] as const),
      status: Type.Enum(['running', 'done', 'failed', 'unsupported'] as const),
      startedAt: Str,
      finishedAt: Nullable(Str),
      listings: Type.Integer(),
      skus: Type.Integer(),
      unreadable: Type.Integer(),
      linked: Type.Integer(),
      removed: Type.Integer(),
      error: Nullable(Str),
    }),
  ),
  listings: Type.Integer(),
  unreadableListings: Type.Integer(),
  skus: Type.Object({
    total: Type.Integer(),
    mapped: Type.Integer(),
    unmapped: Type.Integer(),
    conflict: Type.Integer(),
    deleted: Type.Integer(),
  }),
  issues: Counts,
  matchMethods: Counts,
  stockModes: Counts,
})
