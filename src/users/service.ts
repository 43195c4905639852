/** Creating users and setting passwords: shared by the API, the CLI and the demo. */
import type { Executor } from '../db/connect.js'
import type { Role } from '../db/schema.js'
import { hashPassword, oneTimePassword, passwordProblem } from './password.js'
import { insertUser, setPassword } from './repo.js'
import { normalizeLogin, type Locale, type User } from './types.js'

export class UserInputError extends Error {
  override name = 'UserInputError'
  constructor(
    readonly reason:
      | 'login_required'
      | 'email_invalid'
      | 'phone_invalid'
      | 'unknown_warehouse'
      | 'unknown_shop'
      | 'too_short'
      | 'too_long'
      | 'same_as_login',
    message: string,
    readonly field?: string,
  ) {
    super(message)
  }
}

export interface CreateUserInput {
  email?: string | null
  phone?: string | null
  name: string
  role: Role
  warehouseIds?: readonly string[] | null
  shopIds?: readonly string[] | null
  locale?: Locale | null
  /** A chosen password (the demo); without one a one-time password is made and must be replaced. */
  password?: string
}

/** Normalise and check an email/phone pair: stored lower-case, digits only. */
export function logins(input: { email?: string | null; phone?: string | null }) {
  const email = input.email ? normalizeLogin(input.email) : null
  const phone = input.phone ? normalizeLogin(input.phone) : null
  if (input.email && email?.kind !== 'email')
    throw new UserInputError('email_invalid', 'email is not an email address', 'email')
  if (input.phone && phone?.kind !== 'phone')
    throw new UserInputError(
      'phone_invalid',
      'phone must be 5–20 digits, optionally with a leading +',
      'phone',
    )
  return { email: email?.value ?? null, phone: phone?.value ?? null }
}

/** Every id must be one of the merchant's warehouses / shops. */
export async function checkScopeIds(
  db: Executor,
  merchantId: string,
  input: { warehouseIds?: readonly string[] | null; shopIds?: readonly string[] | null },
): Promise<void> {
  const checks = [
    { ids: input.warehouseIds, table: 'warehouses', reason: 'unknown_warehouse', field: 'warehouseIds' },
    { ids: input.shopIds, table: 'shops', reason: 'unknown_shop', field: 'shopIds' },
  ] as const
  for (const c of checks) {
    if (!c.ids?.length) continue
    const found = await db
      .selectFrom(c.table)
      .select('id')
      .where('merchant_id', '=', merchantId)
      .where('id', 'in', c.ids)
      .execute()
    const known = new Set(found.map((r) => r.id))
    const missing = c.ids.filter((id) => !known.has(id))
    if (missing.length)
      throw new UserInputError(c.reason, `not this merchant's: ${missing.join(', ')}`, c.field)
  }
}

export async function createUser(
  db: Executor,
  merchantId: string,
  input: CreateUserInput,
): Promise<{ user: User; password: string; oneTime: boolean }> {
  const { email, phone } = logins(input)
  if (!email && !phone)
    throw new UserInputError('login_required', 'give an email or a phone to sign in with', 'email')
  await checkScopeIds(db, merchantId, input)
  const oneTime = input.password === undefined
  const password = input.password ?? oneTimePassword()
  const problem = passwordProblem(password, email ?? phone)
  if (problem) throw new UserInputError(problem, `the password is not acceptable: ${problem}`, 'password')
  const user = await insertUser(db, merchantId, {
    email,
    phone,
    name: input.name,
    role: input.role,
    passwordHash: await hashPassword(password),
    mustChangePassword: oneTime,
    warehouseIds: input.warehouseIds ?? null,
    shopIds: input.shopIds ?? null,
    locale: input.locale ?? null,
  })
  return { user, password, oneTime }
}

/** A new one-time password that must be replaced at the next sign-in; every session of the user ends. */
export async function resetPassword(db: Executor, merchantId: string, userId: string): Promise<string> {
  const password = oneTimePassword()
  await setPassword(db, merchantId, userId, await hashPassword(password), { mustChange: true })
  return password
}
