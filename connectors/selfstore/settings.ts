/** Self-run store (自营商城) settings: the hub's own plus the store API's URL (CONTRACT.md). */
import { type Static } from 'typebox'
import { HttpUrl, shopSettingsSchema } from '../settings.js'

export const SelfstoreSettings = shopSettingsSchema('Self-run store (自营商城)', {
  baseUrl: HttpUrl('Store API URL', 'the base URL of your store API, e.g. https://shop.example.com/entrepot'),
})
export type SelfstoreSettings = Static<typeof SelfstoreSettings>
