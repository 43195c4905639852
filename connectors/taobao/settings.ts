/** Taobao / Tmall shop settings (TOP gateway, cn-marketplaces.md §1): the hub's own plus these. */
import { Type, type Static } from 'typebox'
import { CarrierCodes, HttpUrl, shopSettingsSchema } from '../settings.js'
import { DEFAULT_BASE_URL, SIGN_METHODS } from './top.js'

export const TaobaoSettings = shopSettingsSchema('Taobao / Tmall shop', {
  baseUrl: Type.Optional(HttpUrl('TOP gateway URL', `default ${DEFAULT_BASE_URL} (sandboxes, proxies)`)),
  oauthUrl: Type.Optional(HttpUrl('OAuth host', 'default https://oauth.taobao.com')),
  signMethod: Type.Optional(Type.Enum(SIGN_METHODS, { title: 'Signature method', default: 'md5' })),
  tmc: Type.Optional(
    Type.Boolean({
      title: 'Take TMC messages',
      description: "the app's TMC topics must be enabled and the seller permitted",
      default: false,
    }),
  ),
  tmcGroup: Type.Optional(
    Type.String({ title: 'TMC group', description: 'default "default"', minLength: 1, maxLength: 64 }),
  ),
  carrierCodes: Type.Optional(CarrierCodes('company_code (taobao.logistics.companies.get)')),
})
export type TaobaoSettings = Static<typeof TaobaoSettings>
