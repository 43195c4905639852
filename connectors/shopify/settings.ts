/** Shopify shop settings: the hub's own plus these. */
import { Type, type Static } from 'typebox'
import { HttpUrl, shopSettingsSchema } from '../settings.js'

const locationId = (options: { title?: string; description?: string } = {}) =>
  Type.String({
    pattern: '^(\\d+|gid://shopify/Location/\\d+)$',
    maxLength: 64,
    errorMessage: 'must be a Shopify location id (digits or gid://shopify/Location/…)',
    ...options,
  })

export const ShopifySettings = shopSettingsSchema('Shopify shop', {
  shopDomain: Type.String({
    title: 'Shop domain',
    description: "the shop's myshopify.com domain, e.g. acme.myshopify.com",
    pattern: '^[a-zA-Z0-9][a-zA-Z0-9-]*\\.myshopify\\.com$',
    maxLength: 255,
  }),
  baseUrl: Type.Optional(HttpUrl('Base URL', 'default https://{shopDomain} (sandboxes, proxies)')),
  locations: Type.Optional(
    Type.Record(Type.String({ minLength: 1, maxLength: 64 }), locationId(), {
      title: 'Locations',
      description: 'warehouse id → Shopify location id; stock is pushed per location',
      maxProperties: 200,
    }),
  ),
  defaultLocationId: Type.Optional(
    locationId({
      title: 'Default location',
      description: 'location for stock of warehouses not mapped in locations',
    }),
  ),
  apiVersion: Type.Optional(
    Type.String({ title: 'Admin API version', pattern: '^(\\d{4}-\\d{2}|unstable)$', maxLength: 16 }),
  ),
  scopes: Type.Optional(
    Type.String({ title: 'OAuth scopes', description: 'comma-separated access scopes', maxLength: 1000 }),
  ),
})
export type ShopifySettings = Static<typeof ShopifySettings>
