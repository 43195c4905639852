/**
 * Signing in and out, GET/PATCH /me and changing one's password. The session lives in Redis; the
 * cookie is httpOnly, SameSite=Lax, and Secure when the public URL (or the proxy) is https.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Auth } from '../api/auth.js'
import { AppError, notFound } from '../api/errors.js'
import { ErrorBody, errorResponses } from '../api/schemas.js'
import { audit } from '../audit/repo.js'
import type { AppContext } from '../context.js'
import { getMerchant } from '../merchants/repo.js'
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './password.js'
import { findByLogin, passwordHashOf, recordLogin, replaceHash, setPassword, updateUser } from './repo.js'
import { Locale, MeJson, Name, Password, userJson } from './schemas.js'
import { SESSION_COOKIE } from './sessions.js'
import { loginThrottle } from './throttle.js'
import { defaultLocale, normalizeLogin, type User } from './types.js'

export async function authRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['users']
  const throttle = loginThrottle(ctx.redis, ctx.config.redis.prefix)

  async function me(
    auth: Pick<Auth, 'merchantId' | 'role'>,
    user: User | null,
    csrf: string | null,
    keyId: string | null,
  ) {
    const merchant = await getMerchant(ctx.db, auth.merchantId)
    if (!merchant) throw notFound('merchant', auth.merchantId)
    return {
      merchant: {
        id: merchant.id,
        name: merchant.name,
        timezone: merchant.timezone,
        baseCurrency: merchant.baseCurrency,
      },
      role: auth.role,
      user: user && userJson(user),
      locale: user?.locale ?? merchant.locale ?? defaultLocale(merchant.timezone),
      csrfToken: csrf,
      apiKeyId: keyId,
    }
  }

  async function startSession(req: FastifyRequest, reply: FastifyReply, user: User) {
    const { id, data } = await app.sessions.create({
      userId: user.id,
      merchantId: user.merchantId,
      epoch: user.sessionEpoch,
      createdAtMs: ctx.clock.now().getTime(),
    })
    const https = ctx.config.api.publicUrl.startsWith('https:') || req.protocol === 'https'
    reply.setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'lax', secure: https })
    return data
  }

  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Sign in with an email or phone and a password; sets the session cookie',
        security: [],
        body: Type.Object(
          { login: Type.String({ minLength: 1, maxLength: 320 }), password: Password },
          { additionalProperties: false },
        ),
        response: { 200: MeJson, 429: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      const login = normalizeLogin(req.body.login)
      const throttleKey = login?.value ?? req.body.login.trim().toLowerCase()
      const wait = await throttle.retryAfter(throttleKey, req.ip)
      if (wait !== null) {
        return reply
          .status(429)
          .header('retry-after', String(wait))
          .send({
            error: {
              code: 'too_many_attempts',
              message: 'too many failed sign-ins; try again later',
              details: { retryAfterSeconds: wait },
            },
          })
      }
      const found = login ? await findByLogin(ctx.db, login) : undefined
      const ok = await verifyPassword(found?.passwordHash ?? null, req.body.password)
      if (!found || !ok || found.user.status !== 'active') {
        await throttle.failed(throttleKey, req.ip)
        if (found)
          await audit(ctx.db, found.user.merchantId, {
            actorType: 'user',
            actorId: found.user.id,
            action: 'user.login_failed',
            entityType: 'user',
            entityId: found.user.id,
            detail: { address: req.ip, reason: ok ? 'disabled' : 'password' },
          })
        throw new AppError('invalid_credentials', 'wrong login or password', 401)
      }
      const { user } = found
      await throttle.succeeded(throttleKey)
      if (needsRehash(found.passwordHash!))
        await replaceHash(ctx.db, user.id, await hashPassword(req.body.password))
      const previous = req.cookies[SESSION_COOKIE]
      if (previous) await app.sessions.destroy(previous)
      const session = await startSession(req, reply, user)
      await recordLogin(ctx.db, user.id, ctx.clock.now())
      await audit(ctx.db, user.merchantId, {
        actorType: 'user',
        actorId: user.id,
        action: 'user.login',
        entityType: 'user',
        entityId: user.id,
        detail: { address: req.ip, userAgent: String(req.headers['user-agent'] ?? '').slice(0, 200) },
      })
      return me(user, user, session.csrf, null)
    },
  )

  app.post(
    '/auth/logout',
    {
      config: { beforePasswordChange: true },
      schema: {
        tags,
        summary: 'Sign out: the session ends on the server',
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      if (req.session) {
        await app.sessions.destroy(req.session.id)
        await audit(ctx.db, req.auth.merchantId, {
          actorType: 'user',
          actorId: req.session.user.id,
          action: 'user.logout',
          entityType: 'user',
          entityId: req.session.user.id,
        })
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/auth/password',
    {
      config: { beforePasswordChange: true },
      schema: {
        tags,
        summary: "Change one's own password; every other session of the user ends",
        body: Type.Object(
          { currentPassword: Password, newPassword: Password },
          { additionalProperties: false },
        ),
        response: { 200: MeJson, ...errorResponses },
      },
    },
    async (req, reply) => {
      const s = req.session
      if (!s) throw new AppError('validation_failed', 'only a signed-in user has a password', 400)
      const stored = await passwordHashOf(ctx.db, s.user.merchantId, s.user.id)
      if (!(await verifyPassword(stored, req.body.currentPassword)))
        throw new AppError('invalid_credentials', 'the current password is wrong', 400, {
          field: 'currentPassword',
          reason: 'current_password_wrong',
        })
      const problem = passwordProblem(req.body.newPassword, s.user.email ?? s.user.phone)
      if (problem)
        throw new AppError('validation_failed', `the new password is not acceptable: ${problem}`, 400, {
          field: 'newPassword',
          reason: problem,
        })
      if (req.body.newPassword === req.body.currentPassword)
        throw new AppError('validation_failed', 'the new password must differ from the current one', 400, {
          field: 'newPassword',
          reason: 'unchanged',
        })
      const epoch = await setPassword(
        ctx.db,
        s.user.merchantId,
        s.user.id,
        await hashPassword(req.body.newPassword),
        { mustChange: false },
      )
      await app.sessions.destroy(s.id)
      const user = { ...s.user, mustChangePassword: false, sessionEpoch: epoch ?? s.user.sessionEpoch + 1 }
      const session = await startSession(req, reply, user)
      await audit(ctx.db, user.merchantId, {
        actorType: 'user',
        actorId: user.id,
        action: 'user.password_change',
        entityType: 'user',
        entityId: user.id,
      })
      return me(user, user, session.csrf, null)
    },
  )

  app.get(
    '/me',
    {
      config: { beforePasswordChange: true },
      schema: {
        tags,
        summary: 'Who is calling: the user (or API key), the merchant, the role, the language',
        response: { 200: MeJson, ...errorResponses },
      },
    },
    async (req) =>
      me(
        req.auth,
        req.session?.user ?? null,
        req.session?.data.csrf ?? null,
        req.auth.actorType === 'api_key' ? req.auth.actorId : null,
      ),
  )

  app.patch(
    '/me',
    {
      schema: {
        tags,
        summary: "A signed-in user's own name and language",
        body: Type.Object(
          { name: Type.Optional(Name), locale: Type.Optional(Type.Union([Locale, Type.Null()])) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: MeJson, ...errorResponses },
      },
    },
    async (req) => {
      const s = req.session
      if (!s) throw new AppError('validation_failed', 'an API key has no user settings', 400)
      await updateUser(ctx.db, s.user.merchantId, s.user.id, req.body)
      await audit(ctx.db, s.user.merchantId, {
        actorType: 'user',
        actorId: s.user.id,
        action: 'user.update_self',
        entityType: 'user',
        entityId: s.user.id,
        detail: { ...req.body },
      })
      const user = {
        ...s.user,
        ...(req.body.name ? { name: req.body.name } : {}),
        ...(req.body.locale !== undefined ? { locale: req.body.locale } : {}),
      }
      return me(req.auth, user, s.data.csrf, null)
    },
  )
}
