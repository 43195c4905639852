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
}

export interface LedgerTables {
  journal_entries: JournalEntryTable
  journal_lines: JournalLineTable
}
