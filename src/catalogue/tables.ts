/** Tables of the catalogue pull (migrations 0080–0082). */
import type { CreatedAt, UpdatedAt } from '../db/schema.js'
import type { ListingStatus, StockMode } from '../../connectors/types.js'

export interface ChannelListingTable {
  id: string
  merchant_id: string
  shop_id: string
  platform_item_id: string
  title: string
  item_code: string | null
  status: ListingStatus
  platform_status: string | null
  currency: string | null
  /** The listing as the platform gave it: JSON text, ids exact. */
  payload: string
  content_hash: string
  /** Why the mapper could not read it (the payload is kept all the same). */
  map_error: string | null
  platform_updated_at: Date | null
  last_seen_at: Date
  /** The pull that last saw it: rows another complete pull did not see are marked deleted. */
  last_pull_id: string
  deleted_at: Date | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface ChannelListingSkuTable {
  id: string
  merchant_id: string
  shop_id: string
  listing_id: string
  platform_item_id: string
  platform_sku_key: string
  platform_sku_id: string | null
  inventory_item_id: string | null
  code_raw: string | null
  code_norm: string | null
  item_code: string | null
  barcode: string | null
  spec_text: string | null
  /** DECIMAL(18,4) as an exact string. */
  price: string | null
  currency: string | null
  platform_qty: number | null
  platform_held_qty: number | null
  status: ListingStatus
  platform_status: string | null
  stock_mode: StockMode
  platform_updated_at: Date | null
  last_seen_at: Date
  /** The pull that last saw it: rows another complete pull did not see are marked deleted. */
  last_pull_id: string
  deleted_at: Date | null
  issue: string | null
  suggested_sku_id: string | null
  match_method: string | null
  matched_at: Date | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface CataloguePullTable {
  id: string
  merchant_id: string
  shop_id: string
  reason: 'link' | 'manual' | 'schedule'
  status: 'running' | 'done' | 'failed' | 'unsupported'
  started_at: Date
  finished_at: Date | null
  listings: number
  skus: number
  unreadable: number
  linked: number
  removed: number
  error: string | null
}

export interface CatalogueTables {
  channel_listings: ChannelListingTable
  channel_listing_skus: ChannelListingSkuTable
  catalogue_pulls: CataloguePullTable
}
