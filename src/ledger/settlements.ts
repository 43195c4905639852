/**
 * Settlement lines: imported from the files sellers download (parsed by the shop's connector) or
 * pulled from the channel's API, stored once per (shop, platform line id), and posted to the
 * journal (postingsForSettlement). Importing the same file twice, or overlapping downloads, adds
 * nothing: the file's hash and every line's id are unique keys.
 */
import { createHash } from 'node:crypto'
import { getConnector } from '../../connectors/index.js'
import type { SettlementLineDraft, SettlementParseResult } from '../../connectors/types.js'
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { chunk } from '../lib/collections.js'
import { newId } from '../lib/ids.js'
import { sum, toAmount, toDb, ZERO } from '../money/index.js'
import { openAccruals } from './accruals.js'
import { AppError } from '../api/errors.js'
import { postEntries } from './journal.js'
import { postingsForSettlement, type SettlementType } from './postings.js'

export interface ImportReport {
  importId: string
  duplicateFile: boolean
  lines: number
  inserted: number
  alreadyKnown: number
  rejected: { row: number; raw: string; reason: string }[]
  statedTotal: string | null
  parsedTotal: string
  /** False when the file states a total and the parsed lines do not add up to it. */
  totalsAgree: boolean | null
}

interface ShopRef {
  id: string
  merchantId: string
  channel: string
}

/** A platform line id as stored (the column holds 190 characters; a longer id is stored as its hash). */
const lineKey = (externalLineId: string) =>
  externalLineId.length <= 190
    ? externalLineId
    : `h${createHash('sha256').update(externalLineId).digest('hex')}`

const postingKey = (shopId: string, externalLineId: string) => {
  const key = `settle.${shopId}.${externalLineId}`
  return key.length <= 190
    ? key
    : `settle.${shopId}.h${createHash('sha256').update(externalLineId).digest('hex')}`
}

/**
 * Store a batch of settlement lines under one import record, and post the new ones. Lines already
 * stored (same shop and platform line id) are left as they are. One transaction per batch.
 */
export async function storeSettlementLines(
  db: Db,
  shop: ShopRef,
  source: 'file' | 'api',
  parsed: SettlementParseResult,
  file: { sha256: string; filename: string | null },
): Promise<ImportReport> {
  const parsedTotal = sum(parsed.lines.map((l) => l.amount))
  const base = {
    lines: parsed.lines.length,
    rejected: parsed.rejected,
    statedTotal: parsed.statedTotal ? toAmount(parsed.statedTotal) : null,
    parsedTotal: toAmount(parsedTotal),
    totalsAgree: parsed.statedTotal ? parsed.statedTotal.eq(parsedTotal) : null,
  }
  return withTx(db, async (tx) => {
    const existing = await tx
      .selectFrom('settlement_imports')
      .select(['id', 'inserted'])
      .where('merchant_id', '=', shop.merchantId)
      .where('shop_id', '=', shop.id)
      .where('sha256', '=', file.sha256)
      .executeTakeFirst()
    if (existing)
      return {
        importId: existing.id,
        duplicateFile: true,
        inserted: 0,
        alreadyKnown: parsed.lines.length,
        ...base,
      }
    const importId = newId()
    const known = new Set<string>()
    for (const ids of chunk(
      parsed.lines.map((l) => lineKey(l.externalLineId)),
      500,
    )) {
      const rows = await tx
        .selectFrom('settlement_lines')
        .select('external_line_id')
        .where('merchant_id', '=', shop.merchantId)
        .where('shop_id', '=', shop.id)
        .where('external_line_id', 'in', ids)
        .execute()
      for (const r of rows) known.add(r.external_line_id)
    }
    // A file may repeat a line id (two downloads merged): the first occurrence wins.
    const fresh = new Map<string, SettlementLineDraft>()
    for (const l of parsed.lines)
      if (!known.has(lineKey(l.externalLineId)) && !fresh.has(lineKey(l.externalLineId)))
        fresh.set(lineKey(l.externalLineId), l)
    const lines = [...fresh.values()]
    const orderIds = await poolOrderIds(tx, shop, lines)
    for (const batch of chunk(lines, 500)) {
      await tx
        .insertInto('settlement_lines')
        .values(
          batch.map((l) => ({
            id: newId(),
            merchant_id: shop.merchantId,
            shop_id: shop.id,
            channel: shop.channel,
            import_id: importId,
            external_line_id: lineKey(l.externalLineId),
            // An id beyond any platform's (the parser picked up the wrong text) is not an order; the raw row keeps it.
            order_external_id:
              l.orderExternalId !== null && l.orderExternalId.length <= 128 ? l.orderExternalId : null,
            type: l.type,
            platform_type: l.platformType.slice(0, 128),
            amount: toDb(l.amount),
            currency: l.currency,
            occurred_at: l.occurredAt,
            payout_id: l.payoutId?.slice(0, 128) ?? null,
            converted_amount: l.converted ? toDb(l.converted.amount) : null,
            converted_currency: l.converted?.currency ?? null,
            description: l.description?.slice(0, 500) ?? null,
            raw: JSON.stringify(l.raw),
          })),
        )
        .execute()
    }
    // Bill lines of orders with fee accruals true them up, line after line (a charge, then its refund).
    const open = await openAccruals(tx, shop.merchantId, [...orderIds.values()])
    const accruedFor = (l: SettlementLineDraft, orderId: string | null) => {
      if ((l.type !== 'commission' && l.type !== 'payment_fee') || !orderId) return null
      const o = open.get(orderId)
      if (!o) return null
      const accrued = o[l.type]
      o[l.type] = ZERO // the first bill line relieves all of it; later ones are variance
      return accrued
    }
    await postEntries(
      tx,
      lines.map((l) => {
        const orderId = l.orderExternalId ? (orderIds.get(l.orderExternalId) ?? null) : null
        return {
          head: {
            merchantId: shop.merchantId,
            postingKey: postingKey(shop.id, l.externalLineId),
            kind: 'settlement',
            orderId,
            shopId: shop.id,
            channel: shop.channel,
            eventAt: l.occurredAt,
          },
          postings: postingsForSettlement({
            shopId: shop.id,
            type: l.type as SettlementType,
            amount: l.amount,
            currency: l.currency,
            converted: l.converted ?? null,
            accrued: accruedFor(l, orderId),
          }),
        }
      }),
    )
    await tx
      .insertInto('settlement_imports')
      .values({
        id: importId,
        merchant_id: shop.merchantId,
        shop_id: shop.id,
        source,
        filename: file.filename,
        sha256: file.sha256,
        line_count: parsed.lines.length,
        inserted: lines.length,
        rejected: JSON.stringify(parsed.rejected),
        stated_total: parsed.statedTotal ? toDb(parsed.statedTotal) : null,
        parsed_total: toDb(parsedTotal),
      })
      .execute()
    return {
      importId,
      duplicateFile: false,
      inserted: lines.length,
      alreadyKnown: parsed.lines.length - lines.length,
      ...base,
    }
  })
}

/** Platform order id → pool order id, for the lines that name an order the pool knows. */
async function poolOrderIds(
  db: Executor,
  shop: ShopRef,
  lines: readonly SettlementLineDraft[],
): Promise<Map<string, string>> {
  const ids = [...new Set(lines.map((l) => l.orderExternalId).filter((x): x is string => x !== null))]
  const out = new Map<string, string>()
  for (const batch of chunk(ids, 500)) {
    const rows = await db
      .selectFrom('orders')
      .select(['id', 'external_id'])
      .where('merchant_id', '=', shop.merchantId)
      .where('shop_id', '=', shop.id)
      .where('external_id', 'in', batch)
      .execute()
    for (const r of rows) out.set(r.external_id, r.id)
  }
  return out
}

/** Import a statement file a seller downloaded: parsed by the shop's connector, stored once. */
export async function importSettlementFile(
  db: Db,
  merchantId: string,
  shopId: string,
  bytes: Buffer,
  filename: string | null,
): Promise<ImportReport> {
  const shop = await db
    .selectFrom('shops')
    .select(['id', 'channel'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', shopId)
    .executeTakeFirst()
  if (!shop) throw new AppError('not_found', `shop ${shopId} not found`, 404)
  const connector = getConnector(shop.channel)
  if (!connector.parseSettlementFile)
    throw new AppError(
      'validation_failed',
      `${shop.channel} has no settlement file this hub reads; its settlements are pulled from the API`,
      400,
    )
  if (bytes.length === 0) throw new AppError('validation_failed', 'the file is empty', 400)
  let parsed: SettlementParseResult
  try {
    parsed = connector.parseSettlementFile(bytes)
  } catch (err) {
    throw new AppError(
      'validation_failed',
      `this file cannot be read as a ${shop.channel} settlement statement: ${err instanceof Error ? err.message : String(err)}`,
      400,
    )
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  return storeSettlementLines(db, { id: shop.id, merchantId, channel: shop.channel }, 'file', parsed, {
    sha256,
    filename,
  })
}

/** One batch of lines pulled from the channel API: stored like a file whose identity is its line ids. */
export function storePulledSettlements(
  db: Db,
  shop: ShopRef,
  lines: readonly SettlementLineDraft[],
): Promise<ImportReport> {
  const sha256 = createHash('sha256')
    .update(lines.map((l) => `${l.externalLineId}=${l.amount.toFixed()}`).join('\n'))
    .digest('hex')
  return storeSettlementLines(
    db,
    shop,
    'api',
    { lines: [...lines], rejected: [], statedTotal: null },
    { sha256, filename: null },
  )
}
