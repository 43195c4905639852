/**
 * One scan of a merchant: the conditions that hold now against the alerts open. A new condition
 * opens an alert (and, with a webhook, a delivery job after the commit); one still holding keeps
 * its alert (subject refreshed, never re-sent); one gone clears its alert. Safe to run twice at
 * once: the unique open key admits one open alert per condition.
 */
import { enqueueBulk, jobId } from '../../jobs/queues.js'
import type { AppContext } from '../context.js'
import { withTx } from '../db/tx.js'
import { newId } from '../lib/ids.js'
import { alertLocale, getMerchant } from '../merchants/repo.js'
import { currentConditions, effectiveRules } from './conditions.js'
import { clearAlerts, getWebhook, insertAlert, listRules, openAlerts, refreshAlert } from './repo.js'

export interface ScanOutcome {
  opened: string[]
  cleared: string[]
  open: number
}

export async function scanMerchant(ctx: AppContext, merchantId: string): Promise<ScanOutcome> {
  const merchant = await getMerchant(ctx.db, merchantId)
  if (!merchant) return { opened: [], cleared: [], open: 0 }
  const now = ctx.clock.now()
  const rules = effectiveRules(await listRules(ctx.db, merchantId))
  const conditions = await currentConditions(
    ctx.db,
    merchantId,
    rules,
    now,
    merchant.timezone,
    alertLocale(merchant),
  )
  const webhook = await getWebhook(ctx.db, merchantId)
  const outcome = await withTx(ctx.db, async (tx) => {
    const open = await openAlerts(tx, merchantId)
    const byKey = new Map(open.map((a) => [a.condition_key, a]))
    const holding = new Set(conditions.map((c) => c.key))
    const opened: string[] = []
    for (const c of conditions) {
      const existing = byKey.get(c.key)
      if (existing) {
        if (existing.subject !== c.subject)
          await refreshAlert(tx, merchantId, existing.id, c.subject, c.detail)
        continue
      }
      const id = newId(now.getTime())
      const inserted = await insertAlert(tx, {
        id,
        merchantId,
        kind: c.kind,
        conditionKey: c.key,
        subject: c.subject.slice(0, 500),
        detail: c.detail,
        openedAt: now,
        delivery: webhook ? 'pending' : 'none',
      })
      if (inserted) opened.push(id)
    }
    const cleared = open.filter((a) => !holding.has(a.condition_key)).map((a) => a.id)
    await clearAlerts(tx, merchantId, cleared, now)
    return { opened, cleared, open: conditions.length }
  })
  // After the commit: a rolled-back scan leaves no delivery behind.
  if (webhook)
    await enqueueBulk(
      ctx.queues,
      'alert-deliver',
      outcome.opened.map((alertId) => ({ data: { merchantId, alertId }, id: jobId('alert', alertId) })),
    )
  return outcome
}
