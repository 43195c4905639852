/**
 * A shop's catalogue pull (the `catalogue-pull` job): every listing page stored as it arrives (each
 * page its own transaction, so a pull that fails half way keeps what it stored and the retry
 * overwrites it), then — only after a complete pull — listings not seen are marked deleted, the
 * listing SKUs are auto-mapped by seller code, and a stock push is queued for the shop, so newly
 * linked SKUs show the hub's stock from the first day. Orders waiting on an unmapped SKU re-run.
 */
import { getConnector } from '../../connectors/index.js'
import type { AppContext } from '../context.js'
import { withTx } from '../db/tx.js'
import { newId } from '../lib/ids.js'
import { rerunWaiting } from '../orders/rerun.js'
import { getShop } from '../shops/repo.js'
import { isLinked, withFreshToken } from '../sync/pull.js'
import { enqueue, jobId } from '../../jobs/queues.js'
import { autoMapShop } from './automap.js'
import { markUnseen, storeListings, type PulledListing } from './store.js'
import type { CataloguePullTable } from './tables.js'

export type PullReason = CataloguePullTable['reason']

export interface CataloguePullReport {
  pullId: string
  status: CataloguePullTable['status'] | 'skipped'
  listings: number
  skus: number
  unreadable: number
  linked: number
  removed: number
  /** The stock push queued for the newly linked SKUs (null when nothing was linked). */
  pushJobId: string | null
  rerun: number
}

type Ctx = Pick<AppContext, 'db' | 'queues' | 'config' | 'clock' | 'log' | 'redis'>

export async function pullCatalogue(
  ctx: Ctx,
  merchantId: string,
  shopId: string,
  reason: PullReason,
): Promise<CataloguePullReport> {
  const pullId = newId()
  const report: CataloguePullReport = {
    pullId,
    status: 'skipped',
    listings: 0,
    skus: 0,
    unreadable: 0,
    linked: 0,
    removed: 0,
    pushJobId: null,
    rerun: 0,
  }
  const shop = await getShop(ctx.db, merchantId, shopId)
  if (!shop || shop.status !== 'active') return report
  const connector = getConnector(shop.channel)
  const started = ctx.clock.now()
  const run = (status: CataloguePullTable['status'], error: string | null = null) =>
    ctx.db
      .insertInto('catalogue_pulls')
      .values({
        id: pullId,
        merchant_id: merchantId,
        shop_id: shopId,
        reason,
        status,
        started_at: started,
        finished_at: status === 'running' ? null : ctx.clock.now(),
        listings: report.listings,
        skus: report.skus,
        unreadable: report.unreadable,
        linked: report.linked,
        removed: report.removed,
        error: error?.slice(0, 2000) ?? null,
      })
      .onDuplicateKeyUpdate({
        status,
        finished_at: status === 'running' ? null : ctx.clock.now(),
        listings: report.listings,
        skus: report.skus,
        unreadable: report.unreadable,
        linked: report.linked,
        removed: report.removed,
        error: error?.slice(0, 2000) ?? null,
      })
      .execute()
  const pull = connector.pullCatalogue?.bind(connector)
  const map = connector.mapListing?.bind(connector)
  if (!pull || !map) {
    await run('unsupported', `${shop.channel} has no catalogue call`)
    return { ...report, status: 'unsupported' }
  }
  // One pull of a shop at a time: a second one would mark what the first has seen as gone.
  const lock = shopLock(ctx, shopId, pullId)
  if (!(await lock.take())) return report
  let mapped: Awaited<ReturnType<typeof autoMapShop>>
  try {
    await run('running')
    try {
      await withFreshToken(ctx, merchantId, shopId, async (sc) => {
        if (!isLinked(connector, sc.credentials)) throw new NotLinked(`shop ${shopId} is not linked yet`)
        report.listings = report.skus = report.unreadable = 0
        for await (const page of pull(sc)) {
          const pulled: PulledListing[] = page.map((raw) => ({ raw, mapped: map(raw.payload) }))
          const stored = await withTx(ctx.db, (tx) =>
            storeListings(tx, merchantId, shopId, pullId, pulled, ctx.clock.now()),
          )
          report.listings += stored.listings
          report.skus += stored.skus
          report.unreadable += stored.unreadable
          await lock.extend()
        }
      })
    } catch (err) {
      await run('failed', err instanceof Error ? err.message : String(err))
      if (err instanceof NotLinked) return { ...report, status: 'failed' }
      throw err
    }
    const now = ctx.clock.now()
    mapped = await withTx(ctx.db, async (tx) => {
      report.removed = await markUnseen(tx, merchantId, shopId, pullId, now)
      return autoMapShop(tx, merchantId, shopId, now)
    })
    report.linked = mapped.linked
    await run('done')
  } finally {
    await lock.release()
  }
  if (mapped.linked > 0) {
    report.pushJobId = jobId('catalogue-push', shopId, pullId)
    await enqueue(ctx.queues, 'stock-push', { merchantId, shopId, full: false }, report.pushJobId)
    report.rerun = await rerunWaiting(ctx, merchantId, ['sku_unmapped'], shopId)
  }
  ctx.log.info({ merchantId, shopId, reason, ...report }, 'catalogue pulled and mapped')
  return { ...report, status: 'done' }
}

class NotLinked extends Error {}

/** A page can take a while on a slow platform; the lock outlives any one page by far and is renewed per page. */
const LOCK_MS = 30 * 60_000
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`

function shopLock(ctx: Pick<AppContext, 'redis' | 'config'>, shopId: string, token: string) {
  const key = `${ctx.config.redis.prefix}:catalogue-lock:${shopId}`
  return {
    take: async () => (await ctx.redis.set(key, token, 'PX', LOCK_MS, 'NX')) === 'OK',
    extend: async () => void (await ctx.redis.pexpire(key, LOCK_MS)),
    release: async () => void (await ctx.redis.eval(RELEASE, 1, key, token)),
  }
}
