/**
 * One waybill per parcel (waybills.md §8). A parcel is (order, shipment group, parcel number); the
 * hub's own idempotency key is that parcel. Getting a waybill first claims the parcel's one live
 * row (a unique key; the loser of a race waits for the winner's number), then calls the provider
 * outside any transaction, then records the number — or the provider's error, in its own words —
 * on the row it claimed. A claim left by a process that died mid-call is taken over after
 * CLAIM_LEASE_MS; providers that repeat a number for the same order + package id (Douyin,
 * Kuaishou) make that takeover safe, and the others see the same object/package id again.
 *
 * Print data is stored as returned and never logged; a reprint refreshes it from the provider
 * (never a new number); a cancel goes to the issuing provider and frees the parcel for a new one.
 */
import { ConnectorError } from '../../connectors/errors.js'
import type { Receiver } from '../../connectors/types.js'
import { waybillClient } from '../../connectors/waybill/index.js'
import { printParams } from '../../connectors/waybill/douyin.js'
import {
  PRINT_COMPONENTS,
  SHOP_CHANNEL,
  type IssueOutcome,
  type ParcelRequest,
  type PrintPayload,
  type Recipient,
  type WaybillAccountContext,
} from '../../connectors/waybill/types.js'
import type { AppContext } from '../context.js'
import type { Executor } from '../db/connect.js'
import { isDuplicateKey } from '../db/errors.js'
import { withTx } from '../db/tx.js'
import { audit, type AuditEntry } from '../audit/repo.js'
import { newId } from '../lib/ids.js'
import { shopContext } from '../sync/shop-context.js'
import { MAIN } from '../fulfillment/groups.js'
import {
  chooseDefault,
  getAccount,
  getWaybill,
  liveWaybill,
  openCredentials,
  saveSubscriptions,
  type AccountRow,
  type WaybillRow,
} from './repo.js'
import type { Sender } from './tables.js'
import type { Parcel } from '../fulfillment/tables.js'

type Ctx = Pick<AppContext, 'db' | 'config' | 'clock' | 'log'>
export type Actor = Pick<AuditEntry, 'actorType' | 'actorId'>

export const CLAIM_LEASE_MS = 60_000
const WAIT_STEP_MS = 50
const WAIT_MAX_MS = 30_000

export class WaybillError extends Error {
  override name = 'WaybillError'
  constructor(
    readonly reason: string,
    message: string,
    readonly status: 404 | 409 | 422 = 409,
  ) {
    super(message)
  }
}

export async function accountContext(ctx: Ctx, acct: AccountRow): Promise<WaybillAccountContext> {
  const shop = acct.shop_id ? await shopContext(ctx, acct.merchant_id, acct.shop_id) : null
  return {
    id: acct.id,
    provider: acct.provider,
    baseUrl: acct.base_url,
    credentials: openCredentials(ctx.config.secretKey, acct),
    settings: acct.settings,
    shop: shop as WaybillAccountContext['shop'],
    clock: ctx.clock,
  }
}

/** Ask the provider for subscriptions, branches and balance; store the answer (or why it failed). */
export async function refreshAccount(ctx: Ctx, merchantId: string, accountId: string): Promise<AccountRow> {
  const acct = await getAccount(ctx.db, merchantId, accountId)
  if (!acct) throw new WaybillError('not_found', `waybill account ${accountId} not found`, 404)
  try {
    const subs = await waybillClient(acct.provider).search(await accountContext(ctx, acct))
    await saveSubscriptions(ctx.db, merchantId, accountId, { subscriptions: subs }, ctx.clock.now())
  } catch (err) {
    await saveSubscriptions(ctx.db, merchantId, accountId, { error: (err as Error).message }, ctx.clock.now())
  }
  return (await getAccount(ctx.db, merchantId, accountId))!
}

// ------------------------------------------------------------------------------------------------ issue

export interface ParcelRef {
  orderId: string
  /** null/'' = the order's own lines. */
  shipmentGroupId: string | null
  parcelNo: number
}

export interface ParcelOutcome {
  orderId: string
  shipmentGroupId: string | null
  parcelNo: number
  /** issued = a new number now; existing = the parcel had one (nothing taken); failed; in_progress = another request holds it. */
  result: 'issued' | 'existing' | 'failed' | 'in_progress'
  waybillId: string | null
  waybillCode: string | null
  carrier: string | null
  cpCode: string | null
  /** The provider's error code and message as it said them, or the hub's reason. */
  errorCode: string | null
  message: string | null
}

export interface IssueOptions {
  /** Override the defaults for these parcels (an order-level choice made at the packing station). */
  accountId?: string
  cpCode?: string
  branchCode?: string | null
  actor: Actor
}

const ORDER_CHANNEL: Record<string, string> = { taobao: 'TB', pdd: 'PDD', douyin: 'DY', jd: 'JD' }

interface Prepared {
  ref: ParcelRef
  group: string
  row: WaybillRow
  request: ParcelRequest
  acct: AccountRow
}

const outcomeOf = (
  ref: ParcelRef,
  w: WaybillRow | null,
  result: ParcelOutcome['result'],
  err?: { code: string; message: string },
): ParcelOutcome => ({
  orderId: ref.orderId,
  shipmentGroupId: ref.shipmentGroupId || null,
  parcelNo: ref.parcelNo,
  result,
  waybillId: w?.id ?? null,
  waybillCode: w?.waybill_code ?? null,
  carrier: w?.carrier ?? null,
  cpCode: w?.cp_code ?? null,
  errorCode: err?.code ?? w?.error_code ?? null,
  message: err?.message ?? w?.error_message ?? null,
})

function recipientOf(r: Receiver): Recipient {
  return {
    name: r.name ?? '',
    mobile: r.phone ?? '',
    address: {
      country: r.country,
      province: r.province ?? '',
      city: r.city ?? '',
      district: r.district ?? '',
      town: r.town,
      detail: r.address ?? '',
      postcode: r.postcode,
    },
    masked: r.masked,
    privacyRef: r.privacyRef,
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Get a waybill for each parcel: one number per parcel, whatever the retries and races. */
export async function issueWaybills(
  ctx: Ctx,
  merchantId: string,
  refs: readonly ParcelRef[],
  opts: IssueOptions,
): Promise<ParcelOutcome[]> {
  const outcomes = new Map<number, ParcelOutcome>()
  const claimed: (Prepared & { index: number })[] = []
  const waiting: { index: number; ref: ParcelRef; group: string }[] = []
  for (const [index, ref] of refs.entries()) {
    const group = ref.shipmentGroupId ?? MAIN
    const prep = await prepare(ctx, merchantId, ref, group, opts)
    if ('outcome' in prep) outcomes.set(index, prep.outcome)
    else if ('wait' in prep) waiting.push({ index, ref, group })
    else claimed.push({ ...prep, index })
  }
  // Call each provider with batches of its size, per account + carrier + branch.
  const batches = new Map<string, (Prepared & { index: number })[]>()
  for (const c of claimed) {
    const k = `${c.acct.id}|${c.row.cp_code}|${c.row.branch_code ?? ''}`
    batches.set(k, [...(batches.get(k) ?? []), c])
  }
  for (const list of batches.values()) {
    const { acct } = list[0]!
    const client = waybillClient(acct.provider)
    for (let i = 0; i < list.length; i += client.maxBatch) {
      const chunk = list.slice(i, i + client.maxBatch)
      let results: IssueOutcome[]
      try {
        const actx = await accountContext(ctx, acct)
        results = await client.issue(actx, {
          cpCode: chunk[0]!.row.cp_code,
          branchCode: chunk[0]!.row.branch_code,
          sender: acct.sender as Sender,
          templateUrl: templateUrlOf(acct, chunk[0]!.row.cp_code),
          parcels: chunk.map((c) => c.request),
        })
      } catch (err) {
        const code = err instanceof ConnectorError ? (err.detail.platformCode ?? err.kind) : 'error'
        results = chunk.map((c) => ({
          objectId: c.row.id,
          ok: false as const,
          code,
          message: (err as Error).message,
        }))
      }
      for (const c of chunk) {
        const r = results.find((x) => x.objectId === c.row.id) ?? {
          objectId: c.row.id,
          ok: false as const,
          code: 'missing',
          message: 'the provider answered without this parcel',
        }
        const saved = await record(ctx, merchantId, c.row, r, client.carrierOf.bind(client), opts.actor)
        outcomes.set(c.index, outcomeOf(c.ref, saved, r.ok ? 'issued' : 'failed'))
      }
    }
  }
  // Parcels another request was getting a number for: wait for its answer (never a second number).
  for (const w of waiting) {
    let row: WaybillRow | undefined
    for (let t = 0; t < WAIT_MAX_MS; t += WAIT_STEP_MS) {
      row = await liveWaybill(ctx.db, merchantId, {
        orderId: w.ref.orderId,
        group: w.group,
        parcelNo: w.ref.parcelNo,
      })
      if (row?.status !== 'requested') break
      await sleep(WAIT_STEP_MS)
    }
    outcomes.set(
      w.index,
      !row || row.status === 'requested'
        ? outcomeOf(w.ref, row ?? null, 'in_progress')
        : outcomeOf(w.ref, row, row.status === 'failed' ? 'failed' : 'existing'),
    )
  }
  return refs.map((_, i) => outcomes.get(i)!)
}

export function templateUrlOf(acct: AccountRow, cpCode: string): string | null {
  const s = acct.settings
  const map =
    typeof s.templateUrls === 'object' && s.templateUrls !== null
      ? (s.templateUrls as Record<string, unknown>)
      : {}
  const url = map[cpCode] ?? s.templateUrl
  if (typeof url === 'string' && url) return url
  if (acct.provider === 'cainiao') return 'http://cloudprint.cainiao.com/template/standard/101'
  if (acct.provider === 'pdd') return `https://file-link.pinduoduo.com/${cpCode.toLowerCase()}_one`
  return null
}

/** Resolve the order, its account and carrier, then claim the parcel's live row. */
async function prepare(
  ctx: Ctx,
  merchantId: string,
  ref: ParcelRef,
  group: string,
  opts: IssueOptions,
): Promise<{ outcome: ParcelOutcome } | { wait: true } | Prepared> {
  const fail = (code: string, message: string) => ({
    outcome: outcomeOf(ref, null, 'failed', { code, message }),
  })
  const order = await ctx.db
    .selectFrom('orders')
    .select(['id', 'shop_id', 'channel', 'external_id', 'status', 'receiver', 'merge_group_id'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', ref.orderId)
    .executeTakeFirst()
  if (!order) return fail('not_found', `order ${ref.orderId} not found`)
  const existing = await liveWaybill(ctx.db, merchantId, {
    orderId: ref.orderId,
    group,
    parcelNo: ref.parcelNo,
  })
  if (existing && ['issued', 'printed', 'shipped'].includes(existing.status))
    return { outcome: outcomeOf(ref, existing, 'existing') }
  if (!['allocated', 'picking'].includes(order.status))
    return fail(
      'order_not_shippable',
      `order ${order.external_id} is ${order.status}; waybills are for allocated or picking orders`,
    )
  const alloc = await ctx.db
    .selectFrom('stock_allocations')
    .select('warehouse_id')
    .where('merchant_id', '=', merchantId)
    .where('order_id', '=', order.id)
    .where('status', '=', 'open')
    .executeTakeFirst()
  const choice = opts.accountId
    ? { account_id: opts.accountId, cp_code: opts.cpCode ?? '', branch_code: opts.branchCode ?? null }
    : await chooseDefault(ctx.db, merchantId, {
        id: order.id,
        shopId: order.shop_id,
        warehouseId: alloc?.warehouse_id ?? null,
      })
  if (!choice)
    return fail('no_waybill_account', 'no waybill account is set for this order, its shop or its warehouse')
  const acct = await getAccount(ctx.db, merchantId, choice.account_id)
  if (!acct?.active) return fail('no_waybill_account', `waybill account ${choice.account_id} is not active`)
  const cpCode = choice.cp_code || firstCarrier(acct)
  if (!cpCode) return fail('no_carrier', `waybill account ${acct.name} has no carrier chosen`)
  const shopChannel = SHOP_CHANNEL[acct.provider]
  const receiver = order.receiver as Receiver
  // Masked receivers can only be addressed by the marketplace's own service (or Cainiao for Taobao).
  if (
    receiver.masked &&
    shopChannel !== order.channel &&
    !(acct.provider === 'cainiao' && order.channel === 'taobao')
  )
    return fail(
      'masked_receiver',
      `order ${order.external_id} has a masked ${order.channel} receiver: use that platform's e-waybill account`,
    )

  // Merged orders (合单): one waybill names every platform order of the group.
  const members =
    order.merge_group_id && group === MAIN
      ? await ctx.db
          .selectFrom('orders')
          .select('external_id')
          .where('merchant_id', '=', merchantId)
          .where('merge_group_id', '=', order.merge_group_id)
          .orderBy('id')
          .execute()
      : [{ external_id: order.external_id }]
  let lq = ctx.db
    .selectFrom('order_lines as l')
    .leftJoin('order_line_groups as g', (j) =>
      j.onRef('g.merchant_id', '=', 'l.merchant_id').onRef('g.order_line_id', '=', 'l.id'),
    )
    .select(['l.title', 'l.quantity'])
    .where('l.merchant_id', '=', merchantId)
    .where('l.order_id', '=', order.id)
  lq =
    group === MAIN ? lq.where('g.shipment_group_id', 'is', null) : lq.where('g.shipment_group_id', '=', group)
  const lines = await lq.orderBy('l.line_no').execute()

  const now = ctx.clock.now()
  const token = newId()
  const packageId = `${ref.parcelNo + 1}${group ? `_${group.slice(-6)}` : ''}`
  let row: WaybillRow | undefined
  if (!existing) {
    const id = newId()
    try {
      await ctx.db
        .insertInto('waybills')
        .values({
          id,
          merchant_id: merchantId,
          order_id: order.id,
          shipment_group_id: group,
          parcel_no: ref.parcelNo,
          active_marker: 1,
          account_id: acct.id,
          provider: acct.provider,
          status: 'requested',
          cp_code: cpCode,
          carrier: waybillClient(acct.provider).carrierOf(cpCode),
          branch_code: choice.branch_code,
          package_id: packageId,
          claim_token: token,
          claimed_at: now,
          attempts: 1,
          print_count: 0,
        })
        .execute()
      row = await getWaybill(ctx.db, merchantId, id)
    } catch (err) {
      if (!isDuplicateKey(err)) throw err
      const taken = await claimExisting(ctx, merchantId, ref, group, token, now)
      if (!('row' in taken)) return taken
      row = taken.row
    }
  } else {
    const taken = await claimExisting(ctx, merchantId, ref, group, token, now)
    if (!('row' in taken)) return taken
    row = taken.row
  }
  if (!row) return { wait: true }
  const request: ParcelRequest = {
    objectId: row.id,
    packageId: row.package_id,
    orderChannel: ORDER_CHANNEL[order.channel] ?? 'OTHERS',
    tradeOrderIds: members.map((m) => m.external_id),
    items: lines.map((l) => ({ name: l.title.slice(0, 60), count: l.quantity })),
    recipient: recipientOf(receiver),
  }
  // The claimed row keeps the account and carrier it was claimed with; a retry may change them.
  if (row.account_id !== acct.id || row.cp_code !== cpCode) {
    await ctx.db
      .updateTable('waybills')
      .set({
        account_id: acct.id,
        provider: acct.provider,
        cp_code: cpCode,
        carrier: waybillClient(acct.provider).carrierOf(cpCode),
        branch_code: choice.branch_code,
      })
      .where('id', '=', row.id)
      .where('claim_token', '=', token)
      .execute()
    row = {
      ...row,
      account_id: acct.id,
      provider: acct.provider,
      cp_code: cpCode,
      branch_code: choice.branch_code,
    }
  }
  return { ref, group, row, request, acct }
}

function firstCarrier(acct: AccountRow): string | null {
  const subs = acct.subscriptions ?? []
  return subs[0]?.cpCode ?? null
}

/** Take over a failed or abandoned claim (conditional update), or wait for the live one. */
async function claimExisting(
  ctx: Ctx,
  merchantId: string,
  ref: ParcelRef,
  group: string,
  token: string,
  now: Date,
): Promise<{ outcome: ParcelOutcome } | { wait: true } | { row: WaybillRow }> {
  const w = await liveWaybill(ctx.db, merchantId, { orderId: ref.orderId, group, parcelNo: ref.parcelNo })
  if (!w) return { wait: true }
  if (['issued', 'printed', 'shipped'].includes(w.status)) return { outcome: outcomeOf(ref, w, 'existing') }
  const stale = new Date(now.getTime() - CLAIM_LEASE_MS)
  const r = await ctx.db
    .updateTable('waybills')
    .set((eb) => ({
      status: 'requested',
      claim_token: token,
      claimed_at: now,
      attempts: eb('attempts', '+', 1),
      updated_at: now,
    }))
    .where('id', '=', w.id)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'failed'),
        eb.and([eb('status', '=', 'requested'), eb('claimed_at', '<', stale)]),
      ]),
    )
    .executeTakeFirst()
  if (Number(r.numUpdatedRows) !== 1) return { wait: true }
  return { row: (await getWaybill(ctx.db, merchantId, w.id))! }
}

/** Record a provider's answer on the row this request claimed, with its audit entry, in one transaction. */
async function record(
  ctx: Ctx,
  merchantId: string,
  row: WaybillRow,
  r: IssueOutcome,
  carrierOf: (cp: string) => string,
  actor: Actor,
): Promise<WaybillRow> {
  const now = ctx.clock.now()
  await withTx(ctx.db, async (tx) => {
    const upd = r.ok
      ? {
          status: 'issued' as const,
          waybill_code: r.waybillCode,
          parent_waybill_code: r.parentWaybillCode,
          real_cp_code: r.realCpCode,
          carrier: carrierOf(r.realCpCode) as WaybillRow['carrier'],
          provider_ref: r.providerRef ?? null,
          print_kind: r.print.kind,
          print_data: r.print.kind === 'component' ? printBlob(r.print) : null,
          label: r.print.kind === 'label' ? JSON.stringify(r.print.label) : null,
          error_code: null,
          error_message: null,
          issued_at: now,
          updated_at: now,
        }
      : {
          status: 'failed' as const,
          error_code: r.code.slice(0, 128),
          error_message: r.message.slice(0, 1000),
          updated_at: now,
        }
    const done = await tx
      .updateTable('waybills')
      .set(upd)
      .where('id', '=', row.id)
      .where('claim_token', '=', row.claim_token)
      .executeTakeFirst()
    if (Number(done.numUpdatedRows) !== 1) return
    await audit(tx, merchantId, {
      ...actor,
      action: r.ok ? 'waybill.issue' : 'waybill.issue_failed',
      entityType: 'waybill',
      entityId: row.id,
      detail: r.ok
        ? { orderId: row.order_id, provider: row.provider, cpCode: row.cp_code, waybillCode: r.waybillCode }
        : { orderId: row.order_id, provider: row.provider, code: r.code, message: r.message },
    })
  })
  return (await getWaybill(ctx.db, merchantId, row.id))!
}

/** What is stored of a component payload: the data verbatim, plus Douyin's sign beside it. */
function printBlob(p: Extract<PrintPayload, { kind: 'component' }>): string {
  return p.signature ? JSON.stringify({ printData: p.data, sign: p.signature }) : p.data
}

// ------------------------------------------------------------------------------------------------ cancel

export async function cancelWaybill(
  ctx: Ctx,
  merchantId: string,
  id: string,
  actor: Actor,
): Promise<WaybillRow> {
  const w = await getWaybill(ctx.db, merchantId, id)
  if (!w) throw new WaybillError('not_found', `waybill ${id} not found`, 404)
  if (w.status === 'cancelled')
    throw new WaybillError('already_cancelled', `waybill ${w.waybill_code ?? id} is already cancelled`)
  if (w.status === 'shipped')
    throw new WaybillError(
      'shipped',
      `waybill ${w.waybill_code} has shipped; intercept it with the carrier instead`,
    )
  const now = ctx.clock.now()
  if (w.waybill_code) {
    const acct = (await getAccount(ctx.db, merchantId, w.account_id))!
    try {
      await waybillClient(w.provider).cancel(await accountContext(ctx, acct), {
        cpCode: w.real_cp_code ?? w.cp_code,
        waybillCode: w.waybill_code,
        providerRef: w.provider_ref,
      })
    } catch (err) {
      throw new WaybillError('provider_refused', (err as Error).message)
    }
  } else if (
    w.status === 'requested' &&
    w.claimed_at &&
    w.claimed_at.getTime() > now.getTime() - CLAIM_LEASE_MS
  ) {
    throw new WaybillError(
      'in_progress',
      'a number is being requested for this parcel; cancel it once it has one',
    )
  }
  await withTx(ctx.db, async (tx) => {
    await tx
      .updateTable('waybills')
      .set({
        status: 'cancelled',
        active_marker: null,
        cancelled_at: now,
        claim_token: null,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('merchant_id', '=', merchantId)
      .execute()
    await audit(tx, merchantId, {
      ...actor,
      action: 'waybill.cancel',
      entityType: 'waybill',
      entityId: id,
      detail: { orderId: w.order_id, provider: w.provider, waybillCode: w.waybill_code },
    })
  })
  return (await getWaybill(ctx.db, merchantId, id))!
}

// ------------------------------------------------------------------------------------------------ print

export type PrintTask =
  | {
      waybillId: string
      waybillCode: string
      kind: 'component'
      component: keyof typeof PRINT_COMPONENTS
      /** Where the packer's browser sends it (the component on localhost). */
      componentUrl: string
      /** The message to send over the component's WebSocket, as its protocol wants it. */
      message: Record<string, unknown>
    }
  | { waybillId: string; waybillCode: string; kind: 'label'; labelUrl: string }

export interface PrintOptions {
  reprint: boolean
  printer: string | null
  size: '76x130' | '100x180' | '4x6'
  actor: Actor
}

/** Print tasks for waybills, in the order given (a wave's pick order); one document per task. */
export async function printTasks(
  ctx: Ctx,
  merchantId: string,
  ids: readonly string[],
  opts: PrintOptions,
): Promise<PrintTask[]> {
  const tasks: PrintTask[] = []
  for (const id of ids) {
    let w = await getWaybill(ctx.db, merchantId, id)
    if (!w) throw new WaybillError('not_found', `waybill ${id} not found`, 404)
    if (!w.waybill_code || !['issued', 'printed', 'shipped'].includes(w.status))
      throw new WaybillError(
        'not_printable',
        `waybill ${w.waybill_code ?? id} is ${w.status}; only issued waybills print`,
      )
    const acct = (await getAccount(ctx.db, merchantId, w.account_id))!
    const actx = await accountContext(ctx, acct)
    if (w.print_kind === 'component' && (opts.reprint || !w.print_data)) {
      // A reprint refreshes the print data from the provider (never a new number).
      let fresh: PrintPayload | null
      try {
        fresh = await waybillClient(w.provider).reprint(actx, {
          cpCode: w.real_cp_code ?? w.cp_code,
          waybillCode: w.waybill_code,
          objectId: w.id,
          providerRef: w.provider_ref,
        })
      } catch (err) {
        throw new WaybillError('provider_refused', (err as Error).message)
      }
      if (fresh?.kind === 'component') {
        await ctx.db
          .updateTable('waybills')
          .set({ print_data: printBlob(fresh), updated_at: ctx.clock.now() })
          .where('id', '=', w.id)
          .execute()
        w = (await getWaybill(ctx.db, merchantId, id))!
      }
    }
    tasks.push(taskOf(w, acct, actx, opts))
    const now = ctx.clock.now()
    await withTx(ctx.db, async (tx) => {
      await tx
        .updateTable('waybills')
        .set((eb) => ({
          print_count: eb('print_count', '+', 1),
          printed_at: now,
          updated_at: now,
          ...(w.status === 'issued' ? { status: 'printed' as const } : {}),
        }))
        .where('id', '=', w.id)
        .execute()
      await audit(tx, merchantId, {
        ...opts.actor,
        action: w.print_count > 0 || opts.reprint ? 'waybill.reprint' : 'waybill.print',
        entityType: 'waybill',
        entityId: w.id,
        detail: { waybillCode: w.waybill_code, printer: opts.printer },
      })
    })
  }
  return tasks
}

function taskOf(w: WaybillRow, acct: AccountRow, actx: WaybillAccountContext, opts: PrintOptions): PrintTask {
  const code = w.waybill_code!
  if (w.print_kind !== 'component')
    return {
      waybillId: w.id,
      waybillCode: code,
      kind: 'label',
      labelUrl: `/waybills/${w.id}/label?size=${opts.size}`,
    }
  const component = w.provider as keyof typeof PRINT_COMPONENTS
  const requestID = newId()
  const taskID = `t-${w.id}-${w.print_count + 1}`
  const raw = w.print_data ?? ''
  const parsed = parseObj(raw)
  let message: Record<string, unknown>
  switch (component) {
    case 'cainiao':
      message = {
        cmd: 'print',
        requestID,
        version: '1.0',
        task: {
          taskID,
          preview: false,
          printer: opts.printer ?? '',
          documents: [{ documentID: code, contents: [parsed] }],
        },
      }
      break
    case 'pdd':
      message = {
        cmd: 'print',
        requestID,
        version: '1.0',
        ERPId: setting(acct, 'erpId', ''),
        ISVName: setting(acct, 'isvName', 'Entrepot'),
        task: {
          taskID,
          preview: false,
          printer: opts.printer ?? '',
          documents: [{ documentID: code, contents: [{ ...parsed, userid: setting(acct, 'userId', '') }] }],
        },
      }
      break
    case 'douyin':
      message = {
        cmd: 'print',
        requestID,
        version: '1.0',
        task: {
          taskID,
          preview: false,
          printer: opts.printer ?? '',
          documents: [
            {
              documentID: code,
              contents: [
                {
                  // Minted now, per print: a signed getShopKey query the component calls itself.
                  params: printParams(actx),
                  encryptedData: typeof parsed.printData === 'string' ? parsed.printData : raw,
                  signature: typeof parsed.sign === 'string' ? parsed.sign : '',
                  templateURL: setting(acct, 'templateUrl', ''),
                },
              ],
            },
          ],
        },
      }
      break
    case 'jd':
      message = {
        orderType: 'PRINT',
        key: requestID,
        version: '2',
        parameters: {
          printName: opts.printer ?? '',
          contents: [{ tempUrl: setting(acct, 'templateUrl', ''), printData: raw }],
        },
      }
      break
  }
  return {
    waybillId: w.id,
    waybillCode: code,
    kind: 'component',
    component,
    componentUrl: PRINT_COMPONENTS[component],
    message,
  }
}

function setting(acct: AccountRow, key: string, fallback: string): string {
  const v = acct.settings[key]
  return typeof v === 'string' || typeof v === 'number' ? String(v) : fallback
}

function parseObj(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/** A wave's parcels in pick order (slot), one per order unit. */
export async function waveParcels(db: Executor, merchantId: string, waveId: string): Promise<ParcelRef[]> {
  const rows = await db
    .selectFrom('wave_orders')
    .select(['order_id', 'shipment_group_id'])
    .where('merchant_id', '=', merchantId)
    .where('wave_id', '=', waveId)
    .where('status', '=', 'in_wave')
    .orderBy('slot')
    .execute()
  return rows.map((r) => ({ orderId: r.order_id, shipmentGroupId: r.shipment_group_id || null, parcelNo: 0 }))
}

/**
 * The parcel a ship request names by its waybill: the waybill's carrier and number, and its
 * account's carrier code for the writeback to the same platform. The waybill must be live and
 * belong to the order (or to an order merged with it).
 */
export async function parcelOfWaybill(
  db: Executor,
  merchantId: string,
  orderId: string,
  waybillId: string,
  lineExternalIds: readonly string[],
): Promise<Parcel> {
  const w = await db
    .selectFrom('waybills as w')
    .innerJoin('orders as o', 'o.id', 'w.order_id')
    .select([
      'w.id',
      'w.order_id',
      'w.status',
      'w.carrier',
      'w.cp_code',
      'w.real_cp_code',
      'w.provider',
      'w.waybill_code',
      'w.parent_waybill_code',
      'o.merge_group_id',
    ])
    .where('w.merchant_id', '=', merchantId)
    .where('w.id', '=', waybillId)
    .executeTakeFirst()
  if (!w) throw new WaybillError('not_found', `waybill ${waybillId} not found`, 404)
  let mine = w.order_id === orderId
  if (!mine && w.merge_group_id) {
    const o = await db
      .selectFrom('orders')
      .select('merge_group_id')
      .where('merchant_id', '=', merchantId)
      .where('id', '=', orderId)
      .executeTakeFirst()
    mine = o?.merge_group_id === w.merge_group_id
  }
  if (!mine)
    throw new WaybillError('wrong_order', `waybill ${w.waybill_code ?? waybillId} belongs to another order`)
  if (!w.waybill_code || !['issued', 'printed', 'shipped'].includes(w.status))
    throw new WaybillError(
      'not_issued',
      `waybill ${w.waybill_code ?? waybillId} is ${w.status}; only an issued waybill ships`,
    )
  const code = w.real_cp_code ?? w.cp_code
  return {
    carrier: w.carrier,
    carrierName: w.carrier === 'OTHER' ? code : null,
    // Freight parent/child numbers ship with the parent (waybills.md §1.3).
    trackingNumber: w.parent_waybill_code ?? w.waybill_code,
    lineExternalIds: [...lineExternalIds],
    waybillId: w.id,
    platformCarrierCode: code,
    platformCarrierChannel: SHOP_CHANNEL[w.provider],
  }
}
