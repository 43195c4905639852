/**
 * The app shell: a side menu per role, a header with the merchant, the language switch and the user
 * (change password, sign out). Below md the menu moves into a drawer behind a button, so a 360 px
 * handheld keeps the whole width for the page.
 */
import { LogoutOutlined, KeyOutlined, MenuOutlined, UserOutlined } from '@ant-design/icons'
import {
  Button,
  Drawer,
  Dropdown,
  Flex,
  Grid,
  Layout,
  Menu,
  Segmented,
  Tag,
  Typography,
  type MenuProps,
} from 'antd'
import { useState } from 'react'
import { Outlet, useLocation, useNavigate } from 'react-router'
import { useI18n, type Locale } from '../i18n'
import { AlertBell } from '../pages/alerts/alert-bell'
import { menuFor } from './routes'
import { useMe, useSession } from './session'

export function Shell() {
  const me = useMe()
  const { t, locale } = useI18n()
  const { signOut, changeLocale } = useSession()
  const navigate = useNavigate()
  const { pathname } = useLocation()
  const screens = Grid.useBreakpoint()
  const desk = !!screens.md
  const [drawer, setDrawer] = useState(false)

  const groups = menuFor(me.role)
  const items: MenuProps['items'] = groups.map((g) => ({
    key: g.key,
    icon: g.icon,
    label: t(g.label),
    children: g.routes.map((r) => ({ key: `/${r.path}`, label: t(r.label) })),
  }))
  const selected = groups
    .flatMap((g) => g.routes)
    .filter((r) => pathname === `/${r.path}` || pathname.startsWith(`/${r.path}/`))
    // The longest match: /stock/receipts/1 is under 入库单, not 库存查询.
    .sort((a, b) => b.path.length - a.path.length)[0]
  const menu = (
    <Menu
      mode="inline"
      items={items}
      selectedKeys={selected ? [`/${selected.path}`] : []}
      defaultOpenKeys={groups.map((g) => g.key)}
      onClick={({ key }) => {
        setDrawer(false)
        void navigate(key)
      }}
      style={{ borderInlineEnd: 'none' }}
    />
  )
  const userMenu: MenuProps['items'] = [
    { key: 'password', icon: <KeyOutlined />, label: t('shell.changePassword') },
    { type: 'divider' },
    { key: 'signout', icon: <LogoutOutlined />, label: t('shell.signOut') },
  ]
  const name = me.user?.name ?? t(`shell.role.${me.role}`)

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {desk && (
        <Layout.Sider width={208} theme="light" style={{ borderInlineEnd: '1px solid #f0f0f0' }}>
          <div style={{ height: 56, display: 'flex', alignItems: 'center', padding: '0 20px' }}>
            <Typography.Text strong style={{ fontSize: 16 }}>
              {t('common.appName')}
            </Typography.Text>
          </div>
          <nav aria-label={t('shell.menu.home')}>{menu}</nav>
        </Layout.Sider>
      )}
      {!desk && (
        <Drawer
          open={drawer}
          onClose={() => setDrawer(false)}
          placement="left"
          width={260}
          title={t('common.appName')}
          styles={{ body: { padding: 0 } }}
        >
          <nav aria-label={t('shell.menu.home')}>{menu}</nav>
        </Drawer>
      )}
      <Layout>
        <Layout.Header
          style={{
            height: 56,
            lineHeight: '56px',
            borderBottom: '1px solid #f0f0f0',
            paddingInline: desk ? 16 : 8,
          }}
        >
          <Flex align="center" justify="space-between" gap={8} style={{ height: '100%' }}>
            <Flex align="center" gap={8} style={{ minWidth: 0 }}>
              {!desk && (
                <Button
                  type="text"
                  icon={<MenuOutlined />}
                  aria-label={t('shell.openMenu')}
                  onClick={() => setDrawer(true)}
                />
              )}
              <Typography.Text
                strong
                ellipsis={{ tooltip: me.merchant.name }}
                style={{ maxWidth: desk ? 360 : 120 }}
                data-testid="merchant-name"
              >
                {me.merchant.name}
              </Typography.Text>
            </Flex>
            <Flex align="center" gap={desk ? 16 : 4} style={{ flexShrink: 0 }}>
              <AlertBell compact={!desk} />
              <Segmented<Locale>
                size={desk ? 'middle' : 'small'}
                value={locale}
                onChange={changeLocale}
                aria-label={t('shell.language')}
                options={[
                  { value: 'zh-CN', label: '中文' },
                  { value: 'en', label: 'EN' },
                ]}
              />
              <Dropdown
                trigger={['click']}
                menu={{
                  items: userMenu,
                  onClick: ({ key }) => {
                    if (key === 'password') void navigate('/account')
                    if (key === 'signout') void signOut()
                  },
                }}
              >
                <Button
                  type="text"
                  icon={<UserOutlined />}
                  data-testid="user-menu"
                  style={{ paddingInline: desk ? 8 : 4 }}
                >
                  {desk && (
                    <>
                      {name}
                      <Tag style={{ marginInlineStart: 8, marginInlineEnd: 0 }}>
                        {t(`shell.role.${me.role}`)}
                      </Tag>
                    </>
                  )}
                </Button>
              </Dropdown>
            </Flex>
          </Flex>
        </Layout.Header>
        <Layout.Content>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  )
}
