/**
 * Builds the web console (src/console → dist/console) when the build is missing or was made from
 * other sources, so `npm start`, `npm run demo` and the browser tests never serve a stale console.
 * Freshness is a hash of the sources and the lockfile (not mtimes, which a checkout rewrites). The
 * new build is made beside the old one and swapped in, so a running server never sees half of it.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type * as Vite from 'vite'

type ViteModule = typeof Vite

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SOURCES = join(ROOT, 'src/console')
export const CONSOLE_OUT = join(ROOT, 'dist/console')
const STAMP = '.source-hash'

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? files(path) : [path]
    })
}

/** Changes when the way the console is built changes, so an older build is made again. */
const BUILD_RECIPE = 'production-3'

/**
 * The modules outside src/console that the console imports (plain ones shared with the server, such
 * as src/ledger/account-names.ts): a change to one of them changes the console too.
 */
function sharedSources(consoleFiles: readonly string[]): string[] {
  const shared = new Set<string>()
  for (const f of consoleFiles.filter((f) => /\.tsx?$/.test(f))) {
    for (const [, spec] of readFileSync(f, 'utf8').matchAll(/\bfrom '(\.{1,2}\/[^']+)'/g)) {
      const target = join(dirname(f), spec!).replace(/\.js$/, '')
      if (target.startsWith(SOURCES + sep)) continue
      const file = [`${target}.ts`, `${target}.tsx`, target].find(
        (c) => existsSync(c) && statSync(c).isFile(),
      )
      if (file) shared.add(file)
    }
  }
  return [...shared].sort()
}

export function sourceHash(): string {
  const h = createHash('sha256').update(BUILD_RECIPE).update('\0')
  const own = files(SOURCES)
  for (const f of [...own, ...sharedSources(own), join(ROOT, 'package-lock.json')]) {
    h.update(relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0')
  }
  return h.digest('hex')
}

export function consoleIsFresh(): boolean {
  const stamp = join(CONSOLE_OUT, STAMP)
  return (
    existsSync(join(CONSOLE_OUT, 'index.html')) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === sourceHash()
  )
}

export type ConsoleBuild = 'fresh' | 'built' | 'unavailable'

/** Build the console if it is missing or stale. 'unavailable': no Vite here (a production install) and no build. */
export async function ensureConsoleBuilt(
  log: (msg: string) => void = () => undefined,
): Promise<ConsoleBuild> {
  if (consoleIsFresh()) return 'fresh'
  let vite: ViteModule
  try {
    vite = await import('vite')
  } catch {
    log(
      existsSync(join(CONSOLE_OUT, 'index.html'))
        ? 'the console build may be stale and Vite is not installed: serving it as it is'
        : 'the console is not built and Vite is not installed (npm ci installs it): /app/ will say so',
    )
    return 'unavailable'
  }
  const hash = sourceHash()
  const tmp = `${CONSOLE_OUT}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`
  log('building the web console…')
  // Always the production build, whatever NODE_ENV the caller runs under: Vite and the React
  // plugin take an inherited NODE_ENV (vitest sets "test"), and React and antd then ship their
  // development code (antd's ids become the constant "test-id", so no dialog has its name).
  const inherited = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await vite.build({
      configFile: join(SOURCES, 'vite.config.ts'),
      logLevel: 'warn',
      mode: 'production',
      build: { outDir: tmp, emptyOutDir: true },
    })
  } finally {
    if (inherited === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = inherited
  }
  writeFileSync(join(tmp, STAMP), hash)
  const old = `${CONSOLE_OUT}.old-${process.pid}-${randomBytes(3).toString('hex')}`
  try {
    if (existsSync(CONSOLE_OUT)) renameSync(CONSOLE_OUT, old)
    renameSync(tmp, CONSOLE_OUT)
  } catch {
    // Another process swapped in its build of the same sources first: keep that one.
    rmSync(tmp, { recursive: true, force: true })
  }
  rmSync(old, { recursive: true, force: true })
  return 'built'
}
