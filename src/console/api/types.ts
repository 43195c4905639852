/** What the console reads from the API (the target shape: camelCase, lists as { items, next }). */
export const ROLES = ['admin', 'warehouse', 'accountant'] as const
export type Role = (typeof ROLES)[number]

export const CHANNELS = ['taobao', 'jd', 'pdd', 'douyin', 'shopify', 'woocommerce', 'selfstore'] as const
export type Channel = (typeof CHANNELS)[number]

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'allocated',
  'picking',
  'shipped',
  'completed',
  'on_hold',
  'cancelled',
] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]
export type RefundState = 'none' | 'requested' | 'partial' | 'refunded'

export interface Merchant {
  id: string
  name: string
  timezone: string
  baseCurrency: string
}

export interface User {
  id: string
  email: string | null
  phone: string | null
  name: string
  role: Role
  status: 'active' | 'disabled'
  mustChangePassword: boolean
  locale: 'zh-CN' | 'en' | null
  warehouseIds: string[] | null
  shopIds: string[] | null
  lastLoginAt: string | null
  createdAt: string
  updatedAt: string
}

export interface Me {
  merchant: Merchant
  role: Role
  user: User | null
  locale: 'zh-CN' | 'en'
  csrfToken: string | null
  apiKeyId: string | null
}

export interface Shop {
  id: string
  channel: Channel
  name: string
  status: 'active' | 'disabled'
  hasCredentials: boolean
  createdAt: string
  updatedAt: string
}

export interface SyncHealth {
  streams: {
    stream: string
    cursorAt: string | null
    lastRunAt: string | null
    lastOkAt: string | null
    lastError: string | null
  }[]
  errors: { stream: string; kind: string; message: string; httpStatus: number | null; at: string }[]
  failedWebhooks: { id: string; topic: string | null; error: string | null; receivedAt: string }[]
}

export interface Warehouse {
  id: string
  code: string
  name: string
}

export interface OrderRow {
  id: string
  shopId: string
  channel: Channel
  externalId: string
  status: OrderStatus
  platformStatus: string
  refundState: RefundState
  currency: string
  buyerNick: string | null
  receiverProvince: string | null
  buyerPaid: string
  paidAt: string | null
  placedAt: string | null
  openExceptions: number
}

export interface OrderLine {
  id: string
  lineNo: number
  outerCode: string | null
  platformSkuId: string | null
  title: string
  skuProperties: string | null
  quantity: number
  unitPrice: string
  paidAmount: string
  refundState: RefundState
  skus: { code: string; quantity: number }[]
}

export interface OrderDetail extends OrderRow {
  shippedAt: string | null
  goodsAmount: string
  platformDiscount: string
  merchantDiscount: string
  shippingAmount: string
  taxAmount: string
  buyerNote: string | null
  sellerNote: string | null
  receiver: Record<string, string | null>
  lines: OrderLine[]
  exceptions: {
    id: string
    reason: string
    status: 'open' | 'resolved'
    subject: string
    createdAt: string
  }[]
  refunds: {
    id: string
    externalRefundId: string
    status: string
    amount: string
    currency: string
    reason: string | null
  }[]
  timeline: {
    id: string
    fromStatus: string | null
    toStatus: string
    source: string
    note: string | null
    at: string
  }[]
}

export interface OrderCounts {
  total: number
  byStatus: Record<OrderStatus, number>
}

export interface ApiKey {
  id: string
  name: string
  role: Role
  prefix: string
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
}

export interface AuditItem {
  id: string
  at: string
  actorType: 'api_key' | 'user' | 'cli' | 'system'
  actorId: string | null
  actorName: string | null
  actorLogin: string | null
  action: string
  entityType: string
  entityId: string
  detail: Record<string, unknown>
}

/** Statement figures of one row (a channel, a SKU or an order), per currency. */
export const STATEMENT_FIGURES = [
  'grossSales',
  'merchantDiscounts',
  'platformDiscounts',
  'shippingIncome',
  'refunds',
  'netSales',
  'commissions',
  'paymentFees',
  'otherFees',
  'cogs',
  'grossMargin',
  'contributionMargin',
  'expectedReceivable',
  'settled',
  'paidOut',
  'difference',
  'suspense',
] as const
export type StatementFigure = (typeof STATEMENT_FIGURES)[number]
export type StatementRow = { key: string | null; currency: string; marginPercent: string | null } & Record<
  StatementFigure,
  string
>
export interface Statement {
  from: string
  to: string
  timezone: string
  by: 'total' | 'sku' | 'order'
  items: StatementRow[]
  next: string | null
}

export interface JournalLine {
  id: string
  entryId: string
  kind: string
  postingKey: string
  account: string
  debit: string
  credit: string
  currency: string
  eventAt: string
  channel: string | null
  shopId: string | null
  orderId: string | null
  orderExternalId: string | null
  skuId: string | null
  skuCode: string | null
  skuName: string | null
}

export interface Labels {
  skus: Record<string, { code: string; name: string }>
  orders: Record<string, { externalId: string; shopId: string; shopName: string; channel: string }>
}

export interface SettlementLine {
  id: string
  shopId: string
  channel: string
  importId: string | null
  externalLineId: string
  orderExternalId: string | null
  type: string
  platformType: string
  amount: string
  currency: string
  occurredAt: string
  payoutId: string | null
  description: string | null
}

export interface RejectedRow {
  row: number
  raw: string
  reason: string
}

export interface SettlementImport {
  id: string
  shopId: string
  source: 'file' | 'api'
  filename: string | null
  lines: number
  inserted: number
  rejected: RejectedRow[]
  statedTotal: string | null
  parsedTotal: string
  totalsAgree: boolean | null
  at: string
}

export interface ImportReport {
  importId: string
  duplicateFile: boolean
  lines: number
  inserted: number
  alreadyKnown: number
  rejected: RejectedRow[]
  statedTotal: string | null
  parsedTotal: string
  totalsAgree: boolean | null
}

export const FINDING_KINDS = [
  'matched',
  'awaiting_sale',
  'amount_differs',
  'fee_differs',
  'unknown_order',
  'not_settled',
  'fee_without_order',
  'unknown_type',
] as const
export type FindingKind = (typeof FINDING_KINDS)[number]
export interface Finding {
  kind: FindingKind
  shopId: string
  channel: string
  orderId: string | null
  orderExternalId: string | null
  currency: string
  expected: string | null
  actual: string | null
  difference: string | null
  commissionExpected: string | null
  commissionActual: string | null
  settlementLineIds: string[]
  reason: string
}
export interface Reconciliation {
  summary: Record<FindingKind, number>
  items: Finding[]
  next: string | null
}

export interface CommissionRules {
  rate?: string
  byCategory?: Record<string, string>
  bySku?: Record<string, string>
  fixedPerOrder?: string
  paymentRate?: string
}
export interface CommissionPlan {
  id: string
  name: string
  effectiveFrom: string
  effectiveTo: string | null
  rules: CommissionRules
}

export type ShopHealthState = 'ok' | 'lagging' | 'failing' | 'never' | 'disabled'
export interface ChannelDay {
  channel: string
  currency: string
  orders: number
  gmv: string
}
export interface DashboardSummary {
  date: string
  timezone: string
  at: string
  today: ChannelDay[]
  yesterday: ChannelDay[]
  hourly: { hour: number; orders: number }[]
  exceptionsByReason: { reason: string; count: number }[]
  shops: {
    shopId: string
    name: string
    channel: string
    health: ShopHealthState
    lastOkAt: string | null
    lagMinutes: number | null
    errors24h: number
    lastError: string | null
  }[]
  lowStock: {
    count: number
    items: { skuId: string; code: string; name: string; available: number; threshold: number }[]
  }
  afterSalesPending: number
  writebacks: { pending: number; failed: number }
  alertsOpen: number
}
export interface MarginSeries {
  from: string
  to: string
  timezone: string
  items: {
    day: string
    channel: string
    currency: string
    netSales: string
    grossMargin: string
    marginPercent: string | null
  }[]
}

export const ALERT_KINDS = [
  'low_stock',
  'sync_stalled',
  'exception_aged',
  'writeback_failed',
  'settlement_difference',
] as const
export type AlertKind = (typeof ALERT_KINDS)[number]
export interface Alert {
  id: string
  kind: AlertKind
  subject: string
  detail: Record<string, unknown>
  status: 'open' | 'cleared'
  openedAt: string
  clearedAt: string | null
  delivery: 'none' | 'pending' | 'sent' | 'failed'
  deliveryError: string | null
}
export type WebhookFormat = 'wecom' | 'dingtalk' | 'json'
export interface AlertSettings {
  rules: { kind: AlertKind; enabled: boolean; threshold: number | null; defaultThreshold: number | null }[]
  webhook: { url: string; format: WebhookFormat; hasSecret: boolean } | null
}
