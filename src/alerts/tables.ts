import type { ColumnType, Selectable } from 'kysely'
import type { Json, UpdatedAt } from '../db/schema.js'

export const ALERT_KINDS = [
  'low_stock',
  'sync_stalled',
  'exception_aged',
  'writeback_failed',
  'settlement_difference',
  'rate_pull_failed',
] as const
export type AlertKind = (typeof ALERT_KINDS)[number]

export const WEBHOOK_FORMATS = ['wecom', 'dingtalk', 'json'] as const
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number]

/** Where an alert's webhook delivery stands: `none` when the merchant has no webhook. */
export type Delivery = 'none' | 'pending' | 'sent' | 'failed'

export interface AlertRuleTable {
  merchant_id: string
  kind: AlertKind
  enabled: number
  /** Minutes (sync_stalled), hours (exception_aged), whole currency units (settlement_difference). */
  threshold: number | null
  updated_at: UpdatedAt
}

export interface AlertWebhookTable {
  merchant_id: string
  url: string
  format: WebhookFormat
  /** The DingTalk robot's signing secret, sealed (AAD = merchant id); never returned. */
  secret_enc: Buffer | null
  updated_at: UpdatedAt
}

export interface AlertTable {
  id: string
  merchant_id: string
  kind: AlertKind
  condition_key: string
  subject: string
  detail: Json<Record<string, unknown>>
  status: 'open' | 'cleared'
  open_marker: number | null
  opened_at: Date
  cleared_at: Date | null
  delivery: Delivery
  delivery_attempts: ColumnType<number, number | undefined, number>
  delivery_error: string | null
  delivered_at: Date | null
}

export type AlertSelect = Selectable<AlertTable>

export interface AlertTables {
  alert_rules: AlertRuleTable
  alert_webhooks: AlertWebhookTable
  alerts: AlertTable
}
