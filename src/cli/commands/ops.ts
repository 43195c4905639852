import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { getConnector } from '../../../connectors/index.js'
import { parseJsonExact } from '../../../connectors/json.js'
import { createDb } from '../../db/connect.js'
import { CHANNELS, type Channel } from '../../db/schema.js'
import { checkInventory } from '../../inventory/check.js'
import { closeContext, createContext } from '../../runtime.js'
import { reprocess } from '../../orders/reprocess.js'
import { bootConfig } from '../boot.js'


export function registerOpsCommands(program: Command): void {
  program
    .command('map')
    .description('read one raw platform order (JSON) from a file or stdin and print the unified order')
    .requiredOption('--channel <code>', `one of ${CHANNELS.join(', ')}`)
    .argument('[file]', 'file with the raw order JSON (default: stdin)')
    .action((file: string | undefined, o: { channel: string }) => {
      if (!(CHANNELS as readonly string[]).includes(o.channel)) throw new Error(`--channel must be one of ${CHANNELS.join(', ')}`)
      const text = readFileSync(file ?? 0, 'utf8')
      const result = getConnector(o.channel as Channel).mapOrder(parseJsonExact(text))
      if (!result.ok) {
        process.stderr.write(`cannot map this order (${result.reason}): ${result.detail}\n`)
        process.exitCode = 2
        return
      }
      // Decimal serialises as its exact string and Date as ISO 8601.
      process.stdout.write(`${JSON.stringify(result.value, null, 2)}\n`)
    })

  program
    .command('reprocess')
    .description('re-run mapping over the raw inbox of a shop (after a mapping fix); safe to run twice')
    .requiredOption('--shop <id>', 'shop id')
    .requiredOption('--since <time>', 'ISO time: raw payloads received since then')
    .option('--merchant <id>', 'merchant id (default: the shop’s)')
    .action(async (o: { shop: string; since: string; merchant?: string }) => {
      const since = new Date(o.since)
      if (Number.isNaN(since.getTime())) throw new Error('--since must be an ISO time such as 2026-11-01T00:00:00Z')
      const ctx = createContext(bootConfig())
      try {
        const shop = await ctx.db.selectFrom('shops').select('merchant_id').where('id', '=', o.shop).executeTakeFirst()
        if (!shop) throw new Error(`shop ${o.shop} not found`)
        const counts = await reprocess(ctx, o.merchant ?? shop.merchant_id, o.shop, since)
        process.stdout.write(`${JSON.stringify(counts)}\n`)
      } finally {
        await closeContext(ctx)
      }
    })

  program
    .command('check')
    .description('verify invariants')
    .command('inventory')
    .description('on_hand = Σ movements, reserved = Σ open allocations, no negative or over-reserved stock')
    .option('--merchant <id>', 'only this merchant')
    .action(async (o: { merchant?: string }) => {
      const db = createDb({ ...bootConfig().db, poolSize: 2 })
      try {
        const violations = await checkInventory(db, o.merchant)
        if (violations.length === 0) process.stdout.write('inventory invariants hold\n')
        for (const v of violations) process.stdout.write(`✗ ${v.kind} warehouse ${v.warehouseId} sku ${v.skuId}: ${v.detail}\n`)
        process.exitCode = violations.length === 0 ? 0 : 1
      } finally {
        await db.destroy()
      }
    })
}
