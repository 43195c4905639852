/**
 * What linking a shop of each channel takes: its settings schema (the hub's own settings plus the
 * channel's, with titles, descriptions, bounds and defaults) — the console renders the "link a shop"
 * form from it — and whether the channel links through OAuth.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { CREDENTIAL_FIELDS } from '../../connectors/credentials.js'
import { CONNECTORS } from '../../connectors/index.js'
import { formSchema, HUB_KEYS } from '../../connectors/settings.js'
import { CHANNELS } from '../../connectors/types.js'
import { errorResponses } from '../api/schemas.js'
import type { AppContext } from '../context.js'

const Channel = Type.Object({
  channel: Type.Enum(CHANNELS),
  oauth: Type.Boolean(),
  /** JSON Schema of the shop settings; fields with a default are optional. */
  settingsSchema: Type.Unknown(),
  /** The settings that are the channel's own (its gateway, domain…); the rest are the hub's, shared by every channel. */
  channelSettings: Type.Array(Type.String()),
  /** What linking asks for; an OAuth channel: only its app's key and secret (the token comes back). */
  credentials: Type.Array(
    Type.Object({ name: Type.String(), required: Type.Boolean(), secret: Type.Boolean() }),
  ),
})

export async function channelRoutes(fastify: FastifyInstance, _ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const items = CHANNELS.map((channel) => ({
    channel,
    oauth: CONNECTORS[channel].oauth !== undefined,
    settingsSchema: formSchema(CONNECTORS[channel].settingsSchema),
    channelSettings: Object.keys(CONNECTORS[channel].settingsSchema.properties).filter(
      (k) => !HUB_KEYS.includes(k),
    ),
    credentials: CREDENTIAL_FIELDS[channel].map((f) => ({ ...f })),
  }))
  app.get(
    '/channels',
    {
      schema: {
        tags: ['shops'],
        summary: 'The channels a shop can be linked on, each with its settings schema',
        response: { 200: Type.Object({ items: Type.Array(Channel) }), ...errorResponses },
      },
    },
    async () => ({ items }),
  )
}
