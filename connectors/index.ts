/**
 * The connector registry: one line per channel. Connectors land one by one; when all seven are
 * here this becomes `satisfies Record<Channel, Connector>` so a missing channel is a compile error.
 */
import type { Channel } from '../src/db/schema.js'
import { selfstore } from './selfstore/index.js'
import { shopify } from './shopify/index.js'
import { woocommerce } from './woocommerce/index.js'
import type { Connector } from './types.js'

export const CONNECTORS: Partial<Record<Channel, Connector>> = {
  selfstore,
  shopify,
  woocommerce,
}

export function getConnector(channel: Channel): Connector {
  const c = CONNECTORS[channel]
  if (!c) throw new Error(`no connector for channel ${channel}`)
  return c
}

export const hasConnector = (channel: Channel): boolean => CONNECTORS[channel] !== undefined
