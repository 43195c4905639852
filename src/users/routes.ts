/**
 * Users of a merchant (admin only): list, create with a one-time password shown once, change role,
 * status and scopes, reset a password. The merchant always keeps one active admin.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { AppError, conflict, notFound } from '../api/errors.js'
import { errorResponses, Id, IdParams, Role } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import type { AppContext } from '../context.js'
import { countActiveAdmins, DuplicateLoginError, getUser, listUsers, updateUser } from './repo.js'
import { NewUserBody, UserJson, userJson, UserPatchBody, UserStatus } from './schemas.js'
import { checkScopeIds, createUser, logins, resetPassword, UserInputError } from './service.js'

const OneTimePassword = Type.String({
  description: 'shown once; the user must replace it at the first sign-in',
})

export async function userRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['users']

  app.get(
    '/users',
    {
      schema: {
        tags,
        summary: "The merchant's users, oldest first",
        querystring: Type.Object({
          role: Type.Optional(Role),
          status: Type.Optional(UserStatus),
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          cursor: Type.Optional(Id),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        }),
        response: {
          200: Type.Object({ items: Type.Array(UserJson), next: Type.Union([Type.String(), Type.Null()]) }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { limit = 100, cursor, ...filter } = req.query
      const rows = await listUsers(ctx.db, req.auth.merchantId, {
        ...filter,
        limit: limit + 1,
        ...(cursor ? { after: cursor } : {}),
      })
      const items = rows.slice(0, limit)
      return { items: items.map(userJson), next: rows.length > limit ? items.at(-1)!.id : null }
    },
  )

  app.get(
    '/users/:id',
    {
      schema: { tags, params: IdParams, response: { 200: UserJson, ...errorResponses } },
    },
    async (req) => {
      const user = await getUser(ctx.db, req.auth.merchantId, req.params.id)
      if (!user) throw notFound('user', req.params.id)
      return userJson(user)
    },
  )

  app.post(
    '/users',
    {
      schema: {
        tags,
        summary: 'Create a user; the one-time password is in this answer only',
        body: NewUserBody,
        response: {
          201: Type.Object({ user: UserJson, oneTimePassword: OneTimePassword }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { user, password } = await guard(() => createUser(ctx.db, req.auth.merchantId, req.body))
      await audit(ctx.db, req.auth.merchantId, {
        ...apiActor(req.auth),
        action: 'user.create',
        entityType: 'user',
        entityId: user.id,
        detail: {
          login: user.email ?? user.phone,
          role: user.role,
          warehouseIds: user.warehouseIds,
          shopIds: user.shopIds,
        },
      })
      return reply.status(201).send({ user: userJson(user), oneTimePassword: password })
    },
  )

  app.patch(
    '/users/:id',
    {
      schema: {
        tags,
        summary: 'Change a user: role, status (disabling ends their sessions), scopes, name, logins',
        params: IdParams,
        body: UserPatchBody,
        response: { 200: UserJson, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const before = await getUser(ctx.db, merchantId, req.params.id)
      if (!before) throw notFound('user', req.params.id)
      const patch = { ...req.body }
      if (patch.email !== undefined || patch.phone !== undefined) {
        const next = guardSync(() =>
          logins({
            email: patch.email === undefined ? before.email : patch.email,
            phone: patch.phone === undefined ? before.phone : patch.phone,
          }),
        )
        if (!next.email && !next.phone)
          throw new AppError('validation_failed', 'a user keeps an email or a phone', 400, {
            field: 'email',
            reason: 'login_required',
          })
        patch.email = next.email
        patch.phone = next.phone
      }
      await guard(() => checkScopeIds(ctx.db, merchantId, patch))
      const losesAdmin =
        before.role === 'admin' &&
        before.status === 'active' &&
        ((patch.role !== undefined && patch.role !== 'admin') || patch.status === 'disabled')
      if (losesAdmin && (await countActiveAdmins(ctx.db, merchantId)) <= 1)
        throw conflict('the merchant must keep one active admin', { reason: 'last_admin' })
      await guard(() => updateUser(ctx.db, merchantId, before.id, patch))
      const after = (await getUser(ctx.db, merchantId, before.id))!
      await audit(ctx.db, merchantId, {
        ...apiActor(req.auth),
        action: 'user.update',
        entityType: 'user',
        entityId: before.id,
        detail: changes(userJson(before), userJson(after)),
      })
      return userJson(after)
    },
  )

  app.post(
    '/users/:id/password-reset',
    {
      schema: {
        tags,
        summary: "Replace a user's password with a one-time password (shown once); their sessions end",
        params: IdParams,
        response: { 200: Type.Object({ oneTimePassword: OneTimePassword }), ...errorResponses },
      },
    },
    async (req) => {
      const user = await getUser(ctx.db, req.auth.merchantId, req.params.id)
      if (!user) throw notFound('user', req.params.id)
      const password = await resetPassword(ctx.db, req.auth.merchantId, user.id)
      await audit(ctx.db, req.auth.merchantId, {
        ...apiActor(req.auth),
        action: 'user.password_reset',
        entityType: 'user',
        entityId: user.id,
      })
      return { oneTimePassword: password }
    },
  )
}

/** Field → [before, after] for the fields that changed. */
function changes(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of ['email', 'phone', 'name', 'role', 'status', 'locale', 'warehouseIds', 'shopIds']) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = [before[k], after[k]]
  }
  return out
}

function toAppError(err: unknown): unknown {
  // A scope naming another merchant's (or no) warehouse or shop answers 404, as every id does.
  if (err instanceof UserInputError && (err.reason === 'unknown_warehouse' || err.reason === 'unknown_shop'))
    return new AppError('not_found', err.message, 404, { field: err.field, reason: err.reason })
  if (err instanceof UserInputError)
    return new AppError('validation_failed', err.message, 400, {
      ...(err.field ? { field: err.field } : {}),
      reason: err.reason,
    })
  if (err instanceof DuplicateLoginError) return conflict(err.message, { reason: 'login_taken' })
  return err
}

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw toAppError(err)
  }
}

function guardSync<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw toAppError(err)
  }
}
