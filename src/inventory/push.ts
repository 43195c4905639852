/**
 * Channel stock push: for every platform SKU a shop maps, compute the quantity to show and send
 * the ones that changed since the last successful push (all of them on a full resync). Every
 * outcome is recorded per shop and platform SKU; quantities are absolute, so sending one again
 * after a crash changes nothing. Failures that may pass (transient, rate-limited, expired token)
 * are counted as retryable for the job layer to retry; permanent ones wait for a person.
 */
import { getConnector } from '../../connectors/index.js'
import type { PushOutcome, StockLevel } from '../../connectors/types.js'
import type { AppContext } from '../context.js'
import { isConnectorError } from '../../connectors/errors.js'
import { withTx } from '../db/tx.js'
import { faultPoint } from '../lib/fault.js'
import { newId } from '../lib/ids.js'
import { getShop } from '../shops/repo.js'
import { isLinked, withFreshToken } from '../sync/pull.js'
import { listWarehouses } from '../warehouses/repo.js'
import { endPushTurn, takePushTurn } from './push-gate.js'
import { planLevels } from './push-plan.js'
import { lastPushes, loadPushInputs, recordPushes, type PushRecord } from './push-repo.js'
import { shopRules } from './shop-rules.js'

export interface PushReport {
  considered: number
  sent: number
  failed: number
  /** Of the failed, those that may succeed when sent again (not `permanent`). */
  retryable: number
  skipped: 'disabled' | 'not_linked' | null
}

const nothing = (considered: number, skipped: PushReport['skipped']): PushReport => ({
  considered,
  sent: 0,
  failed: 0,
  retryable: 0,
  skipped,
})

export async function pushShopStock(
  ctx: Pick<AppContext, 'db' | 'config' | 'clock' | 'log' | 'redis'>,
  merchantId: string,
  shopId: string,
  full = false,
): Promise<PushReport> {
  const shop = await getShop(ctx.db, merchantId, shopId)
  if (!shop || shop.status !== 'active') return nothing(0, 'disabled')
  const rules = shopRules(shop.parsed.hub)
  if (!rules.sync.enabled) return nothing(0, 'disabled')
  const warehouses = (await listWarehouses(ctx.db, merchantId))
    .filter((w) => !rules.warehouseIds || rules.warehouseIds.includes(w.id))
    .map((w) => w.id)
  // Channels that keep stock per location (Shopify) get one quantity per location from the
  // warehouses mapped to it; every other channel gets the sum over the shop's warehouses ('' location).
  const inputs = await loadPushInputs(
    ctx.db,
    merchantId,
    shopId,
    warehouses,
    locationMap(shop.parsed.channel ?? {}),
  )
  const mappings = inputs.mappings
  if (mappings.length === 0 || warehouses.length === 0) return nothing(mappings.length, null)
  const last = await lastPushes(ctx.db, merchantId, shopId)
  const levels: (StockLevel & { key: string; location: string })[] = []
  for (const l of planLevels(inputs, rules.sync, ctx.config.sync.virtualStockMax)) {
    const prev = last.get(`${l.location}|${l.platformSkuKey}`)
    if (!full && prev && prev.ok === true && prev.quantity === l.quantity) continue
    levels.push({
      key: l.platformSkuKey,
      location: l.location,
      platformSkuId: l.platformSkuId ?? l.platformSkuKey,
      platformItemId: l.platformItemId,
      locationId: l.location || null,
      quantity: l.quantity,
    })
  }
  if (levels.length === 0) return nothing(mappings.length, null)
  faultPoint('stock-push.planned')
  const connector = getConnector(shop.channel)
  let outcomes: PushOutcome[]
  try {
    outcomes = await withFreshToken(ctx, merchantId, shopId, (sc) => {
      if (!isLinked(connector, sc.credentials)) throw new NotLinked()
      return connector.pushStock(
        sc,
        levels.map(({ key: _key, location: _location, ...l }) => l),
      )
    })
  } catch (err) {
    // Nothing can be sent before the shop's OAuth completes; the next push after it sends all.
    if (err instanceof NotLinked) return nothing(mappings.length, 'not_linked')
    const error = err instanceof Error ? err.message : String(err)
    const kind = isConnectorError(err) ? err.kind : 'transient'
    outcomes = levels.map((l) => ({
      platformSkuId: l.platformSkuId,
      locationId: l.locationId ?? null,
      ok: false,
      quantity: l.quantity,
      error,
      kind,
    }))
  }
  faultPoint('stock-push.sent')
  const now = ctx.clock.now()
  let failed = 0
  let retryable = 0
  const records = levels.map((l, i): PushRecord => {
    const o =
      outcomes.find((x) => x.platformSkuId === l.platformSkuId && (x.locationId ?? '') === l.location) ??
      outcomes.find((x) => x.platformSkuId === l.platformSkuId && !x.locationId) ??
      outcomes[i]
    if (!o?.ok) failed++
    // No outcome, or one without a kind, is not known to be final: sending again is harmless.
    if (!o?.ok && o?.kind !== 'permanent') retryable++
    return {
      platformSkuKey: l.key,
      location: l.location,
      quantity: l.quantity,
      ok: o?.ok === true,
      kind: o?.ok ? null : (o?.kind ?? null),
      error: o?.ok ? null : (o?.error ?? 'no outcome'),
    }
  })
  await withTx(ctx.db, (tx) => recordPushes(tx, merchantId, shopId, records, now))
  return { considered: mappings.length, sent: levels.length - failed, failed, retryable, skipped: null }
}

/** settings.locations { warehouseId: locationId } → map, or null when the channel is not per location. */
export function locationMap(settings: Readonly<Record<string, unknown>>): Map<string, string> | null {
  const v = settings.locations
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null
  const entries = Object.entries(v).filter(
    (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
  )
  return entries.length > 0
    ? new Map(entries.map(([w, l]) => [w, l.replace(/^gid:\/\/shopify\/Location\//, '')]))
    : null
}

class NotLinked extends Error {}

/** A person's push could not take its turn: another push of the shop is running. */
export class PushBusy extends Error {
  override name = 'PushBusy'
  constructor(readonly retryAfterMs: number) {
    super('a stock push of this shop is running: try again when it has finished')
  }
}

/**
 * A full resync a person asked for, now: it waits (up to `waitMs`) for a push of the shop that is
 * running, so that an older reading never lands after a newer one, but not for the interval that
 * spaces the automatic pushes.
 */
export async function pushShopNow(
  ctx: Pick<AppContext, 'db' | 'config' | 'clock' | 'log' | 'redis'>,
  merchantId: string,
  shopId: string,
  waitMs = 10_000,
): Promise<PushReport> {
  const owner = `manual.${newId()}`
  const deadline = Date.now() + waitMs
  for (;;) {
    const wait = await takePushTurn(ctx, shopId, owner, { spaced: false })
    if (wait === 0) break
    const left = deadline - Date.now()
    if (left <= 0) throw new PushBusy(wait)
    // Wall time on purpose: this waits on a lock in Redis, not on the business clock.
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, left, 200)))
  }
  try {
    return await pushShopStock(ctx, merchantId, shopId, true)
  } finally {
    await endPushTurn(ctx, shopId, owner)
  }
}
