/** Every area's dictionary, by language. A new area: one file beside this one, one line below. */
import { audit } from './audit'
import { auth } from './auth'
import { books } from './books'
import { channels } from './channels'
import { common } from './common'
import type { Messages, Paths } from './define'
import { alerts, dashboard } from './dashboard'
import { errors } from './errors'
import { exceptions } from './exceptions'
import { floor } from './floor'
import { finance } from './finance'
import { orders } from './orders'
import { settings } from './settings'
import { shell } from './shell'
import { shops } from './shops'
import { skus } from './skus'
import { stock } from './stock'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

const areas = {
  common,
  shell,
  auth,
  errors,
  channels,
  orders,
  shops,
  settings,
  audit,
  exceptions,
  skus,
  stock,
  floor,
  finance,
  books,
  dashboard,
  alerts,
}

type Zh = { [K in keyof typeof areas]: (typeof areas)[K]['zh-CN'] }
export type MessageKey = Paths<Zh>

export const MESSAGES: Record<Locale, Messages> = {
  'zh-CN': Object.fromEntries(Object.entries(areas).map(([k, a]) => [k, a['zh-CN']])),
  en: Object.fromEntries(Object.entries(areas).map(([k, a]) => [k, a.en])),
}

/** The message at a dotted path; a key may itself contain dots (audit actions such as user.create). */
export function lookup(messages: Messages, path: string): string | undefined {
  const direct = messages[path]
  if (typeof direct === 'string') return direct
  for (let i = path.indexOf('.'); i > 0; i = path.indexOf('.', i + 1)) {
    const head = messages[path.slice(0, i)]
    if (head && typeof head === 'object') {
      const found = lookup(head, path.slice(i + 1))
      if (found !== undefined) return found
    }
  }
  return undefined
}

export function format(template: string, vars?: Readonly<Record<string, string | number>>): string {
  return vars ? template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : template
}
