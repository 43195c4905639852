/**
 * The shop, catalogue and stock-rule screens' calls and shapes (kept beside endpoints.ts so the
 * other areas' screens can grow there without touching these).
 */
import { toPage } from './adapt'
import { api, queryString } from './client'
import type { Channel, Shop } from './types'

/** A JSON Schema node as GET /channels publishes it (TypeBox output). */
export interface SchemaNode {
  type?: string
  title?: string
  description?: string
  format?: string
  enum?: (string | number)[]
  default?: unknown
  minimum?: number
  maximum?: number
  maxLength?: number
  pattern?: string
  anyOf?: SchemaNode[]
  properties?: Record<string, SchemaNode>
  required?: string[]
}

export interface ChannelInfo {
  channel: Channel
  oauth: boolean
  settingsSchema: SchemaNode
  channelSettings: string[]
  credentials: { name: string; required: boolean; secret: boolean }[]
}

export interface ShopDetail extends Shop {
  settings: Record<string, unknown>
}

export interface ShopLink {
  oauth: boolean
  hasCredentials: boolean
  linked: boolean
  waitingForCallback: boolean
  tokenExpiresAt: string | null
  refreshExpiresAt: string | null
}

export const LISTING_STATES = ['conflict', 'unmapped', 'mapped', 'deleted'] as const
export type ListingState = (typeof LISTING_STATES)[number]

export interface ListingSku {
  id: string
  shopId: string
  platformItemId: string
  platformSkuKey: string
  platformSkuId: string | null
  title: string
  specText: string | null
  code: string | null
  barcode: string | null
  price: string | null
  currency: string | null
  platformQuantity: number | null
  status: string
  state: ListingState
  issue: string | null
  matchMethod: string | null
  mapping: {
    id: string
    skuId: string
    skuCode: string
    skuName: string
    source: string
    updatedAt: string
  } | null
  suggested: { skuId: string; skuCode: string; skuName: string } | null
  duplicates: {
    id: string
    platformItemId: string
    platformSkuKey: string
    title: string
    specText: string | null
  }[]
}

export interface CatalogueSummary {
  shopId: string
  supported: boolean
  lastPull: {
    id: string
    reason: 'link' | 'manual' | 'schedule'
    status: 'running' | 'done' | 'failed' | 'unsupported'
    startedAt: string
    finishedAt: string | null
    listings: number
    skus: number
    linked: number
    error: string | null
  } | null
  listings: number
  skus: { total: number; mapped: number; unmapped: number; conflict: number; deleted: number }
}

export interface SkuOption {
  id: string
  code: string
  name: string
}

export interface ImportReport {
  dryRun: boolean
  rows: number
  saved: number
  unchanged: number
  skipped: number
  rejected: { row: number; platformSkuKey: string; merchantSkuCode: string; reason: string }[]
}

export interface StockSyncRule {
  ratio?: number | string
  safetyStock?: number
  virtualStock?: number
  fixed?: number
}

export interface StockSync {
  enabled: boolean
  ratio: number | string
  safetyStock: number
  virtualStock: number
  overrides: Record<string, StockSyncRule>
}

export interface PreviewItem {
  skuId: string
  skuCode: string
  skuName: string
  platformSkuKey: string
  platformSkuId: string | null
  locationId: string
  available: number
  rule: 'shop' | 'sku'
  savedQuantity: number
  quantity: number
  pushes: boolean
  lastPush: {
    quantity: number | null
    ok: boolean | null
    pushedAt: string | null
    error: string | null
  } | null
}

export interface PushLogItem {
  id: string
  platformSkuKey: string
  locationId: string
  quantity: number
  ok: boolean
  kind: string | null
  error: string | null
  pushedAt: string
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export const shopApi = {
  channels: async () => (await api.get<{ items: ChannelInfo[] }>('/channels')).items,
  shop: (id: string) => api.get<ShopDetail>(`/shops/${id}`),
  createShop: (body: {
    channel: Channel
    name: string
    settings: Record<string, unknown>
    credentials: Record<string, string>
  }) => api.post<ShopDetail>('/shops', body),
  authorize: (id: string) =>
    api.post<{ authorizeUrl: string; expiresInSeconds: number }>(`/shops/${id}/oauth/authorize`),
  link: async (id: string) => (await api.get<{ link: ShopLink }>(`/shops/${id}/sync`)).link,
  pullNow: (id: string) => api.post<{ queued: string }>(`/shops/${id}/sync`, {}),
  setEnabled: (id: string, enabled: boolean) =>
    api.post<ShopDetail>(`/shops/${id}/${enabled ? 'enable' : 'disable'}`),
  updateSettings: (id: string, settings: Record<string, unknown>) =>
    api.patch<ShopDetail>(`/shops/${id}`, { settings }),

  catalogue: (id: string) => api.get<CatalogueSummary>(`/shops/${id}/catalogue`),
  pullCatalogue: (id: string) => api.post<{ queued: string }>(`/shops/${id}/catalogue/pull`),
  listings: async (
    id: string,
    query: { state?: ListingState; q?: string; cursor?: string; limit?: number },
  ) => toPage<ListingSku>(await api.get(`/shops/${id}/listings`, query)),
  mapListing: (id: string, skuId: string) => api.put<ListingSku>(`/listings/${id}/mapping`, { skuId }),
  unmapListing: (id: string) => api.delete<void>(`/listings/${id}/mapping`),
  skus: async (q: string) => toPage<SkuOption>(await api.get('/skus', { q, limit: 20 })),
  exportUrl: (shopId: string) => `/sku-mappings/export${queryString({ shopId, format: 'xlsx' })}`,
  importMappings: (file: File, dryRun: boolean) =>
    api.upload<ImportReport>(
      `/sku-mappings/import${queryString({ dryRun: dryRun ? 'true' : undefined })}`,
      file,
      XLSX,
    ),

  preview: async (
    id: string,
    stockSync: Record<string, unknown> | undefined,
    query: { q?: string; cursor?: string; limit?: number },
  ) =>
    toPage<PreviewItem>(
      await api.post(`/shops/${id}/stock-rules/preview${queryString(query)}`, stockSync ? { stockSync } : {}),
    ),
  pushLog: async (id: string, query: { platformSkuKey?: string; cursor?: string; limit?: number }) =>
    toPage<PushLogItem>(await api.get(`/shops/${id}/stock-pushes`, query)),
}
