import { Option, type Command } from 'commander'
import { ensureDatabase, migrateToLatest } from '../../db/migrate.js'
import { createDb } from '../../db/connect.js'
import { ROLES, type Role } from '../../db/schema.js'
import { audit } from '../../audit/repo.js'
import { createApiKey, createMerchant, getMerchant } from '../../merchants/repo.js'
import { bootConfig } from '../boot.js'
import { systemClock } from '../../lib/clock.js'
import { isId } from '../../lib/ids.js'

async function withDb<T>(fn: (db: ReturnType<typeof createDb>) => Promise<T>): Promise<T> {
  const config = bootConfig()
  const db = createDb({ ...config.db, poolSize: 2 })
  try {
    return await fn(db)
  } finally {
    await db.destroy()
  }
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)

export function registerAdminCommands(program: Command): void {
  program
    .command('migrate')
    .description('create the database if missing and apply every pending migration')
    .action(async () => {
      const config = bootConfig()
      await ensureDatabase(config.db)
      await withDb(async (db) => {
        const { results } = await migrateToLatest(db)
        const applied = (results ?? []).map((r) => r.migrationName)
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n')
      })
    })

  const merchant = program.command('merchant').description('manage merchants')
  merchant
    .command('create')
    .description('create a merchant (tenant)')
    .requiredOption('--name <name>', 'merchant name')
    .option('--timezone <tz>', 'IANA time zone for statements', 'Asia/Shanghai')
    .option('--currency <code>', 'base currency (ISO 4217)', 'CNY')
    .action(async (o: { name: string; timezone: string; currency: string }) => {
      if (!/^[A-Z]{3}$/.test(o.currency))
        throw new Error('--currency must be a 3-letter ISO code such as CNY')
      try {
        new Intl.DateTimeFormat('en', { timeZone: o.timezone })
      } catch {
        throw new Error(`--timezone ${o.timezone} is not an IANA time zone`)
      }
      await withDb(async (db) => {
        const m = await createMerchant(db, { name: o.name, timezone: o.timezone, baseCurrency: o.currency })
        await audit(db, m.id, {
          actorType: 'cli',
          actorId: null,
          action: 'merchant.create',
          entityType: 'merchant',
          entityId: m.id,
        })
        print(m)
      })
    })

  program
    .command('apikey')
    .description('manage API keys')
    .command('create')
    .description('create an API key; the token is printed once')
    .requiredOption('--merchant <id>', 'merchant id')
    .addOption(new Option('--role <role>', 'role of the key').choices(ROLES).makeOptionMandatory())
    .option('--name <name>', 'a label for the key')
    .action(async (o: { merchant: string; role: Role; name?: string }) => {
      if (!isId(o.merchant)) throw new Error(`--merchant ${o.merchant} is not a merchant id`)
      await withDb(async (db) => {
        if (!(await getMerchant(db, o.merchant))) throw new Error(`merchant ${o.merchant} not found`)
        const { key, token } = await createApiKey(
          db,
          o.merchant,
          { role: o.role, ...(o.name ? { name: o.name } : {}) },
          systemClock.now(), // the process's clock, as createContext gives a command
        )
        await audit(db, o.merchant, {
          actorType: 'cli',
          actorId: null,
          action: 'api_key.create',
          entityType: 'api_key',
          entityId: key.id,
          detail: { role: key.role },
        })
        print({ id: key.id, role: key.role, token })
      })
    })
}
