/**
 * A separate worker process for the oversell test: allocates the given orders against the shared
 * test database, many at a time, and prints what happened. Usage (stdin JSON):
 *   { "url": "mysql://…/db", "merchantId": "…", "orderIds": ["…"], "concurrency": 16 }
 */
import { createDb } from '../../../src/db/connect.js'
import { allocateOrder } from '../../../src/inventory/allocate.js'
import { systemClock } from '../../../src/lib/clock.js'

const input = JSON.parse(
  await new Promise<string>((resolve) => {
    let s = ''
    process.stdin.on('data', (d: Buffer) => (s += d.toString())).on('end', () => resolve(s))
  }),
) as { url: string; merchantId: string; orderIds: string[]; concurrency: number }

const db = createDb({ url: input.url, poolSize: input.concurrency })
const ctx = { db, clock: systemClock }
const counts: Record<string, number> = {}
const queue = [...input.orderIds]
await Promise.all(
  Array.from({ length: input.concurrency }, async () => {
    for (let id = queue.shift(); id; id = queue.shift()) {
      const outcome = await allocateOrder(ctx, input.merchantId, id)
      counts[outcome] = (counts[outcome] ?? 0) + 1
    }
  }),
)
await db.destroy()
process.stdout.write(JSON.stringify(counts))
