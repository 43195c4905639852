/**
 * Turns at pushing a shop's stock, shared by every worker process through Redis: one push of a
 * shop at a time (a lock owned by the job, so an older reading never lands after a newer one), and
 * at most one push started per interval. The first change of a quiet shop goes at once; during a
 * burst the changes coalesce and one push goes per interval. A job that may not start yet is told
 * how long to wait and waits delayed in the queue, not in a worker.
 */
import type { AppContext } from '../context.js'

/** A push holds the lock at most this long; a process that died holding it blocks no longer. */
export const PUSH_LOCK_MS = 5 * 60_000

// KEYS: lock, next-start marker. ARGV: owner (job id), lock ms, interval ms.
// The same owner may take its own lock again: that is its job re-run after a crash.
const TAKE = `
local holder = redis.call('GET', KEYS[1])
local interval = tonumber(ARGV[3])
if holder and holder ~= ARGV[1] then
  local left = redis.call('PTTL', KEYS[1])
  if left < 1 then left = 1 end
  return math.min(left, math.max(interval, 250))
end
if interval > 0 and not holder then
  local wait = redis.call('PTTL', KEYS[2])
  if wait > 0 then return wait end
  redis.call('SET', KEYS[2], ARGV[1], 'PX', interval)
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 0
`

const GIVE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

// KEYS: lock, a person's request. ARGV: owner, lock ms. 0 when the owner no longer holds the turn;
// 1 when it does (now for lock ms more); 2 when it does and a person is waiting for it.
const KEEP = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
return 1
`

/** How long a person's request for the turn stands (pushShopNow renews it while it waits). */
const WANTED_MS = 15_000

type Ctx = Pick<AppContext, 'redis' | 'config'>

const keys = (ctx: Ctx, shopId: string) => [
  `${ctx.config.redis.prefix}:stock-push:lock:${shopId}`,
  `${ctx.config.redis.prefix}:stock-push:next:${shopId}`,
  `${ctx.config.redis.prefix}:stock-push:wanted:${shopId}`,
]

/**
 * 0 when `owner` may push the shop now (it then holds the turn); otherwise ms to wait first.
 * `spaced: false` (a person's full resync) waits only for a running push, not for the interval.
 */
export async function takePushTurn(
  ctx: Ctx,
  shopId: string,
  owner: string,
  opts: { spaced?: boolean } = {},
): Promise<number> {
  const [lock, next] = keys(ctx, shopId)
  const wait = await ctx.redis.eval(
    TAKE,
    2,
    lock!,
    next!,
    owner,
    PUSH_LOCK_MS,
    opts.spaced === false ? 0 : ctx.config.sync.stockPushDebounceMs,
  )
  return Number(wait)
}

/**
 * Hold the turn for another PUSH_LOCK_MS, between the slices of a long push (a full resync of a
 * large catalogue under a call budget outlasts one lock): 'kept', 'wanted' (kept, and a person is
 * waiting for the turn: an automatic push that goes on should stop), or 'lost' (its lock expired,
 * or a person cleared it: the push must stop, another may be pushing the shop).
 */
export async function keepPushTurn(
  ctx: Ctx,
  shopId: string,
  owner: string,
): Promise<'kept' | 'wanted' | 'lost'> {
  const [lock, , wanted] = keys(ctx, shopId)
  const r = Number(await ctx.redis.eval(KEEP, 2, lock!, wanted!, owner, PUSH_LOCK_MS))
  return r === 0 ? 'lost' : r === 2 ? 'wanted' : 'kept'
}

/** A person waits for the shop's turn (a push now): an automatic push going on gives it up. */
export async function wantPushTurn(ctx: Ctx, shopId: string, wanted: boolean): Promise<void> {
  const key = keys(ctx, shopId)[2]!
  if (wanted) await ctx.redis.set(key, '1', 'PX', WANTED_MS)
  else await ctx.redis.del(key)
}

export async function endPushTurn(ctx: Ctx, shopId: string, owner: string): Promise<void> {
  await ctx.redis.eval(GIVE, 1, keys(ctx, shopId)[0]!, owner)
}
