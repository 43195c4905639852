/**
 * The route and menu table: one line per page, with the roles that may open it. The side menu is
 * built from it per role, and RequireRole refuses a page the role may not open even by URL (the API
 * enforces the same roles). A new screen: a page component and a line here.
 */
import {
  AccountBookOutlined,
  AlertOutlined,
  ApiOutlined,
  AuditOutlined,
  DashboardOutlined,
  ProfileOutlined,
  SettingOutlined,
  ShopOutlined,
  TeamOutlined,
} from '@ant-design/icons'
import { Spin } from 'antd'
import { lazy, Suspense, type ReactNode } from 'react'
import type { Role } from '../api/types'
import type { MessageKey } from '../i18n'
import { OrdersPage } from '../pages/orders/orders-page'
import { AlertSettingsPage } from '../pages/alerts/alert-settings-page'
import { AlertsPage } from '../pages/alerts/alerts-page'
import { CommissionPlansPage } from '../pages/finance/commission-page'
import { ReconciliationPage } from '../pages/finance/reconciliation-page'
import { SettlementsPage } from '../pages/finance/settlements-page'
import { StatementsPage } from '../pages/finance/statements-page'
import { AccountPage } from '../pages/account-page'
import { ApiKeysPage } from '../pages/settings/api-keys-page'
import { AuditPage } from '../pages/settings/audit-page'
import { MerchantPage } from '../pages/settings/merchant-page'
import { UsersPage } from '../pages/settings/users-page'
import { ShopsPage } from '../pages/shops/shops-page'

// The dashboards carry ECharts: loaded when first opened, not with every screen.
const HomePage = lazy(() => import('../pages/dashboard/home-page').then((m) => ({ default: m.HomePage })))
const WallPage = lazy(() => import('../pages/dashboard/wall-page').then((m) => ({ default: m.WallPage })))
const charts = (page: ReactNode) => (
  <Suspense fallback={<Spin style={{ display: 'block', margin: '48px auto' }} />}>{page}</Suspense>
)

export const ALL_ROLES: readonly Role[] = ['admin', 'warehouse', 'accountant']
export const ADMIN: readonly Role[] = ['admin']
export const FINANCE: readonly Role[] = ['admin', 'accountant']

export type MenuGroup = 'home' | 'shops' | 'orders' | 'finance' | 'system'

/** The side menu's groups, in order (console.md §6.2). */
export const MENU_GROUPS: readonly { key: MenuGroup; label: MessageKey; icon: ReactNode }[] = [
  { key: 'home', label: 'shell.menu.home', icon: <DashboardOutlined /> },
  { key: 'shops', label: 'shell.menu.shops', icon: <ShopOutlined /> },
  { key: 'orders', label: 'shell.menu.orders', icon: <ProfileOutlined /> },
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
  {
    path: 'orders',
    label: 'shell.menu.orderPool',
    roles: ALL_ROLES,
    group: 'orders',
    element: <OrdersPage />,
  },
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
 * Where a role lands after signing in: the role's own 工作台 (the dashboard shows each role its
 * part: the floor's queue for the warehouse, GMV and margin for the accountant). @TODO warehouse →
 * 仓库作业 when those screens exist (console.md §6.2).
 */
const HOME: Record<Role, string> = { admin: 'home', warehouse: 'home', accountant: 'home' }

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
