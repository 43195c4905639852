/** JD (JOS) shop settings: the hub's own plus these. */
import { Type, type Static } from 'typebox'
import { CarrierCodes, HttpUrl, shopSettingsSchema } from '../settings.js'
import { DEFAULT_BASE_URL, DEFAULT_OAUTH_URL } from './client.js'

export const JdSettings = shopSettingsSchema('JD shop', {
  baseUrl: Type.Optional(HttpUrl('JOS gateway URL', `default ${DEFAULT_BASE_URL}`)),
  oauthUrl: Type.Optional(HttpUrl('OAuth host', `default ${DEFAULT_OAUTH_URL}`)),
  carrierCodes: Type.Optional(
    CarrierCodes(
      'numeric logiCoprId',
      Type.String({
        pattern: '^\\d+$',
        maxLength: 32,
        errorMessage: "must be JD's numeric logiCoprId as a string",
      }),
    ),
  ),
})
export type JdSettings = Static<typeof JdSettings>
