import { cfets } from './cfets.js'
import { ecb } from './ecb.js'
import type { RateSource } from './types.js'

export const RATE_SOURCES = { ECB: ecb, CFETS: cfets } as const satisfies Record<string, RateSource>
export type RateSourceId = keyof typeof RATE_SOURCES
export { RateSourceError, type PublishedRate } from './types.js'
export { parseEcbCsv } from './ecb.js'
