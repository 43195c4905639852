/**
 * What a person types to link a shop of each channel: the credential fields, in the order a form
 * asks for them. For an OAuth channel these are only the app's own key and secret (its
 * `oauth.appFields`): the shop's token arrives at the callback. The connectors read the same names
 * (see each connector's header); GET /channels publishes this table so the console can render
 * the form, and a test holds every OAuth channel's appFields to it.
 */
import type { Channel } from './types.js'

export interface CredentialField {
  /** The key in the shop's credentials. */
  name: string
  required: boolean
  /** Shown masked and never read back (every credential is write-only; secrets are also masked). */
  secret: boolean
}

const field = (name: string, required = true, secret = false): CredentialField => ({
  name,
  required,
  secret,
})

export const CREDENTIAL_FIELDS = {
  taobao: [field('appKey'), field('appSecret', true, true)],
  jd: [field('appKey'), field('appSecret', true, true)],
  pdd: [field('clientId'), field('clientSecret', true, true)],
  douyin: [field('appKey'), field('appSecret', true, true)],
  shopify: [field('clientId'), field('clientSecret', true, true), field('webhookSecret', false, true)],
  woocommerce: [
    field('consumerKey'),
    field('consumerSecret', true, true),
    field('webhookSecret', false, true),
  ],
  selfstore: [field('apiKey', true, true), field('webhookSecret', true, true)],
} as const satisfies Record<Channel, readonly CredentialField[]>
