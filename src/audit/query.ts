/** The read side of the audit log: filters, keyset pages newest first, actors named in one batch. */
import type { Executor } from '../db/connect.js'

export const ACTOR_TYPES = ['api_key', 'user', 'cli', 'system'] as const
export type ActorType = (typeof ACTOR_TYPES)[number]

export interface AuditFilter {
  actorType?: ActorType
  actorId?: string
  /** An exact action (`user.create`) or a family ending in a dot (`user.`). */
  action?: string
  entityType?: string
  entityId?: string
  from?: Date
  to?: Date
  /** Keyset: the id of the last row of the previous page (ids are time-ordered). */
  before?: string
  limit: number
}

export interface AuditRow {
  id: string
  at: Date
  actorType: ActorType
  actorId: string | null
  /** The user's name, the API key's name; null for the CLI and the system. */
  actorName: string | null
  /** The user's email or phone. */
  actorLogin: string | null
  action: string
  entityType: string
  entityId: string
  detail: Record<string, unknown>
}

export async function listAudit(db: Executor, merchantId: string, f: AuditFilter): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').selectAll().where('merchant_id', '=', merchantId)
  if (f.actorType) q = q.where('actor_type', '=', f.actorType)
  if (f.actorId) q = q.where('actor_id', '=', f.actorId)
  if (f.action?.endsWith('.'))
    q = q.where('action', 'like', `${f.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
  else if (f.action) q = q.where('action', '=', f.action)
  if (f.entityType) q = q.where('entity_type', '=', f.entityType)
  if (f.entityId) q = q.where('entity_id', '=', f.entityId)
  if (f.from) q = q.where('created_at', '>=', f.from)
  if (f.to) q = q.where('created_at', '<', f.to)
  if (f.before) q = q.where('id', '<', f.before)
  const rows = await q.orderBy('id', 'desc').limit(f.limit).execute()

  const ids = (type: string) => [
    ...new Set(rows.filter((r) => r.actor_type === type && r.actor_id).map((r) => r.actor_id!)),
  ]
  const [users, keys] = await Promise.all([
    ids('user').length
      ? db
          .selectFrom('users')
          .select(['id', 'name', 'email', 'phone'])
          .where('merchant_id', '=', merchantId)
          .where('id', 'in', ids('user'))
          .execute()
      : [],
    ids('api_key').length
      ? db
          .selectFrom('api_keys')
          .select(['id', 'name', 'key_prefix'])
          .where('merchant_id', '=', merchantId)
          .where('id', 'in', ids('api_key'))
          .execute()
      : [],
  ])
  const userById = new Map(users.map((u) => [u.id, u]))
  const keyById = new Map(keys.map((k) => [k.id, k]))
  return rows.map((r) => {
    const user = r.actor_type === 'user' && r.actor_id ? userById.get(r.actor_id) : undefined
    const key = r.actor_type === 'api_key' && r.actor_id ? keyById.get(r.actor_id) : undefined
    return {
      id: r.id,
      at: r.created_at,
      actorType: r.actor_type,
      actorId: r.actor_id,
      actorName: user?.name ?? key?.name ?? null,
      actorLogin: user ? (user.email ?? user.phone) : (key?.key_prefix ?? null),
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      detail: r.detail ?? {},
    }
  })
}
