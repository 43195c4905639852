import type { Role, UserStatus } from '../db/schema.js'

/** The console's languages; a user without a choice gets the merchant's default (see defaultLocale). */
export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

export interface User {
  id: string
  merchantId: string
  email: string | null
  phone: string | null
  name: string
  role: Role
  status: UserStatus
  mustChangePassword: boolean
  locale: Locale | null
  /** null = every warehouse of the merchant. */
  warehouseIds: string[] | null
  /** null = every shop of the merchant. */
  shopIds: string[] | null
  sessionEpoch: number
  lastLoginAt: Date | null
  createdAt: Date
  updatedAt: Date
}

/** What a session or an API key may see beyond its role: null = everything of the merchant. */
export interface Scope {
  warehouseIds: readonly string[] | null
  shopIds: readonly string[] | null
}

export const UNSCOPED: Scope = Object.freeze({ warehouseIds: null, shopIds: null })

// Zones whose merchants read Chinese first (mainland, Hong Kong, Macau, Taiwan).
const CHINESE_ZONES = new Set([
  'Asia/Shanghai',
  'Asia/Chongqing',
  'Asia/Chungking',
  'Asia/Harbin',
  'Asia/Urumqi',
  'Asia/Kashgar',
  'PRC',
  'Asia/Hong_Kong',
  'Asia/Macau',
  'Asia/Taipei',
])

/** zh-CN for a merchant whose time zone is in China, English elsewhere. */
export const defaultLocale = (timezone: string): Locale => (CHINESE_ZONES.has(timezone) ? 'zh-CN' : 'en')

/** A login as stored: an email lower-cased, a phone as digits with an optional leading +. */
export function normalizeLogin(login: string): { kind: 'email' | 'phone'; value: string } | null {
  const s = login.trim()
  if (s.includes('@')) {
    const email = s.toLowerCase()
    return /^[^\s@]{1,64}@[^\s@]{1,255}$/.test(email) ? { kind: 'email', value: email } : null
  }
  const phone = s.replace(/[\s()-]/g, '')
  return /^\+?\d{5,20}$/.test(phone) ? { kind: 'phone', value: phone } : null
}
