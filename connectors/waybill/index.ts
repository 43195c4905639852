/** The e-waybill providers by name. */
import { cainiao } from './cainiao.js'
import { douyin } from './douyin.js'
import { easypost } from './easypost.js'
import { jd } from './jd.js'
import { pdd } from './pdd.js'
import { sf } from './sf.js'
import type { WaybillProvider, WaybillProviderClient } from './types.js'

export const WAYBILL_CLIENTS: Readonly<Record<WaybillProvider, WaybillProviderClient>> = {
  cainiao,
  pdd,
  douyin,
  jd,
  sf,
  easypost,
}

export const waybillClient = (p: WaybillProvider): WaybillProviderClient => WAYBILL_CLIENTS[p]
