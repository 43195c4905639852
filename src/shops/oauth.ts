/**
 * Linking an OAuth shop (Shopify): the merchant saves the shop with its app's client id and secret,
 * asks for the authorize URL, approves on the platform, and the platform calls back here. The state
 * is random, bound to the merchant and shop in Redis for ten minutes and used once; the connector
 * checks the callback's HMAC and exchanges the code; the token is stored sealed.
 */
import { randomBytes } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { getConnector } from '../../connectors/index.js'
import { isConnectorError } from '../../connectors/errors.js'
import type { AppContext } from '../context.js'
import { CHANNELS, type Channel } from '../db/schema.js'
import { AppError, notFound } from '../api/errors.js'
import { errorResponses, IdParams } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { pullCatalogueOnLink } from '../catalogue/enqueue.js'
import { shopContext } from '../sync/shop-context.js'
import { getShop } from './repo.js'

const STATE_TTL_S = 600

const stateKey = (ctx: Pick<AppContext, 'config'>, state: string) =>
  `${ctx.config.redis.prefix}:oauth-state:${state}`
export const callbackUrl = (ctx: Pick<AppContext, 'config'>, channel: Channel) =>
  `${ctx.config.api.publicUrl}/oauth/${channel}/callback`

/** The shop's context, or a 409 naming why its settings cannot work. */
async function usableShop(ctx: AppContext, merchantId: string, shopId: string) {
  try {
    return await shopContext(ctx, merchantId, shopId)
  } catch (err) {
    if (isConnectorError(err, 'permanent')) throw new AppError('conflict', err.message, 409)
    throw err
  }
}

export async function oauthRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['shops']

  app.post(
    '/shops/:id/oauth/authorize',
    {
      schema: {
        tags,
        summary: 'Start OAuth for a shop: returns the URL to send the merchant to (valid 10 minutes, once)',
        params: IdParams,
        response: {
          200: Type.Object({
            authorizeUrl: Type.String(),
            redirectUri: Type.String(),
            expiresInSeconds: Type.Integer(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const shop = await getShop(ctx.db, merchantId, req.params.id)
      if (!shop) throw notFound('shop', req.params.id)
      const oauth = getConnector(shop.channel).oauth
      if (!oauth)
        throw new AppError('validation_failed', `${shop.channel} shops are linked with keys, not OAuth`, 400)
      const sc = await usableShop(ctx, merchantId, shop.id)
      const missing = oauth.appFields.filter(
        (f) => typeof sc.credentials[f] !== 'string' || sc.credentials[f] === '',
      )
      if (missing.length > 0)
        throw new AppError(
          'validation_failed',
          `save the app's ${oauth.appFields.join(' and ')} as the shop credentials first (missing ${missing.join(', ')})`,
          400,
        )
      const state = randomBytes(24).toString('base64url')
      const redirectUri = callbackUrl(ctx, shop.channel)
      let authorizeUrl: string
      try {
        authorizeUrl = oauth.authorizeUrl(sc, state, redirectUri)
      } catch (err) {
        // A connector that needs a setting first (Douyin's service-market link) says which.
        if (isConnectorError(err)) throw new AppError('validation_failed', err.message, 400)
        throw err
      }
      await ctx.redis.set(
        stateKey(ctx, state),
        JSON.stringify({ merchantId, shopId: shop.id, channel: shop.channel }),
        'EX',
        STATE_TTL_S,
      )
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'shop.oauth_start',
        entityType: 'shop',
        entityId: shop.id,
      })
      return { authorizeUrl, redirectUri, expiresInSeconds: STATE_TTL_S }
    },
  )

  app.get(
    '/oauth/:channel/callback',
    {
      schema: {
        tags,
        summary: 'OAuth callback (called by the platform with code, state and its signature)',
        params: Type.Object({ channel: Type.Enum(CHANNELS) }),
        // A platform may send a parameter more than once (Shopify's array-style `ids[]`).
        querystring: Type.Object(
          {
            state: Type.Optional(Type.String({ maxLength: 200 })),
            code: Type.Optional(Type.String({ maxLength: 4096 })),
          },
          {
            // The platform's own parameters (its signature, shop, timestamp…) come as it sends them.
            additionalProperties: Type.Union([
              Type.String({ maxLength: 4096 }),
              Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 100 }),
            ]),
            maxProperties: 50,
          },
        ),
        response: { 200: Type.Object({ linked: Type.Boolean(), shopId: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      // A person's browser, sent back by the platform, gets the console's page saying the shop is
      // linked or why not; an integration calling with JSON gets JSON.
      const browser = /text\/html/.test(req.headers.accept ?? '')
      let shopId: string | null = null
      try {
        const linked = await complete(req.params.channel, req.query, req.raw.url, (id) => (shopId = id))
        if (!browser) return linked
        return reply.redirect(`/app/shops/linked?${new URLSearchParams({ shop: linked.shopId }).toString()}`)
      } catch (err) {
        if (!browser || !(err instanceof AppError)) throw err
        const reason = (err.details as { reason?: unknown } | undefined)?.reason
        const q = new URLSearchParams({ error: err.code, message: err.message.slice(0, 500) })
        if (typeof reason === 'string') q.set('reason', reason)
        if (shopId) q.set('shop', shopId)
        return reply.redirect(`/app/shops/linked?${q.toString()}`)
      }
    },
  )

  async function complete(
    channel: Channel,
    rawParams: Record<string, string | string[] | undefined>,
    url: string | undefined,
    found: (shopId: string) => void,
  ): Promise<{ linked: true; shopId: string }> {
    const rawQuery = url?.split('?').slice(1).join('?') ?? ''
    const query = Object.fromEntries(
      Object.entries(rawParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
    )
    const raw = query.state ? await ctx.redis.getdel(stateKey(ctx, query.state)) : null
    if (!raw)
      throw new AppError(
        'validation_failed',
        'unknown, used or expired OAuth state: start linking again',
        400,
        { reason: 'oauth_state' },
      )
    const bound = JSON.parse(raw) as { merchantId: string; shopId: string; channel: Channel }
    found(bound.shopId)
    if (bound.channel !== channel)
      throw new AppError('validation_failed', 'the OAuth state belongs to another channel', 400)
    const connector = getConnector(bound.channel)
    const sc = await usableShop(ctx, bound.merchantId, bound.shopId)
    let credentials: Record<string, unknown>
    try {
      credentials = await connector.oauth!.exchangeCode(sc, query, callbackUrl(ctx, bound.channel), rawQuery)
    } catch (err) {
      if (isConnectorError(err) && err.kind !== 'transient' && err.kind !== 'rate_limited')
        throw new AppError('credentials_rejected', err.message, 422)
      if (isConnectorError(err))
        throw new AppError(
          'upstream_unavailable',
          `${bound.channel} could not be reached to exchange the code: ${err.message}`,
          503,
        )
      throw err
    }
    await sc.saveCredentials(credentials)
    await pullCatalogueOnLink(
      ctx,
      { merchantId: bound.merchantId, id: bound.shopId, channel: bound.channel },
      credentials,
    )
    await audit(ctx.db, bound.merchantId, {
      actorType: 'system',
      actorId: `oauth:${bound.channel}`,
      action: 'shop.oauth',
      entityType: 'shop',
      entityId: bound.shopId,
      detail: { scope: typeof credentials.scope === 'string' ? credentials.scope : null },
    })
    return { linked: true, shopId: bound.shopId }
  }
}
