import type { ColumnType, Generated } from 'kysely'
import type { CreatedAt } from '../db/schema.js'

export interface JournalEntryTable {
  id: string
  merchant_id: string
  posting_key: string
  kind: string
  order_id: string | null
  shop_id: string | null
  channel: string | null
  currency: string
  event_at: Date
  input_hash: string
  original_event_at: Date | null
  created_at: CreatedAt
}

export interface JournalLineTable {
  id: string
  merchant_id: string
  entry_id: string
  account: string
  debit: string
  credit: string
  currency: string
  event_at: Date
  channel: string | null
  shop_id: string | null
  order_id: string | null
  sku_id: string | null
  /** The amount in the merchant's base currency (0131). */
  base_debit: Generated<string>
  base_credit: Generated<string>
  /** Base per 1 unit of `currency`; null where no rate was applied (an FX line, or not yet rated). */
  fx_rate: string | null
  rate_date: string | null
  rate_source: string | null
  /** identity | table | book | document | fx (an exchange-difference line) */
  rate_origin: string | null
}

export interface LedgerAccountTable {
  merchant_id: string
  code: string
  name: string
  external_code: string | null
  updated_at: Generated<Date>
}

export interface CommissionPlanTable {
  id: string
  merchant_id: string
  shop_id: string
  name: string
  effective_from: string
  effective_to: string | null
  /** JSON CommissionRules (src/ledger/commission.ts). */
  rules: string
  created_at: CreatedAt
}

export interface SettlementImportTable {
  id: string
  merchant_id: string
  shop_id: string
  source: 'file' | 'api'
  filename: string | null
  sha256: string
  line_count: number
  inserted: number
  rejected: string
  stated_total: string | null
  parsed_total: string
  created_at: CreatedAt
}

export interface SettlementLineTable {
  id: string
  merchant_id: string
  shop_id: string
  channel: string
  import_id: string | null
  external_line_id: string
  order_external_id: string | null
  type: string
  platform_type: string
  amount: string
  currency: string
  occurred_at: Date
  payout_id: string | null
  description: string | null
  raw: string
  /** A payout received in another currency: the amount that arrived (0133). */
  converted_amount: string | null
  converted_currency: string | null
  created_at: CreatedAt
}

export interface LedgerPeriodTable {
  merchant_id: string
  period: string
  closed_at: Date
  closed_by: string
}

export interface JournalDailyTable {
  merchant_id: string
  /** Merchant-local calendar day. */
  day: string
  channel: string
  shop_id: string
  account_group: string
  currency: string
  debit: string
  credit: string
  base_debit: Generated<string>
  base_credit: Generated<string>
  /** Concurrent postings add to different slots of a row (src/ledger/journal.ts); readers sum them. */
  slot: Generated<number>
}

/** Lines with a SKU only (0065). */
export interface JournalSkuDailyTable extends Omit<JournalDailyTable, 'slot'> {
  sku_id: string
}

export interface JournalSkuMonthlyTable extends Omit<JournalSkuDailyTable, 'day'> {
  /** Merchant-local month, YYYY-MM. */
  month: string
}

export interface FxRateTable {
  merchant_id: string
  source: string
  rate_date: string
  /** The currency priced (1 unit of it). */
  base_ccy: string
  /** The currency it is priced in. */
  quote_ccy: string
  unit: number
  /** The value exactly as published (per `unit` units, in the source's direction). */
  quoted: string
  /** Normalised: quote_ccy per 1 base_ccy. */
  rate: string
  batch_id: string
  created_at: CreatedAt
}

export interface LedgerSettingsTable {
  merchant_id: string
  /** JSON string[]: rate sources in priority order. */
  rate_sources: string
  max_staleness_days: number
  revaluation: 'month_end' | 'none'
  /** JSON { ECB?: baseUrl, CFETS?: baseUrl }: where the providers are pulled from (a sandbox, a mirror). */
  rate_providers: string | null
  /** JSON string[]: the providers pulled every day (0160); NULL = none. */
  daily_pull: ColumnType<unknown, string | null | undefined, string | null>
  updated_at: Generated<Date>
}

/** One merchant's daily pull of one provider for one day (rate-pull.ts). */
export interface FxRatePullTable {
  merchant_id: string
  source: string
  day: string
  status: 'ok' | 'retrying' | 'failed'
  attempts: number
  /** The date the provider's document was for (a weekend pull gets the last business day's). */
  rate_date: string | null
  rates: number
  released: number
  error: string | null
  updated_at: Date
}

export interface LedgerHeldEntryTable {
  merchant_id: string
  posting_key: string
  kind: string
  order_id: string | null
  shop_id: string | null
  channel: string | null
  event_at: Date
  currency: string
  rate_date: string
  reason: string
  /** JSON: the entry's head and postings as given. */
  entry: string
  created_at: CreatedAt
}

export interface LedgerTables {
  fx_rates: FxRateTable
  ledger_settings: LedgerSettingsTable
  fx_rate_pulls: FxRatePullTable
  ledger_held_entries: LedgerHeldEntryTable
  journal_entries: JournalEntryTable
  journal_lines: JournalLineTable
  ledger_accounts: LedgerAccountTable
  commission_plans: CommissionPlanTable
  settlement_imports: SettlementImportTable
  settlement_lines: SettlementLineTable
  ledger_periods: LedgerPeriodTable
  journal_daily: JournalDailyTable
  journal_sku_daily: JournalSkuDailyTable
  journal_sku_monthly: JournalSkuMonthlyTable
}
