import type { CreatedAt, Json } from '../db/schema.js'

export type Stream = 'orders' | 'refunds' | 'settlements' | 'messages'

export interface SyncCursorTable {
  merchant_id: string
  shop_id: string
  stream: Stream
  cursor_at: Date | null
  last_run_at: Date | null
  last_ok_at: Date | null
  last_error: string | null
}

export interface SyncErrorTable {
  id: string
  merchant_id: string
  shop_id: string
  stream: string
  kind: string
  message: string
  http_status: number | null
  body: string | null
  created_at: CreatedAt
}

export interface WebhookDeliveryTable {
  id: string
  merchant_id: string
  shop_id: string
  delivery_key: string
  topic: string | null
  headers: Json<Record<string, string>>
  body: Buffer
  status: 'received' | 'processed' | 'failed'
  error: string | null
  received_at: CreatedAt
  processed_at: Date | null
}

export interface SyncTables {
  sync_cursors: SyncCursorTable
  sync_errors: SyncErrorTable
  webhook_deliveries: WebhookDeliveryTable
}
