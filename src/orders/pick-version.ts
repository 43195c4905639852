/**
 * Picking the version of an order that wins (conflicting_update): two raw versions carry the same
 * platform time, and the pipeline kept one by a rule a person may overrule. The order is pointed
 * at the chosen version and re-run from it (the pipeline then finds no conflict with itself), and
 * the conflict is resolved with a note naming the version.
 */
import type { AppContext } from '../context.js'
import { withTx } from '../db/tx.js'
import { resolveExceptions } from './exceptions.js'
import { rerunOrder } from './rerun.js'

export type PickOutcome =
  | { ok: true; rerun: string; resolved: number }
  | { ok: false; why: 'order_not_found' | 'version_not_found' | 'version_older' }

export async function pickVersion(
  ctx: Pick<AppContext, 'db' | 'queues' | 'clock'>,
  merchantId: string,
  orderId: string,
  versionId: string,
  by: string,
): Promise<PickOutcome> {
  const picked = await withTx(ctx.db, async (tx) => {
    const order = await tx
      .selectFrom('orders')
      .select(['id', 'shop_id', 'external_id', 'platform_updated_at'])
      .where('merchant_id', '=', merchantId)
      .where('id', '=', orderId)
      .forUpdate()
      .executeTakeFirst()
    if (!order) return 'order_not_found' as const
    const version = await tx
      .selectFrom('raw_inbox')
      .select(['id', 'platform_updated_at'])
      .where('merchant_id', '=', merchantId)
      .where('shop_id', '=', order.shop_id)
      .where('kind', '=', 'order')
      .where('external_id', '=', order.external_id)
      .where('id', '=', versionId)
      .executeTakeFirst()
    if (!version) return 'version_not_found' as const
    // An older version would only be refused as stale: the newest platform time always wins.
    if (version.platform_updated_at.getTime() < order.platform_updated_at.getTime())
      return 'version_older' as const
    await tx
      .updateTable('orders')
      .set({ raw_inbox_id: version.id })
      .where('merchant_id', '=', merchantId)
      .where('id', '=', order.id)
      .execute()
    return 'ok' as const
  })
  if (picked !== 'ok') return { ok: false, why: picked }
  const rerun = await rerunOrder(ctx, merchantId, orderId)
  const resolved = await resolveExceptions(
    ctx.db,
    merchantId,
    { orderId, reasons: ['conflicting_update'] },
    by,
    `version ${versionId} picked`,
    ctx.clock.now(),
  )
  return { ok: true, rerun, resolved }
}
