import type { Shop, SyncHealth } from '../../api/types'

export type Health = 'ok' | 'failing' | 'never' | 'off' | 'unknown'

/**
 * A shop's light from GET /shops/:id/sync: red when a stream's last run failed, green when every
 * stream that ran last succeeded, grey when disabled or never synced. No clock: the same answer
 * gives the same light.
 */
export function healthOf(shop: Shop, sync: SyncHealth | undefined): Health {
  if (shop.status === 'disabled') return 'off'
  if (!sync) return 'unknown'
  if (sync.streams.length === 0) return 'never'
  const failing = sync.streams.some(
    (s) =>
      s.lastError !== null && (s.lastOkAt === null || (s.lastRunAt !== null && s.lastRunAt > s.lastOkAt)),
  )
  return failing ? 'failing' : 'ok'
}

export const HEALTH_BADGE: Record<Health, 'success' | 'error' | 'default' | 'processing'> = {
  ok: 'success',
  failing: 'error',
  never: 'default',
  off: 'default',
  unknown: 'processing',
}

/** The newest successful sync of any stream. */
export const lastOk = (sync: SyncHealth | undefined): string | null =>
  sync?.streams.reduce<string | null>(
    (a, s) => (s.lastOkAt && (!a || s.lastOkAt > a) ? s.lastOkAt : a),
    null,
  ) ?? null
