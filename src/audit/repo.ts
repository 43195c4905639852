import type { Executor } from '../db/connect.js'
import { newId } from '../lib/ids.js'

export interface AuditEntry {
  actorType: 'api_key' | 'user' | 'cli' | 'system'
  actorId: string | null
  action: string
  entityType: string
  entityId: string
  detail?: Record<string, unknown>
  /** When, from the application's clock (ctx.clock); absent: the database's time. */
  at?: Date | undefined
}

/** Append one audit row. Callers never put secrets in `detail`. */
export async function audit(db: Executor, merchantId: string, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: newId(),
      merchant_id: merchantId,
      actor_type: entry.actorType,
      actor_id: entry.actorId,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      detail: JSON.stringify(entry.detail ?? {}),
      ...(entry.at ? { created_at: entry.at } : {}),
    })
    .execute()
}

/** The actor of a request: the API key, or the signed-in user. */
export const apiActor = (auth: { actorType: 'api_key' | 'user'; actorId: string }) => ({
  actorType: auth.actorType,
  actorId: auth.actorId,
})
