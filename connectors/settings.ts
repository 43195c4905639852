/**
 * Shop settings: one TypeBox schema per channel — the hub's own settings (shared by every channel)
 * plus the channel's (baseUrl, shopDomain, carrierCodes…), declared in connectors/<channel>/settings.ts.
 * The schemas carry titles, descriptions, bounds and defaults, so a form can be rendered from them.
 *
 * A shop's stored settings are read once when the shop is loaded (readShopSettings):
 * - the hub's own settings are always usable: an invalid value is reported and its default applies;
 * - the channel's settings are used only when all of them are valid (no silent fall-back to a
 *   production gateway when a sandbox baseUrl is mistyped): otherwise the shop's settings "cannot
 *   work", and every call to the platform says so;
 * - unknown keys are reported and ignored.
 * Saving (POST/PATCH) refuses any problem at all.
 */
import { Type, type Static, type TObject, type TProperties, type TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { CARRIERS } from './types.js'

/** One problem with a shop's settings: where (JSON pointer), a stable code, and a sentence for people. */
export interface SettingsProblem {
  path: string
  /** The failed rule: required, unknown, type, minimum, maximum, pattern, format, enum, invalid… */
  code: string
  message: string
}

/** "stockSync.ratio must be …" — the problem as one line. */
export const describeProblem = (p: SettingsProblem): string =>
  `${p.path === '' ? 'settings' : p.path.slice(1).split('/').join('.')} ${p.message}`

/** An http(s) URL the hub calls: it must name a host (checked against private addresses on save). */
export const HttpUrl = (title: string, description: string) =>
  Type.String({
    title,
    description,
    format: 'uri',
    pattern: '^https?://[^/?#\\s]+',
    maxLength: 2048,
    errorMessage: 'must be an http(s) URL with a host, e.g. https://api.example.com/path',
  })

/** carrier (SF, ZTO… or, for OTHER, the carrier's name) → the platform's own code for it. */
export const CarrierCodes = (platformCode: string, value: TSchema = NonEmpty) =>
  Type.Record(Type.String({ minLength: 1, maxLength: 64 }), value, {
    title: 'Carrier codes',
    description: `Our carrier code (${CARRIERS.join(', ')}) or, for OTHER, the carrier's name → the platform's ${platformCode}. Overrides the built-in table.`,
    maxProperties: 200,
  })
const NonEmpty = Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' })

const RATIO_PATTERN = '^(0\\.(?=\\d*[1-9])\\d{1,6}|1(\\.0{1,6})?)$'
const ratioMessage = 'must be greater than 0 and at most 1, e.g. 0.8'
const Ratio = (description: string, extra: { default?: number } = {}) =>
  Type.Union(
    [Type.Number({ minimum: 0.000001, maximum: 1 }), Type.String({ pattern: RATIO_PATTERN, maxLength: 8 })],
    { title: 'Ratio', description, errorMessage: ratioMessage, ...extra },
  )
const Units = (title: string, description: string, extra: { default?: number } = {}) =>
  Type.Integer({ title, description, minimum: 0, maximum: 1_000_000, ...extra })

const SyncOverride = Type.Object(
  {
    ratio: Type.Optional(Ratio('Share of available stock shown for this SKU (default: the shop ratio)')),
    safetyStock: Type.Optional(
      Units('Safety stock', 'Units held back for this SKU (default: the shop value)'),
    ),
    virtualStock: Type.Optional(
      Units('Virtual stock', 'Units added for this SKU, within the deployment cap (default: the shop value)'),
    ),
    fixed: Type.Optional(
      Units(
        'Fixed quantity',
        'Push this quantity instead of computing one (never more than available + virtual stock)',
      ),
    ),
  },
  { additionalProperties: false },
)

const StockSync = Type.Object(
  {
    enabled: Type.Boolean({ title: 'Push stock to this shop', default: true }),
    ratio: Ratio('Share of available stock (after safety stock) this shop is told it has: 0 < ratio ≤ 1', {
      default: 1,
    }),
    safetyStock: Units('Safety stock', 'Units of each SKU never offered on this shop', { default: 0 }),
    virtualStock: Units(
      'Virtual stock',
      'Units added on top of what is available (pre-sale); at most the deployment cap STOCK_VIRTUAL_MAX',
      { default: 0 },
    ),
    overrides: Type.Record(Type.String({ minLength: 1, maxLength: 128 }), SyncOverride, {
      title: 'Per-SKU rules',
      description: 'SKU code → rule overriding the shop rule',
      maxProperties: 10_000,
      default: {},
    }),
  },
  {
    title: 'Stock sync (库存同步)',
    description: 'pushed = max(0, floor((available − safety stock) × ratio)) + virtual stock',
    additionalProperties: false,
    default: {},
  },
)

/** The hub's own settings, shared by every channel. Fields with a default may be left out. */
export const HUB_PROPERTIES = {
  warehouseIds: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      title: 'Warehouses',
      description: 'Warehouses that fill and stock this shop (default: every active warehouse)',
      uniqueItems: true,
      minItems: 1,
      maxItems: 200,
    }),
  ),
  allowSplit: Type.Boolean({
    title: 'Split orders across warehouses (拆单)',
    default: false,
  }),
  waitWhenNoStock: Type.Boolean({
    title: 'Let an order without stock wait',
    description: 'instead of raising an exception order',
    default: false,
  }),
  autoMerge: Type.Boolean({
    title: 'Merge orders of one buyer and address (合单)',
    default: false,
  }),
  reviewBuyerNotes: Type.Boolean({
    title: 'Hold orders with a buyer note for review',
    default: false,
  }),
  defaultCarrier: Type.Optional(
    Type.Enum(CARRIERS, {
      title: 'Default carrier',
      description: 'Carrier of a parcel when the order names none',
    }),
  ),
  stockSync: StockSync,
  revenueRecognition: Type.Enum(['shipment', 'payment'], {
    title: 'Recognise revenue at',
    default: 'shipment',
  }),
  settlementDueDays: Type.Integer({
    title: 'Settlement due after (days)',
    description: 'A shipped order unsettled after this many days is a reconciliation finding',
    minimum: 0,
    maximum: 365,
    default: 15,
  }),
  timeoutMs: Type.Integer({
    title: 'Request timeout (ms)',
    minimum: 1,
    maximum: 300_000,
    default: 20_000,
  }),
  ratePerSecond: Type.Optional(
    Type.Number({
      title: 'Requests per second',
      description: "Outgoing rate limit for this shop (default: the channel's documented limit)",
      exclusiveMinimum: 0,
      maximum: 10_000,
    }),
  ),
}
export const HUB_KEYS: readonly string[] = Object.keys(HUB_PROPERTIES)

export const HubSettingsSchema = Type.Object(HUB_PROPERTIES, { additionalProperties: false })
export type HubSettings = Static<typeof HubSettingsSchema>
export type StockSyncSettings = HubSettings['stockSync']
export type SyncOverrideSettings = Static<typeof SyncOverride>

/** A channel's whole settings schema: the hub's settings plus the channel's own. */
export function shopSettingsSchema<P extends TProperties>(title: string, properties: P) {
  return Type.Object({ ...HUB_PROPERTIES, ...properties }, { title, additionalProperties: false })
}

/** The published form of a schema: fields with a default are not required of the person filling it. */
export function formSchema(schema: TSchema): unknown {
  const copy = structuredClone(schema) as Record<string, unknown>
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return
    const n = node as Record<string, unknown>
    const props = n.properties as Record<string, Record<string, unknown>> | undefined
    if (props && Array.isArray(n.required)) {
      n.required = (n.required as string[]).filter((k) => props[k]?.default === undefined)
      if ((n.required as string[]).length === 0) delete n.required
    }
    for (const v of Object.values(n)) walk(v)
  }
  walk(copy)
  return copy
}

export interface ReadSettings<S> {
  /** The hub's own settings: always usable (invalid values reported and replaced by their default). */
  hub: HubSettings
  /** The whole typed settings, defaults applied; null when the channel's settings cannot work. */
  value: S | null
  problems: SettingsProblem[]
}

/** Read a shop's stored settings leniently (see the file comment). */
export function readShopSettings<T extends TObject>(schema: T, raw: unknown): ReadSettings<Static<T>> {
  const problems: SettingsProblem[] = []
  const input = isPlainObject(raw) ? (structuredClone(raw) as Record<string, unknown>) : {}
  if (!isPlainObject(raw) && raw !== null && raw !== undefined)
    problems.push({ path: '', code: 'type', message: 'must be an object' })
  const known = new Set(Object.keys(schema.properties))
  const channelPart: Record<string, unknown> = {}
  const hubPart: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(input)) {
    if (!known.has(k)) problems.push(unknownKey(`/${k}`))
    else if (HUB_KEYS.includes(k)) hubPart[k] = v
    else channelPart[k] = v
  }
  const hub = lenient(HubSettingsSchema, hubPart, problems)
  const whole = Value.Default(schema, { ...channelPart, ...structuredClone(hub) })
  const channelProblems = problemsOf(schema, whole)
  problems.push(...channelProblems)
  return { hub, value: channelProblems.length === 0 ? (whole as Static<T>) : null, problems }
}

/**
 * The hub's own settings of a stored settings object (invalid values take their default). Read
 * for every order allocated and posted: readings are kept by the stored JSON (bounded, frozen —
 * shared, so never changed by a reader); reading through the schema cost ~1 ms each.
 */
export const hubSettings: (raw: unknown) => HubSettings = keptReadings((raw: unknown) => {
  const hubPart: Record<string, unknown> = {}
  if (isPlainObject(raw)) for (const k of HUB_KEYS) if (k in raw) hubPart[k] = structuredClone(raw[k])
  return lenient(HubSettingsSchema, hubPart, [])
})

/**
 * `read` with its readings kept by the JSON of its arguments: bounded (the oldest goes first) and
 * frozen, since every caller shares them. For pure readings of stored settings only.
 */
export function keptReadings<A extends unknown[], T>(
  read: (...args: A) => T,
  kept = 1000,
): (...args: A) => T {
  const readings = new Map<string, T>()
  return (...args) => {
    const key = JSON.stringify(args)
    const known = readings.get(key)
    if (known !== undefined) return known
    const value = deepFreeze(read(...args))
    if (readings.size >= kept) readings.delete(readings.keys().next().value!)
    readings.set(key, value)
    return value
  }
}

/** Freeze a value and everything in it: a reading shared by every caller. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

/** Every problem with settings about to be saved (strict: unknown keys included). */
export function settingsProblems(schema: TObject, raw: unknown): SettingsProblem[] {
  if (!isPlainObject(raw)) return [{ path: '', code: 'type', message: 'must be an object' }]
  return problemsOf(schema, Value.Default(schema, structuredClone(raw)))
}

function lenient<T extends TObject>(
  schema: T,
  raw: Record<string, unknown>,
  problems: SettingsProblem[],
): Static<T> {
  let value = Value.Default(schema, raw)
  const seen = new Set<string>()
  const report = () => {
    for (const p of problemsOf(schema, value)) {
      if (seen.has(`${p.path} ${p.code}`)) continue
      seen.add(`${p.path} ${p.code}`)
      problems.push(p)
    }
  }
  report()
  for (let round = 0; round < 8 && !Value.Check(schema, value); round++) {
    const paths = new Set<string>()
    for (const e of Value.Errors(schema, value)) {
      if (e.keyword === 'additionalProperties')
        for (const k of (e.params as { additionalProperties: string[] }).additionalProperties)
          paths.add(`${e.instancePath}/${escape(k)}`)
      else if (e.keyword !== 'required') paths.add(e.instancePath)
    }
    const ordered = [...paths].sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))
    for (const p of ordered) value = removeAt(value, p) as typeof value
    value = Value.Default(schema, value)
    report()
  }
  // Every hub field is optional or has a default, so dropping invalid values always ends valid.
  return (Value.Check(schema, value) ? value : Value.Default(schema, {})) as Static<T>
}

/**
 * Problems of a settings object, one per field. Properties are checked one by one because TypeBox
 * buffers at most 8 errors per check (a safeguard against hostile input).
 */
function problemsOf(schema: TObject, value: unknown): SettingsProblem[] {
  if (!isPlainObject(value)) return [{ path: '', code: 'type', message: 'must be an object' }]
  const props = schema.properties as Record<string, TSchema>
  const out: SettingsProblem[] = []
  for (const k of (schema.required as string[] | undefined) ?? [])
    if (value[k] === undefined)
      out.push({ path: `/${escape(k)}`, code: 'required', message: `is required${hint(props[k])}` })
  for (const [k, v] of Object.entries(value)) {
    const prop = props[k]
    if (prop) out.push(...fieldProblems(prop, v, `/${escape(k)}`))
    else if ((schema as { additionalProperties?: unknown }).additionalProperties === false)
      out.push(unknownKey(`/${escape(k)}`))
  }
  return out
}

function fieldProblems(schema: TSchema, value: unknown, prefix: string): SettingsProblem[] {
  const byPath = new Map<string, { keyword: string; schemaPath: string; params: object; message: string }[]>()
  for (const e of Value.Errors(schema, value)) {
    const list = byPath.get(e.instancePath) ?? []
    list.push({ keyword: e.keyword, schemaPath: e.schemaPath, params: e.params, message: messageOf(e) })
    byPath.set(e.instancePath, list)
  }
  const out: SettingsProblem[] = []
  for (const [at, errors] of byPath) {
    const path = `${prefix}${at}`
    for (const e of errors)
      if (e.keyword === 'additionalProperties')
        for (const k of (e.params as { additionalProperties: string[] }).additionalProperties)
          out.push({ ...unknownKey(`${path}/${escape(k)}`), message: 'is not a known field' })
      else if (e.keyword === 'required')
        for (const k of (e.params as { requiredProperties: string[] }).requiredProperties) {
          const node = nodeAt(schema, `${e.schemaPath}/properties/${escape(k)}`)
          out.push({ path: `${path}/${escape(k)}`, code: 'required', message: `is required${hint(node)}` })
        }
    const rest = errors.filter(
      (e) =>
        !['additionalProperties', 'required'].includes(e.keyword) &&
        !(e.keyword === 'boolean' && /additionalProperties$/.test(e.schemaPath)),
    )
    if (rest.length === 0) continue
    // A union reports every branch: name the union's own rule, or the branch that matched the type.
    const union = rest.find((e) => e.keyword === 'anyOf')
    const chosen = union ?? rest[0]!
    const node = nodeAt(schema, chosen.schemaPath)
    const custom = typeof node?.errorMessage === 'string' ? node.errorMessage : null
    const branch = rest.find((e) => e.keyword !== 'anyOf' && e.keyword !== 'type')
    const allowed = (chosen.params as { allowedValues?: unknown[] }).allowedValues
    const generic = union
      ? (branch?.message ?? 'has the wrong type')
      : allowed
        ? `must be one of ${allowed.join(', ')}`
        : chosen.message
    out.push({ path, code: union ? 'invalid' : chosen.keyword, message: custom ?? generic })
  }
  // The same unknown key can be reported by two rules: keep one problem per path and code.
  const seen = new Set<string>()
  return out.filter((p) => !seen.has(`${p.path} ${p.code}`) && !!seen.add(`${p.path} ${p.code}`))
}

const unknownKey = (path: string): SettingsProblem => ({
  path,
  code: 'unknown',
  message: 'is not a setting of this channel',
})

const hint = (node: object | undefined): string => {
  const d = (node as { description?: unknown } | undefined)?.description
  return typeof d === 'string' ? `: ${d}` : ''
}

function messageOf(e: { message?: string; keyword: string }): string {
  return typeof e.message === 'string' && e.message !== '' ? e.message : `fails ${e.keyword}`
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1')
const unescape = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~')

/** The schema node a TypeBox schemaPath ("#/properties/a/anyOf/1") points to. */
function nodeAt(schema: TSchema, schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = schema
  for (const seg of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<string, unknown>)[unescape(seg)]
  }
  return typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : undefined
}

function removeAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return {}
  const segs = pointer.slice(1).split('/').map(unescape)
  let node: unknown = root
  for (const seg of segs.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return root
    node = (node as Record<string, unknown>)[seg]
  }
  const last = segs[segs.length - 1]!
  if (Array.isArray(node)) node.splice(Number(last), 1)
  else if (typeof node === 'object' && node !== null) delete (node as Record<string, unknown>)[last]
  return root
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
