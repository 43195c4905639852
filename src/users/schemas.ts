/** The JSON view of users and the session answers, declared once for the routes and OpenAPI. */
import { Type } from 'typebox'
import { Id, iso, Role } from '../api/schemas.js'
import { USER_STATUSES } from '../db/schema.js'
import { PASSWORD_MAX_LENGTH } from './password.js'
import { LOCALES, type User } from './types.js'

export const Locale = Type.Enum(LOCALES)
export const UserStatus = Type.Enum(USER_STATUSES)
const Ids = Type.Union([Type.Array(Id, { maxItems: 500, uniqueItems: true }), Type.Null()], {
  description: 'null = all of the merchant',
})
const NullableString = Type.Union([Type.String(), Type.Null()])

export const UserJson = Type.Object({
  id: Type.String(),
  email: NullableString,
  phone: NullableString,
  name: Type.String(),
  role: Role,
  status: UserStatus,
  mustChangePassword: Type.Boolean(),
  locale: Type.Union([Locale, Type.Null()]),
  warehouseIds: Type.Union([Type.Array(Type.String()), Type.Null()]),
  shopIds: Type.Union([Type.Array(Type.String()), Type.Null()]),
  lastLoginAt: NullableString,
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

export const userJson = (u: User) => ({
  id: u.id,
  email: u.email,
  phone: u.phone,
  name: u.name,
  role: u.role,
  status: u.status,
  mustChangePassword: u.mustChangePassword,
  locale: u.locale,
  warehouseIds: u.warehouseIds,
  shopIds: u.shopIds,
  lastLoginAt: iso(u.lastLoginAt),
  createdAt: u.createdAt.toISOString(),
  updatedAt: u.updatedAt.toISOString(),
})

export const Email = Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' })
export const Phone = Type.String({ minLength: 5, maxLength: 32, pattern: '^\\+?[\\d\\s()-]{5,31}$' })
export const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH })
export const Name = Type.String({ minLength: 1, maxLength: 200 })

export const NewUserBody = Type.Object(
  {
    email: Type.Optional(Email),
    phone: Type.Optional(Phone),
    name: Name,
    role: Role,
    warehouseIds: Type.Optional(Ids),
    shopIds: Type.Optional(Ids),
    locale: Type.Optional(Type.Union([Locale, Type.Null()])),
  },
  { additionalProperties: false },
)

export const UserPatchBody = Type.Object(
  {
    email: Type.Optional(Type.Union([Email, Type.Null()])),
    phone: Type.Optional(Type.Union([Phone, Type.Null()])),
    name: Type.Optional(Name),
    role: Type.Optional(Role),
    status: Type.Optional(UserStatus),
    warehouseIds: Type.Optional(Ids),
    shopIds: Type.Optional(Ids),
    locale: Type.Optional(Type.Union([Locale, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const MerchantJson = Type.Object({
  id: Type.String(),
  name: Type.String(),
  timezone: Type.String(),
  baseCurrency: Type.String(),
})

/** GET /me and the sign-in answer: who, for which merchant, in which language. */
export const MeJson = Type.Object({
  merchant: MerchantJson,
  role: Role,
  user: Type.Union([UserJson, Type.Null()]),
  /** The user's choice, else the merchant's default (zh-CN for a zone in China). */
  locale: Locale,
  /** Send as x-csrf-token on every write made with the session cookie; null for API keys. */
  csrfToken: NullableString,
  apiKeyId: NullableString,
})
