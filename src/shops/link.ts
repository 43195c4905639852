/**
 * Linking a key-based shop: its settings are validated by the channel's connector, and its keys are
 * checked with one cheap authenticated call before anything is saved, so a wrong key is a clear
 * error now rather than a failing sync later.
 */
import { getConnector, hasConnector } from '../../connectors/index.js'
import { isConnectorError } from '../../connectors/errors.js'
import type { AppContext } from '../context.js'
import type { Channel } from '../db/schema.js'
import { AppError } from '../api/errors.js'

export async function checkLink(ctx: Pick<AppContext, 'clock' | 'log'>, channel: Channel, settings: Record<string, unknown>, credentials: Record<string, unknown> | undefined): Promise<void> {
  if (!hasConnector(channel)) return
  const connector = getConnector(channel)
  const problems = connector.validateSettings(settings)
  if (problems.length > 0) throw new AppError('validation_failed', `body/settings: ${problems.join('; ')}`, 400, { field: 'body/settings', problems })
  if (!credentials) return
  // An OAuth shop linked with only its app's client id and secret gets its token at the callback;
  // one given a token already (a custom app's Admin API token) is checked like keys.
  if (connector.auth === 'oauth' && typeof credentials.accessToken !== 'string') {
    if (connector.oauth && (typeof credentials.clientId !== 'string' || typeof credentials.clientSecret !== 'string')) {
      throw new AppError('validation_failed', `body/credentials: ${channel} needs either an accessToken or the app's clientId and clientSecret for OAuth`, 400, { field: 'body/credentials' })
    }
    return
  }
  try {
    await connector.verifyCredentials({ id: 'unsaved', merchantId: 'unsaved', channel, settings, credentials, clock: ctx.clock, log: ctx.log, saveCredentials: async () => undefined })
  } catch (err) {
    if (isConnectorError(err) && (err.kind === 'auth_expired' || err.kind === 'permanent')) {
      throw new AppError('credentials_rejected', `${channel} rejected these credentials: ${err.message}`, 422, { httpStatus: err.detail.httpStatus ?? null })
    }
    if (isConnectorError(err)) throw new AppError('upstream_unavailable', `${channel} could not be reached to check the credentials: ${err.message}`, 503)
    throw err
  }
}
