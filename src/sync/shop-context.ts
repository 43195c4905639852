/** Builds the ShopContext a connector call needs: settings, opened credentials, and a way to save refreshed ones. */
import type { ShopContext } from '../../connectors/types.js'
import type { AppContext } from '../context.js'
import { getShop, loadShopCredentials, setShopCredentials } from '../shops/repo.js'

export async function shopContext(
  ctx: Pick<AppContext, 'db' | 'config' | 'clock' | 'log'>,
  merchantId: string,
  shopId: string,
): Promise<ShopContext> {
  const shop = await getShop(ctx.db, merchantId, shopId)
  if (!shop) throw new Error(`shop ${shopId} not found`)
  const credentials = await loadShopCredentials(ctx.db, ctx.config.secretKey, merchantId, shopId)
  return {
    id: shop.id,
    merchantId,
    channel: shop.channel,
    settings: shop.settings,
    credentials,
    clock: ctx.clock,
    log: ctx.log.child({ subsystem: 'connector', merchantId, shopId, channel: shop.channel }),
    saveCredentials: async (next) => {
      await setShopCredentials(ctx.db, ctx.config.secretKey, merchantId, shopId, next)
    },
  }
}
