/**
 * The Shopify Admin GraphQL catalogue over the sandbox listings (catalogue-and-purchasing.md
 * §A.5): `products` and `productVariants` connections (first 1–250, opaque cursors, sortKey ID,
 * the variant search's `product_ids:` and `sku:` filters), products with their status, variants with
 * their SKU, barcode, price in shop money, summed inventory quantity, options and inventory item.
 * The server projects the answer onto the query's selection.
 */
import type { SandboxListing, SandboxSku } from './catalogue.js'

type Obj = Record<string, unknown>

export const SHOPIFY_CATALOGUE_OPERATIONS = new Set(['CatalogueProducts', 'CatalogueVariants'])

export class ShopifyCatalogueError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message)
  }
}

export interface ShopifyCatalogueState {
  listings: readonly SandboxListing[]
  /** Available units summed over the store's locations. */
  quantityOf(sku: SandboxSku): number
  inventoryItemOf(sku: SandboxSku): string
}

const gid = (type: string, id: string) => `gid://shopify/${type}/${id}`
const isoZ = (d: Date) => `${d.toISOString().slice(0, 19)}Z`
const byId = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0)

function page<T>(all: readonly T[], idOf: (x: T) => string, v: Obj): Obj {
  const first = typeof v.first === 'number' ? v.first : 0
  if (first < 1 || first > 250)
    throw new ShopifyCatalogueError('The first argument must be between 1 and 250', 'BAD_REQUEST')
  let start = 0
  if (typeof v.after === 'string') {
    const last = Buffer.from(v.after, 'base64url').toString('utf8')
    if (!/^\d+$/.test(last))
      throw new ShopifyCatalogueError('Invalid cursor for current pagination', 'BAD_REQUEST')
    start = all.findIndex((x) => byId(idOf(x), last) > 0)
    if (start < 0) start = all.length
  }
  const nodes = all.slice(start, start + first)
  return {
    nodes,
    pageInfo: {
      hasNextPage: start + first < all.length,
      endCursor: nodes.length ? Buffer.from(idOf(nodes.at(-1)!)).toString('base64url') : null,
    },
  }
}

function product(l: SandboxListing): Obj {
  return {
    id: gid('Product', l.itemId),
    legacyResourceId: l.itemId,
    title: l.title,
    handle: `product-${l.itemId}`,
    status: l.onSale ? 'ACTIVE' : 'DRAFT',
    vendor: 'Sandbox',
    productType: '',
    createdAt: isoZ(new Date(l.modified.getTime() - 86_400_000)),
    updatedAt: isoZ(l.modified),
  }
}

function variant(l: SandboxListing, s: SandboxSku, st: ShopifyCatalogueState): Obj {
  return {
    id: gid('ProductVariant', s.skuId),
    legacyResourceId: s.skuId,
    title: s.spec,
    sku: s.code,
    barcode: s.barcode,
    price: s.price,
    compareAtPrice: null,
    inventoryQuantity: st.quantityOf(s),
    inventoryPolicy: 'DENY',
    updatedAt: isoZ(s.modified),
    selectedOptions: [{ name: 'Variant', value: s.spec }],
    product: { id: gid('Product', l.itemId) },
    inventoryItem: { id: gid('InventoryItem', st.inventoryItemOf(s)), tracked: true },
  }
}

export function shopifyCatalogueResolve(name: string, v: Obj, st: ShopifyCatalogueState): Obj {
  const live = st.listings.filter((l) => !l.deleted).sort((a, b) => byId(a.itemId, b.itemId))
  if (name === 'CatalogueProducts')
    return { products: page(live.map(product), (p) => String(p.legacyResourceId), v) }
  const q = typeof v.query === 'string' ? v.query : ''
  const products = /product_ids:([\d,]+)/.exec(q)?.[1]?.split(',')
  const sku = /sku:(\S+)/.exec(q)?.[1]
  const variants = live
    .filter((l) => !products || products.includes(l.itemId))
    .flatMap((l) =>
      l.skus.filter((s) => !s.deleted && (!sku || s.code === sku)).map((s) => variant(l, s, st)),
    )
    .sort((a, b) => byId(String(a.legacyResourceId), String(b.legacyResourceId)))
  return { productVariants: page(variants, (x) => String(x.legacyResourceId), v) }
}
