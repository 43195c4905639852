/** WooCommerce shop settings: the hub's own plus the site URL. */
import { type Static } from 'typebox'
import { HttpUrl, shopSettingsSchema } from '../settings.js'

export const WooSettings = shopSettingsSchema('WooCommerce site', {
  baseUrl: HttpUrl('Site URL', 'the URL of the WordPress site, e.g. https://shop.example.com'),
})
export type WooSettings = Static<typeof WooSettings>
