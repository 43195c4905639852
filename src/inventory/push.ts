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
import { endPushTurn, keepPushTurn, takePushTurn, wantPushTurn } from './push-gate.js'
import { planLevels } from './push-plan.js'
import { lastPushes, loadPushInputs, recordPushes, type PushRecord } from './push-repo.js'
import { shopRules } from './shop-rules.js'

export interface PushReport {
  considered: number
  /** Levels sent and accepted (a level sent again later in the same turn counts again). */
  sent: number
  /** Levels whose latest send in this turn failed. */
  failed: number
  /** Of the failed, those that may succeed when sent again (not `permanent`). */
  retryable: number
  skipped: 'disabled' | 'not_linked' | null
}

export interface PushTurnOptions {
  /**
   * The automatic push: once every level due at the start has been sent, keep sending what changes
   * for up to this long (ms from the start) while the turn is held — each level at most once per
   * push interval. 0 (a person's resync, tests): each level at most once.
   */
  continueMs?: number
  /** The owner of the shop's push turn (push-gate.ts): kept between slices; the push stops if it is lost. */
  turn?: string
}

const nothing = (considered: number, skipped: PushReport['skipped']): PushReport => ({
  considered,
  sent: 0,
  failed: 0,
  retryable: 0,
  skipped,
})

/**
 * A slice of a turn is sized to take about this long, so the quantities it sends are that fresh —
 * or READ_SHARE times the shop's reading, whichever is longer: a shop of many thousand SKUs spends
 * at most about a fifth of its turn reading.
 */
const SLICE_MS = 250
const READ_SHARE = 4
const FIRST_SLICE = 4
const MAX_SLICE = 1000

type Due = StockLevel & { key: string; skuKey: string; location: string; unit: string; order: number }

/** Sorts levels not yet sent in a turn before those sent (whose order is a turn time, ≥ 0). */
const NOT_SENT_IN_TURN = 1e15

/**
 * A push turn: read what the shop should show, send the levels that differ from what it last
 * accepted, record the outcomes, and read again. A turn goes in slices sized to the shop's pace
 * (SLICE_MS): a platform that takes one call per item under a call budget (Taobao, JD, Pinduoduo,
 * Douyin: about 10 a second) sends each item with a reading at most one slice old, not one taken
 * before the whole catalogue went out, and the items waiting longest go first. Levels of one
 * platform item stay in one slice (one call). A level that failed is not sent again in the turn:
 * the queue retries the job with backoff; one that failed for a transient reason ends the turn.
 */
export async function pushShopStock(
  ctx: Pick<AppContext, 'db' | 'config' | 'clock' | 'log' | 'redis'>,
  merchantId: string,
  shopId: string,
  full = false,
  opts: PushTurnOptions = {},
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
  const locations = locationMap(shop.parsed.channel ?? {})
  const connector = getConnector(shop.channel)
  const interval = ctx.config.sync.stockPushDebounceMs
  // Durations of the turn are wall time (performance.now), like the queue's and the gate's delays.
  const started = performance.now()
  const last = await lastPushes(ctx.db, merchantId, shopId)
  /** When each level was sent in this turn. */
  const sentAt = new Map<string, number>()
  /** The latest outcome of each level sent in this turn. */
  const latest = new Map<string, { ok: boolean; kind: string | null }>()
  let firstDue: Set<string> | null = null
  let considered: number
  let sent = 0
  let size = FIRST_SLICE
  for (;;) {
    const read0 = performance.now()
    const inputs = await loadPushInputs(ctx.db, merchantId, shopId, warehouses, locations)
    considered = inputs.mappings.length
    if (considered === 0 || warehouses.length === 0) break
    const now = performance.now()
    const sliceMs = Math.max(SLICE_MS, READ_SHARE * (now - read0))
    const due: Due[] = []
    for (const l of planLevels(inputs, rules.sync, ctx.config.sync.virtualStockMax)) {
      const key = `${l.location}|${l.platformSkuKey}`
      if (latest.get(key)?.ok === false) continue
      const prev = last.get(key)
      const at = sentAt.get(key)
      const changed = !prev || prev.ok !== true || prev.quantity !== l.quantity
      if (!changed && !(full && at === undefined)) continue
      if (at !== undefined && (!opts.continueMs || now - at < interval)) continue
      due.push({
        key,
        skuKey: l.platformSkuKey,
        location: l.location,
        unit: `${l.location}|${l.platformItemId ?? l.platformSkuId ?? l.platformSkuKey}`,
        // Not sent in this turn first, the longest since its last push first; then the earliest sent.
        order: at ?? (prev?.pushedAt?.getTime() ?? 0) - NOT_SENT_IN_TURN,
        platformSkuId: l.platformSkuId ?? l.platformSkuKey,
        platformItemId: l.platformItemId,
        locationId: l.location || null,
        quantity: l.quantity,
      })
    }
    firstDue ??= new Set(due.map((d) => d.key))
    if (due.length === 0) break
    // A later slice goes only while the turn is still this push's; an automatic one that goes on
    // gives it up to a person waiting (a push now), which sends everything.
    const turn = opts.turn && sentAt.size > 0 ? await keepPushTurn(ctx, shopId, opts.turn) : 'kept'
    if (turn === 'lost') {
      ctx.log.warn({ shopId }, 'stock push stopped: its turn was lost; the next push sends the rest')
      break
    }
    if (turn === 'wanted' && opts.continueMs) break
    const slice = takeUnits(due, size)
    faultPoint('stock-push.planned')
    const t0 = performance.now()
    let outcomes: PushOutcome[]
    try {
      outcomes = await withFreshToken(ctx, merchantId, shopId, (sc) => {
        if (!isLinked(connector, sc.credentials)) throw new NotLinked()
        return connector.pushStock(
          sc,
          slice.map(({ key: _k, skuKey: _s, location: _l, unit: _u, order: _o, ...l }) => l),
        )
      })
    } catch (err) {
      // Nothing can be sent before the shop's OAuth completes; the next push after it sends all.
      if (err instanceof NotLinked) return nothing(considered, 'not_linked')
      const error = err instanceof Error ? err.message : String(err)
      const kind = isConnectorError(err) ? err.kind : 'transient'
      outcomes = slice.map((l) => ({
        platformSkuId: l.platformSkuId,
        locationId: l.locationId ?? null,
        ok: false,
        quantity: l.quantity,
        error,
        kind,
      }))
    }
    faultPoint('stock-push.sent')
    size = Math.max(
      1,
      Math.min(MAX_SLICE, Math.round((sliceMs * slice.length) / Math.max(1, performance.now() - t0))),
    )
    const at = ctx.clock.now()
    const records = slice.map((l, i): PushRecord => {
      const o =
        outcomes.find((x) => x.platformSkuId === l.platformSkuId && (x.locationId ?? '') === l.location) ??
        outcomes.find((x) => x.platformSkuId === l.platformSkuId && !x.locationId) ??
        outcomes[i]
      return {
        platformSkuKey: l.skuKey,
        location: l.location,
        quantity: l.quantity,
        ok: o?.ok === true,
        // No outcome, or one without a kind, is not known to be final: sending again is harmless.
        kind: o?.ok ? null : (o?.kind ?? null),
        error: o?.ok ? null : (o?.error ?? 'no outcome'),
      }
    })
    await withTx(ctx.db, (tx) => recordPushes(tx, merchantId, shopId, records, at))
    let retry = false
    for (const [i, r] of records.entries()) {
      const key = slice[i]!.key
      // In the slice's order: the next round goes in the same order (ties would reorder it).
      sentAt.set(key, t0 + i / 1e6)
      latest.set(key, { ok: r.ok, kind: r.kind })
      last.set(key, { quantity: r.quantity, ok: r.ok, pushedAt: at, error: r.error })
      if (r.ok) sent++
      else if (r.kind !== 'permanent') retry = true
    }
    if (retry) break
    // Once what was due at the start is out, an automatic turn goes on while it may; otherwise the
    // loop ends when nothing unsent is due.
    if (
      opts.continueMs &&
      performance.now() - started >= opts.continueMs &&
      [...firstDue].every((k) => sentAt.has(k))
    )
      break
  }
  let failed = 0
  let retryable = 0
  for (const o of latest.values()) {
    if (o.ok) continue
    failed++
    if (o.kind !== 'permanent') retryable++
  }
  return { considered, sent, failed, retryable, skipped: null }
}

/** The first whole units (a platform item's levels) of `due` in its order, about `size` levels. */
function takeUnits(due: Due[], size: number): Due[] {
  due.sort((a, b) => a.order - b.order || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const units = new Map<string, Due[]>()
  for (const d of due) {
    const u = units.get(d.unit)
    if (u) u.push(d)
    else units.set(d.unit, [d])
  }
  const slice: Due[] = []
  for (const levels of units.values()) {
    if (slice.length > 0 && slice.length + levels.length > size) break
    slice.push(...levels)
  }
  return slice
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
    if (left <= 0) {
      await wantPushTurn(ctx, shopId, false)
      throw new PushBusy(wait)
    }
    // An automatic push that goes on (a busy shop) stops at its next slice for this one.
    await wantPushTurn(ctx, shopId, true)
    // Wall time on purpose: this waits on a lock in Redis, not on the business clock.
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, left, 200)))
  }
  await wantPushTurn(ctx, shopId, false)
  try {
    return await pushShopStock(ctx, merchantId, shopId, true, { turn: owner })
  } finally {
    await endPushTurn(ctx, shopId, owner)
  }
}
