/** Who is signed in (GET /me), kept for the whole app; the CSRF token and the language follow it. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { ApiError, onSessionEnded, setCsrfToken } from '../api/client'
import { endpoints } from '../api/endpoints'
import type { Me } from '../api/types'
import { useI18n, type Locale } from '../i18n'

interface Session {
  me: Me | null
  loading: boolean
  /** Set after signing in or changing the password (both answer with /me). */
  accept: (me: Me) => void
  /**
   * End the session on the server, then load the sign-in page afresh: nothing of the signed-out
   * session stays in memory (a shared warehouse handheld), and Back loads the page signed out of
   * anew, which finds no session and shows the sign-in page (main.tsx: never from the back cache).
   */
  signOut: () => Promise<void>
  /** Switch the language, and remember it on the server for a signed-in user. */
  changeLocale: (locale: Locale) => void
  reload: () => Promise<void>
}

const Ctx = createContext<Session | null>(null)

export function SessionProvider({ children }: { children: ReactNode }) {
  const { setLocale } = useI18n()
  const [me, setMe] = useState<Me | null>(null)
  const [loading, setLoading] = useState(true)

  const accept = useCallback(
    (next: Me) => {
      setCsrfToken(next.csrfToken)
      setLocale(next.locale)
      setMe(next)
    },
    [setLocale],
  )

  const reload = useCallback(async () => {
    try {
      accept(await endpoints.me())
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err
      setCsrfToken(null)
      setMe(null)
    }
  }, [accept])

  useEffect(() => {
    onSessionEnded(() => {
      setCsrfToken(null)
      setMe(null)
    })
    reload()
      .catch(() => setMe(null))
      .finally(() => setLoading(false))
  }, [reload])

  const value = useMemo<Session>(
    () => ({
      me,
      loading,
      accept,
      reload,
      async signOut() {
        try {
          await endpoints.logout()
        } finally {
          setCsrfToken(null)
          window.location.assign('/app/login')
        }
      },
      changeLocale(locale) {
        setLocale(locale)
        if (me?.user) {
          setMe({ ...me, locale })
          endpoints.updateMe({ locale }).catch(() => undefined)
        }
      },
    }),
    [me, loading, accept, reload, setLocale],
  )
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useSession(): Session {
  const v = useContext(Ctx)
  if (!v) throw new Error('useSession outside SessionProvider')
  return v
}

/** The signed-in session; only inside the pages behind RequireSession. */
export function useMe(): Me {
  const { me } = useSession()
  if (!me) throw new Error('useMe without a session')
  return me
}
