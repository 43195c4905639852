/**
 * Sync health of a shop for the merchant: where each stream's cursor stands, when it last ran and
 * succeeded, the latest errors (the platform's answer kept, secrets never), webhook deliveries that
 * failed — and a way to pull now instead of waiting for the schedule.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { enqueue, jobId } from '../../jobs/queues.js'
import { notFound } from '../api/errors.js'
import { errorResponses, IdParams } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import type { AppContext } from '../context.js'
import { newId } from '../lib/ids.js'
import { getConnector } from '../../connectors/index.js'
import { getShop, loadShopCredentials } from '../shops/repo.js'
import { isLinked } from './pull.js'
import { policyProblems } from '../shops/settings.js'
import { latestFailedWebhooks, latestSyncErrors, listSyncCursors } from './repo.js'

const STREAMS = ['orders', 'refunds', 'settlements', 'messages'] as const
const iso = (d: Date | null) => (d ? d.toISOString() : null)

export async function syncRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['shops']

  app.get(
    '/shops/:id/sync',
    {
      schema: {
        tags,
        summary:
          "A shop's sync health: problems with its settings, cursors per stream, the latest errors, failed webhook deliveries",
        params: IdParams,
        response: {
          200: Type.Object({
            /** False when the channel's settings cannot work: every platform call fails until they are fixed. */
            settingsUsable: Type.Boolean(),
            settingsProblems: Type.Array(
              Type.Object({ path: Type.String(), code: Type.String(), message: Type.String() }),
            ),
            streams: Type.Array(
              Type.Object({
                stream: Type.String(),
                cursorAt: Type.Union([Type.String(), Type.Null()]),
                lastRunAt: Type.Union([Type.String(), Type.Null()]),
                lastOkAt: Type.Union([Type.String(), Type.Null()]),
                lastError: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
            errors: Type.Array(
              Type.Object({
                stream: Type.String(),
                kind: Type.String(),
                message: Type.String(),
                httpStatus: Type.Union([Type.Integer(), Type.Null()]),
                at: Type.String(),
              }),
            ),
            /**
             * Whether the shop can call its platform: an OAuth shop saved with its app's key waits
             * for the platform's callback until its token arrives; the token's expiry when known.
             */
            link: Type.Object({
              oauth: Type.Boolean(),
              hasCredentials: Type.Boolean(),
              linked: Type.Boolean(),
              waitingForCallback: Type.Boolean(),
              tokenExpiresAt: Type.Union([Type.String(), Type.Null()]),
              refreshExpiresAt: Type.Union([Type.String(), Type.Null()]),
            }),
            failedWebhooks: Type.Array(
              Type.Object({
                id: Type.String(),
                topic: Type.Union([Type.String(), Type.Null()]),
                error: Type.Union([Type.String(), Type.Null()]),
                receivedAt: Type.String(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const shop = await getShop(ctx.db, merchantId, req.params.id)
      if (!shop) throw notFound('shop', req.params.id)
      const [cursors, errors, hooks, credentials] = await Promise.all([
        listSyncCursors(ctx.db, merchantId, req.params.id),
        latestSyncErrors(ctx.db, merchantId, req.params.id),
        latestFailedWebhooks(ctx.db, merchantId, req.params.id),
        loadShopCredentials(ctx.db, ctx.config.secretKey, merchantId, req.params.id),
      ])
      const connector = getConnector(shop.channel)
      const linked = shop.hasCredentials && isLinked(connector, credentials)
      const when = (v: unknown) =>
        typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null
      return {
        settingsUsable: shop.parsed.channel !== null,
        settingsProblems: [
          ...shop.parsed.problems,
          ...(await policyProblems(ctx, merchantId, shop.parsed.hub)),
        ],
        streams: cursors.map((c) => ({
          stream: c.stream,
          cursorAt: iso(c.cursor_at),
          lastRunAt: iso(c.last_run_at),
          lastOkAt: iso(c.last_ok_at),
          lastError: c.last_error,
        })),
        errors: errors.map((e) => ({
          stream: e.stream,
          kind: e.kind,
          message: e.message,
          httpStatus: e.http_status,
          at: e.created_at.toISOString(),
        })),
        link: {
          oauth: connector.oauth !== undefined,
          hasCredentials: shop.hasCredentials,
          linked,
          waitingForCallback: connector.oauth !== undefined && shop.hasCredentials && !linked,
          tokenExpiresAt: linked ? when(credentials.expiresAt) : null,
          refreshExpiresAt: linked ? when(credentials.refreshExpiresAt) : null,
        },
        failedWebhooks: hooks.map((h) => ({
          id: h.id,
          topic: h.topic,
          error: h.error,
          receivedAt: h.received_at.toISOString(),
        })),
      }
    },
  )

  app.post(
    '/shops/:id/sync',
    {
      schema: {
        tags,
        summary: 'Pull a stream of a shop now (it runs as a job, as the schedule would)',
        params: IdParams,
        body: Type.Object({ stream: Type.Optional(Type.Enum(STREAMS)) }, { additionalProperties: false }),
        response: { 202: Type.Object({ queued: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      if (!(await getShop(ctx.db, merchantId, req.params.id))) throw notFound('shop', req.params.id)
      const stream = req.body.stream ?? 'orders'
      const id = jobId('pull-now', req.params.id, stream, newId())
      await enqueue(ctx.queues, 'shop-pull', { merchantId, shopId: req.params.id, stream }, id)
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'shop.sync_now',
        entityType: 'shop',
        entityId: req.params.id,
        detail: { stream },
      })
      return reply.status(202).send({ queued: id })
    },
  )
}
