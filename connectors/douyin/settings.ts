/** Douyin shop (抖店) settings: the hub's own plus these. */
import { Type, type Static } from 'typebox'
import { HttpUrl, shopSettingsSchema } from '../settings.js'
import { CARRIERS } from '../types.js'
import { DEFAULT_BASE_URL } from './client.js'

export const DouyinSettings = shopSettingsSchema('Douyin shop (抖店)', {
  baseUrl: Type.Optional(HttpUrl('Open platform URL', `default ${DEFAULT_BASE_URL}`)),
  authorizeUrl: Type.Optional(
    HttpUrl('Authorisation link', "the app's authorisation link from 抖店服务市场 (needed for OAuth)"),
  ),
  signMethod: Type.Optional(
    Type.Enum(['hmac-sha256', 'md5'], { title: 'Signature method', default: 'hmac-sha256' }),
  ),
  // Douyin codes are per carrier only (no carrier names): the keys are our carrier codes.
  carrierCodes: Type.Optional(
    Type.Object(
      Object.fromEntries(
        CARRIERS.map((c) => [c, Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' }))]),
      ),
      {
        title: 'Carrier codes',
        description:
          'Our carrier code → Douyin company_code (order.logisticsCompanyList); overrides the built-in table',
        additionalProperties: false,
      },
    ),
  ),
})
export type DouyinSettings = Static<typeof DouyinSettings>
