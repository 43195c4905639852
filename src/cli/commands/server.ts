import closeWithGrace from 'close-with-grace'
import type { Command } from 'commander'
import { startWorkers } from '../../../jobs/worker.js'
import { startScheduler } from '../../../jobs/schedules.js'
import { buildApp } from '../../app.js'
import { ensureDatabase, migrateToLatest } from '../../db/migrate.js'
import { closeContext, createContext } from '../../runtime.js'
import { bootConfig } from '../boot.js'
import { ensureConsoleBuilt } from '../console-build.js'

interface RunOptions {
  api: boolean
  workers: boolean
  migrate: boolean
}

/** serve / work / start: one process running the API, the workers and schedules, or both. */
export async function run(opts: RunOptions): Promise<void> {
  const config = bootConfig()
  if (opts.migrate) await ensureDatabase(config.db)
  const ctx = createContext(config)
  const log = ctx.log.child({ subsystem: 'cli' })
  if (config.secretKeyIsDevDefault)
    log.warn('ENTREPOT_SECRET_KEY is not set: shop credentials are sealed with the development key')
  if (opts.migrate) await migrateToLatest(ctx.db)
  if (opts.api) await ensureConsoleBuilt((msg) => log.info(msg))
  const app = opts.api ? await buildApp(ctx) : null
  const workers = opts.workers ? startWorkers(ctx) : null
  const scheduler = opts.workers ? startScheduler(ctx) : null
  if (app) {
    const address = await app.listen({ host: config.api.host, port: config.api.port })
    log.info(`API listening on ${address} — console at ${address}/app/, docs at ${address}/docs`)
  }
  if (workers) log.info(`workers running for ${workers.workers.length} queues`)
  closeWithGrace({ delay: 15_000 }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error')
    else log.info({ signal }, 'shutting down')
    await app?.close()
    await scheduler?.stop()
    await workers?.close()
    await closeContext(ctx)
  })
}

export function registerServerCommands(program: Command): void {
  program
    .command('console-build')
    .description('build the web console (dist/console) if it is missing or stale')
    .action(async () => {
      const result = await ensureConsoleBuilt((msg) => process.stdout.write(`${msg}\n`))
      process.stdout.write(`console: ${result}\n`)
      if (result === 'unavailable') process.exitCode = 1
    })
  program
    .command('serve')
    .description('run the HTTP API')
    .option('--no-migrate', 'do not apply pending migrations first')
    .action((o: { migrate: boolean }) => run({ api: true, workers: false, migrate: o.migrate }))
  program
    .command('work')
    .description('run the job workers and the schedules')
    .option('--no-migrate', 'do not apply pending migrations first')
    .action((o: { migrate: boolean }) => run({ api: false, workers: true, migrate: o.migrate }))
  program
    .command('start')
    .description('run the API, the workers and the schedules in one process (a single small box)')
    .option('--no-migrate', 'do not apply pending migrations first')
    .action((o: { migrate: boolean }) => run({ api: true, workers: true, migrate: o.migrate }))
}
