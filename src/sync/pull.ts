/**
 * Pulling one stream of one shop: from the stored cursor (minus the overlap that absorbs platform
 * clock skew) to now, page by page. Each page is committed to the order pool before the cursor
 * moves to what it covers, so a pull that fails half way resumes from the last committed page, and
 * the overlap never duplicates (the raw inbox stores an identical payload once, and an older
 * version never overwrites a newer one). An expired token is refreshed once and the call retried.
 */
import { getConnector } from '../../connectors/index.js'
import { isConnectorError } from '../../connectors/errors.js'
import type { Connector, ShopContext, TimeWindow } from '../../connectors/types.js'
import type { AppContext } from '../context.js'
import { newId } from '../lib/ids.js'
import { storePulledSettlements } from '../ledger/settlements.js'
import { ingestRawOrders, ingestRawRefunds } from '../orders/ingest.js'
import { shopContext } from './shop-context.js'
import type { Stream } from './tables.js'

const INITIAL_LOOKBACK_MS = 24 * 3600_000

export interface PullReport {
  window: TimeWindow
  pages: number
  stored: number
  duplicates: number
}

type Ctx = Pick<AppContext, 'db' | 'queues' | 'config' | 'clock' | 'log' | 'redis'>

async function readCursor(
  ctx: Ctx,
  merchantId: string,
  shopId: string,
  stream: Stream,
): Promise<Date | null> {
  const row = await ctx.db
    .selectFrom('sync_cursors')
    .select('cursor_at')
    .where('merchant_id', '=', merchantId)
    .where('shop_id', '=', shopId)
    .where('stream', '=', stream)
    .executeTakeFirst()
  return row?.cursor_at ?? null
}

/** Move the cursor forward only (never back), after the page it covers is committed. */
async function advance(
  ctx: Ctx,
  merchantId: string,
  shopId: string,
  stream: Stream,
  to: Date,
): Promise<void> {
  const now = ctx.clock.now()
  await ctx.db
    .insertInto('sync_cursors')
    .values({
      merchant_id: merchantId,
      shop_id: shopId,
      stream,
      cursor_at: to,
      last_run_at: now,
      last_ok_at: now,
      last_error: null,
    })
    .onDuplicateKeyUpdate((eb) => ({
      cursor_at: eb.fn('GREATEST', [eb.fn.coalesce('cursor_at', eb.val(to)), eb.val(to)]),
      last_run_at: now,
      last_ok_at: now,
      last_error: null,
    }))
    .execute()
}

export async function recordSyncError(
  ctx: Ctx,
  merchantId: string,
  shopId: string,
  stream: Stream,
  err: unknown,
): Promise<void> {
  const ce = isConnectorError(err) ? err : null
  const message = err instanceof Error ? err.message : String(err)
  await ctx.db
    .insertInto('sync_errors')
    .values({
      id: newId(),
      merchant_id: merchantId,
      shop_id: shopId,
      stream,
      kind: ce?.kind ?? 'internal',
      message: message.slice(0, 4000),
      http_status: ce?.detail.httpStatus ?? null,
      body: ce?.detail.body ?? null,
    })
    .execute()
  await ctx.db
    .insertInto('sync_cursors')
    .values({
      merchant_id: merchantId,
      shop_id: shopId,
      stream,
      cursor_at: null,
      last_run_at: ctx.clock.now(),
      last_ok_at: null,
      last_error: message.slice(0, 4000),
    })
    .onDuplicateKeyUpdate({ last_run_at: ctx.clock.now(), last_error: message.slice(0, 4000) })
    .execute()
}

/** Whether a shop has what its channel needs to call the platform (an OAuth shop: its token). */
export function isLinked(connector: Connector, credentials: Readonly<Record<string, unknown>>): boolean {
  return !connector.oauth || typeof credentials[connector.oauth.tokenField] === 'string'
}

type TokenCtx = Pick<AppContext, 'db' | 'config' | 'clock' | 'log' | 'redis'>

/** Run `fn` with the shop's context; on auth_expired, refresh the token once and run it again. */
export async function withFreshToken<T>(
  ctx: TokenCtx,
  merchantId: string,
  shopId: string,
  fn: (sc: ShopContext) => Promise<T>,
): Promise<T> {
  let sc = await shopContext(ctx, merchantId, shopId)
  const connector = getConnector(sc.channel)
  // Refresh before expiry rather than failing a call first (tokens of an hour: Shopify, Douyin, PDD…).
  if (connector.refreshToken && expiresSoon(sc.credentials.expiresAt, ctx.clock.now())) {
    sc = await refreshShared(ctx, sc, (fresh) => expiresSoon(fresh.credentials.expiresAt, ctx.clock.now()))
  }
  try {
    return await fn(sc)
  } catch (err) {
    if (!isConnectorError(err, 'auth_expired') || !connector.refreshToken) throw err
    const used = sc.credentials[connector.oauth?.tokenField ?? 'accessToken']
    // Refresh unless another process already replaced the token this call was rejected with.
    sc = await refreshShared(
      ctx,
      sc,
      (fresh) => fresh.credentials[connector.oauth?.tokenField ?? 'accessToken'] === used,
    )
    return fn(sc)
  }
}

const REFRESH_LOCK_MS = 30_000

/**
 * One refresh per shop at a time, across processes: platforms that rotate refresh tokens (Douyin,
 * Shopify) refuse the old one once a new one is issued, so two workers refreshing together would
 * break the shop. The lock holder refreshes if `stillNeeded` says so on the credentials it reads
 * under the lock; the others wait for it and use what it stored.
 */
async function refreshShared(
  ctx: TokenCtx,
  sc: ShopContext,
  stillNeeded: (fresh: ShopContext) => boolean,
): Promise<ShopContext> {
  const key = `${ctx.config.redis.prefix}:token-refresh:${sc.id}`
  const me = newId()
  for (let waited = 0; ; waited += 100) {
    if ((await ctx.redis.set(key, me, 'PX', REFRESH_LOCK_MS, 'NX')) === 'OK') break
    if (waited >= REFRESH_LOCK_MS)
      throw new Error(`token refresh of shop ${sc.id} is held by another process for too long`)
    await new Promise((r) => setTimeout(r, 100))
  }
  try {
    const fresh = await shopContext(ctx, sc.merchantId, sc.id)
    if (!stillNeeded(fresh)) return fresh
    await fresh.saveCredentials(await getConnector(fresh.channel).refreshToken!(fresh))
    return await shopContext(ctx, sc.merchantId, sc.id)
  } finally {
    // Release only our own lock (it may have expired and been taken by another).
    await ctx.redis.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
      1,
      key,
      me,
    )
  }
}

const REFRESH_AHEAD_MS = 5 * 60_000

/** Whether a stored expiresAt (ISO string) falls within the refresh margin. */
export function expiresSoon(expiresAt: unknown, now: Date): boolean {
  if (typeof expiresAt !== 'string' || expiresAt === '') return false
  const at = Date.parse(expiresAt)
  return !Number.isNaN(at) && at - now.getTime() < REFRESH_AHEAD_MS
}

export async function pullStream(
  ctx: Ctx,
  merchantId: string,
  shopId: string,
  stream: Stream,
): Promise<PullReport> {
  const now = ctx.clock.now()
  const cursor = await readCursor(ctx, merchantId, shopId, stream)
  const from = new Date(
    (cursor?.getTime() ?? now.getTime() - INITIAL_LOOKBACK_MS) - (cursor ? ctx.config.sync.overlapMs : 0),
  )
  const window = { from, to: now }
  const report: PullReport = { window, pages: 0, stored: 0, duplicates: 0 }
  try {
    await withFreshToken(ctx, merchantId, shopId, async (sc) => {
      const connector = getConnector(sc.channel)
      const shop = { id: shopId, merchantId, channel: sc.channel }
      // A shop whose OAuth has not completed has nothing to pull with yet: not an error.
      if (!isLinked(connector, sc.credentials)) return
      if (stream === 'orders') {
        for await (const page of connector.pullOrders(sc, window)) {
          const r = await ingestRawOrders(ctx, shop, page.items, 'pull')
          report.pages++
          report.stored += r.stored
          report.duplicates += r.duplicates
          await advance(ctx, merchantId, shopId, stream, page.coveredUntil)
        }
      } else if (stream === 'refunds') {
        if (!connector.pullRefunds) return
        for await (const page of connector.pullRefunds(sc, window)) {
          const r = await ingestRawRefunds(ctx, shop, page.items, 'pull')
          report.pages++
          report.stored += r.stored
          report.duplicates += r.duplicates
          await advance(ctx, merchantId, shopId, stream, page.coveredUntil)
        }
      } else if (stream === 'messages') {
        if (!connector.pullMessages || !connector.confirmMessages) return
        // Pushed messages name orders; fetch them in full, then confirm. Unconfirmed messages come
        // back, so a failure anywhere before the confirm loses nothing. A few batches per run.
        for (let batch = 0; batch < 10; batch++) {
          const m = await connector.pullMessages(sc)
          if (m.ids.length === 0) break
          const fetched = []
          for (const id of m.orderIds) fetched.push(await connector.fetchOrder(sc, id))
          const r = await ingestRawOrders(ctx, shop, fetched, 'webhook')
          report.pages++
          report.stored += r.stored
          report.duplicates += r.duplicates
          await connector.confirmMessages(sc, m.ids)
        }
        await advance(ctx, merchantId, shopId, stream, ctx.clock.now())
      } else {
        if (!connector.pullSettlements) return
        // Settlement batches come per payout or statement, not in time order: the cursor moves at the end.
        for await (const lines of connector.pullSettlements(sc, window)) {
          const r = await storePulledSettlements(ctx.db, shop, lines)
          report.pages++
          report.stored += r.inserted
          report.duplicates += r.alreadyKnown
        }
        await advance(ctx, merchantId, shopId, stream, window.to)
      }
    })
  } catch (err) {
    await recordSyncError(ctx, merchantId, shopId, stream, err)
    throw err
  }
  return report
}
