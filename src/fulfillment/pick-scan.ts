/**
 * Picking by scan on the handheld (拣货): the picker stands at a bin, scans the item, and is told
 * which slot of the wave it goes to. Each scan counts one unit against the lowest slot still
 * missing that SKU (at that bin, when the bin was scanned). A code that names nothing still to pick
 * in the wave is refused with a reason; "short" at a bin hands every unfinished slot of the item to
 * the shortage flow (picking.ts).
 */
import { sql } from 'kysely'
import type { Db, Executor } from '../db/connect.js'
import { withTx } from '../db/tx.js'
import { confirmPick, PickError } from './picking.js'
import { resolveScan } from './scan.js'

export type PickRefusal = 'unknown_code' | 'wrong_item' | 'wrong_bin' | 'already_picked' | 'wave_closed'

export class PickScanError extends Error {
  override name = 'PickScanError'
  constructor(
    readonly reason: PickRefusal,
    message: string,
  ) {
    super(message)
  }
}

interface OpenPick {
  allocation_id: string
  order_id: string
  slot: number
  sku_id: string
  bin: string | null
  quantity: number
  picked: number
}

/** The allocations of the wave still to pick (orders in the wave, their own group's lines). */
async function openPicks(
  db: Executor,
  merchantId: string,
  waveId: string,
  skuIds: readonly string[] | null,
  lock: boolean,
): Promise<OpenPick[]> {
  if (skuIds && skuIds.length === 0) return []
  const rows = await sql<OpenPick>`
    SELECT a.id AS allocation_id, a.order_id, wo.slot, a.sku_id, b.bin, a.quantity, COALESCE(pc.picked, 0) AS picked
    FROM wave_orders wo
    JOIN waves w ON w.id = wo.wave_id AND w.merchant_id = wo.merchant_id
    JOIN stock_allocations a ON a.merchant_id = wo.merchant_id AND a.order_id = wo.order_id
      AND a.warehouse_id = w.warehouse_id AND a.status = 'open'
    JOIN order_line_skus ls ON ls.id = a.order_line_sku_id
    LEFT JOIN order_line_groups g ON g.merchant_id = ls.merchant_id AND g.order_line_id = ls.order_line_id
    LEFT JOIN bin_locations b ON b.merchant_id = a.merchant_id AND b.warehouse_id = a.warehouse_id AND b.sku_id = a.sku_id
    LEFT JOIN pick_confirmations pc ON pc.merchant_id = wo.merchant_id AND pc.wave_id = wo.wave_id AND pc.allocation_id = a.id
    WHERE wo.merchant_id = ${merchantId} AND wo.wave_id = ${waveId} AND wo.status = 'in_wave'
      AND COALESCE(g.shipment_group_id, '') = wo.shipment_group_id
      ${skuIds ? sql`AND a.sku_id IN (${sql.join(skuIds)})` : sql``}
    ORDER BY wo.slot, a.id
    ${lock ? sql`FOR UPDATE` : sql``}`.execute(db)
  return rows.rows.map((r) => ({ ...r, quantity: Number(r.quantity), picked: Number(r.picked) }))
}

export interface ScanResult {
  skuId: string
  skuCode: string
  skuName: string
  bin: string | null
  slot: number
  orderId: string
  slotPicked: number
  slotQuantity: number
  itemPicked: number
  itemQuantity: number
}

export async function scanPick(
  db: Db,
  merchantId: string,
  waveId: string,
  code: string,
  bin: string | null,
  actor: string | null,
  /** When it was scanned, by the application's clock (ctx.clock): the confirmation's time. */
  at: Date,
): Promise<ScanResult> {
  const skus = await resolveScan(db, merchantId, code)
  if (skus.length === 0) throw new PickScanError('unknown_code', `no SKU has the code or barcode ${code}`)
  const wave = await db
    .selectFrom('waves')
    .select('status')
    .where('merchant_id', '=', merchantId)
    .where('id', '=', waveId)
    .executeTakeFirstOrThrow()
  if (wave.status !== 'open') throw new PickScanError('wave_closed', `wave ${waveId} is ${wave.status}`)
  return withTx(db, async (tx) => {
    const picks = await openPicks(
      tx,
      merchantId,
      waveId,
      skus.map((s) => s.id),
      true,
    )
    if (picks.length === 0)
      throw new PickScanError('wrong_item', `${code} (${skus[0]!.code}) is not to be picked in this wave`)
    const here = bin === null ? picks : picks.filter((p) => p.bin === bin)
    if (here.length === 0)
      throw new PickScanError('wrong_bin', `${skus[0]!.code} is not kept at bin ${bin ?? ''} for this wave`)
    const next = here.find((p) => p.picked < p.quantity)
    if (!next)
      throw new PickScanError(
        'already_picked',
        `every unit of ${skus[0]!.code} in this wave is picked already`,
      )
    await tx
      .insertInto('pick_confirmations')
      .values({
        merchant_id: merchantId,
        wave_id: waveId,
        allocation_id: next.allocation_id,
        picked: next.picked + 1,
        short: 0,
        confirmed_by: actor,
        confirmed_at: at,
      })
      .onDuplicateKeyUpdate({ picked: next.picked + 1, confirmed_by: actor, confirmed_at: at })
      .execute()
    const sku = skus.find((s) => s.id === next.sku_id)!
    const item = here.filter((p) => p.sku_id === next.sku_id)
    const slot = item.filter((p) => p.slot === next.slot)
    return {
      skuId: sku.id,
      skuCode: sku.code,
      skuName: sku.name,
      bin: next.bin,
      slot: next.slot,
      orderId: next.order_id,
      slotPicked: slot.reduce((n, p) => n + p.picked, 0) + 1,
      slotQuantity: slot.reduce((n, p) => n + p.quantity, 0),
      itemPicked: item.reduce((n, p) => n + p.picked, 0) + 1,
      itemQuantity: item.reduce((n, p) => n + p.quantity, 0),
    }
  })
}

/**
 * The shelf has fewer than the wave needs of a SKU (at a bin): every slot of it not picked in full
 * goes through the shortage flow with what was picked so far. Returns the orders that left the wave.
 */
export async function shortPick(
  db: Db,
  merchantId: string,
  waveId: string,
  skuId: string,
  bin: string | null,
  actor: string | null,
  at: Date,
): Promise<{ orderId: string; slot: number; shortage: number }[]> {
  const picks = (await openPicks(db, merchantId, waveId, [skuId], false)).filter(
    (p) => p.picked < p.quantity && (bin === null || p.bin === bin),
  )
  const out: { orderId: string; slot: number; shortage: number }[] = []
  for (const p of picks) {
    try {
      const r = await confirmPick(db, merchantId, waveId, p.allocation_id, p.picked, actor, at)
      out.push({ orderId: r.orderId, slot: p.slot, shortage: r.shortage })
    } catch (err) {
      // An earlier shortage of the same order released it already: nothing left to pick there.
      if (!(err instanceof PickError)) throw err
    }
  }
  return out
}
