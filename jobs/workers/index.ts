/** One processor per queue; a queue without a worker is a compile error. */
import type { Job } from 'bullmq'
import type { AppContext } from '../../src/context.js'
import type { JobPayloads, QueueName } from '../queues.js'
import { alertDeliver, alertScan, alertTick } from './alerts.js'
import { cataloguePull } from './catalogue-pull.js'
import { inventoryOrderEvent } from './inventory-order-event.js'
import { ledgerOrderEvent } from './ledger-order-event.js'
import { ratePull, ratePullTick } from './rate-pull.js'
import { shipmentWriteback } from './shipment-writeback.js'
import { shopPull } from './shop-pull.js'
import { stockPush } from './stock-push.js'
import { syncTick } from './sync-tick.js'
import { webhookProcess } from './webhook-process.js'

export type Processor<Q extends QueueName> = (job: Job<JobPayloads[Q]>, token?: string) => Promise<unknown>

export const PROCESSORS = {
  'sync-tick': syncTick,
  'shop-pull': shopPull,
  'inventory-order-event': inventoryOrderEvent,
  'ledger-order-event': ledgerOrderEvent,
  'stock-push': stockPush,
  'webhook-process': webhookProcess,
  'shipment-writeback': shipmentWriteback,
  'catalogue-pull': cataloguePull,
  'alert-tick': alertTick,
  'alert-scan': alertScan,
  'alert-deliver': alertDeliver,
  'rate-pull-tick': ratePullTick,
  'rate-pull': ratePull,
} satisfies { [Q in QueueName]: (ctx: AppContext) => Processor<Q> }
