/**
 * Channel stock push: for every platform SKU a shop maps, compute the quantity to show and send
 * the ones that changed since the last successful push (all of them on a full resync). Every
 * outcome is recorded per shop and platform SKU; quantities are absolute, so sending one again
 * after a crash changes nothing. Failures that may pass (transient, rate-limited, expired token)
 * are counted as retryable for the job layer to retry; permanent ones wait for a person.
 */
import { sql } from 'kysely'
import { getConnector } from '../../connectors/index.js'
import type { PushOutcome, StockLevel } from '../../connectors/types.js'
import type { AppContext } from '../context.js'
import { isConnectorError } from '../../connectors/errors.js'
import { chunk, groupBy } from '../lib/collections.js'
import { faultPoint } from '../lib/fault.js'
import { newId } from '../lib/ids.js'
import { getShop } from '../shops/repo.js'
import { isLinked, withFreshToken } from '../sync/pull.js'
import { listWarehouses } from '../warehouses/repo.js'
import { endPushTurn, takePushTurn } from './push-gate.js'
import { bundleAvailable, pushQuantity } from './push-quantity.js'
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
  const mappings = await ctx.db
    .selectFrom('sku_mappings as m')
    .innerJoin('skus as s', 's.id', 'm.sku_id')
    .select(['m.platform_sku_key', 'm.platform_sku_id', 'm.platform_item_id', 'm.sku_id', 's.code'])
    .where('m.merchant_id', '=', merchantId)
    .where('m.shop_id', '=', shopId)
    .execute()
  if (mappings.length === 0 || warehouses.length === 0) return nothing(mappings.length, null)
  const components = await ctx.db
    .selectFrom('sku_bundle_components')
    .select(['bundle_sku_id', 'component_sku_id', 'quantity'])
    .where('merchant_id', '=', merchantId)
    .where(
      'bundle_sku_id',
      'in',
      mappings.map((m) => m.sku_id),
    )
    .execute()
  const bundles = groupBy(components, (c) => c.bundle_sku_id)
  const skuIds = [
    ...new Set([...mappings.map((m) => m.sku_id), ...components.map((c) => c.component_sku_id)]),
  ]
  const stock = await ctx.db
    .selectFrom('stock')
    .select(['sku_id', 'warehouse_id', 'on_hand', 'reserved'])
    .where('merchant_id', '=', merchantId)
    .where('warehouse_id', 'in', warehouses)
    .where('sku_id', 'in', skuIds)
    .execute()
  // Channels that keep stock per location (Shopify) get one quantity per location from the
  // warehouses mapped to it; every other channel gets the sum over the shop's warehouses ('' location).
  const locationOf = locationMap(shop.parsed.channel ?? {})
  const available = new Map<string, number>() // `${location}|${skuId}`
  for (const s of stock) {
    const loc = locationOf ? locationOf.get(s.warehouse_id) : ''
    if (loc === undefined) continue
    const k = `${loc}|${s.sku_id}`
    available.set(k, (available.get(k) ?? 0) + s.on_hand - s.reserved)
  }
  const locations = locationOf ? [...new Set(locationOf.values())] : ['']
  const last = new Map(
    (
      await ctx.db
        .selectFrom('stock_push_state')
        .select(['platform_sku_key', 'location_id', 'quantity', 'ok'])
        .where('merchant_id', '=', merchantId)
        .where('shop_id', '=', shopId)
        .execute()
    ).map((r) => [`${r.location_id}|${r.platform_sku_key}`, r]),
  )
  const levels: (StockLevel & { key: string; location: string })[] = []
  for (const m of mappings) {
    for (const loc of locations) {
      const parts = bundles.get(m.sku_id)
      const avail = parts
        ? bundleAvailable(
            parts.map((p) => ({
              available: available.get(`${loc}|${p.component_sku_id}`) ?? 0,
              quantity: p.quantity,
            })),
          )
        : (available.get(`${loc}|${m.sku_id}`) ?? 0)
      const rule = rules.sync.overrides.get(m.code) ?? rules.sync.base
      const quantity = pushQuantity(avail, rule, ctx.config.sync.virtualStockMax)
      const prev = last.get(`${loc}|${m.platform_sku_key}`)
      if (!full && prev && prev.ok === 1 && prev.quantity === quantity) continue
      levels.push({
        key: m.platform_sku_key,
        location: loc,
        platformSkuId: m.platform_sku_id ?? m.platform_sku_key,
        platformItemId: m.platform_item_id,
        locationId: loc || null,
        quantity,
      })
    }
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
  const rows = levels.map((l, i) => {
    const o =
      outcomes.find((x) => x.platformSkuId === l.platformSkuId && (x.locationId ?? '') === l.location) ??
      outcomes.find((x) => x.platformSkuId === l.platformSkuId && !x.locationId) ??
      outcomes[i]
    if (!o?.ok) failed++
    // No outcome, or one without a kind, is not known to be final: sending again is harmless.
    if (!o?.ok && o?.kind !== 'permanent') retryable++
    return {
      merchant_id: merchantId,
      shop_id: shopId,
      platform_sku_key: l.key,
      location_id: l.location,
      quantity: l.quantity,
      pushed_at: now,
      ok: o?.ok ? 1 : 0,
      error: o?.ok ? null : (o?.error ?? 'no outcome').slice(0, 2000),
    }
  })
  for (const part of chunk(rows, 500)) {
    await ctx.db
      .insertInto('stock_push_state')
      .values(part)
      .onDuplicateKeyUpdate({
        quantity: sql`VALUES(quantity)`,
        pushed_at: sql`VALUES(pushed_at)`,
        ok: sql`VALUES(ok)`,
        error: sql`VALUES(error)`,
      })
      .execute()
  }
  return { considered: mappings.length, sent: levels.length - failed, failed, retryable, skipped: null }
}

/** settings.locations { warehouseId: locationId } → map, or null when the channel is not per location. */
function locationMap(settings: Readonly<Record<string, unknown>>): Map<string, string> | null {
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
