/**
 * The listings a sandbox marketplace serves to a catalogue pull, built from the same catalogue its
 * orders are generated from, so that a linked shop's listings carry the SKU ids its orders carry
 * and the seller codes the merchant's SKUs have. Each channel's sandbox renders this one model in
 * its own wire format (src/sandbox/<channel>-catalogue.ts). The model is mutable on purpose: tests
 * and the demo blank a code, duplicate one or delist an item to show the merchant's conflicts.
 */
import type { CatalogueItem } from './generator.js'

export interface SandboxSku {
  skuId: string
  /** The seller code (商家编码); '' when the seller left it empty. */
  code: string
  /** The sale attribute value shown to buyers (e.g. "黑色 M"). */
  spec: string
  /** Unit price, an exact decimal string in the shop's currency. */
  price: string
  barcode: string | null
  /** Stock the platform shows before the hub pushed any. */
  initialStock: number
  deleted: boolean
  modified: Date
}

export interface SandboxListing {
  itemId: string
  /** Item-level seller code ('' when unset). */
  itemCode: string
  title: string
  onSale: boolean
  deleted: boolean
  modified: Date
  skus: SandboxSku[]
}

export interface ListingIds {
  /** The item a SKU belongs to, as the sandbox's orders name it. */
  itemIdOf(skuCode: string): string
  skuIdOf(skuCode: string): string
  /** The item-level seller code; default: the SKU code up to its first '-'. */
  itemCodeOf?(skuCode: string): string
}

/** The longest common start of the SKU titles, cut at a space: the item's title. */
function commonTitle(titles: readonly string[]): string {
  const first = titles[0] ?? ''
  if (titles.length === 1) return first
  let n = first.length
  for (const t of titles) while (n > 0 && t.slice(0, n) !== first.slice(0, n)) n--
  const cut = first
    .slice(0, n)
    .replace(/\s+\S*$/, '')
    .trim()
  return cut === '' ? first : cut
}

/** Listings grouping the catalogue's SKUs by the item the sandbox sells them under, in catalogue order. */
export function buildListings(
  catalogue: readonly CatalogueItem[],
  ids: ListingIds,
  at: Date,
  initialStock = 50,
): SandboxListing[] {
  const byItem = new Map<string, CatalogueItem[]>()
  for (const c of catalogue) {
    const id = ids.itemIdOf(c.skuCode)
    byItem.set(id, [...(byItem.get(id) ?? []), c])
  }
  const modified = new Date(Math.floor(at.getTime() / 1000) * 1000 - 86_400_000)
  return [...byItem].map(([itemId, skus]) => {
    const title = commonTitle(skus.map((s) => s.title))
    return {
      itemId,
      itemCode: ids.itemCodeOf ? ids.itemCodeOf(skus[0]!.skuCode) : skus[0]!.skuCode.split('-')[0]!,
      title,
      onSale: true,
      deleted: false,
      modified,
      skus: skus.map((s) => ({
        skuId: ids.skuIdOf(s.skuCode),
        code: s.skuCode,
        spec: s.title.startsWith(title) && s.title !== title ? s.title.slice(title.length).trim() : s.title,
        price: s.price,
        barcode: null,
        initialStock,
        deleted: false,
        modified,
      })),
    }
  })
}

/** The SKU of a listing by seller code (tests use it to edit a listing). */
export function findSku(
  listings: readonly SandboxListing[],
  code: string,
): { listing: SandboxListing; sku: SandboxSku } | null {
  for (const listing of listings)
    for (const sku of listing.skus) if (sku.code === code) return { listing, sku }
  return null
}

/** Page `page` (from 1) of `size`, and the total. */
export function pageOf<T>(all: readonly T[], page: number, size: number): { rows: T[]; total: number } {
  return { rows: all.slice((page - 1) * size, page * size), total: all.length }
}
