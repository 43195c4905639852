/**
 * A shop's settings on the hub side. Stored as the merchant gave them; read once when the shop is
 * loaded with its channel's schema (connectors/settings.ts): the hub's own settings are always
 * usable, the channel's only when valid, and every problem is kept to be shown (sync health, pull
 * errors) rather than failing silently.
 */
import { settingsSchemaOf } from '../../connectors/index.js'
import { checkOutboundUrl } from '../../connectors/outbound.js'
import {
  keptReadings,
  describeProblem,
  readShopSettings,
  settingsProblems,
  type HubSettings,
  type SettingsProblem,
} from '../../connectors/settings.js'
import type { ShopSettings } from '../../connectors/types.js'
import type { AppContext } from '../context.js'
import type { Executor } from '../db/connect.js'
import type { Channel } from '../db/schema.js'
import { AppError } from '../api/errors.js'
import { listWarehouses } from '../warehouses/repo.js'

export interface ParsedSettings {
  /** The hub's own settings, defaults applied; an invalid value is replaced by its default. */
  hub: HubSettings
  /** Everything the connector reads, typed; null when the channel's settings cannot work. */
  channel: ShopSettings | null
  problems: SettingsProblem[]
}

/**
 * Settings read before, by channel and stored JSON: a shop is loaded for every webhook, pull and
 * push, and reading settings through their schema cost more CPU than the rest of loading the shop
 * (about 1 ms each, 8 % of a worker under a 300 orders/s load). The results are frozen: shared, so
 * never changed by a reader. Bounded; the oldest reading goes first.
 */
export const parseSettings: (channel: Channel, stored: unknown) => ParsedSettings = keptReadings(
  (channel: Channel, stored: unknown): ParsedSettings => {
    const r = readShopSettings(settingsSchemaOf(channel), stored)
    return { hub: r.hub, channel: r.value as ShopSettings | null, problems: r.problems }
  },
)

/** Schema problems of settings about to be saved (unknown keys included). */
export const schemaProblems = (channel: Channel, settings: unknown): SettingsProblem[] =>
  settingsProblems(settingsSchemaOf(channel), settings)

/**
 * What the deployment and the merchant's data allow beyond the schema: virtual stock within
 * STOCK_VIRTUAL_MAX (per SKU too), warehouses that exist.
 */
export async function policyProblems(
  ctx: Pick<AppContext, 'config'> & { db: Executor },
  merchantId: string,
  hub: HubSettings,
): Promise<SettingsProblem[]> {
  const problems: SettingsProblem[] = []
  const max = ctx.config.sync.virtualStockMax
  const overCap = (path: string, units: number | undefined) => {
    if (units !== undefined && units > max)
      problems.push({
        path,
        code: 'over_cap',
        message: `must be at most ${max}: this deployment allows ${max} units of virtual stock (STOCK_VIRTUAL_MAX)`,
      })
  }
  overCap('/stockSync/virtualStock', hub.stockSync.virtualStock)
  for (const [code, o] of Object.entries(hub.stockSync.overrides))
    overCap(
      `/stockSync/overrides/${code.replace(/~/g, '~0').replace(/\//g, '~1')}/virtualStock`,
      o.virtualStock,
    )
  if (hub.warehouseIds) {
    const known = new Set(
      (await listWarehouses(ctx.db, merchantId, { includeInactive: true })).map((w) => w.id),
    )
    hub.warehouseIds.forEach((id, i) => {
      if (!known.has(id))
        problems.push({
          path: `/warehouseIds/${i}`,
          code: 'unknown_warehouse',
          message: `names no warehouse (${id})`,
        })
    })
  }
  return problems
}

/**
 * URLs the hub will call (every http(s) URL field of the channel's schema) that name a refused
 * address under OUTBOUND_ALLOW_PRIVATE — resolved now for a clear answer; connections are checked
 * again when made.
 */
export async function addressProblems(
  ctx: Pick<AppContext, 'config'>,
  channel: Channel,
  settings: Readonly<Record<string, unknown>>,
): Promise<SettingsProblem[]> {
  const problems: SettingsProblem[] = []
  const props = settingsSchemaOf(channel).properties as Record<string, { format?: unknown }>
  for (const [key, prop] of Object.entries(props)) {
    const url = settings[key]
    if (prop.format !== 'uri' || typeof url !== 'string') continue
    const problem = await checkOutboundUrl(url, { allowPrivate: ctx.config.outbound.allowPrivate })
    if (problem) problems.push({ path: `/${key}`, code: 'forbidden_address', message: problem })
  }
  return problems
}

/**
 * Every problem with settings about to be saved: the schema first (400), then what the deployment
 * and the merchant's data allow (422). `addresses: false` leaves out the DNS resolution of URLs
 * (a caller holding a row lock checks them before taking it).
 */
export async function checkSettings(
  ctx: Pick<AppContext, 'config'> & { db: Executor },
  merchantId: string,
  channel: Channel,
  settings: Record<string, unknown>,
  opts: { addresses: boolean } = { addresses: true },
): Promise<void> {
  const shape = schemaProblems(channel, settings)
  if (shape.length > 0) throw settingsRejected(shape, 400)
  const policy = [
    ...(await policyProblems(ctx, merchantId, parseSettings(channel, settings).hub)),
    ...(opts.addresses ? await addressProblems(ctx, channel, settings) : []),
  ]
  if (policy.length > 0) throw settingsRejected(policy, 422)
}

/** The URL part of checkSettings alone: 400 for a malformed shape, 422 for a refused address. */
export async function checkAddresses(
  ctx: Pick<AppContext, 'config'>,
  channel: Channel,
  settings: Record<string, unknown>,
): Promise<void> {
  const shape = schemaProblems(channel, settings)
  if (shape.length > 0) throw settingsRejected(shape, 400)
  const refused = await addressProblems(ctx, channel, settings)
  if (refused.length > 0) throw settingsRejected(refused, 422)
}

/**
 * PATCH semantics for settings: objects merge deeply, anything else (arrays included) replaces,
 * and null removes a key.
 */
export function mergeSettings(
  current: Readonly<Record<string, unknown>>,
  patch: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(current) as Record<string, unknown>
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__') continue
    const here = out[key]
    if (value === null) delete out[key]
    else if (isObject(value)) out[key] = mergeSettings(isObject(here) ? here : {}, value)
    else out[key] = structuredClone(value)
  }
  return out
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The 400 a save answers when settings have problems; each problem names its field and rule. */
export function settingsRejected(problems: readonly SettingsProblem[], status: 400 | 422 = 400): AppError {
  const message = problems.map((p) => `body/settings${p.path} ${p.message}`).join('; ')
  return new AppError('validation_failed', message, status, {
    field: 'body/settings',
    problems: problems.map((p) => ({ ...p, field: `body/settings${p.path}` })),
  })
}

/** One line naming why a shop's settings cannot work (pull errors, push errors). */
export const cannotWork = (problems: readonly SettingsProblem[]): string =>
  `the shop settings cannot work: ${problems.map(describeProblem).join('; ')}`
