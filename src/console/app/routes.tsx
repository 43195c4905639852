/**
 * The route and menu table: one line per page, with the roles that may open it. The side menu is
 * built from it per role, and RequireRole refuses a page the role may not open even by URL (the API
 * enforces the same roles). A new screen: a page component and a line here.
 */
import {
  ApiOutlined,
  CarOutlined,
  CodeSandboxOutlined,
  InboxOutlined,
  NodeIndexOutlined,
  AuditOutlined,
  ProfileOutlined,
  SettingOutlined,
  ShopOutlined,
  TeamOutlined,
} from '@ant-design/icons'
import type { ReactNode } from 'react'
import type { Role } from '../api/types'
import type { MessageKey } from '../i18n'
import { OrdersPage } from '../pages/orders/orders-page'
import { PackPage } from '../pages/floor/pack-page'
import { PickPage } from '../pages/floor/pick-page'
import { WavesPage } from '../pages/floor/waves-page'
import { WritebacksPage } from '../pages/floor/writebacks-page'
import { AccountPage } from '../pages/account-page'
import { ApiKeysPage } from '../pages/settings/api-keys-page'
import { AuditPage } from '../pages/settings/audit-page'
import { MerchantPage } from '../pages/settings/merchant-page'
import { UsersPage } from '../pages/settings/users-page'
import { ShopsPage } from '../pages/shops/shops-page'

export const ALL_ROLES: readonly Role[] = ['admin', 'warehouse', 'accountant']
export const ADMIN: readonly Role[] = ['admin']
/** Who works the warehouse floor (the API's STAFF). */
export const STAFF: readonly Role[] = ['admin', 'warehouse']

export type MenuGroup = 'shops' | 'orders' | 'floor' | 'system'

/** The side menu's groups, in order (console.md §6.2). */
export const MENU_GROUPS: readonly { key: MenuGroup; label: MessageKey; icon: ReactNode }[] = [
  { key: 'shops', label: 'shell.menu.shops', icon: <ShopOutlined /> },
  { key: 'orders', label: 'shell.menu.orders', icon: <ProfileOutlined /> },
  { key: 'floor', label: 'shell.menu.floor', icon: <InboxOutlined /> },
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
}

export const ROUTES: readonly PageRoute[] = [
  { path: 'shops', label: 'shell.menu.shopList', roles: ADMIN, group: 'shops', element: <ShopsPage /> },
  {
    path: 'orders',
    label: 'shell.menu.orderPool',
    roles: ALL_ROLES,
    group: 'orders',
    element: <OrdersPage />,
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
  { path: 'account', label: 'shell.account', roles: ALL_ROLES, element: <AccountPage /> },
]

/**
 * Where a role lands after signing in: warehouse → 仓库作业. @TODO accountant → 财务 when it exists
 * (console.md §6.2).
 */
const HOME: Record<Role, string> = { admin: 'orders', warehouse: 'floor/waves', accountant: 'orders' }

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
