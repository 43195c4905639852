/**
 * Sending one alert to the merchant's webhook, through the outbound guard (connectors/outbound.ts:
 * no loopback, private network or metadata service unless the deployment allows it). Idempotent: a
 * delivered alert is not sent again; a failure is recorded and thrown for the queue to retry, and
 * the last attempt leaves it `failed` with the robot's own words.
 */
import axios from 'axios'
import { outboundAgents } from '../../connectors/outbound.js'
import type { AppContext } from '../context.js'
import { open as unseal } from '../lib/crypto.js'
import { getMerchant } from '../merchants/repo.js'
import { alertLocale } from '../merchants/repo.js'
import type { Locale } from '../users/types.js'
import { factsOf, KIND_TITLE, robotError, subjectOf, webhookRequest, type AlertMessage } from './format.js'
import { getAlert, getWebhook, markDelivery, type AlertRow } from './repo.js'

export type DeliveryOutcome = 'sent' | 'already' | 'no_webhook' | 'gone'

export class DeliveryError extends Error {
  override name = 'DeliveryError'
}

/** 2026-12-07 14:05 in the merchant's zone. */
export function formatLocal(at: Date, timeZone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  )
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

/** The alert as the merchant's robot shows it, in the merchant's language. */
export function messageOf(a: AlertRow, merchantName: string, timezone: string, lang: Locale): AlertMessage {
  return {
    id: a.id,
    kind: a.kind,
    lang,
    subject: subjectOf(a.kind, a.detail, lang) ?? a.subject,
    merchantName,
    openedAt: formatLocal(a.opened_at, timezone),
    timezone,
    facts: factsOf(a.detail, lang),
  }
}

export async function deliverAlert(
  ctx: AppContext,
  merchantId: string,
  alertId: string,
  final: boolean,
): Promise<DeliveryOutcome> {
  const alert = await getAlert(ctx.db, merchantId, alertId)
  if (!alert) return 'gone'
  if (alert.delivery === 'sent') return 'already'
  const webhook = await getWebhook(ctx.db, merchantId)
  const merchant = await getMerchant(ctx.db, merchantId)
  if (!webhook || !merchant) {
    await markDelivery(ctx.db, merchantId, alertId, { delivery: 'none', error: null, at: null })
    return 'no_webhook'
  }
  const secret = webhook.secret_enc ? unseal(ctx.config.secretKey, webhook.secret_enc, merchantId) : null
  const req = webhookRequest(
    webhook.format,
    webhook.url,
    messageOf(alert, merchant.name, merchant.timezone, alertLocale(merchant)),
    {
      secret,
      nowMs: ctx.clock.now().getTime(),
    },
  )
  let problem: string | null
  try {
    const res = await axios.post(req.url, req.body, {
      httpAgent: outboundAgents.http,
      httpsAgent: outboundAgents.https,
      timeout: 10_000,
      maxRedirects: 0,
      validateStatus: () => true,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    })
    problem = robotError(webhook.format, res.status, res.data)
  } catch (err) {
    problem = (err as { code?: string }).code ?? (err as Error).message
  }
  if (problem === null) {
    await markDelivery(ctx.db, merchantId, alertId, { delivery: 'sent', error: null, at: ctx.clock.now() })
    return 'sent'
  }
  // The secret never reaches a stored error: only the robot's answer or the network's code.
  const error = `${KIND_TITLE[alertLocale(merchant)][alert.kind]}: ${problem}`
  await markDelivery(ctx.db, merchantId, alertId, { delivery: final ? 'failed' : 'pending', error, at: null })
  throw new DeliveryError(error)
}
