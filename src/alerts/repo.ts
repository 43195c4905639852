/**
 * The SQL of alerts: the conditions each rule watches, the rules and webhook of a merchant, and the
 * alerts themselves (raised once per condition, cleared when it goes away).
 */
import { sql } from 'kysely'
import type { Executor } from '../db/connect.js'
import type { AlertKind, AlertSelect, Delivery, WebhookFormat } from './tables.js'

export interface RuleRow {
  kind: AlertKind
  enabled: boolean
  threshold: number | null
}

export async function listRules(db: Executor, merchantId: string): Promise<RuleRow[]> {
  const rows = await db
    .selectFrom('alert_rules')
    .select(['kind', 'enabled', 'threshold'])
    .where('merchant_id', '=', merchantId)
    .execute()
  return rows.map((r) => ({ kind: r.kind, enabled: r.enabled === 1, threshold: r.threshold }))
}

export async function saveRule(db: Executor, merchantId: string, r: RuleRow, now: Date): Promise<void> {
  const values = { enabled: r.enabled ? 1 : 0, threshold: r.threshold, updated_at: now }
  await db
    .insertInto('alert_rules')
    .values({ merchant_id: merchantId, kind: r.kind, ...values })
    .onDuplicateKeyUpdate(values)
    .execute()
}

export interface WebhookRow {
  url: string
  format: WebhookFormat
  secret_enc: Buffer | null
}

export async function getWebhook(db: Executor, merchantId: string): Promise<WebhookRow | undefined> {
  return db
    .selectFrom('alert_webhooks')
    .select(['url', 'format', 'secret_enc'])
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
}

export async function saveWebhook(
  db: Executor,
  merchantId: string,
  w: { url: string; format: WebhookFormat; secretEnc: Buffer | null | undefined },
  now: Date,
): Promise<void> {
  // undefined keeps the stored secret; null removes it.
  const values = {
    url: w.url,
    format: w.format,
    updated_at: now,
    ...(w.secretEnc === undefined ? {} : { secret_enc: w.secretEnc }),
  }
  await db
    .insertInto('alert_webhooks')
    .values({ merchant_id: merchantId, secret_enc: null, ...values })
    .onDuplicateKeyUpdate(values)
    .execute()
}

export async function deleteWebhook(db: Executor, merchantId: string): Promise<void> {
  await db.deleteFrom('alert_webhooks').where('merchant_id', '=', merchantId).execute()
}

// ---- conditions ----

export interface ShopSyncRow {
  shop_id: string
  name: string
  channel: string
  last_ok_at: Date | null
  last_run_at: Date | null
  last_error: string | null
}

/** Active shops whose order stream has run, with its last good run. */
export async function orderStreams(db: Executor, merchantId: string): Promise<ShopSyncRow[]> {
  return db
    .selectFrom('shops as s')
    .innerJoin('sync_cursors as c', (j) =>
      j.onRef('c.merchant_id', '=', 's.merchant_id').onRef('c.shop_id', '=', 's.id'),
    )
    .select(['s.id as shop_id', 's.name', 's.channel', 'c.last_ok_at', 'c.last_run_at', 'c.last_error'])
    .where('s.merchant_id', '=', merchantId)
    .where('s.status', '=', 'active')
    .where('c.stream', '=', 'orders')
    .execute()
}

/** Open exceptions created before `before`, counted per reason, with the oldest. */
export async function agedExceptions(
  db: Executor,
  merchantId: string,
  before: Date,
): Promise<{ reason: string; n: number; oldest: Date }[]> {
  const rows = await db
    .selectFrom('order_exceptions')
    .select([
      'reason',
      (eb) => eb.fn.countAll<string | number>().as('n'),
      (eb) => eb.fn.min('created_at').as('oldest'),
    ])
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'open')
    .where('created_at', '<', before)
    .groupBy('reason')
    .execute()
  return rows.map((r) => ({ reason: r.reason, n: Number(r.n), oldest: new Date(r.oldest) }))
}

export async function failedWritebacks(
  db: Executor,
  merchantId: string,
): Promise<
  { id: string; shop_name: string; external_id: string; last_error: string | null; attempts: number }[]
> {
  return db
    .selectFrom('shipment_writebacks as w')
    .innerJoin('orders as o', (j) =>
      j.onRef('o.merchant_id', '=', 'w.merchant_id').onRef('o.id', '=', 'w.order_id'),
    )
    .innerJoin('shops as s', (j) =>
      j.onRef('s.merchant_id', '=', 'w.merchant_id').onRef('s.id', '=', 'w.shop_id'),
    )
    .select(['w.id', 's.name as shop_name', 'o.external_id', 'w.last_error', 'w.attempts'])
    .where('w.merchant_id', '=', merchantId)
    .where('w.status', '=', 'failed')
    .orderBy('w.id')
    .limit(500)
    .execute()
}

export async function shopNames(db: Executor, merchantId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('shops')
    .select(['id', 'name'])
    .where('merchant_id', '=', merchantId)
    .execute()
  return new Map(rows.map((r) => [r.id, r.name]))
}

export async function skuNames(
  db: Executor,
  merchantId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('skus')
    .select(['id', 'name'])
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', ids)
    .execute()
  return new Map(rows.map((r) => [r.id, r.name]))
}

// ---- alerts ----

export type AlertRow = AlertSelect

export async function openAlerts(db: Executor, merchantId: string): Promise<AlertRow[]> {
  return db
    .selectFrom('alerts')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'open')
    .forUpdate()
    .execute()
}

export async function insertAlert(
  db: Executor,
  a: {
    id: string
    merchantId: string
    kind: AlertKind
    conditionKey: string
    subject: string
    detail: Record<string, unknown>
    openedAt: Date
    delivery: Delivery
  },
): Promise<boolean> {
  // A condition already open (another scan got there first) adds nothing: the unique key holds.
  const r = await sql`
    INSERT IGNORE INTO alerts (id, merchant_id, kind, condition_key, subject, detail, status, open_marker, opened_at, delivery)
    VALUES (${a.id}, ${a.merchantId}, ${a.kind}, ${a.conditionKey}, ${a.subject}, ${JSON.stringify(a.detail)}, 'open', 1, ${a.openedAt}, ${a.delivery})`.execute(
    db,
  )
  return Number(r.numAffectedRows ?? 0) === 1
}

export async function refreshAlert(
  db: Executor,
  merchantId: string,
  id: string,
  subject: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable('alerts')
    .set({ subject, detail: JSON.stringify(detail) })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .execute()
}

export async function clearAlerts(db: Executor, merchantId: string, ids: readonly string[], at: Date) {
  if (ids.length === 0) return
  await db
    .updateTable('alerts')
    .set({ status: 'cleared', open_marker: null, cleared_at: at })
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', ids)
    .execute()
}

export async function getAlert(db: Executor, merchantId: string, id: string): Promise<AlertRow | undefined> {
  return db
    .selectFrom('alerts')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function markDelivery(
  db: Executor,
  merchantId: string,
  id: string,
  d: { delivery: Delivery; error: string | null; at: Date | null },
): Promise<void> {
  await db
    .updateTable('alerts')
    .set((eb) => ({
      delivery: d.delivery,
      delivery_error: d.error === null ? null : d.error.slice(0, 1000),
      delivered_at: d.at,
      delivery_attempts: eb('delivery_attempts', '+', 1),
    }))
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .execute()
}

export async function listAlerts(
  db: Executor,
  merchantId: string,
  f: {
    status?: 'open' | 'cleared' | undefined
    kind?: AlertKind | undefined
    before?: string | undefined
    limit: number
  },
): Promise<AlertRow[]> {
  let q = db.selectFrom('alerts').selectAll().where('merchant_id', '=', merchantId)
  if (f.status) q = q.where('status', '=', f.status)
  if (f.kind) q = q.where('kind', '=', f.kind)
  if (f.before !== undefined) q = q.where('id', '<', f.before)
  return q
    .orderBy('id', 'desc')
    .limit(f.limit + 1)
    .execute()
}

export async function countOpen(db: Executor, merchantId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('alerts')
    .select(['kind', (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'open')
    .groupBy('kind')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]))
}

export async function merchantIds(db: Executor): Promise<string[]> {
  return (await db.selectFrom('merchants').select('id').execute()).map((r) => r.id)
}
