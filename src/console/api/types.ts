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
  /** The language alerts to group robots are written in; null: the time zone's default. */
  locale?: 'zh-CN' | 'en' | null
  alertLocale?: 'zh-CN' | 'en'
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
  mergeGroupId?: string | null
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
  skus: { skuId?: string; code: string; quantity: number; revenueShare?: string }[]
  externalLineId?: string
  platformItemId?: string | null
  goodsAmount?: string
  platformDiscount?: string
  merchantDiscount?: string
  shippingShare?: string
  skuId?: string | null
  isBundle?: boolean
  shipmentGroupId?: string | null
}

export const EXCEPTION_REASONS = [
  'sku_unmapped',
  'no_stock',
  'address_unusable',
  'buyer_note',
  'conflicting_update',
  'mapping_failed',
  'invalid_transition',
  'pick_shortage',
  'refund_unknown_order',
] as const
export type ExceptionReason = (typeof EXCEPTION_REASONS)[number]

export interface OrderException {
  id: string
  shopId: string | null
  orderId: string | null
  orderExternalId: string | null
  rawInboxId: string | null
  reason: ExceptionReason
  detail: Record<string, unknown>
  status: 'open' | 'resolved'
  assigneeId: string | null
  createdAt: string
  resolvedAt: string | null
  resolvedBy: string | null
  resolution: string | null
}

export interface ExceptionCounts {
  open: number
  byReason: { reason: ExceptionReason; open: number; oldestAt: string }[]
}

export interface OrderVersion {
  id: string
  source: string
  platformUpdatedAt: string
  receivedAt: string
  contentHash: string
  outcome: string | null
  error: string | null
  payload: string
}

export interface OrderAllocation {
  id: string
  warehouseId: string
  warehouseCode: string
  warehouseName: string
  skuId: string
  skuCode: string
  skuName: string
  quantity: number
  status: 'open' | 'released' | 'shipped'
  createdAt: string
}

export interface OrderShipment {
  id: string
  shipmentGroupId: string
  warehouseId: string
  warehouseName: string
  shippedAt: string
  parcels: {
    carrier: string
    carrierName: string | null
    trackingNumber: string
    lineExternalIds: string[]
  }[]
  writeback: 'pending' | 'done' | 'failed' | null
}

export type ReceiverPatch = Partial<
  Record<'name' | 'phone' | 'province' | 'city' | 'district' | 'address' | 'postcode', string | null>
>

export interface Sku {
  id: string
  code: string
  name: string
  barcode: string | null
  category: string | null
  unit: string
  weightG: number | null
  active: boolean
  isBundle: boolean
  createdAt: string
  updatedAt: string
}

export interface SkuInput {
  code: string
  name: string
  barcode?: string | null
  category?: string | null
  unit?: string
  weightG?: number | null
  active?: boolean
}

export interface BundleComponent {
  skuId: string
  skuCode: string
  skuName: string
  quantity: number
  unitValue: string
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
  exceptions: OrderException[]
  versions: OrderVersion[]
  currentVersionId?: string | null
  allocations: OrderAllocation[]
  shipments: OrderShipment[]
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

// ───────────── stock ─────────────

export interface Sku {
  id: string
  code: string
  name: string
  barcodes: { code: string; kind: 'ean13' | 'code128' | 'platform' }[]
}

export interface ScanHit {
  sku: Sku
  matchedBy: 'sku_code' | 'ean13' | 'code128' | 'platform'
  barcode: string | null
}

export interface StockRow {
  warehouseId: string
  warehouseCode: string
  warehouseName: string
  skuId: string
  skuCode: string
  skuName: string
  onHand: number
  reserved: number
  available: number
  inTransit: number
  bin: string | null
  avgCost: string | null
  currency: string | null
  threshold: number | null
  low: boolean
  daysOfCover: number | null
  updatedAt: string
}

export const MOVEMENT_KINDS = [
  'receipt',
  'adjustment',
  'shipment',
  'return',
  'transfer_out',
  'transfer_in',
] as const
export type MovementKind = (typeof MOVEMENT_KINDS)[number]

export interface Movement {
  id: string
  at: string
  warehouseId: string
  warehouseCode: string
  warehouseName: string
  skuId: string
  skuCode: string
  skuName: string
  kind: MovementKind
  quantity: number
  unitCost: string | null
  currency: string | null
  reason: string | null
  refType: string | null
  refId: string | null
  actorId: string | null
  actorName: string | null
}

export type ReceiptStatus = 'draft' | 'posted'
export interface ReceiptSummary {
  id: string
  number: string
  status: ReceiptStatus
  warehouseId: string
  warehouseName: string
  currency: string
  supplierRef: string | null
  lineCount: number
  units: number
  total: string
  createdAt: string
  postedAt: string | null
}
export interface ReceiptLine {
  lineNo: number
  skuId: string
  skuCode: string
  skuName: string
  quantity: number
  unitCost: string
  amount: string
  bin: string | null
  onHandBefore: number | null
  avgCostBefore: string | null
  avgCostAfter: string | null
}
export interface Receipt extends Omit<ReceiptSummary, 'lineCount' | 'units'> {
  note: string | null
  createdBy: string | null
  postedBy: string | null
  lines: ReceiptLine[]
}
export interface ReceiptBody {
  warehouseId: string
  currency: string
  supplierRef?: string | null
  note?: string | null
  lines: { skuId: string; quantity: number; unitCost: string; bin?: string | null }[]
}

export type CountStatus = 'counting' | 'submitted' | 'approved' | 'cancelled'
export interface CountSummary {
  id: string
  number: string
  status: CountStatus
  warehouseId: string
  warehouseName: string
  binFrom: string | null
  binTo: string | null
  lineCount: number
  countedCount: number
  createdAt: string
  submittedAt: string | null
  decidedAt: string | null
}
export interface CountSheet extends Omit<CountSummary, 'lineCount' | 'countedCount'> {
  note: string | null
  createdBy: string | null
  submittedBy: string | null
  decidedBy: string | null
  blind: boolean
  lines: {
    skuId: string
    skuCode: string
    skuName: string
    bin: string | null
    expected: number | null
    counted: number | null
    variance: number | null
    countedBy: string | null
  }[]
}

export type TransferStatus = 'draft' | 'in_transit' | 'received' | 'cancelled'
export interface TransferSummary {
  id: string
  number: string
  status: TransferStatus
  fromWarehouseId: string
  fromWarehouseName: string
  toWarehouseId: string
  toWarehouseName: string
  units: number
  receivedUnits: number
  createdAt: string
  shippedAt: string | null
  receivedAt: string | null
}
export interface Transfer extends Omit<TransferSummary, 'units' | 'receivedUnits'> {
  note: string | null
  discrepancyNote: string | null
  createdBy: string | null
  shippedBy: string | null
  receivedBy: string | null
  lines: {
    lineNo: number
    skuId: string
    skuCode: string
    skuName: string
    quantity: number
    received: number
    inTransit: number
    discrepancy: number
  }[]
}

export const WAVE_STAGES = ['to_pick', 'picking', 'picked', 'shipped', 'cancelled'] as const
export type WaveStage = (typeof WAVE_STAGES)[number]

export interface Wave {
  id: string
  number: number | null
  code: string
  warehouseId: string
  warehouseCode: string
  warehouseName: string
  status: 'open' | 'closed' | 'cancelled'
  stage: WaveStage
  createdAt: string
  createdBy: string | null
  closedAt: string | null
  orders: number
  heldOrders: number
  shippedOrders: number
  units: number
  pickedUnits: number
  filters: Record<string, unknown>
}

export interface WaveFilter {
  warehouseId: string
  channel?: Channel
  shopId?: string
  singleItemOnly?: boolean
  paidBefore?: string
  maxOrders?: number
}

export interface PickSlot {
  slot: number
  orderId: string
  shipmentGroupId: string | null
  allocationIds: string[]
  orderLabel: string
  channel: string
  quantity: number
  picked: number
  onHold: boolean
}

export interface PickItem {
  seq: number
  bin: string | null
  skuId: string
  skuCode: string
  skuName: string
  barcode: string | null
  totalQuantity: number
  picked: number
  slots: PickSlot[]
}

export interface LegendRow {
  slot: number
  slotCode: string
  orderId: string
  shipmentGroupId: string | null
  externalId: string
  channel: Channel
  shopName: string
  buyerNick: string | null
  onHold: boolean
}

export interface PickList {
  waveId: string
  number: number | null
  code: string
  status: string
  warehouseId: string
  warehouseCode: string
  warehouseName: string
  createdAt: string
  orderCount: number
  unitCount: number
  heldOrders: number
  items: PickItem[]
  legend: LegendRow[]
}

export interface PickScan {
  skuId: string
  skuCode: string
  skuName: string
  bin: string | null
  slot: number
  orderId: string
  slotPicked: number
  slotQuantity: number
  itemPicked: number
  itemQuantity: number
}

export interface Parcel {
  carrier: string
  carrierName: string | null
  trackingNumber: string
  lineExternalIds: string[]
}

export interface Verification {
  orderId: string
  shipmentGroupId: string | null
  status: 'verifying' | 'packed' | 'shipped'
  blocked: 'on_hold' | 'cancelled' | 'refunded' | 'not_allocated' | null
  complete: boolean
  order: {
    externalId: string
    channel: Channel
    shopName: string
    status: OrderStatus
    buyerNick: string | null
    buyerNote: string | null
    sellerNote: string | null
    paidAt: string | null
  }
  wave: { id: string; code: string; slot: number; slotCode: string; status: string } | null
  lines: {
    skuId: string
    skuCode: string
    skuName: string
    barcode: string | null
    bin: string | null
    expected: number
    scanned: number
  }[]
  packedAt: string | null
  shipments: { id: string; shippedAt: string; parcels: Parcel[] }[]
}

export const CARRIERS = [
  'SF',
  'ZTO',
  'YTO',
  'YUNDA',
  'STO',
  'JT',
  'EMS',
  'JD',
  'DBL',
  'UPS',
  'FEDEX',
  'DHL',
  'USPS',
  'OTHER',
] as const
export type Carrier = (typeof CARRIERS)[number]

export interface Writeback {
  id: string
  shipmentId: string
  orderId: string
  shopId: string
  parcelNo: number
  status: 'pending' | 'done' | 'failed'
  attempts: number
  lastError: string | null
  note: string | null
  updatedAt: string
  doneAt: string | null
  orderExternalId: string
  channel: Channel
  shopName: string
  carrier: string | null
  trackingNumber: string | null
  shippedAt: string | null
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
  basis: StatementBasis
  baseCurrency: string
  /** Entries of the period waiting for an exchange rate: not in the figures yet. */
  held: { entries: number; byCurrency: { currency: string; entries: number }[] }
  items: StatementRow[]
  next: string | null
}

/** transaction: a row per currency as transacted; base: all converted to the base currency. */
export type StatementBasis = 'transaction' | 'base'

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
  'rate_pull_failed',
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

/** E-waybills (电子面单): the providers, a parcel's waybill, a wave's outcome per parcel, print tasks. */
export const WAYBILL_PROVIDERS = ['cainiao', 'pdd', 'douyin', 'jd', 'sf', 'easypost'] as const
export type WaybillProvider = (typeof WAYBILL_PROVIDERS)[number]
export type WaybillStatus = 'requested' | 'issued' | 'printed' | 'shipped' | 'cancelled' | 'failed'
export type PrintComponentKind = 'cainiao' | 'pdd' | 'douyin' | 'jd'

export interface Waybill {
  id: string
  orderId: string
  shipmentGroupId: string | null
  parcelNo: number
  accountId: string
  provider: WaybillProvider
  status: WaybillStatus
  cpCode: string
  realCpCode: string | null
  carrier: Carrier
  branchCode: string | null
  waybillCode: string | null
  parentWaybillCode: string | null
  printKind: 'component' | 'label' | null
  printCount: number
  printedAt: string | null
  errorCode: string | null
  errorMessage: string | null
  shipmentId: string | null
  issuedAt: string | null
  cancelledAt: string | null
  createdAt: string
  updatedAt: string
}

export interface WaybillOutcome {
  orderId: string
  shipmentGroupId: string | null
  parcelNo: number
  result: 'issued' | 'existing' | 'failed' | 'in_progress'
  waybillId: string | null
  waybillCode: string | null
  carrier: Carrier | null
  cpCode: string | null
  errorCode: string | null
  message: string | null
}

export interface PrintTask {
  waybillId: string
  waybillCode: string
  kind: 'component' | 'label'
  component?: PrintComponentKind
  componentUrl?: string
  message?: Record<string, unknown>
  labelUrl?: string
}

export interface WaybillAddress {
  country?: string | null
  province: string
  city: string
  district: string
  town?: string | null
  detail: string
  postcode?: string | null
}

export interface WaybillSender {
  name: string
  mobile: string
  phone?: string | null
  company?: string | null
  address: WaybillAddress
  addressId?: string | null
}

export interface WaybillAccount {
  id: string
  provider: WaybillProvider
  name: string
  shopId: string | null
  baseUrl: string | null
  settings: Record<string, unknown>
  sender: WaybillSender | null
  hasCredentials: boolean
  subscriptions: {
    cpCode: string
    /** The hub's carrier for cpCode (OTHER when none). */
    carrier: Carrier
    cpType: number | null
    branches: {
      branchCode: string
      branchName: string
      quantity: number | null
      allocated: number | null
      cancelled: number | null
      addresses: WaybillAddress[]
    }[]
  }[]
  checkedAt: string | null
  checkError: string | null
  active: boolean
  createdAt: string
  updatedAt: string
}

export interface WaybillDefault {
  scope: 'shop' | 'warehouse' | 'order'
  scopeId: string
  accountId: string
  cpCode: string
  branchCode: string | null
  updatedAt: string
}
