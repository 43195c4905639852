/** Every route module of the API; each is a fastify plugin taking the AppContext. */
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../context.js'
import { catalogueRoutes } from '../catalogue/routes.js'
import { catalogueTransferRoutes } from '../catalogue/transfer-routes.js'
import { fulfillmentRoutes } from '../fulfillment/routes.js'
import { inventoryRoutes } from '../inventory/routes.js'
import { financeRoutes } from '../ledger/finance-routes.js'
import { ledgerRoutes } from '../ledger/routes.js'
import { merchantRoutes } from '../merchants/routes.js'
import { orderRoutes } from '../orders/routes.js'
import { oauthRoutes } from '../shops/oauth.js'
import { syncRoutes } from '../sync/routes.js'
import { shopRoutes } from '../shops/routes.js'
import { skuRoutes } from '../skus/routes.js'
import { systemRoutes } from '../system/routes.js'
import { warehouseRoutes } from '../warehouses/routes.js'
import { webhookRoutes } from '../webhooks/routes.js'

export type RouteModule = (app: FastifyInstance, ctx: AppContext) => Promise<void>

export const ROUTE_MODULES: readonly RouteModule[] = [
  systemRoutes,
  merchantRoutes,
  shopRoutes,
  oauthRoutes,
  syncRoutes,
  warehouseRoutes,
  skuRoutes,
  orderRoutes,
  inventoryRoutes,
  webhookRoutes,
  fulfillmentRoutes,
  ledgerRoutes,
  financeRoutes,
  catalogueRoutes,
  catalogueTransferRoutes,
]
