/**
 * Alerts in the console (the bell) and their settings: which rules are on, with what threshold, and
 * the webhook they are delivered to (a WeCom or DingTalk group robot, or plain JSON).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { checkOutboundUrl } from '../../connectors/outbound.js'
import type { AppContext } from '../context.js'
import { invalid } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { FreeForm, Int, Nullable, Timestamp, errorResponses } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { withTx } from '../db/tx.js'
import { seal } from '../lib/crypto.js'
import { DEFAULT_THRESHOLD, effectiveRules } from './conditions.js'
import { countOpen, deleteWebhook, getWebhook, listAlerts, listRules, saveRule, saveWebhook } from './repo.js'
import { scanMerchant } from './scan.js'
import { ALERT_KINDS, WEBHOOK_FORMATS } from './tables.js'

const tags = ['alerts']
const Kind = Type.Enum(ALERT_KINDS)
const AlertSchema = Type.Object({
  id: Type.String(),
  kind: Kind,
  subject: Type.String(),
  detail: FreeForm,
  status: Type.Enum(['open', 'cleared']),
  openedAt: Timestamp,
  clearedAt: Nullable(Timestamp),
  delivery: Type.Enum(['none', 'pending', 'sent', 'failed']),
  deliveryError: Nullable(Type.String()),
})
const RuleSchema = Type.Object(
  {
    kind: Kind,
    enabled: Type.Boolean(),
    threshold: Nullable(Int({ minimum: 1, maximum: 100_000 })),
  },
  { additionalProperties: false },
)
const WebhookOut = Type.Object({
  url: Type.String(),
  format: Type.Enum(WEBHOOK_FORMATS),
  hasSecret: Type.Boolean(),
})
const SettingsOut = Type.Object({
  rules: Type.Array(Type.Object({ ...RuleSchema.properties, defaultThreshold: Nullable(Type.Integer()) })),
  webhook: Nullable(WebhookOut),
})

/** A robot's URL carries its key (key=…, access_token=…): shown with the values' last 4 characters only. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url)
    for (const [k, v] of [...u.searchParams])
      u.searchParams.set(k, v.length > 4 ? `****${v.slice(-4)}` : '****')
    return u.toString()
  } catch {
    return '****'
  }
}

export async function alertRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/alerts',
    {
      schema: {
        tags,
        summary: 'Alerts, newest first: open ones until their condition clears, then cleared',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(['open', 'cleared'])),
          kind: Type.Optional(Kind),
          ...PageQuery,
        }),
        response: { 200: Page(AlertSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor, status, kind } = req.query
      const before = readCursor(cursor, ['string'])?.[0]
      const rows = await listAlerts(ctx.db, req.auth.merchantId, { status, kind, before, limit })
      const page = pageOf(rows, limit, (r) => [r.id])
      return {
        next: page.next,
        items: page.items.map((a) => ({
          id: a.id,
          kind: a.kind,
          subject: a.subject,
          detail: a.detail,
          status: a.status,
          openedAt: a.opened_at.toISOString(),
          clearedAt: a.cleared_at?.toISOString() ?? null,
          delivery: a.delivery,
          deliveryError: a.delivery_error,
        })),
      }
    },
  )

  app.get(
    '/alerts/open-count',
    {
      schema: {
        tags,
        summary: 'How many alerts are open, in all and per kind (the bell)',
        response: {
          200: Type.Object({ total: Type.Integer(), byKind: Type.Record(Type.String(), Type.Integer()) }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const byKind = await countOpen(ctx.db, req.auth.merchantId)
      return { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind }
    },
  )

  app.post(
    '/alerts/scan',
    {
      schema: {
        tags,
        summary: 'Check the alert rules now (they are checked every five minutes anyway)',
        response: {
          200: Type.Object({ opened: Type.Integer(), cleared: Type.Integer(), open: Type.Integer() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await scanMerchant(ctx, req.auth.merchantId)
      await audit(ctx.db, req.auth.merchantId, {
        ...apiActor(req.auth),
        action: 'alerts.scan',
        entityType: 'merchant',
        entityId: req.auth.merchantId,
        detail: { opened: r.opened.length, cleared: r.cleared.length },
      })
      return { opened: r.opened.length, cleared: r.cleared.length, open: r.open }
    },
  )

  const settings = async (merchantId: string) => {
    const w = await getWebhook(ctx.db, merchantId)
    return {
      rules: effectiveRules(await listRules(ctx.db, merchantId)).map((r) => ({
        ...r,
        defaultThreshold: DEFAULT_THRESHOLD[r.kind],
      })),
      webhook: w ? { url: maskUrl(w.url), format: w.format, hasSecret: w.secret_enc !== null } : null,
    }
  }

  app.get(
    '/alert-rules',
    {
      schema: {
        tags,
        summary: 'The alert rules (every kind, with its threshold) and the webhook alerts are sent to',
        response: { 200: SettingsOut, ...errorResponses },
      },
    },
    async (req) => settings(req.auth.merchantId),
  )

  app.put(
    '/alert-rules',
    {
      schema: {
        tags,
        summary:
          'Set the alert rules and the webhook: a WeCom (企业微信) or DingTalk (钉钉) group robot URL, or any URL taking JSON; DingTalk robots with 加签 take the secret',
        body: Type.Object(
          {
            rules: Type.Array(RuleSchema, { maxItems: ALERT_KINDS.length }),
            webhook: Nullable(
              Type.Object(
                {
                  url: Type.Optional(
                    Type.String({
                      minLength: 8,
                      maxLength: 1000,
                      description: "the robot's URL; omit to keep the stored one",
                    }),
                  ),
                  format: Type.Enum(WEBHOOK_FORMATS),
                  secret: Type.Optional(
                    Nullable(
                      Type.String({
                        minLength: 1,
                        maxLength: 200,
                        description:
                          'DingTalk 加签 secret (SEC…); omit to keep the stored one, null to remove it',
                      }),
                    ),
                  ),
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: SettingsOut, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const { rules, webhook } = req.body
      const kinds = new Set<string>()
      for (const [i, r] of rules.entries()) {
        if (kinds.has(r.kind))
          throw invalid(`body/rules/${i}/kind: ${r.kind} is given twice`, { field: `body/rules/${i}/kind` })
        kinds.add(r.kind)
        if (r.threshold !== null && DEFAULT_THRESHOLD[r.kind] === null)
          throw invalid(`body/rules/${i}/threshold: ${r.kind} takes no threshold`, {
            field: `body/rules/${i}/threshold`,
          })
      }
      let url: string | null = null
      if (webhook) {
        url = webhook.url ?? (await getWebhook(ctx.db, merchantId))?.url ?? null
        if (url === null)
          throw invalid('body/webhook/url is required for a new webhook', { field: 'body/webhook/url' })
        const problem = await checkOutboundUrl(url)
        if (problem) throw invalid(`body/webhook/url ${problem}`, { field: 'body/webhook/url' })
      }
      const now = ctx.clock.now()
      await withTx(ctx.db, async (tx) => {
        for (const r of rules) await saveRule(tx, merchantId, r, now)
        if (webhook === null || url === null) await deleteWebhook(tx, merchantId)
        else
          await saveWebhook(
            tx,
            merchantId,
            {
              url,
              format: webhook.format,
              secretEnc:
                webhook.secret === undefined
                  ? undefined
                  : webhook.secret === null
                    ? null
                    : seal(ctx.config.secretKey, webhook.secret, merchantId),
            },
            now,
          )
        await audit(tx, merchantId, {
          ...apiActor(req.auth),
          action: 'alerts.settings',
          entityType: 'merchant',
          entityId: merchantId,
          // The secret is never written to the audit log, only whether one was given.
          detail: {
            rules,
            webhook:
              webhook && url
                ? {
                    url: maskUrl(url),
                    format: webhook.format,
                    secret:
                      webhook.secret === undefined ? 'kept' : webhook.secret === null ? 'removed' : 'set',
                  }
                : null,
          },
        })
      })
      return settings(merchantId)
    },
  )
}
