/**
 * One pino root for the API, the workers and the CLI, with subsystem children. Secrets are
 * redacted by path wherever they could appear: headers, shop credentials, tokens.
 */
import { pino, type Logger, type LoggerOptions } from 'pino'

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  '*.credentials',
  'credentials',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.appSecret',
  '*.app_secret',
  '*.consumerSecret',
  '*.consumer_secret',
  '*.secret',
  '*.password',
  '*.token',
  'config.secretKey',
]

export function loggerOptions(level: string, pretty: boolean): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  }
}

export function createLogger(level = 'info', pretty = false, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level, false), destination) : pino(loggerOptions(level, pretty))
}

export type Subsystem =
  | 'api'
  | 'db'
  | 'jobs'
  | 'sync'
  | 'connector'
  | 'orders'
  | 'inventory'
  | 'fulfillment'
  | 'ledger'
  | 'cli'
  | 'sandbox'

export const subsystem = (root: Logger, name: Subsystem): Logger => root.child({ subsystem: name })
export type { Logger }
