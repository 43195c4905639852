/**
 * The merchant's own profile: name and time zone (statements, the console's times), and the
 * language the server writes to people in (alerts sent to WeCom / DingTalk robots).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { AppError, notFound } from '../api/errors.js'
import { apiActor, audit } from '../audit/repo.js'
import type { AppContext } from '../context.js'
import { errorResponses, Nullable } from '../api/schemas.js'
import { Locale, MerchantJson } from '../users/schemas.js'
import { alertLocale } from './repo.js'
import { getMerchant, isTimeZone, updateMerchant } from './repo.js'

export async function merchantProfileRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['merchant']

  const ProfileJson = Type.Object({
    ...MerchantJson.properties,
    /** The merchant's language; null = its time zone's default. */
    locale: Nullable(Locale),
    /** What alerts to group robots are written in: locale, else the zone's default. */
    alertLocale: Locale,
  })
  const load = async (merchantId: string) => {
    const m = await getMerchant(ctx.db, merchantId)
    if (!m) throw notFound('merchant', merchantId)
    return {
      id: m.id,
      name: m.name,
      timezone: m.timezone,
      baseCurrency: m.baseCurrency,
      locale: m.locale,
      alertLocale: alertLocale(m),
    }
  }

  app.get(
    '/merchant',
    {
      schema: { tags, summary: "The caller's merchant", response: { 200: ProfileJson, ...errorResponses } },
    },
    async (req) => load(req.auth.merchantId),
  )

  app.patch(
    '/merchant',
    {
      schema: {
        tags,
        summary:
          'Rename the merchant, change its time zone (IANA name, e.g. Asia/Shanghai) or its language (zh-CN, en; null = the zone’s default)',
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            locale: Type.Optional(Type.Union([Locale, Type.Null()])),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ProfileJson, ...errorResponses },
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
      if (before.locale !== after.locale) detail.locale = [before.locale, after.locale]
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
