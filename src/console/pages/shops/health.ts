import type { Shop, SyncHealth } from '../../api/types'
import type { ShopLink } from '../../api/shops'

/** GET /shops/:id/sync with the link state and settings problems the shop screens read. */
export type ShopHealth = SyncHealth & {
  link?: ShopLink
  settingsUsable?: boolean
  settingsProblems?: { path: string; code: string; message: string }[]
}

export type Health =
  'ok' | 'failing' | 'never' | 'off' | 'unknown' | 'waiting' | 'expiring' | 'expired' | 'settings'

/** A token that ends within a week is flagged (console.md §6.3: 即将过期 < 7 d). */
const EXPIRING_MS = 7 * 24 * 3600_000

/**
 * A shop's light from GET /shops/:id/sync: grey when disabled or never synced, orange while it
 * waits for its OAuth callback or its token is about to end, red when a stream's last run failed,
 * its settings cannot work or its token has ended, green otherwise. `now` is passed in: the same
 * answer at the same moment gives the same light.
 */
export function healthOf(shop: Shop, sync: ShopHealth | undefined, now: number = Date.now()): Health {
  if (shop.status === 'disabled') return 'off'
  if (!sync) return 'unknown'
  if (sync.settingsUsable === false) return 'settings'
  if (sync.link?.waitingForCallback) return 'waiting'
  const expires = sync.link?.tokenExpiresAt ? Date.parse(sync.link.tokenExpiresAt) : NaN
  const renewable = sync.link?.refreshExpiresAt ? Date.parse(sync.link.refreshExpiresAt) : NaN
  // A token that can still be renewed is refreshed before it ends: only its renewal limit counts.
  const end = Number.isNaN(renewable) ? expires : renewable
  if (!Number.isNaN(end) && end <= now) return 'expired'
  const failing = sync.streams.some(
    (s) =>
      s.lastError !== null && (s.lastOkAt === null || (s.lastRunAt !== null && s.lastRunAt > s.lastOkAt)),
  )
  if (failing) return 'failing'
  if (!Number.isNaN(end) && end - now < EXPIRING_MS) return 'expiring'
  if (sync.streams.length === 0) return 'never'
  return 'ok'
}

export const HEALTH_BADGE: Record<Health, 'success' | 'error' | 'default' | 'processing' | 'warning'> = {
  ok: 'success',
  failing: 'error',
  never: 'default',
  off: 'default',
  unknown: 'processing',
  waiting: 'warning',
  expiring: 'warning',
  expired: 'error',
  settings: 'error',
}

/** The newest successful sync of any stream. */
export const lastOk = (sync: SyncHealth | undefined): string | null =>
  sync?.streams.reduce<string | null>(
    (a, s) => (s.lastOkAt && (!a || s.lastOkAt > a) ? s.lastOkAt : a),
    null,
  ) ?? null

/** The latest error in the platform's words: the newest recorded one, else a stream's last error. */
export const latestError = (sync: SyncHealth | undefined): string | null =>
  sync?.errors[0]?.message ?? sync?.streams.find((s) => s.lastError)?.lastError ?? null
