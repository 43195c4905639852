/**
 * The books screens' calls and shapes (rates, journal and trial balance, chart of accounts, period
 * close), kept beside endpoints.ts so the other finance screens grow there without touching these.
 */
import { toPage } from './adapt'
import { api, queryString } from './client'

export interface Rate {
  source: string
  rateDate: string
  baseCcy: string
  quoteCcy: string
  unit: number
  quoted: string
  rate: string
}

export interface RateImportReport {
  batchId: string
  rates: number
  released: number
  stillHeld: number
}

export interface LedgerSettings {
  baseCurrency: string
  rateSources: string[]
  maxStalenessDays: number
  revaluation: 'month_end' | 'none'
  providers: { ecb: string; cfets: string }
}

export interface HeldEntry {
  postingKey: string
  kind: string
  orderId: string | null
  shopId: string | null
  channel: string | null
  eventAt: string
  currency: string
  rateDate: string
  reason: string
}

export interface AccountInfo {
  code: string
  name: string
  externalCode: string
  type: string
}

export interface EntryLine {
  lineId: string
  account: AccountInfo
  currency: string
  debit: string
  credit: string
  rate: string | null
  rateDate: string | null
  rateSource: string | null
  rateOrigin: string | null
  baseDebit: string
  baseCredit: string
  skuCode: string | null
  skuName: string | null
}

export interface Entry {
  entryId: string
  at: string
  kind: string
  postingKey: string
  orderExternalId: string | null
  shopName: string | null
  channel: string | null
  currency: string
  baseDebit: string
  baseCredit: string
  lines: EntryLine[]
}

export interface EntriesPage {
  period: string
  baseCurrency: string
  kinds: { kind: string; count: number }[]
  items: Entry[]
  next: string | null
}

export interface TrialBalanceAmounts {
  openingDebit: string
  openingCredit: string
  periodDebit: string
  periodCredit: string
  closingDebit: string
  closingCredit: string
}

export interface TrialBalance {
  period: string
  baseCurrency: string
  rows: (TrialBalanceAmounts & { account: AccountInfo })[]
  totals: TrialBalanceAmounts
}

export interface ChartAccount {
  code: string
  name: string
  defaultName: string
  customName: string | null
  type: string
  externalCode: string | null
  perShop: boolean
}

export type MonthState = 'current' | 'open' | 'closed'

export interface Month {
  period: string
  state: MonthState
  baseDebit: string
  baseCredit: string
  held: number
  closedAt: string | null
  closedBy: string | null
  lastReopen: { at: string; by: string | null; reason: string } | null
}

export type ChecklistCode = 'held_entries' | 'missing_rates' | 'open_exceptions' | 'unsettled_past_due'

export interface Checklist {
  period: string
  items: { code: ChecklistCode; count: number; blocking: boolean; detail: string[] }[]
  revaluation: {
    account: string
    currency: string
    balance: string
    bookValue: string
    closingRate: string
    revalued: string
    adjustment: string
  }[]
}

export type Lang = 'zh-CN' | 'en'
export type VoucherSystem = 'kingdee' | 'yonyou' | 'generic'

export const ledger = {
  rates: async (q: {
    currency?: string | undefined
    source?: string | undefined
    cursor?: string
    limit?: number
  }) => toPage<Rate>(await api.get('/ledger/rates', q)),
  importRates: (file: File) => {
    const xlsx = /\.xlsx$/i.test(file.name)
    return api.upload<RateImportReport>(
      '/ledger/rates/import',
      file,
      xlsx ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv',
    )
  },
  pullRates: (source: 'ECB' | 'CFETS') => api.post<RateImportReport>('/ledger/rates/pull', { source }),
  settings: () => api.get<LedgerSettings>('/ledger/settings'),
  saveSettings: (body: Omit<LedgerSettings, 'baseCurrency'>) => api.put<void>('/ledger/settings', body),
  held: async (q: { cursor?: string; limit?: number }) => toPage<HeldEntry>(await api.get('/ledger/held', q)),

  entries: (q: {
    period: string
    kind?: string | undefined
    shopId?: string | undefined
    account?: string | undefined
    currency?: string | undefined
    order?: string | undefined
    lang?: Lang
    cursor?: string | undefined
    limit?: number
  }) => api.get<EntriesPage>('/ledger/entries', q),
  trialBalance: (period: string, lang: Lang) =>
    api.get<TrialBalance>('/ledger/trial-balance', { period, lang }),
  accounts: (lang: Lang) => api.get<{ items: ChartAccount[] }>('/ledger/chart', { lang }),
  saveAccount: (code: string, body: { name: string; externalCode: string | null }) =>
    api.put<void>(`/ledger/accounts/${encodeURIComponent(code)}`, body),

  months: () => api.get<{ current: string; baseCurrency: string; items: Month[] }>('/ledger/months'),
  checklist: (period: string) => api.get<Checklist>(`/ledger/periods/${period}/checklist`),
  close: (period: string, acknowledge: boolean) =>
    api.post<{ period: string; closedAt: string }>(
      `/ledger/periods/${period}/close${acknowledge ? '?acknowledge=true' : ''}`,
    ),
  reopen: (period: string, reason: string) =>
    api.post<{ period: string; reopened: boolean }>(`/ledger/periods/${period}/reopen`, { reason }),
}

/** Links to the files (same origin, the session cookie): the browser downloads them. */
export const ledgerFiles = {
  journal: (period: string, format: 'csv' | 'xlsx', lang: Lang) =>
    `/ledger/journal${queryString({ period, format, lang })}`,
  trialBalance: (period: string, format: 'csv' | 'xlsx', lang: Lang) =>
    `/ledger/trial-balance${queryString({ period, format, lang })}`,
  vouchers: (period: string, system: VoucherSystem, format: 'csv' | 'xlsx') =>
    `/ledger/vouchers${queryString({ period, system, format })}`,
}
