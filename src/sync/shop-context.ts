/** Builds the ShopContext a connector call needs: settings, opened credentials, and a way to save refreshed ones. */
import { ConnectorError } from '../../connectors/errors.js'
import type { ShopContext } from '../../connectors/types.js'
import type { AppContext } from '../context.js'
import { getShop, loadShopCredentials, setShopCredentials } from '../shops/repo.js'
import { cannotWork } from '../shops/settings.js'

export async function shopContext(
  ctx: Pick<AppContext, 'db' | 'config' | 'clock' | 'log'>,
  merchantId: string,
  shopId: string,
): Promise<ShopContext> {
  const shop = await getShop(ctx.db, merchantId, shopId)
  if (!shop) throw new Error(`shop ${shopId} not found`)
  // Settings that cannot work fail every platform call with the reason, recorded where the call is
  // (pull errors, push outcomes, writebacks): never a silent call to a default gateway.
  const settings = shop.parsed.channel
  if (!settings)
    throw new ConnectorError('permanent', cannotWork(shop.parsed.problems), { channel: shop.channel })
  const credentials = await loadShopCredentials(ctx.db, ctx.config.secretKey, merchantId, shopId)
  return {
    id: shop.id,
    merchantId,
    channel: shop.channel,
    settings,
    credentials,
    clock: ctx.clock,
    log: ctx.log.child({ subsystem: 'connector', merchantId, shopId, channel: shop.channel }),
    saveCredentials: async (next) => {
      await setShopCredentials(ctx.db, ctx.config.secretKey, merchantId, shopId, next)
    },
  }
}
