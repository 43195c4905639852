/** The connector registry: one line per channel; a channel without a connector is a compile error. */
import type { TObject } from 'typebox'
import type { Channel } from './types.js'
import { douyin } from './douyin/index.js'
import { jd } from './jd/index.js'
import { pdd } from './pdd/index.js'
import { selfstore } from './selfstore/index.js'
import { shopify } from './shopify/index.js'
import { taobao } from './taobao/index.js'
import { woocommerce } from './woocommerce/index.js'
import type { Connector } from './types.js'

export const CONNECTORS: Record<Channel, Connector> = {
  douyin,
  jd,
  pdd,
  selfstore,
  shopify,
  taobao,
  woocommerce,
} satisfies Record<Channel, Connector>

export const getConnector = (channel: Channel): Connector => CONNECTORS[channel]

/** A channel's shop settings schema (the hub's own settings plus the channel's): forms render from it. */
export const settingsSchemaOf = (channel: Channel): TObject => CONNECTORS[channel].settingsSchema
