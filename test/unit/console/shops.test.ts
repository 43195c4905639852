import { describe, expect, it } from 'vitest'
import type { Shop } from '../../../src/console/api/types'
import { healthOf, latestError, type ShopHealth } from '../../../src/console/pages/shops/health'
import { readSync, syncPatch } from '../../../src/console/pages/shops/stock-sync'

const shop = (status: Shop['status'] = 'active'): Shop => ({
  id: 's',
  channel: 'taobao',
  name: 'x',
  status,
  hasCredentials: true,
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
})
const now = Date.parse('2026-12-07T06:00:00Z')
const link = (o: Partial<NonNullable<ShopHealth['link']>> = {}) => ({
  oauth: true,
  hasCredentials: true,
  linked: true,
  waitingForCallback: false,
  tokenExpiresAt: null,
  refreshExpiresAt: null,
  ...o,
})
const health = (o: Partial<ShopHealth> = {}): ShopHealth => ({
  streams: [
    {
      stream: 'orders',
      cursorAt: null,
      lastRunAt: '2026-12-07T05:00:00Z',
      lastOkAt: '2026-12-07T05:00:00Z',
      lastError: null,
    },
  ],
  errors: [],
  failedWebhooks: [],
  settingsUsable: true,
  link: link(),
  ...o,
})

describe("a shop's light", () => {
  it('is orange while the shop waits for its OAuth callback or its token is about to end, red once it ended', () => {
    expect(healthOf(shop(), health(), now)).toBe('ok')
    expect(healthOf(shop(), health({ link: link({ waitingForCallback: true, linked: false }) }), now)).toBe(
      'waiting',
    )
    expect(healthOf(shop(), health({ link: link({ tokenExpiresAt: '2026-12-09T06:00:00Z' }) }), now)).toBe(
      'expiring',
    )
    expect(healthOf(shop(), health({ link: link({ tokenExpiresAt: '2026-12-07T05:00:00Z' }) }), now)).toBe(
      'expired',
    )
    // A token that can still be renewed is refreshed before it ends: its renewal limit counts.
    expect(
      healthOf(
        shop(),
        health({
          link: link({ tokenExpiresAt: '2026-12-07T05:00:00Z', refreshExpiresAt: '2027-01-07T00:00:00Z' }),
        }),
        now,
      ),
    ).toBe('ok')
  })

  it('is red when settings cannot work or the last run failed, grey when disabled or never synced', () => {
    expect(healthOf(shop(), health({ settingsUsable: false }), now)).toBe('settings')
    const failing = health({
      streams: [
        {
          stream: 'orders',
          cursorAt: null,
          lastRunAt: '2026-12-07T05:30:00Z',
          lastOkAt: '2026-12-07T05:00:00Z',
          lastError: 'B04: 订单状态不正确',
        },
      ],
    })
    expect(healthOf(shop(), failing, now)).toBe('failing')
    expect(latestError(failing)).toBe('B04: 订单状态不正确')
    expect(healthOf(shop('disabled'), failing, now)).toBe('off')
    expect(healthOf(shop(), health({ streams: [] }), now)).toBe('never')
  })
})

describe('the stock rules a save sends', () => {
  it('applies the API defaults when the shop has none', () => {
    expect(readSync({})).toEqual({
      enabled: true,
      ratio: '1',
      safetyStock: 0,
      virtualStock: 0,
      overrides: {},
    })
  })

  it('removes a SKU rule, and a field of one, with null (PATCH merges objects)', () => {
    const saved = readSync({
      stockSync: {
        ratio: 0.8,
        overrides: { 'CUP-1': { fixed: 3, safetyStock: 1 }, 'CUP-2': { ratio: '0.5' } },
      },
    })
    const draft = { ...saved, ratio: '0.5', overrides: { 'CUP-1': { safetyStock: 2 } } }
    expect(syncPatch(saved, draft)).toEqual({
      enabled: true,
      ratio: '0.5',
      safetyStock: 0,
      virtualStock: 0,
      overrides: { 'CUP-1': { fixed: null, safetyStock: 2 }, 'CUP-2': null },
    })
  })
})
