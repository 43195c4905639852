/**
 * WooCommerce REST v3 product reads over the sandbox listings (catalogue-and-purchasing.md §A.6):
 * GET /products (page, per_page ≤ 100 — more is a 400 rest_invalid_param —, status, orderby
 * id/date, order, X-WP-Total and X-WP-TotalPages) and GET /products/{id}/variations. A listing of
 * one SKU is a simple product; one of several is a variable product with a variation per SKU.
 */
import type { SandboxListing, SandboxSku } from './catalogue.js'

export interface WooCatalogueState {
  listings: readonly SandboxListing[]
  quantityOf(key: string, sku: SandboxSku): number
  /** The variation id a SKU of a variable product has. */
  variationIdOf(sku: SandboxSku): string
}

export interface WooAnswer {
  status: number
  body: unknown
  headers?: Record<string, string>
}

const wooTime = (d: Date) => d.toISOString().slice(0, 19)
const invalidParam = (param: string, message: string): WooAnswer => ({
  status: 400,
  body: {
    code: 'rest_invalid_param',
    message: `Invalid parameter(s): ${param}`,
    data: { status: 400, params: { [param]: message } },
  },
})

function product(l: SandboxListing, st: WooCatalogueState): Record<string, unknown> {
  const live = l.skus.filter((s) => !s.deleted)
  const simple = l.skus.length === 1 ? l.skus[0]! : null
  return {
    id: Number(l.itemId),
    name: l.title,
    slug: `product-${l.itemId}`,
    type: simple ? 'simple' : 'variable',
    status: l.onSale ? 'publish' : 'draft',
    sku: simple ? simple.code : l.itemCode,
    price: simple ? simple.price : (live[0]?.price ?? ''),
    regular_price: simple ? simple.price : '',
    sale_price: '',
    manage_stock: simple !== null,
    stock_quantity: simple ? st.quantityOf(l.itemId, simple) : null,
    stock_status: 'instock',
    global_unique_id: simple?.barcode ?? '',
    date_modified_gmt: wooTime(l.modified),
    variations: simple ? [] : live.map((s) => Number(st.variationIdOf(s))),
  }
}

function variation(l: SandboxListing, s: SandboxSku, st: WooCatalogueState): Record<string, unknown> {
  const id = st.variationIdOf(s)
  return {
    id: Number(id),
    sku: s.code,
    price: s.price,
    regular_price: s.price,
    sale_price: '',
    status: 'publish',
    manage_stock: true,
    stock_quantity: st.quantityOf(`${l.itemId}:${id}`, s),
    stock_status: 'instock',
    global_unique_id: s.barcode ?? '',
    attributes: [{ id: 0, name: '规格', option: s.spec }],
    date_modified_gmt: wooTime(s.modified),
  }
}

/** The answer to a catalogue GET, or null when the path is not one. */
export function wooCatalogueGet(path: string, q: URLSearchParams, st: WooCatalogueState): WooAnswer | null {
  const variations = /^\/products\/(\d+)\/variations$/.exec(path)
  if (path !== '/products' && !variations) return null
  const perPage = Number(q.get('per_page') ?? 10)
  const page = Number(q.get('page') ?? 1)
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100)
    return invalidParam('per_page', 'per_page must be between 1 (inclusive) and 100 (inclusive)')
  if (!Number.isInteger(page) || page < 1)
    return invalidParam('page', 'page must be greater than or equal to 1')
  let all: Record<string, unknown>[]
  if (variations) {
    const l = st.listings.find((x) => x.itemId === variations[1] && !x.deleted)
    if (!l)
      return {
        status: 404,
        body: { code: 'woocommerce_rest_product_invalid_id', message: 'Invalid ID.', data: { status: 404 } },
      }
    all = l.skus.length === 1 ? [] : l.skus.filter((s) => !s.deleted).map((s) => variation(l, s, st))
  } else {
    const status = q.get('status') ?? 'any'
    all = st.listings
      .filter((l) => !l.deleted && (status === 'any' || status === (l.onSale ? 'publish' : 'draft')))
      .map((l) => product(l, st))
    const desc = (q.get('order') ?? 'desc') === 'desc'
    all.sort((a, b) => (Number(a.id) - Number(b.id)) * (desc ? -1 : 1))
  }
  return {
    status: 200,
    body: all.slice((page - 1) * perPage, page * perPage),
    headers: {
      'x-wp-total': String(all.length),
      'x-wp-totalpages': String(Math.max(1, Math.ceil(all.length / perPage))),
    },
  }
}
