/**
 * Serves the web console (dist/console, built by Vite from src/console) on the API's own origin
 * under /app/, so browser paths like /app/orders never collide with GET /orders. Any /app/ path
 * that is not a file gets index.html (history fallback); hashed assets are cached for a year,
 * index.html never. `/` leads to the console.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'

export const CONSOLE_PREFIX = '/app'
export const CONSOLE_DIST = fileURLToPath(new URL('../../dist/console/', import.meta.url))

// antd writes its styles as <style> tags (CSS-in-JS): inline styles stay allowed, nothing else
// leaves the origin, so a console that tried to load a CDN font or script would fail visibly. The
// one way out is to this PC's own loopback: the packing station talks to the platforms' print
// components there over WebSocket (waybills.md §0; ports vary by component and setting).
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws://localhost:* ws://127.0.0.1:* wss://localhost:* wss://127.0.0.1:*",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ')

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY')
}

export async function installConsole(app: FastifyInstance, dist: string = CONSOLE_DIST): Promise<void> {
  app.addHook('onRoute', (route) => {
    if (route.url === '/' || route.url === CONSOLE_PREFIX || route.url.startsWith(`${CONSOLE_PREFIX}/`))
      route.config = { ...(route.config ?? {}), public: true }
  })
  app.get('/', { schema: { hide: true } }, (_req, reply) => reply.redirect(`${CONSOLE_PREFIX}/`))

  await app.register(
    async (scope) => {
      await scope.register(fastifyStatic, {
        root: dist,
        prefix: '/',
        wildcard: true,
        index: ['index.html'],
        cacheControl: false,
        setHeaders: (reply, path) => {
          const asset = path.includes('/assets/')
          reply.header('cache-control', asset ? 'public, max-age=31536000, immutable' : 'no-cache')
          if (asset) reply.header('x-content-type-options', 'nosniff')
          else securityHeaders(reply)
        },
      })
      scope.setNotFoundHandler(async (req, reply) => {
        const path = req.url.split('?')[0]!
        const looksLikeFile = /\.[A-Za-z0-9]{1,8}$/.test(path)
        if (req.method !== 'GET' || looksLikeFile) {
          return reply.status(404).send({
            error: { code: 'not_found', message: `route ${req.method} ${req.url} not found`, details: null },
          })
        }
        if (!existsSync(join(dist, 'index.html'))) {
          return securityHeaders(reply)
            .status(503)
            .type('text/html; charset=utf-8')
            .send(
              '<!doctype html><meta charset="utf-8"><title>Entrepot</title>' +
                '<p>The console is not built yet: run <code>npm run build:console</code> ' +
                '(or <code>npm start</code>, which builds it).</p>',
            )
        }
        return securityHeaders(reply).header('cache-control', 'no-cache').sendFile('index.html', dist)
      })
    },
    { prefix: CONSOLE_PREFIX },
  )
}
