/**
 * The self-run store contract's catalogue endpoint (connectors/selfstore/CONTRACT.md, "list
 * products") over the sandbox listings: GET /products?limit=&cursor= with the store's opaque
 * cursor, products with their variants keyed by the merchant code.
 */
import type { SandboxListing, SandboxSku } from './catalogue.js'

export interface SelfstoreCatalogueState {
  listings: readonly SandboxListing[]
  currency: string
  quantityOf(sku: SandboxSku): number
}

export function selfstoreProducts(
  q: URLSearchParams,
  st: SelfstoreCatalogueState,
): { status: number; body: unknown } {
  const limit = Number(q.get('limit') ?? 100)
  const offset = Number(q.get('cursor') ?? 0)
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    return { status: 400, body: { error: 'limit must be a whole number from 1 to 500' } }
  if (!Number.isInteger(offset) || offset < 0) return { status: 400, body: { error: 'unknown cursor' } }
  const all = st.listings
  const products = all.slice(offset, offset + limit).map((l) => ({
    id: l.itemId,
    title: l.title,
    status: l.deleted ? 'deleted' : l.onSale ? 'active' : 'inactive',
    currency: st.currency,
    updated_at: l.modified.toISOString(),
    variants: l.skus
      .filter((s) => !s.deleted)
      .map((s) => ({
        sku: s.code,
        title: s.spec,
        barcode: s.barcode,
        price: s.price,
        stock: st.quantityOf(s),
        active: true,
      })),
  }))
  return {
    status: 200,
    body: { products, next_cursor: offset + limit < all.length ? String(offset + limit) : null },
  }
}
