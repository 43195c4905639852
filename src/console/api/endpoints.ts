/** Typed calls per API route; the adapters of adapt.ts are applied here and nowhere else. */
import { camelRow, toPage } from './adapt'
import { api } from './client'
import type {
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
  WebhookFormat,
  ApiKey,
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
} from './types'

export interface OrderQuery {
  status?: string
  channel?: string
  shopId?: string
  from?: string
  to?: string
  q?: string
  hasExceptions?: boolean
}

const rows = <T>(list: unknown): T[] =>
  ((list as Record<string, unknown>[] | undefined) ?? []).map((r) => camelRow<T>(r))

export const endpoints = {
  me: () => api.get<Me>('/me'),
  login: (login: string, password: string) => api.post<Me>('/auth/login', { login, password }),
  logout: () => api.post<void>('/auth/logout'),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post<Me>('/auth/password', { currentPassword, newPassword }),
  updateMe: (patch: { locale?: 'zh-CN' | 'en' | null; name?: string }) => api.patch<Me>('/me', patch),

  merchant: () => api.get<Merchant>('/merchant'),
  updateMerchant: (patch: { name?: string; timezone?: string }) => api.patch<Merchant>('/merchant', patch),

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
    }
  },

  statement: (q: {
    from: string
    to: string
    channel?: Channel | undefined
    shopId?: string | undefined
    by?: 'total' | 'sku' | 'order'
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
    api.upload<ImportReport>('/settlements/import', { shopId, filename: file.name }, file),
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
  margin: (from: string, to: string) => api.get<MarginSeries>('/dashboard/margin', { from, to }),
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
