/** Every route module of the API; each is a fastify plugin taking the AppContext. */
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../context.js'
import { alertRoutes } from '../alerts/routes.js'
import { auditRoutes } from '../audit/routes.js'
import { catalogueRoutes } from '../catalogue/routes.js'
import { catalogueTransferRoutes } from '../catalogue/transfer-routes.js'
import { floorRoutes } from '../fulfillment/floor-routes.js'
import { dashboardRoutes } from '../dashboard/routes.js'
import { fulfillmentRoutes } from '../fulfillment/routes.js'
import { stockDocumentRoutes } from '../inventory/doc-routes.js'
import { inventoryRoutes } from '../inventory/routes.js'
import { stockRuleRoutes } from '../inventory/stock-rule-routes.js'
import { financeRoutes } from '../ledger/finance-routes.js'
import { ledgerDrillRoutes } from '../ledger/drill-routes.js'
import { booksRoutes } from '../ledger/books-routes.js'
import { ledgerConsoleRoutes } from '../ledger/console-routes.js'
import { ledgerRoutes } from '../ledger/routes.js'
import { merchantProfileRoutes } from '../merchants/profile-routes.js'
import { merchantRoutes } from '../merchants/routes.js'
import { orderCountRoutes } from '../orders/count-routes.js'
import { orderRoutes } from '../orders/routes.js'
import { channelRoutes } from '../shops/channel-routes.js'
import { oauthRoutes } from '../shops/oauth.js'
import { syncRoutes } from '../sync/routes.js'
import { shopRoutes } from '../shops/routes.js'
import { skuRoutes } from '../skus/routes.js'
import { systemRoutes } from '../system/routes.js'
import { authRoutes } from '../users/auth-routes.js'
import { userRoutes } from '../users/routes.js'
import { warehouseRoutes } from '../warehouses/routes.js'
import { webhookRoutes } from '../webhooks/routes.js'
import { waybillRoutes } from '../waybills/routes.js'

export type RouteModule = (app: FastifyInstance, ctx: AppContext) => Promise<void>

export const ROUTE_MODULES: readonly RouteModule[] = [
  systemRoutes,
  merchantRoutes,
  merchantProfileRoutes,
  authRoutes,
  userRoutes,
  auditRoutes,
  shopRoutes,
  channelRoutes,
  oauthRoutes,
  syncRoutes,
  warehouseRoutes,
  skuRoutes,
  orderRoutes,
  orderCountRoutes,
  inventoryRoutes,
  stockRuleRoutes,
  stockDocumentRoutes,
  webhookRoutes,
  fulfillmentRoutes,
  floorRoutes,
  ledgerRoutes,
  financeRoutes,
  booksRoutes,
  catalogueRoutes,
  catalogueTransferRoutes,
  waybillRoutes,
  ledgerDrillRoutes,
  ledgerConsoleRoutes,
  dashboardRoutes,
  alertRoutes,
]
