/** Typed calls per API route; the adapters of adapt.ts are applied here and nowhere else. */
import { camelRow, toPage } from './adapt'
import { api, queryString } from './client'
import type {
  CountSheet,
  CountSummary,
  Movement,
  MovementKind,
  Receipt,
  ReceiptBody,
  ReceiptSummary,
  ScanHit,
  StockRow,
  Transfer,
  TransferSummary,
  Alert,
  AlertKind,
  AlertSettings,
  Channel,
  CommissionPlan,
  CommissionRules,
  DashboardSummary,
  FindingKind,
  ImportReport,
  JournalLine,
  Labels,
  MarginSeries,
  Reconciliation,
  SettlementImport,
  SettlementLine,
  Statement,
  StatementBasis,
  WebhookFormat,
  ApiKey,
  BundleComponent,
  ExceptionCounts,
  ExceptionReason,
  OrderException,
  ReceiverPatch,
  Sku,
  SkuInput,
  AuditItem,
  Me,
  Merchant,
  OrderCounts,
  OrderDetail,
  OrderLine,
  OrderRow,
  Role,
  Shop,
  SyncHealth,
  User,
  Warehouse,
  Carrier,
  PickList,
  PickScan,
  Verification,
  Wave,
  WaveFilter,
  Writeback,
  PrintTask,
  Waybill,
  WaybillAccount,
  WaybillDefault,
  WaybillOutcome,
  WaybillProvider,
  WaybillSender,
  WaybillStatus,
} from './types'

export interface OrderQuery {
  status?: string
  channel?: string
  shopId?: string
  from?: string
  to?: string
  q?: string
  hasExceptions?: boolean
  exceptionReason?: ExceptionReason
}

export interface ExceptionQuery {
  status?: 'open' | 'resolved'
  reason?: ExceptionReason
  orderId?: string
  assigneeId?: string
}

const rows = <T>(list: unknown): T[] =>
  ((list as Record<string, unknown>[] | undefined) ?? []).map((r) => camelRow<T>(r))

export interface MovementQuery {
  skuId?: string
  warehouseId?: string
  kind?: MovementKind
  ref?: string
  from?: string
  to?: string
}

type Paged = { cursor?: string; limit?: number }
type DocQuery = Paged & { status?: string; warehouseId?: string }

export const endpoints = {
  me: () => api.get<Me>('/me'),
  login: (login: string, password: string) => api.post<Me>('/auth/login', { login, password }),
  logout: () => api.post<void>('/auth/logout'),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post<Me>('/auth/password', { currentPassword, newPassword }),
  updateMe: (patch: { locale?: 'zh-CN' | 'en' | null; name?: string }) => api.patch<Me>('/me', patch),

  merchant: () => api.get<Merchant>('/merchant'),
  updateMerchant: (patch: { name?: string; timezone?: string; locale?: 'zh-CN' | 'en' | null }) =>
    api.patch<Merchant>('/merchant', patch),

  users: async (query: { cursor?: string; limit?: number; q?: string; role?: Role } = {}) =>
    toPage<User>(await api.get('/users', query)),
  createUser: (body: {
    email?: string
    phone?: string
    name: string
    role: Role
    warehouseIds?: string[] | null
    shopIds?: string[] | null
  }) => api.post<{ user: User; oneTimePassword: string }>('/users', body),
  updateUser: (
    id: string,
    patch: Partial<Pick<User, 'email' | 'phone' | 'name' | 'role' | 'status' | 'warehouseIds' | 'shopIds'>>,
  ) => api.patch<User>(`/users/${id}`, patch),
  resetPassword: (id: string) => api.post<{ oneTimePassword: string }>(`/users/${id}/password-reset`),

  apiKeys: async () => toPage<ApiKey>(await api.get('/api-keys')),
  createApiKey: (body: { role: Role; name?: string }) =>
    api.post<{ key: ApiKey; token: string }>('/api-keys', body),
  revokeApiKey: (id: string) => api.delete<void>(`/api-keys/${id}`),

  auditLog: async (query: {
    cursor?: string
    limit?: number
    actorId?: string
    action?: string
    entityType?: string
    from?: string
    to?: string
  }) => toPage<AuditItem>(await api.get('/audit-log', query)),

  shops: async () => toPage<Shop>(await api.get('/shops')),
  shopSync: (id: string) => api.get<SyncHealth>(`/shops/${id}/sync`),
  warehouses: async () => toPage<Warehouse>(await api.get('/warehouses')),

  orders: async (query: OrderQuery & { cursor?: string; limit?: number }) =>
    toPage<OrderRow>(await api.get('/orders', { ...query }), (r) => camelRow<OrderRow>(r)),
  orderCounts: (query: OrderQuery) => api.get<OrderCounts>('/orders/counts', { ...query }),
  order: async (id: string): Promise<OrderDetail> => {
    const raw = await api.get<Record<string, unknown>>(`/orders/${id}`)
    const o = camelRow<OrderDetail>(raw)
    return {
      ...o,
      lines: ((raw.lines as Record<string, unknown>[] | undefined) ?? []).map((l) => ({
        ...camelRow<OrderLine>(l),
        skus: rows<{ code: string; quantity: number }>(l.skus),
      })),
      exceptions: rows(raw.exceptions),
      refunds: rows(raw.refunds),
      timeline: rows(raw.timeline),
      versions: rows(raw.versions),
      allocations: rows(raw.allocations),
      shipments: rows(raw.shipments),
    }
  },
  mergeOrders: (orderIds: string[]) => api.post<{ mergeGroupId: string }>('/orders/merge', { orderIds }),
  unmergeOrder: (id: string) => api.delete<void>(`/orders/${id}/merge`),
  splitOrder: (id: string, lineIds: string[]) =>
    api.post<{ shipmentGroupId: string }>(`/orders/${id}/split`, { lineIds }),
  unsplitOrder: (id: string) => api.delete<void>(`/orders/${id}/split`),
  updateReceiver: (id: string, patch: ReceiverPatch) =>
    api.patch<{ rerun: string }>(`/orders/${id}/receiver`, patch),
  rerunOrder: (id: string) => api.post<{ outcome: string }>(`/orders/${id}/rerun`),
  allocateOrder: (id: string) => api.post<{ outcome: string }>(`/orders/${id}/allocate`),
  pickVersion: (id: string, versionId: string) =>
    api.post<{ rerun: string; resolved: number }>(`/orders/${id}/pick-version`, { versionId }),

  exceptions: async (query: ExceptionQuery & { cursor?: string; limit?: number }) =>
    toPage<OrderException>(await api.get('/exceptions', { ...query })),
  exceptionCounts: (query: { assigneeId?: string } = {}) =>
    api.get<ExceptionCounts>('/exceptions/counts', { ...query }),
  assignException: (id: string, assigneeId: string | null) =>
    api.patch<OrderException>(`/exceptions/${id}`, { assigneeId }),
  resolveException: (id: string, note?: string) =>
    api.post<{ resolved: boolean; rerun: string }>(`/exceptions/${id}/resolve`, note ? { note } : {}),
  resolveExceptions: (ids: string[], note?: string) =>
    api.post<{ resolved: number; reruns: Record<string, string> }>('/exceptions/resolve', {
      ids,
      ...(note ? { note } : {}),
    }),
  mapSkus: (items: { shopId: string; platformSkuId?: string; platformItemId?: string; skuCode: string }[]) =>
    api.post<{ saved: number; rerun: number; unknownCodes: string[] }>('/sku-mappings/bulk', { items }),

  skus: async (query: { q?: string; cursor?: string; limit?: number }) =>
    toPage<Sku>(await api.get('/skus', { ...query })),
  saveSkus: (items: SkuInput[]) => api.post<{ created: number; updated: number }>('/skus/bulk', { items }),
  bundle: (id: string) => api.get<{ components: BundleComponent[] }>(`/skus/${id}/bundle`),
  saveBundle: (id: string, components: { skuCode: string; quantity: number; unitValue: string }[]) =>
    api.put<{ components: number }>(`/skus/${id}/bundle`, { components }),

  resolveScan: (code: string) => api.get<ScanHit>('/skus/resolve', { code }),
  stock: async (query: Paged & { q?: string; warehouseId?: string; low?: boolean }) =>
    toPage<StockRow>(await api.get('/stock', { ...query })),
  movements: async (query: MovementQuery & Paged) =>
    toPage<Movement>(await api.get('/stock/movements', { ...query })),
  /** The export is a plain GET the browser downloads with the session cookie. */
  movementsExportUrl: (query: MovementQuery) =>
    `/stock/movements${queryString({ ...query, format: 'xlsx' })}`,

  receipts: async (query: DocQuery) => toPage<ReceiptSummary>(await api.get('/receipts', { ...query })),
  receipt: (id: string) => api.get<Receipt>(`/receipts/${id}`),
  createReceipt: (body: ReceiptBody) => api.post<Receipt>('/receipts', body),
  updateReceipt: (id: string, body: ReceiptBody) => api.put<Receipt>(`/receipts/${id}`, body),
  postReceipt: (id: string) => api.post<{ alreadyPosted: boolean; receipt: Receipt }>(`/receipts/${id}/post`),

  counts: async (query: DocQuery) => toPage<CountSummary>(await api.get('/stock-counts', { ...query })),
  count: (id: string) => api.get<CountSheet>(`/stock-counts/${id}`),
  createCount: (body: { warehouseId: string; binFrom?: string; binTo?: string; skuIds?: string[] }) =>
    api.post<CountSheet>('/stock-counts', body),
  recordCounts: (id: string, items: { skuId: string; quantity: number; mode: 'set' | 'add' }[]) =>
    api.post<CountSheet>(`/stock-counts/${id}/counts`, { items }),
  countStep: (id: string, step: 'submit' | 'approve' | 'reject') =>
    api.post<CountSheet>(`/stock-counts/${id}/${step}`),

  transfers: async (query: DocQuery) => toPage<TransferSummary>(await api.get('/transfers', { ...query })),
  transfer: (id: string) => api.get<Transfer>(`/transfers/${id}`),
  createTransfer: (body: {
    fromWarehouseId: string
    toWarehouseId: string
    note?: string | null
    lines: { skuId: string; quantity: number }[]
  }) => api.post<Transfer>('/transfers', body),
  shipTransfer: (id: string) => api.post<Transfer>(`/transfers/${id}/ship`),
  receiveTransfer: (
    id: string,
    body: { lines: { lineNo: number; quantity: number }[]; final?: boolean; discrepancyNote?: string },
  ) => api.post<Transfer>(`/transfers/${id}/receive`, body),

  waves: async (query: { cursor?: string; limit?: number; status?: string; warehouseId?: string }) =>
    toPage<Wave>(await api.get('/waves', query)),
  previewWave: (body: WaveFilter) => api.post<{ orders: number; units: number }>('/waves/preview', body),
  createWave: (body: WaveFilter) =>
    api.post<{ waveId: string; number: number; code: string; orders: number }>('/waves', body),
  pickList: (id: string) => api.get<PickList>(`/waves/${id}/picklist`),
  pickScan: (id: string, code: string, bin?: string) =>
    api.post<PickScan>(`/waves/${id}/scans`, { code, ...(bin ? { bin } : {}) }),
  pickShort: (id: string, skuId: string, bin?: string | null) =>
    api.post<{ orders: { orderId: string; slot: number; shortage: number; reallocation: string | null }[] }>(
      `/waves/${id}/shorts`,
      { skuId, ...(bin ? { bin } : {}) },
    ),
  packLookup: (code: string) =>
    api.get<{ orderId: string; shipmentGroupId: string | null }>('/packing/lookup', { code }),
  verification: (id: string, shipmentGroupId?: string | null) =>
    api.get<Verification>(`/orders/${id}/verification`, { shipmentGroupId }),
  packScan: (id: string, code: string, shipmentGroupId?: string | null) =>
    api.post<{ skuId: string; skuCode: string; scanned: number; expected: number }>(
      `/orders/${id}/verification/scans`,
      { code, ...(shipmentGroupId ? { shipmentGroupId } : {}) },
    ),
  packReset: (id: string, shipmentGroupId?: string | null) =>
    api.post<void>(`/orders/${id}/verification/reset`, shipmentGroupId ? { shipmentGroupId } : {}),
  pack: (id: string, shipmentGroupId?: string | null) =>
    api.post<Verification>(`/orders/${id}/pack`, shipmentGroupId ? { shipmentGroupId } : {}),
  ship: (
    id: string,
    body: {
      shipmentGroupId?: string | null
      withoutWave?: { reason: string }
      parcels: ({ carrier: Carrier; trackingNumber: string } | { waybillId: string })[]
    },
  ) => api.post<{ repeated: boolean }>(`/orders/${id}/ship`, body),
  correctTracking: (
    shipmentId: string,
    body: { parcelNo?: number; carrier?: Carrier; trackingNumber: string; reason: string },
  ) => api.post<{ changed: boolean; writebacksQueued: number }>(`/shipments/${shipmentId}/tracking`, body),
  waybills: async (query: {
    orderId?: string
    waveId?: string
    status?: WaybillStatus
    cursor?: string
    limit?: number
  }) => toPage<Waybill>(await api.get('/waybills', query)),
  getWaybills: (
    body:
      | { waveId: string }
      | { parcels: { orderId: string; shipmentGroupId?: string | null; parcelNo?: number }[] },
  ) => api.post<{ parcels: WaybillOutcome[] }>('/shipments/waybills', body),
  cancelWaybill: (id: string) => api.post<Waybill>(`/waybills/${id}/cancel`),
  printTasks: (body: { waveId: string } | { waybillIds: string[]; reprint?: boolean }) =>
    api.post<{ tasks: PrintTask[] }>('/waybills/print-tasks', body),
  waybillAccounts: async (query: { cursor?: string; limit?: number } = {}) =>
    toPage<WaybillAccount>(await api.get('/waybill-accounts', query)),
  createWaybillAccount: (body: {
    provider: WaybillProvider
    name: string
    shopId?: string
    baseUrl?: string
    settings?: Record<string, unknown>
    sender?: WaybillSender
    credentials?: Record<string, string>
  }) => api.post<WaybillAccount>('/waybill-accounts', body),
  updateWaybillAccount: (
    id: string,
    body: {
      name?: string
      baseUrl?: string | null
      settings?: Record<string, unknown>
      sender?: WaybillSender
      active?: boolean
    },
  ) => api.patch<WaybillAccount>(`/waybill-accounts/${id}`, body),
  setWaybillCredentials: (id: string, body: Record<string, string>) =>
    api.put<WaybillAccount>(`/waybill-accounts/${id}/credentials`, body),
  refreshWaybillAccount: (id: string) => api.post<WaybillAccount>(`/waybill-accounts/${id}/refresh`),
  waybillDefaults: async (query: { cursor?: string; limit?: number } = {}) =>
    toPage<WaybillDefault>(await api.get('/waybill-defaults', query)),
  setWaybillDefault: (
    body: ({ shopId: string } | { warehouseId: string }) & {
      accountId: string | null
      cpCode?: string
      branchCode?: string | null
    },
  ) => api.put<void>('/waybill-defaults', body),
  writebacks: async (query: { cursor?: string; limit?: number; status?: string }) =>
    toPage<Writeback>(await api.get('/writebacks', query)),
  retryWriteback: (id: string) => api.post<{ queued: boolean }>(`/writebacks/${id}/retry`),

  statement: (q: {
    from: string
    to: string
    channel?: Channel | undefined
    shopId?: string | undefined
    by?: 'total' | 'sku' | 'order'
    basis?: StatementBasis
    cursor?: string | undefined
    limit?: number
  }) => api.get<Statement>('/statements', q),
  journalLines: async (q: {
    from: string
    to: string
    channel?: Channel | undefined
    shopId?: string | undefined
    orderId?: string | undefined
    skuId?: string | undefined
    account?: string | undefined
    cursor?: string | undefined
    limit?: number
  }) => toPage<JournalLine>(await api.get('/ledger/journal-lines', q)),
  labels: (q: { skuIds?: string[]; orderIds?: string[] }) =>
    api.get<Labels>('/ledger/labels', {
      skuIds: q.skuIds?.length ? q.skuIds.join(',') : undefined,
      orderIds: q.orderIds?.length ? q.orderIds.join(',') : undefined,
    }),
  settlementImports: async (q: {
    shopId?: string | undefined
    cursor?: string | undefined
    limit?: number
  }) => toPage<SettlementImport>(await api.get('/settlements/imports', q)),
  settlementLines: async (q: {
    shopId?: string | undefined
    orderExternalId?: string | undefined
    importId?: string | undefined
    cursor?: string | undefined
    limit?: number
  }) => toPage<SettlementLine>(await api.get('/settlements/lines', q)),
  importSettlement: (shopId: string, file: File) =>
    api.upload<ImportReport>('/settlements/import', file, 'application/octet-stream', {
      shopId,
      filename: file.name,
    }),
  reconciliation: (q: {
    from: string
    to: string
    shopId?: string | undefined
    channel?: Channel | undefined
    kind?: FindingKind | undefined
    cursor?: string | undefined
    limit?: number
  }) => api.get<Reconciliation>('/reconciliation', q),
  commissionPlans: async (shopId: string) =>
    toPage<CommissionPlan>(await api.get(`/shops/${shopId}/commission-plans`, { limit: 500 })),
  createCommissionPlan: (
    shopId: string,
    body: { name: string; effectiveFrom: string; effectiveTo: string | null; rules: CommissionRules },
  ) => api.post<{ id: string }>(`/shops/${shopId}/commission-plans`, body),

  dashboard: () => api.get<DashboardSummary>('/dashboard/summary'),
  margin: (from: string, to: string) =>
    api.get<MarginSeries>('/dashboard/margin', { from, to, basis: 'base' }),
  alerts: async (q: { status?: 'open' | 'cleared'; kind?: AlertKind; cursor?: string; limit?: number }) =>
    toPage<Alert>(await api.get('/alerts', q)),
  alertCount: () => api.get<{ total: number; byKind: Record<string, number> }>('/alerts/open-count'),
  scanAlerts: () => api.post<{ opened: number; cleared: number; open: number }>('/alerts/scan'),
  alertSettings: () => api.get<AlertSettings>('/alert-rules'),
  saveAlertSettings: (body: {
    rules: { kind: AlertKind; enabled: boolean; threshold: number | null }[]
    webhook: { url?: string; format: WebhookFormat; secret?: string | null } | null
  }) => api.put<AlertSettings>('/alert-rules', body),
}
