/**
 * The route and menu table: one line per page, with the roles that may open it. The side menu is
 * built from it per role, and RequireRole refuses a page the role may not open even by URL (the API
 * enforces the same roles). A new screen: a page component and a line here.
 */
import {
  AccountBookOutlined,
  AlertOutlined,
  DashboardOutlined,
  AppstoreOutlined,
  DatabaseOutlined,
  CarOutlined,
  FileTextOutlined,
  CodeSandboxOutlined,
  InboxOutlined,
  NodeIndexOutlined,
  ApiOutlined,
  AuditOutlined,
  ProfileOutlined,
  SettingOutlined,
  ShopOutlined,
  TeamOutlined,
} from '@ant-design/icons'
import { Spin } from 'antd'
import { lazy, Suspense, type ReactNode } from 'react'
import type { Role } from '../api/types'
import type { MessageKey } from '../i18n'
import { ExceptionsPage } from '../pages/exceptions/exceptions-page'
import { OrdersPage } from '../pages/orders/orders-page'
import { SkusPage } from '../pages/skus/skus-page'
import { AccountPage } from '../pages/account-page'
import { AlertSettingsPage } from '../pages/alerts/alert-settings-page'
import { AlertsPage } from '../pages/alerts/alerts-page'
import { ClosePage } from '../pages/finance/close-page'
import { CommissionPlansPage } from '../pages/finance/commission-page'
import { JournalPage } from '../pages/finance/journal-page'
import { RatesPage } from '../pages/finance/rates-page'
import { ReconciliationPage } from '../pages/finance/reconciliation-page'
import { SettlementsPage } from '../pages/finance/settlements-page'
import { StatementsPage } from '../pages/finance/statements-page'
import { PackPage } from '../pages/floor/pack-page'
import { PickPage } from '../pages/floor/pick-page'
import { WavesPage } from '../pages/floor/waves-page'
import { WritebacksPage } from '../pages/floor/writebacks-page'
import { WaybillAccountsPage } from '../pages/floor/waybill-accounts-page'
import { ApiKeysPage } from '../pages/settings/api-keys-page'
import { AuditPage } from '../pages/settings/audit-page'
import { MerchantPage } from '../pages/settings/merchant-page'
import { UsersPage } from '../pages/settings/users-page'
import { ShopsPage } from '../pages/shops/shops-page'
import { CataloguePage } from '../pages/shops/catalogue-page'
import { LinkedPage } from '../pages/shops/linked-page'
import { LinkShopPage } from '../pages/shops/link-shop-page'
import { StockRulesPage } from '../pages/shops/stock-rules-page'
import { CountSheetPage, CountsPage } from '../pages/stock/counts-page'
import { StockLevelsPage } from '../pages/stock/levels-page'
import { MovementsPage } from '../pages/stock/movements-page'
import { ReceiptEditor, ReceiptsPage } from '../pages/stock/receipts-page'
import { TransferPage, TransfersPage } from '../pages/stock/transfers-page'

// The dashboards carry ECharts: loaded when first opened, not with every screen.
const HomePage = lazy(() => import('../pages/dashboard/home-page').then((m) => ({ default: m.HomePage })))
const WallPage = lazy(() => import('../pages/dashboard/wall-page').then((m) => ({ default: m.WallPage })))
const charts = (page: ReactNode) => (
  <Suspense fallback={<Spin style={{ display: 'block', margin: '48px auto' }} />}>{page}</Suspense>
)

export const ALL_ROLES: readonly Role[] = ['admin', 'warehouse', 'accountant']
export const ADMIN: readonly Role[] = ['admin']
/** Who works the warehouse floor (the API's STAFF). */
export const STAFF: readonly Role[] = ['admin', 'warehouse']

export const FINANCE: readonly Role[] = ['admin', 'accountant']

export type MenuGroup = 'home' | 'shops' | 'products' | 'orders' | 'stock' | 'floor' | 'finance' | 'system'

/** The side menu's groups, in order (console.md §6.2). */
export const MENU_GROUPS: readonly { key: MenuGroup; label: MessageKey; icon: ReactNode }[] = [
  { key: 'home', label: 'shell.menu.home', icon: <DashboardOutlined /> },
  { key: 'shops', label: 'shell.menu.shops', icon: <ShopOutlined /> },
  { key: 'products', label: 'skus.group', icon: <AppstoreOutlined /> },
  { key: 'orders', label: 'shell.menu.orders', icon: <ProfileOutlined /> },
  { key: 'stock', label: 'stock.menu.group', icon: <DatabaseOutlined /> },
  { key: 'floor', label: 'shell.menu.floor', icon: <InboxOutlined /> },
  { key: 'finance', label: 'shell.menu.finance', icon: <AccountBookOutlined /> },
  { key: 'system', label: 'shell.menu.system', icon: <SettingOutlined /> },
]

export interface PageRoute {
  /** Under /app/, without the leading slash. */
  path: string
  label: MessageKey
  roles: readonly Role[]
  element: ReactNode
  /** The menu group it is listed in; none = reachable, not listed (e.g. the account page). */
  group?: MenuGroup
  icon?: ReactNode
  /** Shown on its own, without the side menu and header (the wall dashboard). */
  bare?: boolean
}

export const ROUTES: readonly PageRoute[] = [
  {
    path: 'home',
    label: 'shell.menu.dashboard',
    roles: ALL_ROLES,
    group: 'home',
    element: charts(<HomePage />),
  },
  {
    path: 'wall',
    label: 'shell.menu.wall',
    roles: ALL_ROLES,
    group: 'home',
    element: charts(<WallPage />),
    bare: true,
  },
  { path: 'alerts', label: 'shell.menu.alerts', roles: ALL_ROLES, group: 'home', element: <AlertsPage /> },
  { path: 'shops', label: 'shell.menu.shopList', roles: ADMIN, group: 'shops', element: <ShopsPage /> },
  { path: 'shops/new', label: 'shops.add', roles: ADMIN, element: <LinkShopPage /> },
  { path: 'shops/linked', label: 'shops.linked.okTitle', roles: ADMIN, element: <LinkedPage /> },
  {
    path: 'catalogue',
    label: 'shops.menu.catalogue',
    roles: ADMIN,
    group: 'shops',
    element: <CataloguePage />,
  },
  {
    path: 'stock-rules',
    label: 'shops.menu.stockRules',
    roles: ADMIN,
    group: 'shops',
    element: <StockRulesPage />,
  },
  {
    path: 'orders',
    label: 'shell.menu.orderPool',
    roles: ALL_ROLES,
    group: 'orders',
    element: <OrdersPage />,
  },
  {
    path: 'exceptions',
    label: 'exceptions.menu',
    roles: STAFF,
    group: 'orders',
    element: <ExceptionsPage />,
  },
  { path: 'skus', label: 'skus.menu', roles: STAFF, group: 'products', element: <SkusPage /> },
  {
    path: 'stock',
    label: 'stock.menu.levels',
    roles: ALL_ROLES,
    group: 'stock',
    element: <StockLevelsPage />,
  },
  {
    path: 'stock/movements',
    label: 'stock.menu.movements',
    roles: ALL_ROLES,
    group: 'stock',
    element: <MovementsPage />,
  },
  {
    path: 'stock/receipts',
    label: 'stock.menu.receipts',
    roles: STAFF,
    group: 'stock',
    element: <ReceiptsPage />,
  },
  { path: 'stock/receipts/:id', label: 'stock.menu.receipts', roles: STAFF, element: <ReceiptEditor /> },
  { path: 'stock/counts', label: 'stock.menu.counts', roles: STAFF, group: 'stock', element: <CountsPage /> },
  { path: 'stock/counts/:id', label: 'stock.menu.counts', roles: STAFF, element: <CountSheetPage /> },
  {
    path: 'stock/transfers',
    label: 'stock.menu.transfers',
    roles: STAFF,
    group: 'stock',
    element: <TransfersPage />,
  },
  { path: 'stock/transfers/:id', label: 'stock.menu.transfers', roles: STAFF, element: <TransferPage /> },
  {
    path: 'finance/statements',
    label: 'shell.menu.statements',
    roles: FINANCE,
    group: 'finance',
    element: <StatementsPage />,
  },
  {
    path: 'finance/reconciliation',
    label: 'shell.menu.reconciliation',
    roles: FINANCE,
    group: 'finance',
    element: <ReconciliationPage />,
  },
  {
    path: 'finance/settlements',
    label: 'shell.menu.settlementImport',
    roles: FINANCE,
    group: 'finance',
    element: <SettlementsPage />,
  },
  {
    path: 'finance/commission-plans',
    label: 'shell.menu.commissionPlans',
    roles: FINANCE,
    group: 'finance',
    element: <CommissionPlansPage />,
  },
  {
    path: 'finance/rates',
    label: 'books.menu.rates',
    roles: FINANCE,
    group: 'finance',
    element: <RatesPage />,
  },
  {
    path: 'finance/journal',
    label: 'books.menu.journal',
    roles: FINANCE,
    group: 'finance',
    element: <JournalPage />,
  },
  {
    path: 'finance/close',
    label: 'books.menu.close',
    roles: FINANCE,
    group: 'finance',
    element: <ClosePage />,
  },
  {
    path: 'floor/waves',
    label: 'shell.menu.waves',
    roles: STAFF,
    group: 'floor',
    element: <WavesPage />,
    icon: <NodeIndexOutlined />,
  },
  { path: 'floor/pick/:id', label: 'shell.menu.waves', roles: STAFF, element: <PickPage /> },
  {
    path: 'floor/pack',
    label: 'shell.menu.pack',
    roles: STAFF,
    group: 'floor',
    element: <PackPage />,
    icon: <CodeSandboxOutlined />,
  },
  {
    path: 'floor/writebacks',
    label: 'shell.menu.writebacks',
    roles: STAFF,
    group: 'floor',
    element: <WritebacksPage />,
    icon: <CarOutlined />,
  },
  {
    path: 'floor/waybill-accounts',
    label: 'shell.menu.waybillAccounts',
    roles: STAFF,
    group: 'floor',
    element: <WaybillAccountsPage />,
    icon: <FileTextOutlined />,
  },
  {
    path: 'settings/merchant',
    label: 'shell.menu.merchant',
    roles: ADMIN,
    group: 'system',
    element: <MerchantPage />,
    icon: <ShopOutlined />,
  },
  {
    path: 'settings/users',
    label: 'shell.menu.users',
    roles: ADMIN,
    group: 'system',
    element: <UsersPage />,
    icon: <TeamOutlined />,
  },
  {
    path: 'settings/api-keys',
    label: 'shell.menu.apiKeys',
    roles: ADMIN,
    group: 'system',
    element: <ApiKeysPage />,
    icon: <ApiOutlined />,
  },
  {
    path: 'settings/audit',
    label: 'shell.menu.audit',
    roles: ADMIN,
    group: 'system',
    element: <AuditPage />,
    icon: <AuditOutlined />,
  },
  {
    path: 'settings/alerts',
    label: 'shell.menu.alertSettings',
    roles: ADMIN,
    group: 'system',
    element: <AlertSettingsPage />,
    icon: <AlertOutlined />,
  },
  { path: 'account', label: 'shell.account', roles: ALL_ROLES, element: <AccountPage /> },
]

/**
 * Where a role lands after signing in (console.md §6.2): the warehouse on its floor (仓库作业), the
 * admin and the accountant on their 工作台 (the dashboard shows each role its part: GMV and margin
 * for the accountant).
 */
const HOME: Record<Role, string> = { admin: 'home', warehouse: 'floor/waves', accountant: 'home' }

export function homeFor(role: Role): string {
  const home = ROUTES.find((r) => r.path === HOME[role] && r.roles.includes(role))
  return `/${home?.path ?? 'account'}`
}

/** The menu of a role: its groups, each with the pages it may open. */
export function menuFor(role: Role) {
  return MENU_GROUPS.map((g) => ({
    ...g,
    routes: ROUTES.filter((r) => r.group === g.key && r.roles.includes(role)),
  })).filter((g) => g.routes.length > 0)
}
