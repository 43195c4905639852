/**
 * buildApp(ctx) → a ready FastifyInstance; it never listens (tests use inject, main listens).
 */
import cookie from '@fastify/cookie'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { AppContext } from './context.js'
import { installAuth, installRouteAccess } from './api/auth.js'
import { installConsole } from './api/console.js'
import { frameworkErrors, installErrorHandler } from './api/errors.js'
import { deferredCompilers } from './api/compilers.js'
import { AJV_OPTIONS, DEFAULT_BODY_LIMIT, installStrictInput } from './api/input.js'
import { ROUTE_MODULES } from './api/routes.js'
import { newId } from './lib/ids.js'
import { installMetrics } from './system/metrics.js'
import { installOpsGate } from './system/ops.js'
import { installScopeGuard } from './users/scope.js'

export interface BuildOptions {
  /** When route schemas compile: on each route's first call (the default, see api/compilers.ts), or all at start. */
  compileSchemas?: 'on-first-call' | 'at-start'
}

export async function buildApp(ctx: AppContext, o: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(o.compileSchemas === 'at-start' ? {} : { schemaController: deferredCompilers() }),
    loggerInstance: ctx.log.child({ subsystem: 'api' }) as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : newId()
    },
    requestIdHeader: false,
    trustProxy: ctx.config.api.trustProxy,
    bodyLimit: DEFAULT_BODY_LIMIT,
    frameworkErrors,
    ajv: { customOptions: AJV_OPTIONS },
  })
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id)
  })

  // Every route, swagger-ui's own included, answers errors in one shape and takes its access from
  // the role table: both go in before swagger-ui registers its routes.
  installErrorHandler(app)
  installRouteAccess(app)
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Entrepot API',
        version: '0.1.0',
        description: 'Multi-channel order, inventory and finance hub',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key: Bearer ep_…' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'ep_session',
            description: 'console session from POST /auth/login; writes also send x-csrf-token',
          },
          ops: { type: 'http', scheme: 'bearer', description: "operators' token (OPS_TOKEN)" },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } })

  await app.register(cookie)
  installStrictInput(app)
  installAuth(app, ctx)
  installOpsGate(app, ctx.config)
  installScopeGuard(app)
  installMetrics(app, ctx)
  await installConsole(app)
  for (const routes of ROUTE_MODULES) await app.register(async (scope) => routes(scope, ctx))
  return app
}
