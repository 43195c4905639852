/**
 * Every migration, in order. Listed statically (not read from the folder) so the same list works
 * under tsx, vitest and a compiled build. Forward-only; names are zero-padded numbers.
 * Number ranges: 0001–0009 core · 0010–0019 sync/connectors · 0020–0029 order pool ·
 * 0030–0039 inventory · 0040–0049 fulfillment · 0050–0059 ledger · 0060– later.
 */
import type { Migration } from 'kysely'
import * as m0001 from './0001_merchants.js'
import * as m0002 from './0002_shops.js'
import * as m0003 from './0003_warehouses.js'
import * as m0004 from './0004_skus.js'
import * as m0005 from './0005_audit_log.js'
import * as m0006 from './0006_user_sign_in.js'
import * as m0010 from './0010_sync_state.js'
import * as m0020 from './0020_orders.js'
import * as m0021 from './0021_order_lines.js'
import * as m0022 from './0022_sku_mappings.js'
import * as m0023 from './0023_sku_bundles.js'
import * as m0024 from './0024_raw_inbox.js'
import * as m0025 from './0025_order_exceptions.js'
import * as m0026 from './0026_order_history.js'
import * as m0027 from './0027_order_refunds.js'
import * as m0028 from './0028_order_pool_state.js'
import * as m0029 from './0029_order_line_groups.js'
import * as m0030 from './0030_stock.js'
import * as m0031 from './0031_stock_movements.js'
import * as m0032 from './0032_stock_allocations.js'
import * as m0033 from './0033_inventory_support.js'
import * as m0034 from './0034_stock_thresholds.js'
import * as m0040 from './0040_waves.js'
import * as m0050 from './0050_ledger.js'
import * as m0051 from './0051_settlements.js'
import * as m0052 from './0052_journal_daily.js'
import * as m0053 from './0053_settlement_ids.js'
import * as m0056 from './0056_journal_daily_slots.js'
import * as m0057 from './0057_journal_sku_daily.js'
import * as m0058 from './0058_journal_sku_daily_backfill.js'
import * as m0059 from './0059_journal_entries_by_time.js'
import * as m0060 from './0060_event_outbox.js'
import * as m0080 from './0080_channel_listings.js'
import * as m0081 from './0081_channel_listing_skus.js'
import * as m0082 from './0082_catalogue_pulls.js'
import * as m0090 from './0090_stock_push_log.js'
import * as m0110 from './0110_wave_numbers.js'
import * as m0111 from './0111_pack_checks.js'
import * as m0112 from './0112_parcel_tracking.js'
import * as m0130 from './0130_fx_rates.js'
import * as m0131 from './0131_journal_base_amounts.js'
import * as m0132 from './0132_ledger_held_entries.js'
import * as m0133 from './0133_settlement_conversion.js'
import * as m0140 from './0140_alerts.js'
import * as m0160 from './0160_ledger_daily_pull.js'
import * as m0161 from './0161_fx_rate_pulls.js'
import * as m0162 from './0162_merchant_locale.js'
import * as m0065 from './0065_journal_sku_totals_skus_only.js'
import * as m0041 from './0041_shipments.js'
import * as m0042 from './0042_shipment_groups.js'
import * as m0043 from './0043_writeback_note.js'
import * as m0095 from './0095_order_search.js'
import * as m0096 from './0096_exception_assignee.js'
import * as m0100 from './0100_sku_barcodes.js'
import * as m0101 from './0101_stock_receipts.js'
import * as m0102 from './0102_stock_counts.js'
import * as m0103 from './0103_stock_transfers.js'
import * as m0120 from './0120_waybills.js'

export const MIGRATIONS: Record<string, Migration> = {
  '0001_merchants': m0001,
  '0002_shops': m0002,
  '0003_warehouses': m0003,
  '0004_skus': m0004,
  '0005_audit_log': m0005,
  '0006_user_sign_in': m0006,
  '0010_sync_state': m0010,
  '0020_orders': m0020,
  '0021_order_lines': m0021,
  '0022_sku_mappings': m0022,
  '0023_sku_bundles': m0023,
  '0024_raw_inbox': m0024,
  '0025_order_exceptions': m0025,
  '0026_order_history': m0026,
  '0027_order_refunds': m0027,
  '0028_order_pool_state': m0028,
  '0029_order_line_groups': m0029,
  '0030_stock': m0030,
  '0031_stock_movements': m0031,
  '0032_stock_allocations': m0032,
  '0033_inventory_support': m0033,
  '0034_stock_thresholds': m0034,
  '0040_waves': m0040,
  '0041_shipments': m0041,
  '0042_shipment_groups': m0042,
  '0043_writeback_note': m0043,
  '0050_ledger': m0050,
  '0051_settlements': m0051,
  '0052_journal_daily': m0052,
  '0053_settlement_ids': m0053,
  '0056_journal_daily_slots': m0056,
  '0057_journal_sku_daily': m0057,
  '0058_journal_sku_daily_backfill': m0058,
  '0059_journal_entries_by_time': m0059,
  '0060_event_outbox': m0060,
  '0080_channel_listings': m0080,
  '0081_channel_listing_skus': m0081,
  '0082_catalogue_pulls': m0082,
  '0090_stock_push_log': m0090,
  '0065_journal_sku_totals_skus_only': m0065,
  '0095_order_search': m0095,
  '0096_exception_assignee': m0096,
  '0100_sku_barcodes': m0100,
  '0101_stock_receipts': m0101,
  '0102_stock_counts': m0102,
  '0103_stock_transfers': m0103,
  '0110_wave_numbers': m0110,
  '0111_pack_checks': m0111,
  '0112_parcel_tracking': m0112,
  '0120_waybills': m0120,
  '0130_fx_rates': m0130,
  '0131_journal_base_amounts': m0131,
  '0132_ledger_held_entries': m0132,
  '0133_settlement_conversion': m0133,
  '0140_alerts': m0140,
  '0160_ledger_daily_pull': m0160,
  '0161_fx_rate_pulls': m0161,
  '0162_merchant_locale': m0162,
}
