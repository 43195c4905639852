/**
 * Typed configuration: read the environment once, validate every variable, report every problem
 * at once, freeze. Nothing else in the code base reads process.env, except src/lib/clock.ts for
 * ENTREPOT_CLOCK_OFFSET (validated here).
 */
import { createHash } from 'node:crypto'
import { parseClockOffset } from '../src/lib/clock.js'

export interface Config {
  readonly env: 'development' | 'production' | 'test'
  readonly db: { readonly url: string; readonly poolSize: number }
  readonly redis: { readonly url: string; readonly prefix: string }
  readonly api: {
    readonly host: string
    readonly port: number
    readonly publicUrl: string
    /** Read the client address and protocol from X-Forwarded-* (behind a reverse proxy). */
    readonly trustProxy: boolean
    /** Opens /metrics and /docs; null: they are served only on a loopback address. */
    readonly opsToken: string | null
  }
  /** Console sign-in: sessions end after this long without a request. */
  readonly sessions: { readonly idleMinutes: number }
  readonly log: { readonly level: string; readonly pretty: boolean }
  /** 32-byte key for AES-256-GCM sealing of shop credentials. */
  readonly secretKey: Buffer
  readonly secretKeyIsDevDefault: boolean
  readonly sync: {
    readonly overlapMs: number
    readonly pullIntervalCron: string
    readonly stockResyncCron: string
    readonly messagesCron: string
    readonly stockPushDebounceMs: number
    /** Most virtual stock a shop rule may add per SKU (shop settings stockSync.virtualStock). */
    readonly virtualStockMax: number
  }
  readonly workers: { readonly concurrency: number }
  /** Whether connectors may call loopback, private-network and link-local addresses. */
  readonly outbound: { readonly allowPrivate: boolean }
}

export interface VariableDoc {
  name: string
  default: string
  meaning: string
}

/** Every variable, its default and meaning; the README table is generated from this list. */
export const VARIABLES: readonly VariableDoc[] = [
  {
    name: 'NODE_ENV',
    default: 'development',
    meaning: 'development, production or test; production demands ENTREPOT_SECRET_KEY',
  },
  {
    name: 'DATABASE_URL',
    default: 'mysql://root@127.0.0.1:3306/entrepot',
    meaning: 'MySQL 8 / MariaDB 10.6+ connection URL; the database is created by `migrate` if missing',
  },
  { name: 'DB_POOL_SIZE', default: '10', meaning: 'connections in the mysql2 pool (1–200)' },
  { name: 'REDIS_URL', default: 'redis://127.0.0.1:6379', meaning: 'Redis 6.2+ URL for BullMQ queues' },
  {
    name: 'QUEUE_PREFIX',
    default: '{entrepot}',
    meaning: 'BullMQ key prefix; keep the {hash tag} for Redis Cluster; tests and the demo use their own',
  },
  { name: 'API_HOST', default: '127.0.0.1', meaning: 'address the HTTP API binds to' },
  { name: 'API_PORT', default: '3000', meaning: 'port of the HTTP API (1–65535; 0 picks a free one)' },
  {
    name: 'OPS_TOKEN',
    default: '(none)',
    meaning:
      'opens `/metrics` and `/docs` (`Authorization: Bearer <token>`, or Basic with it as the password; 16+ characters); without it they are served only while API_HOST is a loopback address',
  },
  {
    name: 'PUBLIC_URL',
    default: 'http://127.0.0.1:$API_PORT',
    meaning: 'external base URL, used for OAuth callbacks and webhook addresses',
  },
  {
    name: 'TRUST_PROXY',
    default: 'false',
    meaning:
      'true behind a reverse proxy: client addresses (login throttling) and https (Secure cookies) are read from X-Forwarded-*',
  },
  {
    name: 'SESSION_IDLE_MINUTES',
    default: '720',
    meaning:
      'console sessions end after this many minutes without a request (5–43200); at most 7 days after sign-in',
  },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'fatal, error, warn, info, debug, trace or silent' },
  { name: 'LOG_PRETTY', default: 'false', meaning: 'true for human-readable logs (development)' },
  {
    name: 'ENTREPOT_SECRET_KEY',
    default: '(dev key outside production)',
    meaning: '32 bytes as 64 hex characters or base64; seals shop credentials (AES-256-GCM)',
  },
  {
    name: 'SYNC_OVERLAP_MS',
    default: '300000',
    meaning: 'how far each pull window reaches back over the last one, against platform clock skew',
  },
  {
    name: 'SYNC_PULL_CRON',
    default: '*/2 * * * *',
    meaning: 'cron pattern for enqueueing order/refund pulls of every active shop',
  },
  {
    name: 'STOCK_RESYNC_CRON',
    default: '17 3 * * *',
    meaning: 'cron pattern for the full stock resync of every shop',
  },
  {
    name: 'SYNC_MESSAGES_CRON',
    default: '*/15 * * * * *',
    meaning:
      'cron pattern (with seconds) for taking pushed platform messages (Taobao TMC) of every shop whose channel has them',
  },
  {
    name: 'STOCK_PUSH_DEBOUNCE_MS',
    default: '500',
    meaning:
      'each SKU pushed to a shop at most once per interval: the first change of a quiet shop is pushed at once, later ones coalesce; during a burst the push of the shop goes on, sending each SKU whose quantity changed again once its interval has passed, the longest waiting first, paced by the call budget of the shop',
  },
  {
    name: 'STOCK_VIRTUAL_MAX',
    default: '0',
    meaning:
      'most virtual stock (units pushed beyond what is available, for pre-sales) a shop rule may add per SKU; 0 allows none',
  },
  {
    name: 'WORKER_CONCURRENCY',
    default: '8',
    meaning:
      'jobs one worker process runs at once per queue (×8 for webhook deliveries, ×4 for allocations and postings: their jobs join into batches)',
  },
  {
    name: 'ENTREPOT_CLOCK_OFFSET',
    default: '0',
    meaning:
      'moves the application clock (`1y`, `-30d`, `90m`): for tests (`npm run test:future`) and demos; refused in production',
  },
  {
    name: 'OUTBOUND_ALLOW_PRIVATE',
    default: '(false in production, true otherwise)',
    meaning:
      'true lets shops call loopback, private-network, link-local (cloud metadata) and other non-public addresses; checked when settings are saved and on every connection, redirects included',
  },
]

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
const ENVS = ['development', 'production', 'test'] as const

export class ConfigError extends Error {
  override name = 'ConfigError'
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`)
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const problems: string[] = []
  const str = (k: string, dflt: string) => {
    const v = env[k]
    return v === undefined || v === '' ? dflt : v
  }
  const int = (k: string, dflt: number, min: number, max: number) => {
    const raw = str(k, String(dflt))
    const n = Number(raw)
    if (!/^-?\d+$/.test(raw.trim()) || n < min || n > max) {
      problems.push(`${k} must be an integer from ${min} to ${max} (got "${raw}")`)
      return dflt
    }
    return n
  }
  const oneOf = <T extends string>(k: string, dflt: T, allowed: readonly T[]): T => {
    const v = str(k, dflt)
    if (!(allowed as readonly string[]).includes(v)) {
      problems.push(`${k} must be one of ${allowed.join(', ')} (got "${v}")`)
      return dflt
    }
    return v as T
  }
  const bool = (k: string, dflt: boolean) => {
    const v = str(k, String(dflt)).toLowerCase()
    if (!['true', 'false', '1', '0'].includes(v)) problems.push(`${k} must be true or false (got "${v}")`)
    return v === 'true' || v === '1'
  }
  const url = (k: string, dflt: string, protocols: readonly string[]) => {
    const v = str(k, dflt)
    try {
      const u = new URL(v)
      if (!protocols.includes(u.protocol))
        problems.push(`${k} must be a ${protocols.join(' or ')} URL (got "${u.protocol}")`)
    } catch {
      problems.push(`${k} must be a URL such as ${dflt} (got "${v}")`)
    }
    return v
  }
  const cron = (k: string, dflt: string) => {
    const v = str(k, dflt)
    if (v.trim().split(/\s+/).length < 5)
      problems.push(`${k} must be a cron pattern with 5 or 6 fields (got "${v}")`)
    return v
  }

  const nodeEnv = oneOf('NODE_ENV', 'development', ENVS)
  const port = int('API_PORT', 3000, 0, 65535)
  const { key, isDevDefault } = secretKey(env.ENTREPOT_SECRET_KEY, nodeEnv, problems)

  const config: Config = {
    env: nodeEnv,
    db: {
      url: url('DATABASE_URL', 'mysql://root@127.0.0.1:3306/entrepot', ['mysql:', 'mariadb:']),
      poolSize: int('DB_POOL_SIZE', 10, 1, 200),
    },
    redis: {
      url: url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
      prefix: str('QUEUE_PREFIX', '{entrepot}'),
    },
    api: {
      host: str('API_HOST', '127.0.0.1'),
      port,
      publicUrl: url('PUBLIC_URL', `http://127.0.0.1:${port}`, ['http:', 'https:']).replace(/\/$/, ''),
      trustProxy: bool('TRUST_PROXY', false),
      opsToken: opsToken(env.OPS_TOKEN, problems),
    },
    sessions: { idleMinutes: int('SESSION_IDLE_MINUTES', 720, 5, 43_200) },
    log: { level: oneOf('LOG_LEVEL', 'info', LOG_LEVELS), pretty: bool('LOG_PRETTY', false) },
    secretKey: key,
    secretKeyIsDevDefault: isDevDefault,
    sync: {
      overlapMs: int('SYNC_OVERLAP_MS', 300_000, 0, 86_400_000),
      pullIntervalCron: cron('SYNC_PULL_CRON', '*/2 * * * *'),
      stockResyncCron: cron('STOCK_RESYNC_CRON', '17 3 * * *'),
      messagesCron: cron('SYNC_MESSAGES_CRON', '*/15 * * * * *'),
      stockPushDebounceMs: int('STOCK_PUSH_DEBOUNCE_MS', 500, 0, 3_600_000),
      virtualStockMax: int('STOCK_VIRTUAL_MAX', 0, 0, 1_000_000),
    },
    workers: { concurrency: int('WORKER_CONCURRENCY', 8, 1, 256) },
    outbound: { allowPrivate: bool('OUTBOUND_ALLOW_PRIVATE', nodeEnv !== 'production') },
  }
  clockOffset(env.ENTREPOT_CLOCK_OFFSET, nodeEnv, problems)
  if (config.redis.prefix.includes(':'))
    problems.push('QUEUE_PREFIX must not contain ":" (BullMQ adds its own separators)')
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze(config)
}

/** Read by src/lib/clock.ts itself; checked here so a wrong value stops start-up like any other. */
function clockOffset(raw: string | undefined, nodeEnv: Config['env'], problems: string[]): void {
  let offsetMs: number
  try {
    offsetMs = parseClockOffset(raw)
  } catch {
    problems.push(
      `ENTREPOT_CLOCK_OFFSET must be a signed whole number and a unit such as 1y, -30d or 90m (got "${raw}")`,
    )
    return
  }
  // A production process a year ahead would move every pull cursor past the platforms' present.
  if (offsetMs !== 0 && nodeEnv === 'production')
    problems.push('ENTREPOT_CLOCK_OFFSET is for tests and demos: it is refused in production')
}

function opsToken(raw: string | undefined, problems: string[]): string | null {
  if (raw === undefined || raw === '') return null
  if (raw.length < 16 || /\s/.test(raw))
    problems.push('OPS_TOKEN must be 16 or more characters without spaces')
  return raw
}

function secretKey(raw: string | undefined, nodeEnv: Config['env'], problems: string[]) {
  if (raw === undefined || raw === '') {
    if (nodeEnv === 'production') {
      problems.push('ENTREPOT_SECRET_KEY is required in production: 32 bytes as 64 hex characters or base64')
    }
    // A fixed development key keeps a local demo's sealed credentials readable across restarts.
    return { key: createHash('sha256').update('entrepot-development-key').digest(), isDevDefault: true }
  }
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64')
  if (key.length !== 32) {
    problems.push('ENTREPOT_SECRET_KEY must be 32 bytes: 64 hex characters or 44 base64 characters')
  }
  return { key, isDevDefault: false }
}
