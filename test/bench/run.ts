/**
 * `npm run bench`: runs every benchmark file in this folder (*.bench.ts exporting run()), each
 * against its own database, and prints each figure as a ratio against the raw baseline it measured
 * in the same run. `npm run bench -- ingest` runs only the benchmarks whose file name matches;
 * options after it (`--seconds=10`) are the benchmark's own.
 */
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { BenchResult } from './harness.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const filter = process.argv.slice(2).find((a) => !a.startsWith('--'))
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !filter || f.includes(filter))
  .sort()

const results: BenchResult[] = []
for (const file of files) {
  process.stdout.write(`\n▶ ${file}\n`)
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as {
    run: () => Promise<BenchResult | BenchResult[]>
  }
  const out = await mod.run()
  for (const r of Array.isArray(out) ? out : [out]) {
    results.push(r)
    process.stdout.write(
      `  ${r.ok ? '✓' : '✗'} ${r.name}: ${r.figure} — ratio ${r.ratio < 0.01 ? r.ratio.toPrecision(2) : r.ratio.toFixed(2)} (target ${r.target})\n`,
    )
  }
}
process.stdout.write(`\n${results.filter((r) => r.ok).length}/${results.length} benchmarks on target\n`)
process.exit(0)
