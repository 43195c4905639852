/**
 * The Shopify Admin GraphQL client of one shop, on the shared HTTP layer. A pinned API version
 * (settings.apiVersion overrides); `Throttled` answers (HTTP 200 or 429, reference A.8) become
 * rate_limited with the wait the cost feedback implies; other top-level errors are permanent.
 */
import { ConnectorError } from '../errors.js'
import { createPlatformClient, type HttpResult, type PlatformClient } from '../http.js'
import type { ShopContext } from '../types.js'
import type { ShopifySettings } from './settings.js'

/** Pinned Admin API version. 2026-07 requires changeFromQuantity and @idempotent on inventory sets. */
export const SHOPIFY_API_VERSION = '2026-07'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown): string => (typeof v === 'string' ? v : '')

/** https://{shop}.myshopify.com, or settings.baseUrl (sandboxes, proxies, tests). */
export function shopOrigin(settings: Readonly<Partial<ShopifySettings>>): string {
  if (settings.baseUrl) return settings.baseUrl.replace(/\/$/, '')
  return `https://${settings.shopDomain ?? ''}`
}

export const apiVersion = (settings: Readonly<Partial<ShopifySettings>>): string =>
  settings.apiVersion ?? SHOPIFY_API_VERSION

/** Wait implied by a throttled answer: the points missing over the restore rate, at least 1 s. */
function throttleWaitMs(body: Obj): number {
  const cost = isObj(body.extensions) && isObj(body.extensions.cost) ? body.extensions.cost : {}
  const status = isObj(cost.throttleStatus) ? cost.throttleStatus : {}
  const requested = typeof cost.requestedQueryCost === 'number' ? cost.requestedQueryCost : 0
  const available = typeof status.currentlyAvailable === 'number' ? status.currentlyAvailable : 0
  const restore = typeof status.restoreRate === 'number' && status.restoreRate > 0 ? status.restoreRate : 50
  return Math.max(1000, Math.ceil(((requested - available) / restore) * 1000))
}

export function classifyGraphql(res: HttpResult): ConnectorError | null {
  const body = isObj(res.json) ? res.json : null
  const errors = body && Array.isArray(body.errors) ? body.errors.filter(isObj) : []
  if (errors.length === 0) return null
  const codes = errors.map((e) => (isObj(e.extensions) ? text(e.extensions.code) : ''))
  if (codes.includes('THROTTLED') || errors.some((e) => e.message === 'Throttled')) {
    return new ConnectorError('rate_limited', 'shopify throttled the GraphQL query', {
      channel: 'shopify',
      httpStatus: res.status,
      platformCode: 'THROTTLED',
      retryAfterMs: throttleWaitMs(body!),
    })
  }
  if (res.status === 401 || codes.includes('UNAUTHENTICATED'))
    return new ConnectorError('auth_expired', 'shopify rejected the access token', {
      channel: 'shopify',
      httpStatus: res.status,
    })
  if (codes.includes('INTERNAL_SERVER_ERROR'))
    return new ConnectorError('transient', `shopify internal error: ${text(errors[0]!.message)}`, {
      channel: 'shopify',
      httpStatus: res.status,
      platformCode: 'INTERNAL_SERVER_ERROR',
    })
  return new ConnectorError(
    'permanent',
    `shopify GraphQL error: ${errors.map((e) => text(e.message)).join('; ')}`.slice(0, 1000),
    {
      channel: 'shopify',
      httpStatus: res.status,
      platformCode: codes.find(Boolean) ?? undefined,
      body: res.text.slice(0, 4096),
    },
  )
}

export interface ShopifyClient {
  http: PlatformClient
  graphql<T = Obj>(query: string, variables?: Obj): Promise<T>
}

export function shopifyClient(
  shop: Pick<ShopContext<Partial<ShopifySettings>>, 'id' | 'settings' | 'credentials'>,
): ShopifyClient {
  const token = text(shop.credentials.accessToken)
  const http = createPlatformClient({
    channel: 'shopify',
    limiterKey: shop.id,
    baseUrl: shopOrigin(shop.settings),
    // Standard plan: 2 REST requests/s and 100 GraphQL points/s (A.8); the cost feedback does the rest.
    ratePerSecond: shop.settings.ratePerSecond ?? 2,
    burst: 4,
    timeoutMs: shop.settings.timeoutMs,
    headers: {
      'x-shopify-access-token': token,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    classify: classifyGraphql,
    secrets: [token, text(shop.credentials.clientSecret), text(shop.credentials.refreshToken)],
  })
  const url = `/admin/api/${apiVersion(shop.settings)}/graphql.json`
  return {
    http,
    async graphql<T>(query: string, variables: Obj = {}): Promise<T> {
      const res = await http.request({ method: 'POST', url, data: { query, variables } })
      const body = isObj(res.json) ? res.json : null
      if (!body || !isObj(body.data))
        throw new ConnectorError('permanent', 'shopify answered GraphQL without data', {
          channel: 'shopify',
          httpStatus: res.status,
          body: res.text.slice(0, 4096),
        })
      return body.data as T
    },
  }
}

const MONEY = 'shopMoney { amount currencyCode }'

/** Every order field the mapper reads (map.ts restFromGraphql). */
export const ORDER_FIELDS = `
  id legacyResourceId name createdAt updatedAt processedAt cancelledAt closedAt cancelReason test
  displayFinancialStatus displayFulfillmentStatus currencyCode presentmentCurrencyCode taxesIncluded
  email phone note
  totalTaxSet { ${MONEY} } totalPriceSet { ${MONEY} }
  customer { id firstName lastName email }
  shippingAddress { name firstName lastName address1 address2 city province provinceCode country countryCodeV2 zip phone }
  lineItems(first: 250) { nodes {
    id sku title name variantTitle quantity unfulfilledQuantity
    product { id } variant { id }
    originalUnitPriceSet { ${MONEY} }
    discountAllocations { allocatedAmountSet { ${MONEY} } }
    taxLines { rate title priceSet { ${MONEY} } }
  } }
  shippingLines(first: 20) { nodes { id title code originalPriceSet { ${MONEY} } discountAllocations { allocatedAmountSet { ${MONEY} } } } }
  refunds(first: 50) {
    id createdAt note
    refundLineItems(first: 250) { nodes { quantity restockType lineItem { id } subtotalSet { ${MONEY} } } }
    transactions(first: 20) { nodes { id kind status gateway processedAt amountSet { ${MONEY} } } }
  }
  fulfillments(first: 20) { id createdAt status fulfillmentLineItems(first: 250) { nodes { quantity lineItem { id } } } }
`

export const ORDERS_QUERY = `query Orders($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ${ORDER_FIELDS} }
  }
}`

export const ORDER_QUERY = `query Order($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`

export const SHOP_QUERY = `query Shop { shop { id name currencyCode } }`

/** A variant's inventory item and its "available" quantity at one location (for compare-and-set). */
export const LEVELS_QUERY = `query Levels($ids: [ID!]!, $location: ID!) {
  nodes(ids: $ids) { ... on ProductVariant { id inventoryItem { id inventoryLevel(locationId: $location) { quantities(names: ["available"]) { name quantity } } } } }
}`

export const SET_QUANTITIES = `mutation SetQuantities($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}`

export const FULFILLMENT_ORDERS_QUERY = `query FulfillmentOrders($id: ID!) {
  order(id: $id) { fulfillmentOrders(first: 20) { nodes { id status lineItems(first: 250) { nodes { id remainingQuantity lineItem { id } } } } } }
}`

export const FULFILLMENT_CREATE = `mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id status } userErrors { field message } }
}`

export const gid = (type: string, id: string): string =>
  id.startsWith('gid://') ? id : `gid://shopify/${type}/${id}`
