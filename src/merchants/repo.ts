import type { Executor } from '../db/connect.js'
import type { Role } from '../db/schema.js'
import { newApiKey } from '../lib/crypto.js'
import { newId } from '../lib/ids.js'
import { defaultLocale, LOCALES, type Locale } from '../users/types.js'

export interface Merchant {
  id: string
  name: string
  timezone: string
  baseCurrency: string
  /** The language the server writes to people in (alerts to group robots); null = the zone's default. */
  locale: Locale | null
  createdAt: Date
}

/** What alerts are written in: the merchant's language, else its zone's (Chinese for a zone in China). */
export const alertLocale = (m: Pick<Merchant, 'locale' | 'timezone'>): Locale =>
  m.locale ?? defaultLocale(m.timezone)

export async function createMerchant(
  db: Executor,
  input: { name: string; timezone?: string; baseCurrency?: string },
): Promise<Merchant> {
  const merchant = {
    id: newId(),
    name: input.name,
    timezone: input.timezone ?? 'Asia/Shanghai',
    baseCurrency: input.baseCurrency ?? 'CNY',
    locale: null,
    createdAt: new Date(),
  }
  await db
    .insertInto('merchants')
    .values({
      id: merchant.id,
      name: merchant.name,
      timezone: merchant.timezone,
      base_currency: merchant.baseCurrency,
      created_at: merchant.createdAt,
    })
    .execute()
  return merchant
}

export async function getMerchant(db: Executor, merchantId: string): Promise<Merchant | undefined> {
  const row = await db.selectFrom('merchants').selectAll().where('id', '=', merchantId).executeTakeFirst()
  return (
    row && {
      id: row.id,
      name: row.name,
      timezone: row.timezone,
      baseCurrency: row.base_currency,
      locale: (LOCALES as readonly string[]).includes(row.locale ?? '') ? (row.locale as Locale) : null,
      createdAt: row.created_at,
    }
  )
}

export interface ApiKeyInfo {
  id: string
  name: string
  role: Role
  prefix: string
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

/** Create an API key; the plaintext token is returned once and never stored. */
export async function createApiKey(
  db: Executor,
  merchantId: string,
  input: { role: Role; name?: string; userId?: string },
  /** The key's createdAt: the caller's clock (ctx.clock.now()). */
  at: Date,
): Promise<{ key: ApiKeyInfo; token: string }> {
  const { token, hash, prefix } = newApiKey()
  const key: ApiKeyInfo = {
    id: newId(),
    name: input.name ?? `${input.role} key`,
    role: input.role,
    prefix,
    createdAt: at,
    lastUsedAt: null,
    revokedAt: null,
  }
  await db
    .insertInto('api_keys')
    .values({
      id: key.id,
      merchant_id: merchantId,
      user_id: input.userId ?? null,
      name: key.name,
      role: key.role,
      key_hash: hash,
      key_prefix: prefix,
      created_at: key.createdAt,
    })
    .execute()
  return { key, token }
}

export async function listApiKeys(
  db: Executor,
  merchantId: string,
  page: { after?: string; limit?: number } = {},
): Promise<ApiKeyInfo[]> {
  let q = db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'key_prefix', 'created_at', 'last_used_at', 'revoked_at'])
    .where('merchant_id', '=', merchantId)
  if (page.after !== undefined) q = q.where('id', '>', page.after)
  if (page.limit !== undefined) q = q.limit(page.limit)
  const rows = await q.orderBy('id').execute()
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    role: r.role,
    prefix: r.key_prefix,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }))
}

export async function revokeApiKey(db: Executor, merchantId: string, id: string, at: Date): Promise<boolean> {
  const res = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return res.numUpdatedRows > 0n
}

/** Rename a merchant or move it to another time zone (statements already closed keep their dates). */
export async function updateMerchant(
  db: Executor,
  merchantId: string,
  patch: { name?: string; timezone?: string; locale?: Locale | null },
): Promise<void> {
  await db
    .updateTable('merchants')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.timezone !== undefined ? { timezone: patch.timezone } : {}),
      ...(patch.locale !== undefined ? { locale: patch.locale } : {}),
    })
    .where('id', '=', merchantId)
    .execute()
}

/** True for an IANA zone name this runtime knows (Asia/Shanghai, Europe/Paris…). */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+){0,2}$/.test(zone)) return false
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}
