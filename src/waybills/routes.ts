/**
 * Waybill accounts, defaults, getting waybills for parcels or a whole wave, cancel, print tasks and
 * labels. Print data never appears in an answer except inside a print task, and never in a log.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Auth } from '../api/auth.js'
import { Type, type Static } from 'typebox'
import { checkOutboundUrl } from '../../connectors/outbound.js'
import { SHOP_CHANNEL, WAYBILL_PROVIDERS, type WaybillProvider } from '../../connectors/waybill/types.js'
import { waybillClient } from '../../connectors/waybill/index.js'
import type { AppContext } from '../context.js'
import { AppError, invalid, mustOwn, notFound } from '../api/errors.js'
import { DEFAULT_LIMIT, Page, PageQuery, pageOf, readCursor } from '../api/pagination.js'
import { Id, IdParams, Int, Nullable, Timestamp, errorResponses, iso } from '../api/schemas.js'
import { apiActor, audit } from '../audit/repo.js'
import { withTx } from '../db/tx.js'
import { shopScope } from '../users/scope.js'
import { renderLabelPdf, LABEL_SIZES, type LabelSize } from './label.js'
import {
  clearDefault,
  createAccount,
  getAccount,
  getWaybill,
  listAccounts,
  listDefaults,
  listWaybills,
  setAccountCredentials,
  setDefault,
  updateAccount,
  type AccountRow,
  type WaybillRow,
} from './repo.js'
import {
  cancelWaybill,
  issueWaybills,
  printTasks,
  refreshAccount,
  waveParcels,
  WaybillError,
} from './service.js'
import { WAYBILL_STATUSES, type Sender } from './tables.js'

const S = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max })
const AddressSchema = Type.Object(
  {
    country: Type.Optional(Nullable(S(64))),
    province: S(20, 1),
    city: S(20, 1),
    district: S(20),
    town: Type.Optional(Nullable(S(30))),
    detail: S(256, 1),
    postcode: Type.Optional(Nullable(S(16))),
  },
  { additionalProperties: false },
)
const SenderSchema = Type.Object(
  {
    name: S(40, 1),
    mobile: S(20, 1),
    phone: Type.Optional(Nullable(S(20))),
    company: Type.Optional(Nullable(S(100))),
    address: AddressSchema,
    addressId: Type.Optional(Nullable(S(64))),
  },
  { additionalProperties: false },
)
const SettingsSchema = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
  maxProperties: 30,
  description:
    'provider settings: userId, templateUrl / templateUrls {cpCode: url}, monthlyCard (SF), vendorCode/vendorName (JD), erpId/isvName (PDD component), service + carrierAccounts (EasyPost)',
})
const CredentialsSchema = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 500 }), {
  maxProperties: 10,
  description:
    'SF: partnerId, checkWord · EasyPost: apiKey. Marketplace accounts use their shop’s authorisation.',
})
const BranchSchema = Type.Object({
  branchCode: Type.String(),
  branchName: Type.String(),
  quantity: Nullable(
    Type.Integer({ description: 'remaining numbers (余额); null when the provider reports none' }),
  ),
  allocated: Nullable(Type.Integer()),
  cancelled: Nullable(Type.Integer()),
  addresses: Type.Array(AddressSchema),
})
const AccountSchema = Type.Object({
  id: Type.String(),
  provider: Type.Enum(WAYBILL_PROVIDERS),
  name: Type.String(),
  shopId: Nullable(Type.String()),
  baseUrl: Nullable(Type.String()),
  settings: Type.Record(Type.String(), Type.Unknown()),
  sender: Nullable(SenderSchema),
  hasCredentials: Type.Boolean(),
  subscriptions: Type.Array(
    Type.Object({
      cpCode: Type.String(),
      carrier: Type.String({ description: "the hub's carrier code for cpCode (OTHER when it has none)" }),
      cpType: Nullable(Type.Integer()),
      branches: Type.Array(BranchSchema),
    }),
  ),
  checkedAt: Nullable(Timestamp),
  checkError: Nullable(Type.String()),
  active: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
const accountJson = (a: AccountRow) => ({
  id: a.id,
  provider: a.provider,
  name: a.name,
  shopId: a.shop_id,
  baseUrl: a.base_url,
  settings: a.settings,
  sender: Object.keys(a.sender).length ? (a.sender as Sender) : null,
  hasCredentials: a.credentials_enc !== null,
  subscriptions: (a.subscriptions ?? []).map((s) => ({
    ...s,
    carrier: waybillClient(a.provider).carrierOf(s.cpCode),
  })),
  checkedAt: iso(a.checked_at),
  checkError: a.check_error,
  active: a.active === 1,
  createdAt: a.created_at.toISOString(),
  updatedAt: a.updated_at.toISOString(),
})

const WaybillSchema = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  shipmentGroupId: Nullable(Type.String()),
  parcelNo: Type.Integer(),
  accountId: Type.String(),
  provider: Type.Enum(WAYBILL_PROVIDERS),
  status: Type.Enum(WAYBILL_STATUSES),
  cpCode: Type.String({ description: "carrier code in the provider's code space" }),
  realCpCode: Nullable(Type.String()),
  carrier: Type.String(),
  branchCode: Nullable(Type.String()),
  waybillCode: Nullable(Type.String()),
  parentWaybillCode: Nullable(Type.String()),
  printKind: Nullable(Type.Enum(['component', 'label'])),
  printCount: Type.Integer(),
  printedAt: Nullable(Timestamp),
  errorCode: Nullable(Type.String()),
  errorMessage: Nullable(Type.String({ description: "the provider's error in its own words" })),
  shipmentId: Nullable(Type.String()),
  issuedAt: Nullable(Timestamp),
  cancelledAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
const waybillJson = (w: WaybillRow) => ({
  id: w.id,
  orderId: w.order_id,
  shipmentGroupId: w.shipment_group_id || null,
  parcelNo: w.parcel_no,
  accountId: w.account_id,
  provider: w.provider,
  status: w.status,
  cpCode: w.cp_code,
  realCpCode: w.real_cp_code,
  carrier: w.carrier,
  branchCode: w.branch_code,
  waybillCode: w.waybill_code,
  parentWaybillCode: w.parent_waybill_code,
  printKind: w.print_kind,
  printCount: w.print_count,
  printedAt: iso(w.printed_at),
  errorCode: w.error_code,
  errorMessage: w.error_message,
  shipmentId: w.shipment_id,
  issuedAt: iso(w.issued_at),
  cancelledAt: iso(w.cancelled_at),
  createdAt: w.created_at.toISOString(),
  updatedAt: w.updated_at.toISOString(),
})

const OutcomeSchema = Type.Object({
  orderId: Type.String(),
  shipmentGroupId: Nullable(Type.String()),
  parcelNo: Type.Integer(),
  result: Type.Enum(['issued', 'existing', 'failed', 'in_progress']),
  waybillId: Nullable(Type.String()),
  waybillCode: Nullable(Type.String()),
  carrier: Nullable(Type.String()),
  cpCode: Nullable(Type.String()),
  errorCode: Nullable(Type.String()),
  message: Nullable(
    Type.String({ description: "the provider's error in its own words, or the hub's reason" }),
  ),
})

const PrintTaskSchema = Type.Object({
  waybillId: Type.String(),
  waybillCode: Type.String(),
  kind: Type.Enum(['component', 'label']),
  component: Type.Optional(Type.Enum(['cainiao', 'pdd', 'douyin', 'jd'])),
  componentUrl: Type.Optional(
    Type.String({ description: "the print component's WebSocket on the packer's PC" }),
  ),
  message: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), { description: 'send as is over the WebSocket' }),
  ),
  labelUrl: Type.Optional(Type.String({ description: 'a PDF label the hub renders' })),
})

const waybillError = (err: unknown): never => {
  if (err instanceof WaybillError)
    throw new AppError(
      err.status === 404 ? 'not_found' : 'conflict',
      err.message,
      err.status === 422 ? 409 : err.status,
      { reason: err.reason },
    )
  throw err
}

export async function waybillRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['waybills']

  async function checkBaseUrl(url: string | null | undefined): Promise<void> {
    if (!url) return
    const problem = await checkOutboundUrl(url, { allowPrivate: ctx.config.outbound.allowPrivate })
    if (problem) throw invalid(`baseUrl ${problem}`, { field: 'body/baseUrl' })
  }

  // ---------------------------------------------------------------------------------- accounts
  app.get(
    '/waybill-accounts',
    {
      schema: {
        tags,
        summary: 'Waybill accounts with their carriers, branches, sender and last known balance',
        querystring: Type.Object({ provider: Type.Optional(Type.Enum(WAYBILL_PROVIDERS)), ...PageQuery }),
        response: { 200: Page(AccountSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const after = readCursor(cursor, ['string'])?.[0]
      const rows = await listAccounts(ctx.db, req.auth.merchantId, {
        limit: limit + 1,
        shopIds: shopScope(req.auth),
        ...(req.query.provider ? { provider: req.query.provider } : {}),
        ...(after ? { after } : {}),
      })
      const { items, next } = pageOf(rows, limit, (a) => [a.id])
      return { items: items.map(accountJson), next }
    },
  )

  app.post(
    '/waybill-accounts',
    {
      schema: {
        tags,
        summary:
          'Add a waybill account: a marketplace e-waybill service through a shop, or SF / EasyPost with credentials',
        body: Type.Object(
          {
            provider: Type.Enum(WAYBILL_PROVIDERS),
            name: S(100, 1),
            shopId: Type.Optional(Id),
            baseUrl: Type.Optional(Type.String({ maxLength: 500, format: 'uri' })),
            settings: Type.Optional(SettingsSchema),
            sender: Type.Optional(SenderSchema),
            credentials: Type.Optional(CredentialsSchema),
          },
          { additionalProperties: false },
        ),
        response: { 201: AccountSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { merchantId } = req.auth
      const b = req.body
      const channel = SHOP_CHANNEL[b.provider]
      if (channel) {
        if (!b.shopId)
          throw invalid(`a ${b.provider} account issues through a ${channel} shop: give shopId`, {
            field: 'body/shopId',
          })
        const shop = await ctx.db
          .selectFrom('shops')
          .select('channel')
          .where('merchant_id', '=', merchantId)
          .where('id', '=', b.shopId)
          .executeTakeFirst()
        if (!shop) throw notFound('shop', b.shopId)
        if (shop.channel !== channel)
          throw invalid(`a ${b.provider} account needs a ${channel} shop; this one is ${shop.channel}`, {
            field: 'body/shopId',
          })
        if (b.credentials)
          throw invalid(`a ${b.provider} account uses its shop's authorisation, not credentials`, {
            field: 'body/credentials',
          })
      } else {
        if (b.shopId) throw invalid(`a ${b.provider} account is not tied to a shop`, { field: 'body/shopId' })
        missingCredentials(b.provider, b.credentials ?? {})
      }
      await checkBaseUrl(b.baseUrl)
      const id = await withTx(ctx.db, async (tx) => {
        const created = await createAccount(tx, ctx.config.secretKey, merchantId, {
          provider: b.provider,
          name: b.name,
          shopId: b.shopId ?? null,
          baseUrl: b.baseUrl ?? null,
          settings: b.settings ?? {},
          sender: b.sender ?? null,
          credentials: b.credentials ?? null,
        })
        await audit(tx, merchantId, {
          ...apiActor(req.auth),
          action: 'waybill_account.create',
          entityType: 'waybill_account',
          entityId: created,
          detail: { provider: b.provider, name: b.name, shopId: b.shopId ?? null },
        })
        return created
      })
      return reply.status(201).send(accountJson((await getAccount(ctx.db, merchantId, id))!))
    },
  )

  const ownAccount = async (merchantId: string, id: string, scope: readonly string[] | null) => {
    const a = await getAccount(ctx.db, merchantId, id)
    if (!a || (scope && a.shop_id && !scope.includes(a.shop_id))) throw notFound('waybill account', id)
    return a
  }

  app.get(
    '/waybill-accounts/:id',
    { schema: { tags, params: IdParams, response: { 200: AccountSchema, ...errorResponses } } },
    async (req) => accountJson(await ownAccount(req.auth.merchantId, req.params.id, shopScope(req.auth))),
  )

  app.patch(
    '/waybill-accounts/:id',
    {
      schema: {
        tags,
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(S(100, 1)),
            baseUrl: Type.Optional(Nullable(Type.String({ maxLength: 500, format: 'uri' }))),
            settings: Type.Optional(SettingsSchema),
            sender: Type.Optional(SenderSchema),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: AccountSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      await ownAccount(merchantId, req.params.id, shopScope(req.auth))
      await checkBaseUrl(req.body.baseUrl)
      await withTx(ctx.db, async (tx) => {
        await updateAccount(tx, merchantId, req.params.id, req.body, ctx.clock.now())
        await audit(tx, merchantId, {
          ...apiActor(req.auth),
          action: 'waybill_account.update',
          entityType: 'waybill_account',
          entityId: req.params.id,
          detail: { fields: Object.keys(req.body) },
        })
      })
      return accountJson((await getAccount(ctx.db, merchantId, req.params.id))!)
    },
  )

  app.put(
    '/waybill-accounts/:id/credentials',
    {
      schema: {
        tags,
        summary: 'Replace the hub-held credentials of an SF or EasyPost account (never returned)',
        params: IdParams,
        body: CredentialsSchema,
        response: { 200: AccountSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const a = await ownAccount(merchantId, req.params.id, shopScope(req.auth))
      if (SHOP_CHANNEL[a.provider])
        throw invalid(`a ${a.provider} account uses its shop's authorisation, not credentials`, {
          field: 'body',
        })
      missingCredentials(a.provider, req.body)
      await withTx(ctx.db, async (tx) => {
        await setAccountCredentials(tx, ctx.config.secretKey, merchantId, a.id, req.body, ctx.clock.now())
        await audit(tx, merchantId, {
          ...apiActor(req.auth),
          action: 'waybill_account.credentials',
          entityType: 'waybill_account',
          entityId: a.id,
          detail: { keys: Object.keys(req.body) },
        })
      })
      return accountJson((await getAccount(ctx.db, merchantId, a.id))!)
    },
  )

  app.post(
    '/waybill-accounts/:id/refresh',
    {
      schema: {
        tags,
        summary:
          "Ask the provider for the account's carriers, branches, sender addresses and balance (cainiao.waybill.ii.search and equivalents)",
        params: IdParams,
        response: { 200: AccountSchema, ...errorResponses },
      },
    },
    async (req) => {
      await ownAccount(req.auth.merchantId, req.params.id, shopScope(req.auth))
      return accountJson(await refreshAccount(ctx, req.auth.merchantId, req.params.id))
    },
  )

  // ---------------------------------------------------------------------------------- defaults
  const DefaultSchema = Type.Object({
    scope: Type.Enum(['shop', 'warehouse', 'order']),
    scopeId: Type.String(),
    accountId: Type.String(),
    cpCode: Type.String(),
    branchCode: Nullable(Type.String()),
    updatedAt: Timestamp,
  })
  const Choice = {
    accountId: Nullable(Id),
    cpCode: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    branchCode: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  }
  async function saveChoice(
    req: { auth: Auth },
    scope: 'shop' | 'warehouse' | 'order',
    scopeId: string,
    c: { accountId: string | null; cpCode?: string | undefined; branchCode?: string | null | undefined },
  ) {
    const { merchantId } = req.auth
    if (c.accountId) {
      const a = await getAccount(ctx.db, merchantId, c.accountId)
      if (!a) throw notFound('waybill account', c.accountId)
      if (!c.cpCode) throw invalid('cpCode names the carrier of the account to use', { field: 'body/cpCode' })
    }
    await withTx(ctx.db, async (tx) => {
      if (c.accountId)
        await setDefault(
          tx,
          merchantId,
          { scope, scopeId, accountId: c.accountId, cpCode: c.cpCode!, branchCode: c.branchCode ?? null },
          ctx.clock.now(),
        )
      else await clearDefault(tx, merchantId, scope, scopeId)
      await audit(tx, merchantId, {
        ...apiActor(req.auth),
        action: 'waybill_default.set',
        entityType: scope,
        entityId: scopeId,
        detail: { accountId: c.accountId, cpCode: c.cpCode ?? null, branchCode: c.branchCode ?? null },
      })
    })
  }

  app.get(
    '/waybill-defaults',
    {
      schema: {
        tags,
        summary: 'Default waybill account and carrier per shop and per warehouse, and per-order overrides',
        querystring: Type.Object({
          scope: Type.Optional(Type.Enum(['shop', 'warehouse', 'order'])),
          ...PageQuery,
        }),
        response: { 200: Page(DefaultSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = DEFAULT_LIMIT, cursor } = req.query
      const after = readCursor(cursor, ['string', 'string']) as
        ['shop' | 'warehouse' | 'order', string] | undefined
      const rows = await listDefaults(ctx.db, req.auth.merchantId, {
        limit: limit + 1,
        ...(req.query.scope ? { scope: req.query.scope } : {}),
        ...(after ? { after } : {}),
      })
      const { items, next } = pageOf(rows, limit, (d) => [d.scope, d.scope_id])
      return {
        items: items.map((d) => ({
          scope: d.scope,
          scopeId: d.scope_id,
          accountId: d.account_id,
          cpCode: d.cp_code,
          branchCode: d.branch_code,
          updatedAt: d.updated_at.toISOString(),
        })),
        next,
      }
    },
  )

  app.put(
    '/waybill-defaults',
    {
      schema: {
        tags,
        summary:
          'Set (or clear, with accountId null) the default waybill account and carrier of a shop or a warehouse',
        body: Type.Union([
          Type.Object({ shopId: Id, ...Choice }, { additionalProperties: false }),
          Type.Object({ warehouseId: Id, ...Choice }, { additionalProperties: false }),
        ]),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body
      if ('shopId' in b) {
        await mustOwn(ctx.db, req.auth.merchantId, 'shops', 'shop', [b.shopId])
        await saveChoice(req, 'shop', b.shopId, b)
      } else {
        await mustOwn(ctx.db, req.auth.merchantId, 'warehouses', 'warehouse', [b.warehouseId])
        await saveChoice(req, 'warehouse', b.warehouseId, b)
      }
      return reply.status(204).send(null)
    },
  )

  app.put(
    '/orders/:id/waybill-choice',
    {
      schema: {
        tags,
        summary:
          "Override the waybill account and carrier for one order (accountId null returns it to the shop's or warehouse's default)",
        params: IdParams,
        body: Type.Object(Choice, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await mustOwn(ctx.db, req.auth.merchantId, 'orders', 'order', [req.params.id])
      await saveChoice(req, 'order', req.params.id, req.body)
      return reply.status(204).send(null)
    },
  )

  // ---------------------------------------------------------------------------------- waybills
  const ParcelRefSchema = Type.Object(
    {
      orderId: Id,
      shipmentGroupId: Type.Optional(Nullable(Id)),
      parcelNo: Type.Optional(Int({ maximum: 19 })),
    },
    { additionalProperties: false },
  )
  app.post(
    '/shipments/waybills',
    {
      schema: {
        tags,
        summary:
          'Get a waybill for each parcel, or for every parcel of a wave in pick order: one number per parcel whatever the retries, the provider’s error per parcel',
        body: Type.Object(
          {
            waveId: Type.Optional(Id),
            parcels: Type.Optional(Type.Array(ParcelRefSchema, { minItems: 1, maxItems: 500 })),
            accountId: Type.Optional(Id),
            cpCode: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
            branchCode: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ parcels: Type.Array(OutcomeSchema) }), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const b = req.body
      if ((b.waveId ? 1 : 0) + (b.parcels ? 1 : 0) !== 1)
        throw invalid('give either waveId or parcels', { field: 'body' })
      if (b.accountId) {
        await ownAccount(merchantId, b.accountId, shopScope(req.auth))
        if (!b.cpCode)
          throw invalid('cpCode names the carrier of the account to use', { field: 'body/cpCode' })
      }
      let refs
      if (b.waveId) {
        await mustOwn(ctx.db, merchantId, 'waves', 'wave', [b.waveId])
        refs = await waveParcels(ctx.db, merchantId, b.waveId)
      } else {
        const parcels = b.parcels!
        await mustOwn(
          ctx.db,
          merchantId,
          'orders',
          'order',
          parcels.map((p) => p.orderId),
        )
        refs = parcels.map((p) => ({
          orderId: p.orderId,
          shipmentGroupId: p.shipmentGroupId ?? null,
          parcelNo: p.parcelNo ?? 0,
        }))
      }
      const parcels = await issueWaybills(ctx, merchantId, refs, {
        actor: apiActor(req.auth),
        ...(b.accountId
          ? { accountId: b.accountId, cpCode: b.cpCode!, branchCode: b.branchCode ?? null }
          : {}),
      })
      return { parcels }
    },
  )

  app.get(
    '/waybills',
    {
      schema: {
        tags,
        summary: 'Waybills, newest first (print data is never listed)',
        querystring: Type.Object({
          orderId: Type.Optional(Id),
          waveId: Type.Optional(Id),
          status: Type.Optional(Type.Enum(WAYBILL_STATUSES)),
          ...PageQuery,
        }),
        response: { 200: Page(WaybillSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const { limit = DEFAULT_LIMIT, cursor, orderId, waveId, status } = req.query
      const before = readCursor(cursor, ['string'])?.[0]
      let orderIds: string[] | undefined = orderId ? [orderId] : undefined
      if (waveId) {
        const inWave = (await waveParcels(ctx.db, merchantId, waveId)).map((p) => p.orderId)
        orderIds = orderIds ? orderIds.filter((o) => inWave.includes(o)) : inWave
      }
      const rows = await listWaybills(ctx.db, merchantId, {
        limit: limit + 1,
        shopIds: shopScope(req.auth),
        ...(orderIds ? { orderIds } : {}),
        ...(status ? { status } : {}),
        ...(before ? { before } : {}),
      })
      const { items, next } = pageOf(rows, limit, (w) => [w.id])
      return { items: items.map(waybillJson), next }
    },
  )

  app.get(
    '/waybills/:id',
    { schema: { tags, params: IdParams, response: { 200: WaybillSchema, ...errorResponses } } },
    async (req) => {
      const w = await getWaybill(ctx.db, req.auth.merchantId, req.params.id)
      if (!w) throw notFound('waybill', req.params.id)
      return waybillJson(w)
    },
  )

  app.post(
    '/waybills/:id/cancel',
    {
      schema: {
        tags,
        summary:
          'Cancel a waybill with its provider (a voided or re-packed parcel); the parcel may then take a new one',
        params: IdParams,
        response: { 200: WaybillSchema, ...errorResponses },
      },
    },
    async (req) => {
      const w = await cancelWaybill(ctx, req.auth.merchantId, req.params.id, apiActor(req.auth)).catch(
        waybillError,
      )
      return waybillJson(w)
    },
  )

  app.post(
    '/waybills/print-tasks',
    {
      schema: {
        tags,
        summary:
          "Print tasks in the order given (or a wave's pick order): for the platform's print component (opaque, encrypted data, sent by the packing station over the local WebSocket) or a PDF label the hub renders",
        body: Type.Object(
          {
            waybillIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 500 })),
            waveId: Type.Optional(Id),
            reprint: Type.Optional(Type.Boolean()),
            printer: Type.Optional(Type.String({ maxLength: 100 })),
            size: Type.Optional(Type.Enum(LABEL_SIZES)),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ tasks: Type.Array(PrintTaskSchema) }), ...errorResponses },
      },
    },
    async (req) => {
      const { merchantId } = req.auth
      const b = req.body
      if ((b.waveId ? 1 : 0) + (b.waybillIds ? 1 : 0) !== 1)
        throw invalid('give either waveId or waybillIds', { field: 'body' })
      let ids: string[]
      if (b.waveId) {
        await mustOwn(ctx.db, merchantId, 'waves', 'wave', [b.waveId])
        ids = []
        for (const p of await waveParcels(ctx.db, merchantId, b.waveId)) {
          const live = (await listWaybills(ctx.db, merchantId, { limit: 50, orderIds: [p.orderId] })).filter(
            (w) =>
              w.active_marker === 1 && w.waybill_code && w.shipment_group_id === (p.shipmentGroupId ?? ''),
          )
          ids.push(...live.sort((x, y) => x.parcel_no - y.parcel_no).map((w) => w.id))
        }
      } else {
        ids = b.waybillIds!
        const found = await Promise.all(ids.map((id) => getWaybill(ctx.db, merchantId, id)))
        const missing = ids.filter((_, i) => !found[i])
        if (missing.length) throw notFound('waybill', missing[0]!)
      }
      const tasks = await printTasks(ctx, merchantId, ids, {
        reprint: b.reprint ?? false,
        printer: b.printer ?? null,
        size: b.size ?? '76x130',
        actor: apiActor(req.auth),
      }).catch(waybillError)
      return { tasks }
    },
  )

  app.get(
    '/waybills/:id/label',
    {
      schema: {
        tags,
        summary:
          'The PDF label of a waybill whose provider returns printable data (SF, international), at 76×130 mm, 100×180 mm or 4×6 in',
        params: IdParams,
        querystring: Type.Object({ size: Type.Optional(Type.Enum(LABEL_SIZES)) }),
        response: {
          200: { description: 'the label', content: { 'application/pdf': { schema: Type.String() } } },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const w = await getWaybill(ctx.db, req.auth.merchantId, req.params.id)
      if (!w) throw notFound('waybill', req.params.id)
      if (w.print_kind !== 'label' || !w.label || !w.waybill_code || w.status === 'cancelled')
        throw new AppError(
          'conflict',
          `waybill ${w.waybill_code ?? w.id} has no hub-rendered label (its provider prints through its own component, or it is not issued)`,
          409,
          {
            reason: 'no_label',
          },
        )
      const size: LabelSize = req.query.size ?? (w.provider === 'easypost' ? '4x6' : '76x130')
      return (reply as FastifyReply)
        .type('application/pdf')
        .header('content-disposition', `inline; filename="label-${w.waybill_code}.pdf"`)
        .send(renderLabelPdf(w.label, size))
    },
  )
}

function missingCredentials(provider: WaybillProvider, c: Record<string, string>): void {
  const need = provider === 'sf' ? ['partnerId', 'checkWord'] : provider === 'easypost' ? ['apiKey'] : []
  const missing = need.filter((k) => !c[k])
  if (missing.length)
    throw invalid(`${provider} credentials need ${missing.join(', ')}`, {
      field: `body/credentials/${missing[0]}`,
    })
}

export type { Static }
