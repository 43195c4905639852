/**
 * The deliveries a worker process has in hand at the same time, processed together per shop: each
 * job asks for its own delivery and gets its own outcome, but the jobs of one shop that arrive
 * while a batch runs are taken by the next batch as one (processDeliveries: one ingest of all their
 * orders). Under a burst a shop's deliveries are thus written a batch at a time instead of one by
 * one; a lone delivery waits one turn of the event loop.
 *
 * A batch that throws as a whole (the database away) fails each job it took, which BullMQ retries
 * on its own schedule; when it took more than one, each of them is first tried alone, so that one
 * delivery that breaks the batch cannot hold back the others.
 */
import type { AppContext } from '../context.js'
import { DELIVERIES_PER_BATCH, processDeliveries } from './service.js'

type Ctx = Parameters<typeof processDeliveries>[0]

interface Waiting {
  deliveryId: string
  /** The job's retry: its dead attempt may have stored orders it did not normalize. */
  resume: boolean
  resolve: () => void
  reject: (err: Error) => void
}

interface ShopLane {
  merchantId: string
  shopId: string
  waiting: Waiting[]
  /** Batches of the shop in flight: while one is in the database, the next is read and fetched. */
  running: number
}

/** Batches of one shop at once in a process. Two versions of an order in both converge (pipeline.ts). */
const LANES = 2

const lanesOf = new WeakMap<object, Map<string, ShopLane>>()

export function processDeliveryJoined(
  ctx: Ctx & Pick<AppContext, 'db'>,
  merchantId: string,
  shopId: string,
  deliveryId: string,
  opts: { resume?: boolean } = {},
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let lanes = lanesOf.get(ctx.db)
    if (!lanes) {
      lanes = new Map()
      lanesOf.set(ctx.db, lanes)
    }
    const key = `${merchantId}/${shopId}`
    let lane = lanes.get(key)
    if (!lane) {
      lane = { merchantId, shopId, waiting: [], running: 0 }
      lanes.set(key, lane)
    }
    lane.waiting.push({ deliveryId, resume: opts.resume === true, resolve, reject })
    if (lane.running < LANES) {
      lane.running++
      void drain(ctx, lanes, key, lane)
    }
  })
}

async function drain(ctx: Ctx, lanes: Map<string, ShopLane>, key: string, lane: ShopLane): Promise<void> {
  for (;;) {
    // Jobs picked up in the same turn as this one (a worker fills its free slots at once) join it.
    await new Promise((resolve) => setImmediate(resolve))
    if (lane.waiting.length === 0) break
    const take = lane.waiting.splice(0, DELIVERIES_PER_BATCH)
    await settle(ctx, lane, take)
  }
  if (--lane.running === 0) lanes.delete(key)
}

async function settle(ctx: Ctx, lane: ShopLane, take: Waiting[]): Promise<void> {
  try {
    const outcome = await processDeliveries(
      ctx,
      lane.merchantId,
      lane.shopId,
      take.map((w) => w.deliveryId),
      { resume: take.some((w) => w.resume) },
    )
    for (const w of take) {
      const failed = outcome.get(w.deliveryId)
      if (failed) w.reject(failed)
      else w.resolve()
    }
  } catch (err) {
    if (take.length === 1) {
      take[0]!.reject(err instanceof Error ? err : new Error(String(err)))
      return
    }
    for (const w of take) await settle(ctx, lane, [w])
  }
}
