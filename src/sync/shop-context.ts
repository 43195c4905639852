/** Builds the ShopContext a connector call needs: settings, opened credentials, and a way to save refreshed ones. */
import { ConnectorError } from '../../connectors/errors.js'
import type { ShopContext } from '../../connectors/types.js'
import type { AppContext } from '../context.js'
import { getShopWithCredentials, setShopCredentials, type Shop, type ShopCredentials } from '../shops/repo.js'
import { cannotWork } from '../shops/settings.js'

type Ctx = Pick<AppContext, 'db' | 'config' | 'clock' | 'log'>

export async function shopContext(ctx: Ctx, merchantId: string, shopId: string): Promise<ShopContext> {
  const found = await getShopWithCredentials(ctx.db, ctx.config.secretKey, { merchantId, shopId })
  if (!found) throw new Error(`shop ${shopId} not found`)
  return contextOf(ctx, found.shop, found.credentials)
}

/**
 * The ShopContext of a shop already loaded with its credentials (getShopWithCredentials). Settings
 * that cannot work fail every platform call with the reason, recorded where the call is (pull
 * errors, push outcomes, writebacks): never a silent call to a default gateway.
 */
export function contextOf(ctx: Ctx, shop: Shop, credentials: ShopCredentials): ShopContext {
  const settings = shop.parsed.channel
  if (!settings)
    throw new ConnectorError('permanent', cannotWork(shop.parsed.problems), { channel: shop.channel })
  const { merchantId, id: shopId } = shop
  return {
    id: shopId,
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
