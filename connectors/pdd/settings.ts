/** Pinduoduo shop settings: the hub's own plus these. */
import { Type, type Static } from 'typebox'
import { CarrierCodes, HttpUrl, shopSettingsSchema } from '../settings.js'
import { PDD_GATEWAY } from './client.js'

export const PddSettings = shopSettingsSchema('Pinduoduo shop', {
  baseUrl: Type.Optional(HttpUrl('Gateway URL', `default ${PDD_GATEWAY}`)),
  authorizeUrl: Type.Optional(
    HttpUrl(
      'Authorisation page',
      'the service-market or merchant-backend page the merchant approves the app on',
    ),
  ),
  carrierCodes: Type.Optional(
    CarrierCodes(
      'logistics_id (pdd.logistics.companies.get)',
      // Ids typed into a JSON form may come back as numbers.
      Type.Union([Type.String({ pattern: '^\\d+$', maxLength: 32 }), Type.Integer({ minimum: 0 })], {
        errorMessage: 'must be a numeric logistics_id from pdd.logistics.companies.get',
      }),
    ),
  ),
})
export type PddSettings = Static<typeof PddSettings>
