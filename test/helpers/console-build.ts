// vitest globalSetup: the browser suite drives the built console, so build it when missing or stale.
import { ensureConsoleBuilt } from '../../src/cli/console-build.js'

export default async function setup(): Promise<void> {
  const result = await ensureConsoleBuilt((msg) => process.stdout.write(`${msg}\n`))
  if (result === 'unavailable') throw new Error('the console cannot be built: is Vite installed (npm ci)?')
}
