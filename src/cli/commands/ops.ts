import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { Command } from 'commander'
import { getConnector } from '../../../connectors/index.js'
import { parseJsonExact } from '../../../connectors/json.js'
import { createDb } from '../../db/connect.js'
import { CHANNELS, type Channel } from '../../db/schema.js'
import { checkInventory } from '../../inventory/check.js'
import { closeContext, createContext } from '../../runtime.js'
import { reprocess } from '../../orders/reprocess.js'
import { sweepOutbox } from '../../orders/outbox.js'
import { closePeriod } from '../../ledger/journal.js'
import { importSettlementFile } from '../../ledger/settlements.js'
import { bootConfig } from '../boot.js'
import { pastedOrder } from '../pasted.js'

export function registerOpsCommands(program: Command): void {
  program
    .command('map')
    .description(
      "read one platform order (JSON) from a file or stdin — as the platform's API answers it, envelope included, a webhook body, or the bare order — and print the unified order",
    )
    .requiredOption('--channel <code>', `one of ${CHANNELS.join(', ')}`)
    .argument('[file]', 'file with the order JSON (default: stdin)')
    .action((file: string | undefined, o: { channel: string }) => {
      if (!(CHANNELS as readonly string[]).includes(o.channel))
        throw new Error(`--channel must be one of ${CHANNELS.join(', ')}`)
      const text = readFileSync(file ?? 0, 'utf8')
      let json: unknown
      try {
        json = parseJsonExact(text)
      } catch (err) {
        process.stderr.write(`cannot read this as JSON: ${(err as Error).message}\n`)
        process.exitCode = 2
        return
      }
      const pasted = pastedOrder(o.channel as Channel, json)
      if (!pasted.ok) {
        process.stderr.write(`no order to map (${pasted.problem}): ${pasted.message}\n`)
        process.exitCode = 2
        return
      }
      process.stderr.write(`reading ${pasted.found}\n`)
      const result = getConnector(o.channel as Channel).mapOrder(pasted.order)
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
      if (Number.isNaN(since.getTime()))
        throw new Error('--since must be an ISO time such as 2026-11-01T00:00:00Z')
      const ctx = createContext(bootConfig())
      try {
        const shop = await ctx.db
          .selectFrom('shops')
          .select('merchant_id')
          .where('id', '=', o.shop)
          .executeTakeFirst()
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
    .description(
      'on_hand = Σ movements, reserved = Σ open allocations, no negative or over-reserved stock, nothing reserved for a cancelled order',
    )
    .option('--merchant <id>', 'only this merchant')
    .action(async (o: { merchant?: string }) => {
      const db = createDb({ ...bootConfig().db, poolSize: 2 })
      try {
        const violations = await checkInventory(db, o.merchant)
        if (violations.length === 0) process.stdout.write('inventory invariants hold\n')
        for (const v of violations)
          process.stdout.write(`✗ ${v.kind} warehouse ${v.warehouseId} sku ${v.skuId}: ${v.detail}\n`)
        process.exitCode = violations.length === 0 ? 0 : 1
      } finally {
        await db.destroy()
      }
    })
}

/** Finance and operations commands: settlement import, period close, the outbox sweep. */
export function registerFinanceCommands(program: Command): void {
  program
    .command('settlements')
    .description('settlement statements')
    .command('import')
    .description(
      'import a settlement statement file exactly as downloaded from the platform (importing it again changes nothing)',
    )
    .requiredOption('--shop <id>', 'shop id')
    .argument(
      '<file>',
      'the downloaded statement (Alipay 账务明细, PDD 货款明细, JD 结算单, Douyin 资金流水明细)',
    )
    .action(async (file: string, o: { shop: string }) => {
      const ctx = createContext(bootConfig())
      try {
        const shop = await ctx.db
          .selectFrom('shops')
          .select('merchant_id')
          .where('id', '=', o.shop)
          .executeTakeFirst()
        if (!shop) throw new Error(`shop ${o.shop} not found`)
        const report = await importSettlementFile(
          ctx.db,
          shop.merchant_id,
          o.shop,
          readFileSync(file),
          basename(file),
        )
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
        if (report.rejected.length > 0 || report.totalsAgree === false) process.exitCode = 3
      } finally {
        await closeContext(ctx)
      }
    })

  program
    .command('ledger')
    .description('the ledger')
    .command('close')
    .description('close a month: later postings dated in it are booked in the next open month')
    .requiredOption('--merchant <id>', 'merchant id')
    .requiredOption('--period <YYYY-MM>', 'the month to close')
    .action(async (o: { merchant: string; period: string }) => {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(o.period)) throw new Error('--period must be YYYY-MM')
      const ctx = createContext(bootConfig())
      try {
        const r = await closePeriod(ctx.db, o.merchant, o.period, 'cli', ctx.clock.now())
        process.stdout.write(`${o.period} closed at ${r.toISOString()}\n`)
      } finally {
        await closeContext(ctx)
      }
    })

  program
    .command('outbox')
    .description('the order event outbox')
    .command('sweep')
    .description(
      'enqueue order events that were committed but never enqueued (the scheduler does this every tick)',
    )
    .action(async () => {
      const ctx = createContext(bootConfig())
      try {
        process.stdout.write(`${await sweepOutbox(ctx, 0)} events enqueued\n`)
      } finally {
        await closeContext(ctx)
      }
    })
}
