/**
 * The console's language: the signed-in user's choice (kept on the server, so it follows them), else
 * the merchant's default from GET /me; on the sign-in page, the last choice on this browser.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { format, lookup, MESSAGES, type Locale, type MessageKey } from './messages'

export type { Locale, MessageKey }
export type Translate = (key: MessageKey, vars?: Readonly<Record<string, string | number>>) => string

interface I18n {
  locale: Locale
  setLocale: (locale: Locale) => void
  t: Translate
  /** For codes that come from the API: the message, or undefined when there is none. */
  maybe: (key: string, vars?: Readonly<Record<string, string | number>>) => string | undefined
}

const STORAGE_KEY = 'entrepot.locale'

export function storedLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY)
  if (saved === 'zh-CN' || saved === 'en') return saved
  return navigator.language.toLowerCase().startsWith('en') ? 'en' : 'zh-CN'
}

const Ctx = createContext<I18n | null>(null)

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setState] = useState<Locale>(storedLocale)
  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(STORAGE_KEY, next)
    setState(next)
  }, [])
  // The page's language also picks the fallback fonts (CJK glyphs for zh-CN).
  useEffect(() => {
    document.documentElement.lang = locale
  }, [locale])
  const value = useMemo<I18n>(() => {
    const maybe = (key: string, vars?: Readonly<Record<string, string | number>>) => {
      const m = lookup(MESSAGES[locale], key) ?? lookup(MESSAGES['zh-CN'], key)
      return m === undefined ? undefined : format(m, vars)
    }
    return { locale, setLocale, maybe, t: (key, vars) => maybe(key, vars) ?? key }
  }, [locale, setLocale])
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useI18n(): I18n {
  const v = useContext(Ctx)
  if (!v) throw new Error('useI18n outside I18nProvider')
  return v
}

export const useT = (): Translate => useI18n().t
