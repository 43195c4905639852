/** The merchant's own profile: name and time zone (statements, the console's times). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { AppError, notFound } from '../api/errors.js'
import { errorResponses } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import type { AppContext } from '../context.js'
import { MerchantJson } from '../users/schemas.js'
import { getMerchant, isTimeZone, updateMerchant } from './repo.js'

export async function merchantProfileRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['merchant']

  const load = async (merchantId: string) => {
    const m = await getMerchant(ctx.db, merchantId)
    if (!m) throw notFound('merchant', merchantId)
    return { id: m.id, name: m.name, timezone: m.timezone, baseCurrency: m.baseCurrency }
  }

  app.get(
    '/merchant',
    {
      schema: { tags, summary: "The caller's merchant", response: { 200: MerchantJson, ...errorResponses } },
    },
    async (req) => load(req.auth.merchantId),
  )

  app.patch(
    '/merchant',
    {
      schema: {
        tags,
        summary: 'Rename the merchant or change its time zone (IANA name, e.g. Asia/Shanghai)',
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: MerchantJson, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      if (req.body.timezone !== undefined && !isTimeZone(req.body.timezone))
        throw new AppError('validation_failed', `${req.body.timezone} is not an IANA time zone`, 400, {
          field: 'timezone',
          reason: 'unknown_time_zone',
        })
      const before = await load(merchantId)
      await updateMerchant(ctx.db, merchantId, req.body)
      const after = await load(merchantId)
      const detail: Record<string, unknown> = {}
      if (before.name !== after.name) detail.name = [before.name, after.name]
      if (before.timezone !== after.timezone) detail.timezone = [before.timezone, after.timezone]
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'merchant.update',
        entityType: 'merchant',
        entityId: merchantId,
        detail,
      })
      return after
    },
  )
}
