import { describe, expect, it } from 'vitest'
import { CONNECTORS, settingsSchemaOf } from '../../../connectors/index.js'
import {
  describeProblem,
  formSchema,
  HUB_KEYS,
  hubSettings,
  readShopSettings,
  settingsProblems,
} from '../../../connectors/settings.js'
import { CHANNELS } from '../../../connectors/types.js'
import { mergeSettings } from '../../../src/shops/settings.js'

describe('every channel declares its settings schema', () => {
  it.each(CHANNELS)('%s: hub settings plus its own, each field titled, nothing else accepted', (channel) => {
    const schema = settingsSchemaOf(channel)
    expect(schema).toBe(CONNECTORS[channel].settingsSchema)
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining([...HUB_KEYS]))
    expect((schema as { additionalProperties?: unknown }).additionalProperties).toBe(false)
    for (const [key, prop] of Object.entries(schema.properties))
      expect({ key, title: typeof (prop as { title?: unknown }).title }).toEqual({ key, title: 'string' })
    expect(settingsProblems(schema, { nope: 1 })).toContainEqual(
      expect.objectContaining({ path: '/nope', code: 'unknown' }),
    )
  })

  it('publishes a form schema where fields with a default are not required', () => {
    const shopify = formSchema(settingsSchemaOf('shopify')) as { required?: string[] }
    expect(shopify.required).toEqual(['shopDomain'])
    const taobao = formSchema(settingsSchemaOf('taobao')) as { required?: string[] }
    expect(taobao.required).toBeUndefined()
    // The schema itself is not changed.
    expect(settingsSchemaOf('taobao').required).toContain('allowSplit')
  })

  it('requires what a channel cannot work without', () => {
    for (const channel of ['selfstore', 'woocommerce'] as const)
      expect(settingsProblems(settingsSchemaOf(channel), {}).map(describeProblem)).toEqual([
        expect.stringMatching(/^baseUrl is required/),
      ])
    expect(settingsProblems(settingsSchemaOf('shopify'), { shopDomain: 'acme.example.com' })).toEqual([
      expect.objectContaining({ path: '/shopDomain', code: 'pattern' }),
    ])
    expect(settingsProblems(settingsSchemaOf('taobao'), {})).toEqual([])
  })
})

describe('reading stored settings', () => {
  const selfstore = settingsSchemaOf('selfstore')

  it('applies defaults and types the result', () => {
    const r = readShopSettings(selfstore, {
      baseUrl: 'https://shop.example/api',
      stockSync: { ratio: '0.8' },
    })
    expect(r.problems).toEqual([])
    expect(r.value).toMatchObject({
      baseUrl: 'https://shop.example/api',
      allowSplit: false,
      timeoutMs: 20_000,
      settlementDueDays: 15,
      revenueRecognition: 'shipment',
      stockSync: { enabled: true, ratio: '0.8', safetyStock: 0, virtualStock: 0, overrides: {} },
    })
  })

  it('drops invalid hub values to their default and reports them; the channel part still works', () => {
    const r = readShopSettings(selfstore, {
      baseUrl: 'https://shop.example/api',
      allowSplit: 'yes',
      warehouseIds: ['W1', 7, 'W2'],
      stockSync: { ratio: 1.7, safetyStock: -3, overrides: { A: { fixed: -1, ratio: '0.5' } } },
    })
    expect(r.value).not.toBeNull()
    expect(r.hub).toMatchObject({
      allowSplit: false,
      warehouseIds: ['W1', 'W2'],
      stockSync: { ratio: 1, safetyStock: 0, overrides: { A: { ratio: '0.5' } } },
    })
    expect(r.problems.map((p) => `${p.path} ${p.code}`).sort()).toEqual([
      '/allowSplit type',
      '/stockSync/overrides/A/fixed minimum',
      '/stockSync/ratio invalid',
      '/stockSync/safetyStock minimum',
      '/warehouseIds/1 type',
    ])
  })

  it('reports every bad override, beyond the 8 errors TypeBox buffers per check', () => {
    const overrides = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`S${i}`, { ratio: 3 }]))
    const r = readShopSettings(selfstore, { baseUrl: 'https://shop.example/api', stockSync: { overrides } })
    expect(r.problems).toHaveLength(20)
    expect(Object.keys(r.hub.stockSync.overrides)).toHaveLength(20)
    expect(Object.values(r.hub.stockSync.overrides).every((o) => o.ratio === undefined)).toBe(true)
  })

  it('gives no channel settings when they cannot work, never a silent default', () => {
    const pdd = readShopSettings(settingsSchemaOf('pdd'), { baseUrl: 'not a url' })
    expect(pdd.value).toBeNull()
    expect(pdd.problems).toEqual([expect.objectContaining({ path: '/baseUrl' })])
    expect(pdd.hub.allowSplit).toBe(false)
    const none = readShopSettings(selfstore, null)
    expect(none.value).toBeNull()
    expect(readShopSettings(selfstore, [1, 2]).problems[0]).toMatchObject({ path: '', code: 'type' })
  })

  it('reads the hub settings alone from anything', () => {
    expect(hubSettings(undefined).stockSync.ratio).toBe(1)
    expect(hubSettings({ revenueRecognition: 'payment', settlementDueDays: 'x' })).toMatchObject({
      revenueRecognition: 'payment',
      settlementDueDays: 15,
    })
  })
})

describe('merging a PATCH into stored settings', () => {
  it('merges objects deeply, replaces arrays and scalars, and removes keys set to null', () => {
    const current = {
      baseUrl: 'u',
      warehouseIds: ['a', 'b'],
      stockSync: { ratio: '0.5', overrides: { A: { fixed: 1 } } },
    }
    expect(
      mergeSettings(current, {
        warehouseIds: ['c'],
        baseUrl: null,
        stockSync: { safetyStock: 2, overrides: { A: null, B: { ratio: '1', fixed: null } } },
        autoMerge: true,
      }),
    ).toEqual({
      warehouseIds: ['c'],
      stockSync: { ratio: '0.5', safetyStock: 2, overrides: { B: { ratio: '1' } } },
      autoMerge: true,
    })
    expect(current.stockSync.overrides).toEqual({ A: { fixed: 1 } }) // the input is not changed
  })

  it('replaces a scalar by an object and ignores __proto__', () => {
    const merged = mergeSettings(
      { stockSync: 3 },
      JSON.parse('{"__proto__":{"polluted":1},"stockSync":{"ratio":1}}') as Record<string, unknown>,
    )
    expect(merged).toEqual({ stockSync: { ratio: 1 } })
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype)
  })
})
