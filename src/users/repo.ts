/** Users: SQL lives here; rows become `User` in one place (toUser). */
import type { Selectable } from 'kysely'
import type { Executor } from '../db/connect.js'
import { isDuplicateKey } from '../db/errors.js'
import type { Role, UserStatus, UserTable } from '../db/schema.js'
import { newId } from '../lib/ids.js'
import { LOCALES, type Locale, type User } from './types.js'

export class DuplicateLoginError extends Error {
  override name = 'DuplicateLoginError'
}

function toUser(r: Selectable<UserTable>): User {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    email: r.email,
    phone: r.phone,
    name: r.name,
    role: r.role,
    status: r.status,
    mustChangePassword: r.must_change_password === 1,
    locale: (LOCALES as readonly string[]).includes(r.locale ?? '') ? (r.locale as Locale) : null,
    warehouseIds: r.warehouse_ids ?? null,
    shopIds: r.shop_ids ?? null,
    sessionEpoch: r.session_epoch,
    lastLoginAt: r.last_login_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

const jsonOrNull = (ids: readonly string[] | null | undefined) => (ids ? JSON.stringify(ids) : null)

export interface NewUser {
  email: string | null
  phone: string | null
  name: string
  role: Role
  passwordHash: string
  mustChangePassword: boolean
  warehouseIds?: readonly string[] | null
  shopIds?: readonly string[] | null
  locale?: Locale | null
}

export async function insertUser(db: Executor, merchantId: string, input: NewUser): Promise<User> {
  const id = newId()
  try {
    await db
      .insertInto('users')
      .values({
        id,
        merchant_id: merchantId,
        email: input.email,
        phone: input.phone,
        name: input.name,
        role: input.role,
        password_hash: input.passwordHash,
        must_change_password: input.mustChangePassword ? 1 : 0,
        locale: input.locale ?? null,
        warehouse_ids: jsonOrNull(input.warehouseIds),
        shop_ids: jsonOrNull(input.shopIds),
      })
      .execute()
  } catch (err) {
    if (isDuplicateKey(err)) throw new DuplicateLoginError('this email or phone already has an account')
    throw err
  }
  return (await getUser(db, merchantId, id))!
}

export async function getUser(db: Executor, merchantId: string, id: string): Promise<User | undefined> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return row && toUser(row)
}

/** The account a login names (in the whole installation), with its password hash. */
export async function findByLogin(
  db: Executor,
  login: { kind: 'email' | 'phone'; value: string },
): Promise<{ user: User; passwordHash: string | null } | undefined> {
  const row = await db.selectFrom('users').selectAll().where(login.kind, '=', login.value).executeTakeFirst()
  return row && { user: toUser(row), passwordHash: row.password_hash }
}

export interface UserFilter {
  role?: Role
  status?: UserStatus
  q?: string
  /** Keyset: the id of the last row of the previous page. */
  after?: string
  limit: number
}

export async function listUsers(db: Executor, merchantId: string, f: UserFilter): Promise<User[]> {
  let q = db.selectFrom('users').selectAll().where('merchant_id', '=', merchantId)
  if (f.role) q = q.where('role', '=', f.role)
  if (f.status) q = q.where('status', '=', f.status)
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    q = q.where((eb) =>
      eb.or([eb('name', 'like', like), eb('email', 'like', like), eb('phone', 'like', like)]),
    )
  }
  if (f.after) q = q.where('id', '>', f.after)
  const rows = await q.orderBy('id').limit(f.limit).execute()
  return rows.map(toUser)
}

export async function usersByIds(
  db: Executor,
  merchantId: string,
  ids: readonly string[],
): Promise<Map<string, User>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('users')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', ids)
    .execute()
  return new Map(rows.map((r) => [r.id, toUser(r)]))
}

export interface UserPatch {
  name?: string
  email?: string | null
  phone?: string | null
  role?: Role
  status?: UserStatus
  locale?: Locale | null
  warehouseIds?: readonly string[] | null
  shopIds?: readonly string[] | null
}

/** Apply a patch; a deactivation ends the user's sessions (epoch + 1). False when no such user. */
export async function updateUser(
  db: Executor,
  merchantId: string,
  id: string,
  p: UserPatch,
): Promise<boolean> {
  try {
    const res = await db
      .updateTable('users')
      .set((eb) => ({
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.email !== undefined ? { email: p.email } : {}),
        ...(p.phone !== undefined ? { phone: p.phone } : {}),
        ...(p.role !== undefined ? { role: p.role } : {}),
        ...(p.status !== undefined ? { status: p.status } : {}),
        ...(p.locale !== undefined ? { locale: p.locale } : {}),
        ...(p.warehouseIds !== undefined ? { warehouse_ids: jsonOrNull(p.warehouseIds) } : {}),
        ...(p.shopIds !== undefined ? { shop_ids: jsonOrNull(p.shopIds) } : {}),
        ...(p.status === 'disabled' ? { session_epoch: eb('session_epoch', '+', 1) } : {}),
      }))
      .where('merchant_id', '=', merchantId)
      .where('id', '=', id)
      .executeTakeFirst()
    return res.numUpdatedRows > 0n
  } catch (err) {
    if (isDuplicateKey(err)) throw new DuplicateLoginError('this email or phone already has an account')
    throw err
  }
}

/**
 * Store a new password hash. Every session of the user ends (epoch + 1); the caller issues a new one
 * to the person who changed it. A reset by an admin sets mustChange, so the next sign-in asks for one.
 */
export async function setPassword(
  db: Executor,
  merchantId: string,
  id: string,
  passwordHash: string,
  opts: { mustChange: boolean },
): Promise<number | undefined> {
  await db
    .updateTable('users')
    .set((eb) => ({
      password_hash: passwordHash,
      must_change_password: opts.mustChange ? 1 : 0,
      session_epoch: eb('session_epoch', '+', 1),
    }))
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .execute()
  return (await getUser(db, merchantId, id))?.sessionEpoch
}

/** Rehash quietly (parameters raised since): sessions stay. */
export async function replaceHash(db: Executor, id: string, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute()
}

export async function recordLogin(db: Executor, id: string, at: Date): Promise<void> {
  await db.updateTable('users').set({ last_login_at: at }).where('id', '=', id).execute()
}

export async function countActiveAdmins(db: Executor, merchantId: string): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('merchant_id', '=', merchantId)
    .where('role', '=', 'admin')
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

export async function passwordHashOf(db: Executor, merchantId: string, id: string): Promise<string | null> {
  const r = await db
    .selectFrom('users')
    .select('password_hash')
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return r?.password_hash ?? null
}
