/**
 * The operators' routes (/metrics, /docs): on a loopback address they are open, the machine being
 * the boundary. With OPS_TOKEN set they need it, wherever the API listens: `Authorization: Bearer`
 * for a Prometheus scraper, or Basic with the token as password for a browser (which asks for it).
 * Beyond loopback without a token they are not served at all.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../../config/index.js'
import { AppError } from '../api/errors.js'

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

const digest = (s: string) => createHash('sha256').update(s).digest()

/** The token a request presents: a Bearer token, or the password of Basic credentials. */
function presented(req: FastifyRequest): string | null {
  const h = req.headers.authorization
  if (!h) return null
  const bearer = /^Bearer\s+(\S+)$/i.exec(h)
  if (bearer) return bearer[1]!
  const basic = /^Basic\s+(\S+)$/i.exec(h)
  if (!basic) return null
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? null : decoded.slice(colon + 1)
}

export function installOpsGate(app: FastifyInstance, config: Pick<Config, 'api'>): void {
  const token = config.api.opsToken
  const open = token === null && isLoopback(config.api.host)
  const expected = token === null ? null : digest(token)
  app.addHook('onRequest', async (req, reply) => {
    if (!req.routeOptions.config.ops || open) return
    if (expected === null)
      throw new AppError('not_found', `route ${req.method} ${req.url.split('?')[0]} not found`, 404)
    const given = presented(req)
    if (given !== null && timingSafeEqual(digest(given), expected)) return
    void reply.header('www-authenticate', 'Basic realm="entrepot-ops", charset="UTF-8"')
    throw new AppError('unauthorized', "this route needs the operators' token (OPS_TOKEN)", 401)
  })
}
