/**
 * Linking a key-based shop: its settings are validated by the channel's connector, and its keys are
 * checked with one cheap authenticated call before anything is saved, so a wrong key is a clear
 * error now rather than a failing sync later.
 */
import { getConnector } from '../../connectors/index.js'
import { isConnectorError } from '../../connectors/errors.js'
import type { ShopSettings } from '../../connectors/types.js'
import type { AppContext } from '../context.js'
import type { Channel } from '../db/schema.js'
import { AppError } from '../api/errors.js'
import { checkSettings, parseSettings } from './settings.js'

export async function checkLink(
  ctx: Pick<AppContext, 'clock' | 'log' | 'db' | 'config'>,
  merchantId: string,
  channel: Channel,
  settings: Record<string, unknown>,
  credentials: Record<string, unknown> | undefined,
): Promise<void> {
  const connector = getConnector(channel)
  await checkSettings(ctx, merchantId, channel, settings)
  if (!credentials) return
  // A shop linked with only its app's key and secret gets its token at the OAuth callback; one
  // given a token already (pasted, or a custom app's) is checked like keys.
  const oauth = connector.oauth
  if (oauth && typeof credentials[oauth.tokenField] !== 'string') {
    const missing = oauth.appFields.filter((f) => typeof credentials[f] !== 'string' || credentials[f] === '')
    if (missing.length > 0) {
      throw new AppError(
        'validation_failed',
        `body/credentials: ${channel} needs either ${oauth.tokenField} or the app's ${oauth.appFields.join(' and ')} to link through OAuth (missing ${missing.join(', ')})`,
        400,
        { field: 'body/credentials' },
      )
    }
    return
  }
  try {
    await connector.verifyCredentials({
      id: 'unsaved',
      merchantId: 'unsaved',
      channel,
      settings: parseSettings(channel, settings).channel as ShopSettings,
      credentials,
      clock: ctx.clock,
      log: ctx.log,
      saveCredentials: async () => undefined,
    })
  } catch (err) {
    if (isConnectorError(err) && (err.kind === 'auth_expired' || err.kind === 'permanent')) {
      throw new AppError(
        'credentials_rejected',
        `${channel} rejected these credentials: ${err.message}`,
        422,
        { httpStatus: err.detail.httpStatus ?? null },
      )
    }
    if (isConnectorError(err))
      throw new AppError(
        'upstream_unavailable',
        `${channel} could not be reached to check the credentials: ${err.message}`,
        503,
      )
    throw err
  }
}
