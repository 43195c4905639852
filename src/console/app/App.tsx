import { Spin } from 'antd'
import type { ReactNode } from 'react'
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router'
import { Forbidden, NotFound } from '../components/states'
import { I18nProvider } from '../i18n'
import { LoginPage } from '../pages/login-page'
import { FirstPasswordPage } from '../pages/account-page'
import type { Role } from '../api/types'
import { PickListPrint } from '../pages/print/picklist-print'
import { SlipPrint, WaveSlipsPrint } from '../pages/print/slip-print'
import { homeFor, ROUTES, STAFF } from './routes'
import { SessionProvider, useSession } from './session'
import { Shell } from './shell'
import { Themed } from './theme'

export function App() {
  return (
    <I18nProvider>
      <Themed>
        <SessionProvider>
          <BrowserRouter basename="/app">
            <Routes>
              <Route path="/login" element={<LoginPage />} />
              <Route
                path="/password"
                element={
                  <RequireSession allowPending>
                    <FirstPasswordPage />
                  </RequireSession>
                }
              />
              {ROUTES.filter((r) => r.bare).map((r) => (
                <Route
                  key={r.path}
                  path={r.path}
                  element={
                    <RequireSession>
                      <RequireRole roles={r.roles}>{r.element}</RequireRole>
                    </RequireSession>
                  }
                />
              ))}
              {/* Prints: a page of their own, no console chrome, the session cookie like every page. */}
              <Route
                path="/print/waves/:id"
                element={
                  <RequireSession>
                    <RequireRole roles={STAFF}>
                      <PickListPrint />
                    </RequireRole>
                  </RequireSession>
                }
              />
              <Route
                path="/print/waves/:id/slips"
                element={
                  <RequireSession>
                    <RequireRole roles={STAFF}>
                      <WaveSlipsPrint />
                    </RequireRole>
                  </RequireSession>
                }
              />
              <Route
                path="/print/orders/:id/slip"
                element={
                  <RequireSession>
                    <RequireRole roles={STAFF}>
                      <SlipPrint />
                    </RequireRole>
                  </RequireSession>
                }
              />
              <Route
                element={
                  <RequireSession>
                    <Shell />
                  </RequireSession>
                }
              >
                <Route index element={<Home />} />
                {ROUTES.filter((r) => !r.bare).map((r) => (
                  <Route
                    key={r.path}
                    path={r.path}
                    element={<RequireRole roles={r.roles}>{r.element}</RequireRole>}
                  />
                ))}
                <Route path="*" element={<NotFound />} />
              </Route>
            </Routes>
          </BrowserRouter>
        </SessionProvider>
      </Themed>
    </I18nProvider>
  )
}

function FullPageSpin() {
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center' }}>
      <Spin size="large" />
    </div>
  )
}

/** Signed in, or to the sign-in page with the way back; a one-time password must be replaced first. */
function RequireSession({ children, allowPending }: { children: ReactNode; allowPending?: boolean }) {
  const { me, loading } = useSession()
  const location = useLocation()
  if (loading) return <FullPageSpin />
  if (!me) {
    const from = location.pathname + location.search
    return (
      <Navigate to={`/login${from && from !== '/' ? `?from=${encodeURIComponent(from)}` : ''}`} replace />
    )
  }
  if (me.user?.mustChangePassword && !allowPending) return <Navigate to="/password" replace />
  return children
}

function RequireRole({ roles, children }: { roles: readonly Role[]; children: ReactNode }) {
  const { me } = useSession()
  return me && roles.includes(me.role) ? children : <Forbidden />
}

function Home() {
  const { me } = useSession()
  return <Navigate to={homeFor(me!.role)} replace />
}
