/**
 * Who may call each route: the one table. Route registration takes each route's access from here
 * (src/api/auth.ts refuses to start with a route missing from it) and the README's role matrix is
 * rendered from it (test/unit/api/roles.test.ts holds the README to it).
 */
import type { Role } from '../db/schema.js'

const ALL = ['admin', 'warehouse', 'accountant'] as const satisfies readonly Role[]
const ADMIN = ['admin'] as const satisfies readonly Role[]
const STAFF = ['admin', 'warehouse'] as const satisfies readonly Role[]
const FINANCE = ['admin', 'accountant'] as const satisfies readonly Role[]

/**
 * The roles whose API keys open a route, or, for routes no key opens: `platform` (a marketplace
 * calling back, checked by its signature or a single-use state), `anyone` (health), `ops`
 * (operators, with OPS_TOKEN when the API listens beyond loopback).
 */
export type Access = readonly Role[] | 'platform' | 'anyone' | 'ops'

export const AREAS = [
  'system',
  'merchant',
  'shops',
  'catalogue',
  'warehouses',
  'order pool',
  'inventory',
  'fulfillment',
  'waybills',
  'ledger',
  'dashboard',
  'platforms',
] as const
export type Area = (typeof AREAS)[number]

export const ROUTES = {
  'GET /healthz': ['system', 'anyone'],
  'GET /metrics': ['system', 'ops'],
  'GET /docs': ['system', 'ops'],
  'GET /': ['system', 'anyone'],
  'GET /app/*': ['system', 'anyone'],

  'GET /me': ['merchant', ALL],
  'PATCH /me': ['merchant', ALL],
  'POST /auth/login': ['merchant', 'anyone'],
  'POST /auth/logout': ['merchant', ALL],
  'POST /auth/password': ['merchant', ALL],
  'GET /merchant': ['merchant', ALL],
  'PATCH /merchant': ['merchant', ADMIN],
  'GET /users': ['merchant', ADMIN],
  'GET /users/:id': ['merchant', ADMIN],
  'POST /users': ['merchant', ADMIN],
  'PATCH /users/:id': ['merchant', ADMIN],
  'POST /users/:id/password-reset': ['merchant', ADMIN],
  'GET /audit-log': ['merchant', ADMIN],
  'GET /api-keys': ['merchant', ADMIN],
  'POST /api-keys': ['merchant', ADMIN],
  'DELETE /api-keys/:id': ['merchant', ADMIN],

  'GET /channels': ['shops', ALL],
  'GET /shops': ['shops', ALL],
  'GET /shops/:id': ['shops', ALL],
  'GET /shops/:id/sync': ['shops', ALL],
  'POST /shops': ['shops', ADMIN],
  'PATCH /shops/:id': ['shops', ADMIN],
  'PUT /shops/:id/credentials': ['shops', ADMIN],
  'POST /shops/:id/disable': ['shops', ADMIN],
  'POST /shops/:id/enable': ['shops', ADMIN],
  'POST /shops/:id/sync': ['shops', ADMIN],
  'POST /shops/:id/oauth/authorize': ['shops', ADMIN],

  'GET /skus': ['catalogue', ALL],
  'GET /skus/:id': ['catalogue', ALL],
  'GET /skus/:id/bundle': ['catalogue', ALL],
  'GET /skus/resolve': ['catalogue', ALL],
  'PUT /skus/:id/barcodes': ['catalogue', STAFF],
  'GET /sku-mappings': ['catalogue', ALL],
  'POST /skus/bulk': ['catalogue', ADMIN],
  'PUT /skus/:id/bundle': ['catalogue', ADMIN],
  'POST /sku-mappings/bulk': ['catalogue', ADMIN],
  'POST /sku-mappings/auto': ['catalogue', ADMIN],
  'DELETE /sku-mappings/:id': ['catalogue', ADMIN],
  'GET /shops/:id/listings': ['catalogue', ALL],
  'GET /listings/:id': ['catalogue', ALL],
  'GET /shops/:id/catalogue': ['catalogue', ALL],
  'POST /shops/:id/catalogue/pull': ['catalogue', ADMIN],
  'PUT /listings/:id/mapping': ['catalogue', ADMIN],
  'DELETE /listings/:id/mapping': ['catalogue', ADMIN],
  'GET /sku-mappings/export': ['catalogue', ALL],
  'POST /sku-mappings/import': ['catalogue', ADMIN],

  'GET /warehouses': ['warehouses', ALL],
  'GET /warehouses/:id': ['warehouses', ALL],
  'POST /warehouses': ['warehouses', ADMIN],
  'PATCH /warehouses/:id': ['warehouses', ADMIN],
  'DELETE /warehouses/:id': ['warehouses', ADMIN],

  'GET /orders': ['order pool', ALL],
  'GET /orders/:id': ['order pool', ALL],
  'GET /orders/counts': ['order pool', ALL],
  'GET /exceptions': ['order pool', ALL],
  'PATCH /orders/:id/receiver': ['order pool', ADMIN],
  'POST /orders/:id/rerun': ['order pool', ADMIN],
  'POST /exceptions/:id/resolve': ['order pool', ADMIN],
  'GET /exceptions/counts': ['order pool', ALL],
  'PATCH /exceptions/:id': ['order pool', ADMIN],
  'POST /exceptions/resolve': ['order pool', ADMIN],
  'POST /orders/:id/pick-version': ['order pool', ADMIN],
  'POST /orders/merge': ['order pool', STAFF],
  'DELETE /orders/:id/merge': ['order pool', STAFF],
  'POST /orders/:id/split': ['order pool', STAFF],
  'DELETE /orders/:id/split': ['order pool', STAFF],

  'GET /stock': ['inventory', ALL],
  'GET /stock/pushes': ['inventory', ALL],
  'GET /stock/low': ['inventory', ALL],
  'POST /stock/receipts': ['inventory', STAFF],
  'POST /stock/stocktakes': ['inventory', STAFF],
  'POST /stock/transfers': ['inventory', STAFF],
  'POST /stock/returns': ['inventory', STAFF],
  'PUT /stock/bins': ['inventory', STAFF],
  'PUT /stock/thresholds': ['inventory', STAFF],
  'POST /orders/:id/allocate': ['inventory', STAFF],
  'POST /shops/:id/stock-push': ['inventory', STAFF],
  'POST /shops/:id/stock-rules/preview': ['inventory', ADMIN],
  'GET /shops/:id/stock-pushes': ['inventory', ALL],
  'GET /stock/movements': ['inventory', ALL],
  'GET /receipts': ['inventory', STAFF],
  'GET /receipts/:id': ['inventory', STAFF],
  'POST /receipts': ['inventory', STAFF],
  'PUT /receipts/:id': ['inventory', STAFF],
  'POST /receipts/:id/post': ['inventory', STAFF],
  'GET /stock-counts': ['inventory', STAFF],
  'GET /stock-counts/:id': ['inventory', STAFF],
  'POST /stock-counts': ['inventory', STAFF],
  'POST /stock-counts/:id/counts': ['inventory', STAFF],
  'POST /stock-counts/:id/submit': ['inventory', STAFF],
  'POST /stock-counts/:id/approve': ['inventory', STAFF],
  'POST /stock-counts/:id/reject': ['inventory', STAFF],
  'GET /transfers': ['inventory', STAFF],
  'GET /transfers/:id': ['inventory', STAFF],
  'POST /transfers': ['inventory', STAFF],
  'POST /transfers/:id/ship': ['inventory', STAFF],
  'POST /transfers/:id/receive': ['inventory', STAFF],

  'GET /waves': ['fulfillment', STAFF],
  'POST /waves': ['fulfillment', STAFF],
  'POST /waves/preview': ['fulfillment', STAFF],
  'GET /waves/:id/picklist': ['fulfillment', STAFF],
  'POST /waves/:id/picks': ['fulfillment', STAFF],
  'POST /waves/:id/scans': ['fulfillment', STAFF],
  'POST /waves/:id/shorts': ['fulfillment', STAFF],
  'GET /packing/lookup': ['fulfillment', STAFF],
  'GET /orders/:id/verification': ['fulfillment', STAFF],
  'POST /orders/:id/verification/scans': ['fulfillment', STAFF],
  'POST /orders/:id/verification/reset': ['fulfillment', STAFF],
  'POST /orders/:id/pack': ['fulfillment', STAFF],
  'POST /orders/:id/ship': ['fulfillment', STAFF],
  'POST /shipments/:id/tracking': ['fulfillment', STAFF],
  'GET /writebacks': ['fulfillment', STAFF],
  'POST /writebacks/:id/retry': ['fulfillment', STAFF],

  'GET /waybill-accounts': ['waybills', STAFF],
  'GET /waybill-accounts/:id': ['waybills', STAFF],
  'POST /waybill-accounts/:id/refresh': ['waybills', STAFF],
  'GET /waybill-defaults': ['waybills', STAFF],
  'PUT /orders/:id/waybill-choice': ['waybills', STAFF],
  'POST /shipments/waybills': ['waybills', STAFF],
  'GET /waybills': ['waybills', STAFF],
  'GET /waybills/:id': ['waybills', STAFF],
  'POST /waybills/:id/cancel': ['waybills', STAFF],
  'POST /waybills/print-tasks': ['waybills', STAFF],
  'GET /waybills/:id/label': ['waybills', STAFF],
  'POST /waybill-accounts': ['waybills', ADMIN],
  'PATCH /waybill-accounts/:id': ['waybills', ADMIN],
  'PUT /waybill-accounts/:id/credentials': ['waybills', ADMIN],
  'PUT /waybill-defaults': ['waybills', ADMIN],

  'GET /statements': ['ledger', FINANCE],
  'POST /settlements/import': ['ledger', FINANCE],
  'GET /settlements/imports': ['ledger', FINANCE],
  'GET /settlements/lines': ['ledger', FINANCE],
  'GET /reconciliation': ['ledger', FINANCE],
  'GET /ledger/accounts': ['ledger', FINANCE],
  'PUT /ledger/accounts/:code': ['ledger', FINANCE],
  'GET /shops/:id/commission-plans': ['ledger', FINANCE],
  'POST /shops/:id/commission-plans': ['ledger', FINANCE],
  'GET /ledger/periods': ['ledger', FINANCE],
  'POST /ledger/periods/:period/close': ['ledger', FINANCE],
  'GET /ledger/journal-lines': ['ledger', FINANCE],
  'GET /ledger/labels': ['ledger', FINANCE],

  'GET /dashboard/summary': ['dashboard', ALL],
  'GET /dashboard/margin': ['dashboard', FINANCE],
  'GET /alerts': ['dashboard', ALL],
  'GET /alerts/open-count': ['dashboard', ALL],
  'POST /alerts/scan': ['dashboard', ADMIN],
  'GET /alert-rules': ['dashboard', ADMIN],
  'PUT /alert-rules': ['dashboard', ADMIN],
  'GET /ledger/periods/:period/checklist': ['ledger', FINANCE],
  'POST /ledger/periods/:period/reopen': ['ledger', ADMIN],
  'GET /ledger/rates': ['ledger', FINANCE],
  'POST /ledger/rates/import': ['ledger', FINANCE],
  'POST /ledger/rates/pull': ['ledger', FINANCE],
  'GET /ledger/settings': ['ledger', FINANCE],
  'PUT /ledger/settings': ['ledger', FINANCE],
  'GET /ledger/held': ['ledger', FINANCE],
  'GET /ledger/journal': ['ledger', FINANCE],
  'GET /ledger/trial-balance': ['ledger', FINANCE],
  'GET /ledger/vouchers': ['ledger', FINANCE],
  'POST /shops/:id/commission-plans/defaults': ['ledger', FINANCE],
  'GET /ledger/months': ['ledger', FINANCE],
  'GET /ledger/entries': ['ledger', FINANCE],
  'GET /ledger/chart': ['ledger', FINANCE],

  'GET /oauth/:channel/callback': ['platforms', 'platform'],
  'POST /webhooks/:channel/:shopId': ['platforms', 'platform'],
} as const satisfies Record<string, readonly [Area, Access]>

export type RouteKey = keyof typeof ROUTES

/**
 * The table's key of a registered route; HEAD answers like the GET it mirrors, /docs/* like /docs,
 * and every file of the web console (/app/…, its sign-in page included) like /app/*.
 */
export function routeKey(method: string, url: string): string {
  const path =
    url === '/docs' || url.startsWith('/docs/')
      ? '/docs'
      : url === '/app' || url.startsWith('/app/')
        ? '/app/*'
        : url
  return `${method === 'HEAD' ? 'GET' : method} ${path}`
}

export function accessOf(method: string, url: string): Access | undefined {
  const entry = (ROUTES as Record<string, readonly [Area, Access]>)[routeKey(method, url)]
  return entry?.[1]
}

const WHO: Record<Exclude<Access, readonly Role[]>, string> = {
  platform: 'the platform (signed, or a single-use state)',
  anyone: 'anyone',
  ops: 'operators (`OPS_TOKEN` beyond loopback)',
}
const who = (a: Access) => (typeof a === 'string' ? WHO[a] : a.join(', '))

/**
 * The README's role matrix: one row per area and set of roles, its routes in table order.
 * Rendered, never written by hand.
 */
export function renderRoleMatrix(): string {
  const rows: string[] = ['| area | routes | who may call them |', '| --- | --- | --- |']
  for (const area of AREAS) {
    const groups = new Map<string, string[]>()
    for (const [route, [a, access]] of Object.entries(ROUTES) as [string, readonly [Area, Access]][]) {
      if (a !== area) continue
      const key = who(access)
      groups.set(key, [...(groups.get(key) ?? []), `\`${route}\``])
    }
    for (const [roles, routes] of groups) rows.push(`| ${area} | ${routes.join(', ')} | ${roles} |`)
  }
  return rows.join('\n')
}
