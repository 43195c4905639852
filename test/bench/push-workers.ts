/**
 * The push benchmark's worker process: the job workers as `entrepot work` runs them beside a
 * separate API process, without the schedules (their periodic pulls are not the path measured).
 * Configured by the environment the benchmark passes (its database and queue prefix).
 */
import { loadConfig } from '../../config/index.js'
import { startWorkers } from '../../jobs/worker.js'
import { closeContext, createContext } from '../../src/runtime.js'

const ctx = createContext(loadConfig(process.env))
const workers = startWorkers(ctx)
process.send?.('ready')
process.on('SIGTERM', () => {
  void (async () => {
    await workers.close()
    await closeContext(ctx)
    process.exit(0)
  })()
})
