/**
 * A shop's settings on the hub side. Stored as the merchant gave them; read once when the shop is
 * loaded with its channel's schema (connectors/settings.ts): the hub's own settings are always
 * usable, the channel's only when valid, and every problem is kept to be shown (sync health, pull
 * errors) rather than failing silently.
 */
import { settingsSchemaOf } from '../../connectors/index.js'
import {
  describeProblem,
  readShopSettings,
  settingsProblems,
  type HubSettings,
  type SettingsProblem,
} from '../../connectors/settings.js'
import type { ShopSettings } from '../../connectors/types.js'
import type { Channel } from '../db/schema.js'
import { AppError } from '../api/errors.js'

export interface ParsedSettings {
  /** The hub's own settings, defaults applied; an invalid value is replaced by its default. */
  hub: HubSettings
  /** Everything the connector reads, typed; null when the channel's settings cannot work. */
  channel: ShopSettings | null
  problems: SettingsProblem[]
}

export function parseSettings(channel: Channel, stored: unknown): ParsedSettings {
  const r = readShopSettings(settingsSchemaOf(channel), stored)
  return { hub: r.hub, channel: r.value as ShopSettings | null, problems: r.problems }
}

/** Schema problems of settings about to be saved (unknown keys included). */
export const schemaProblems = (channel: Channel, settings: unknown): SettingsProblem[] =>
  settingsProblems(settingsSchemaOf(channel), settings)

/** The 400 a save answers when settings have problems; each problem names its field and rule. */
export function settingsRejected(problems: readonly SettingsProblem[], status: 400 | 422 = 400): AppError {
  const message = problems.map((p) => `body/settings${p.path} ${p.message}`).join('; ')
  return new AppError('validation_failed', message, status, {
    field: 'body/settings',
    problems: problems.map((p) => ({ ...p, field: `body/settings${p.path}` })),
  })
}

/** One line naming why a shop's settings cannot work (pull errors, push errors). */
export const cannotWork = (problems: readonly SettingsProblem[]): string =>
  `the shop settings cannot work: ${problems.map(describeProblem).join('; ')}`
