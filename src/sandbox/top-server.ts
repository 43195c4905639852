/**
 * A sandbox TOP gateway (Taobao/Tmall open platform, shared/reference/cn-marketplaces.md §1) over
 * real HTTP at /router/rest: signed POSTs (urlencoded, or multipart/form-data as Alibaba's SDK sends
 * them) checked with the same signing code the connector uses (md5 / hmac / hmac-sha256 over the
 * sorted parameters), the ±10 min timestamp rule, the session, and TOP's error_response bodies. It serves generated trades the way
 * taobao.trades.sold.increment.get and taobao.trade.fullinfo.get give them (19-digit ids as bare
 * JSON numbers, yuan strings, OAID-masked receivers, newest-first paging, the 1-day window cap),
 * remembers stock updates per SKU and offline shipments, records refunds, and injects faults on
 * request. `sold` is its own record of what it sold, for tests to compute expected figures.
 */
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fromShanghai, toShanghai } from '../../connectors/cn/time.js'
import { SIGN_METHODS, signTop, type SignMethod } from '../../connectors/taobao/top.js'
import { money, sum, toAmount, truncate, ZERO } from '../money/index.js'
import { systemClock } from '../lib/clock.js'
import { createOrderGenerator, prng, type CatalogueItem, type GeneratedOrder } from './generator.js'
import { buildListings, type SandboxListing } from './catalogue.js'
import { topOAuth } from './top-oauth.js'
import { TOP_CATALOGUE_METHODS, TopCatalogueError, topCatalogueCall } from './taobao-catalogue.js'

/** limited: app call quota (code 7, accesscontrol.limited-by-app-access-count); isp: a platform-side error. */
export type TopFault = 'limited' | 'isp' | 'slow' | 'malformed'

export interface TopSandboxOptions {
  seed: number
  catalogue: readonly CatalogueItem[]
  appKey: string
  appSecret: string
  session: string
  /** The seller nick the OAuth page names and the token carries. */
  sellerNick?: string
  /** Share of paid trades whose buyer gets a sub-order refunded before shipping (仅退款). */
  refundRate?: number
  cancelRate?: number
  unpaidRate?: number
  slowMs?: number
  /** The item (宝贝) a SKU belongs to; default: the merchant code up to its first '-'. */
  itemKeyOf?: (skuCode: string) => string
}

type Obj = Record<string, unknown>
export type TopSold = GeneratedOrder & { externalId: string }
export interface TopShipment {
  tid: string
  companyCode: string
  outSid: string
  subTids: string[]
  at: Date
}

export interface TopSandbox {
  /** The gateway URL a shop's settings.baseUrl points at. */
  url: string
  /** The OAuth host (authorize page and token exchange) a shop's settings.oauthUrl points at. */
  oauthUrl: string
  /** Tokens the OAuth host has handed out. */
  readonly oauthGranted: number
  /** tid → the trade as taobao.trade.fullinfo.get returns it (ids as strings here). */
  trades: Map<string, Obj>
  refunds: Map<string, Obj>
  sold: TopSold[]
  /** Platform sku_id (or num_iid for items without SKUs) → last full quantity set. */
  stock: Map<string, { quantity: number; numIid: string; at: Date }>
  shipments: TopShipment[]
  /** Every accepted (authenticated) call by method name. */
  calls: Map<string, number>
  /** TMC messages published and not yet confirmed. */
  tmc: { id: string; topic: string; tid: string; at: Date }[]
  /** The items the shop lists (catalogue pull); edit them to show the merchant conflicts. */
  listings: SandboxListing[]
  itemIdOf(skuCode: string): string
  skuIdOf(skuCode: string): string
  generate(n: number, at?: Date): Obj[]
  /** A buyer closes an unpaid trade, or a paid unshipped one is refunded in full. */
  cancel(tid: string, at?: Date): void
  /** A sub-order (default the first open one) refunded in full. */
  refund(tid: string, oid?: string, at?: Date): Obj | null
  injectFault(fault: TopFault, count?: number): void
  close(): Promise<void>
}

const APP_LEVEL = new Set(['taobao.tmc.messages.consume', 'taobao.tmc.messages.confirm'])

/** Keys TOP sends as JSON numbers although they exceed 2^53. */
const BARE_NUMBER_KEYS = new Set(['tid', 'oid', 'num_iid', 'sku_id', 'refund_id', 'id', 'user_id'])
const LIST_WRAPPERS: Record<string, string> = {
  trades: 'trade',
  orders: 'order',
  promotion_details: 'promotion_detail',
  refunds: 'refund',
  skus: 'sku',
  items: 'item',
}
const WINDOW_CAP_MS = 24 * 3600_000
const CLOCK_SKEW_MS = 10 * 60_000
const REFUND_REASONS = ['不想要了', '拍错了/多拍了', '协商一致退款', '地址填写错误']

/** JSON text with the id keys as bare numbers, as the gateway writes them. */
/**
 * The text fields of a multipart/form-data body (RFC 7578): parts without a filename, decoded as
 * UTF-8 (TOP's charset). File parts (taobao.picture.upload's image…) are left out, as TOP leaves
 * them out of the signature.
 */
export function multipartFields(contentType: string, body: Buffer): Record<string, string> {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  if (!m) return {}
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`)
  const fields: Record<string, string> = {}
  let at = body.indexOf(delimiter)
  while (at >= 0) {
    const start = at + delimiter.length
    if (body.subarray(start, start + 2).toString() === '--') break // the closing delimiter
    const next = body.indexOf(delimiter, start)
    if (next < 0) break
    const part = body.subarray(start + 2, next - 2) // past the CRLF after the delimiter, before the CRLF ending the part
    const split = part.indexOf('\r\n\r\n')
    if (split >= 0) {
      const headers = part.subarray(0, split).toString('utf8')
      const disposition = /^content-disposition:\s*form-data;(.*)$/im.exec(headers)?.[1] ?? ''
      const name = /\bname="([^"]*)"/i.exec(disposition)?.[1]
      if (name !== undefined && !/\bfilename\*?=/i.test(disposition))
        fields[name] = part.subarray(split + 4).toString('utf8')
    }
    at = next
  }
  return fields
}

/** A POST body's fields: multipart/form-data or, by default, application/x-www-form-urlencoded. */
function formFields(contentType: string | undefined, body: Buffer): Record<string, string> {
  if (/^multipart\/form-data/i.test(contentType ?? '')) return multipartFields(contentType!, body)
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')))
}

function topJson(body: unknown): string {
  const marked = JSON.stringify(body, (k, v: unknown) =>
    BARE_NUMBER_KEYS.has(k) && typeof v === 'string' && /^\d+$/.test(v) ? `@@n${v}n@@` : v,
  )
  return marked.replace(/"@@n(\d+)n@@"/g, '$1')
}

/** simplify=false: lists wrapped once ({"orders":{"order":[…]}}), as the XML-derived shape has them. */
function wrapLists(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(wrapLists)
  if (typeof v !== 'object' || v === null) return v
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [
      k,
      Array.isArray(x) && LIST_WRAPPERS[k] ? { [LIST_WRAPPERS[k]]: x.map(wrapLists) } : wrapLists(x),
    ]),
  )
}

/** Only the fields asked for, as TOP does (`orders` and `promotion_details` come whole). */
function project(o: Obj, fields: string): Obj {
  const want = new Set(fields.split(',').map((f) => f.trim()))
  return Object.fromEntries(
    Object.entries(o).filter(([k, v]) => want.has(k) && v !== undefined && v !== null),
  )
}

const hash = (s: string) => createHash('sha256').update(s).digest('base64url')
const maskPhone = (p: string) => `${p.slice(0, 3)}****${p.slice(-4)}`

export async function startTopSandbox(opts: TopSandboxOptions): Promise<TopSandbox> {
  const gen = createOrderGenerator({
    seed: opts.seed,
    catalogue: opts.catalogue,
    start: systemClock.now(),
    intervalMs: 1,
    ...(opts.cancelRate !== undefined ? { cancelRate: opts.cancelRate } : {}),
    ...(opts.unpaidRate !== undefined ? { unpaidRate: opts.unpaidRate } : {}),
  })
  const rnd = prng(opts.seed ^ 0x7a0b)
  const itemKeyOf = opts.itemKeyOf ?? ((code: string) => code.split('-')[0]!)
  const itemKeys = [...new Set(opts.catalogue.map((c) => itemKeyOf(c.skuCode)))]
  const itemIds = new Map(
    itemKeys.map((k, i) => [k, String(612_345_000_000 + (opts.seed % 1000) * 1000 + i)]),
  )
  const skuIds = new Map(
    opts.catalogue.map((c, i) => [c.skuCode, String(4_987_650_000_000 + (opts.seed % 1000) * 10_000 + i)]),
  )
  const skuOwner = new Map(
    opts.catalogue.map((c) => [skuIds.get(c.skuCode)!, itemIds.get(itemKeyOf(c.skuCode))!]),
  )
  const listings = buildListings(
    opts.catalogue,
    {
      itemIdOf: (c) => itemIds.get(itemKeyOf(c))!,
      skuIdOf: (c) => skuIds.get(c)!,
      itemCodeOf: itemKeyOf,
    },
    new Date(),
  )
  const trades = new Map<string, Obj>()
  const refunds = new Map<string, Obj>()
  const sold: TopSold[] = []
  const stock = new Map<string, { quantity: number; numIid: string; at: Date }>()
  const shipments: TopShipment[] = []
  const calls = new Map<string, number>()
  /** TMC: messages published on trade and refund changes, delivered until confirmed (§1.11). */
  const tmc: { id: string; topic: string; tid: string; at: Date }[] = []
  let tmcSeq = 0
  const publish = (topic: string, tid: string, at: Date) =>
    tmc.push({ id: String(7_500_000_000_000_000_000n + BigInt(++tmcSeq)), topic, tid, at })
  const faults: TopFault[] = []
  const tidBase = 3_600_000_000_000_000_000n + BigInt(opts.seed % 1000) * 1_000_000_000_000n
  let requestSeq = 0
  let refundSeq = 0

  /** The generated order as a TOP trade, with line promotions (限时打折) and manual price changes added; returns the trade and what was really sold. */
  function toTrade(g: GeneratedOrder, at: Date): { trade: Obj; sold: TopSold } {
    const tid = (tidBase + BigInt(g.seq) * 10n).toString()
    const multi = g.lines.length > 1
    const pdShares = g.lines.map((l) => money(l.platformDiscount))
    const lineStatus =
      g.status === 'pending_payment'
        ? 'WAIT_BUYER_PAY'
        : g.status === 'cancelled'
          ? 'TRADE_CLOSED_BY_TAOBAO'
          : 'WAIT_SELLER_SEND_GOODS'
    const soldLines = g.lines.map((l, i) => {
      const goods = money(l.goods)
      const mjz = money(l.merchantDiscount)
      // Seller tools on the line: a 5% limited-time discount on some items, a manual cut of 1–5 yuan on a few.
      const discount = rnd() < 0.3 ? truncate(goods.mul(5).div(100)) : ZERO
      const cut = money(1 + Math.floor(rnd() * 5))
      const adjust =
        rnd() < 0.15 && goods.minus(discount).minus(mjz).minus(pdShares[i]!).gt(cut) ? cut.neg() : ZERO
      const totalFee = goods.plus(adjust).minus(discount)
      const merchant = discount.minus(adjust).plus(mjz)
      return {
        l,
        i,
        goods,
        mjz,
        discount,
        adjust,
        totalFee,
        merchant,
        divided: totalFee.minus(mjz),
        pd: pdShares[i]!,
      }
    })
    const merchantDiscount = sum(soldLines.map((x) => x.merchant))
    const platform = money(g.platformDiscount)
    const shipping = money(g.shipping)
    const goods = money(g.goods)
    const payment = goods.minus(platform).minus(merchantDiscount).plus(shipping)
    const oidOf = (i: number) => (multi ? (BigInt(tid) + BigInt(i + 1)).toString() : tid)
    const created = new Date(at.getTime() - 60_000 - Math.floor(rnd() * 600) * 1000)
    const paid = g.status === 'paid'
    const [first] = [...g.receiver.name]
    const address = `${g.receiver.address.replace(/\d/g, '*')}`
    const orders = soldLines.map((x) => {
      const item = itemIds.get(itemKeyOf(x.l.skuCode))!
      return {
        oid: oidOf(x.i),
        oid_str: oidOf(x.i),
        status: lineStatus,
        num_iid: item,
        sku_id: skuIds.get(x.l.skuCode) ?? null,
        outer_iid: itemKeyOf(x.l.skuCode),
        outer_sku_id: x.l.skuCode,
        title: x.l.title,
        sku_properties_name: `规格:${x.l.skuCode}`,
        price: x.l.unitPrice,
        num: x.l.quantity,
        total_fee: toAmount(x.totalFee),
        discount_fee: toAmount(x.discount),
        adjust_fee: toAmount(x.adjust),
        part_mjz_discount: toAmount(x.mjz),
        divide_order_fee: toAmount(x.divided),
        // §1.4: a single sub-order's payment includes the postage; several sub-orders' exclude it.
        payment: toAmount(x.divided.minus(x.pd).plus(multi ? ZERO : shipping)),
        refund_status: 'NO_REFUND',
        seller_type: 'C',
      }
    })
    const promotions = [
      ...soldLines
        .filter((x) => !x.discount.isZero())
        .map((x) => ({
          id: oidOf(x.i),
          promotion_id: `Tmall$tmallItemPromotion-${30000 + x.i}_${g.seq}`,
          promotion_name: '限时打折',
          discount_fee: toAmount(x.discount),
        })),
      ...(g.merchantDiscount !== '0.00'
        ? [
            {
              id: tid,
              promotion_id: `mjs-${opts.seed}_${g.seq}`,
              promotion_name: `满${money(g.merchantDiscount).eq(10) ? 100 : 50}减${money(g.merchantDiscount).toFixed(0)}`,
              discount_fee: g.merchantDiscount,
              kd_discount_fee: g.merchantDiscount,
            },
          ]
        : []),
    ]
    const trade: Obj = {
      tid,
      tid_str: tid,
      status: lineStatus,
      type: 'fixed',
      created: toShanghai(created),
      modified: toShanghai(at),
      pay_time: paid ? toShanghai(new Date(created.getTime() + 20_000)) : undefined,
      end_time: g.status === 'cancelled' ? toShanghai(at) : undefined,
      total_fee: g.goods,
      payment: toAmount(payment),
      discount_fee: toAmount(sum(soldLines.map((x) => x.discount.plus(x.mjz)))),
      adjust_fee: multi ? '0.00' : toAmount(soldLines[0]!.adjust),
      post_fee: g.shipping,
      platform_subsidy_fee: g.platformDiscount,
      received_payment: '0.00',
      coupon_fee: 0,
      point_fee: 0,
      shipping_type: 'express',
      step_trade_status: undefined,
      buyer_nick: g.buyer.nick,
      buyer_open_uid: `AAH${hash(g.buyer.id).slice(0, 21)}`,
      buyer_message: g.buyerNote ?? undefined,
      seller_flag: 0,
      alipay_no: `${toShanghai(created).slice(0, 10).replace(/-/g, '')}22001${tid.slice(-15)}`,
      receiver_name: `${first}**`,
      receiver_mobile: maskPhone(g.receiver.phone),
      receiver_state: g.receiver.province,
      receiver_city: g.receiver.city,
      receiver_district: g.receiver.district,
      receiver_address: address,
      receiver_zip: g.receiver.postcode,
      receiver_country: '',
      oaid: hash(`${g.receiver.name}${g.receiver.phone}${g.receiver.address}${toShanghai(created)}`)
        .repeat(2)
        .slice(0, 76),
      is_part_consign: false,
      orders,
      promotion_details: promotions,
    }
    const soldRecord: TopSold = {
      ...g,
      externalId: tid,
      lines: g.lines.map((l, i) => ({
        ...l,
        merchantDiscount: toAmount(soldLines[i]!.merchant),
        paid: toAmount(soldLines[i]!.goods.minus(soldLines[i]!.merchant).minus(soldLines[i]!.pd)),
      })),
      merchantDiscount: toAmount(merchantDiscount),
      paid: toAmount(payment),
    }
    return { trade, sold: soldRecord }
  }

  const linesOf = (t: Obj) => t.orders as Obj[]
  const touch = (t: Obj, at: Date) => {
    const prev = fromShanghai(t.modified)?.getTime() ?? 0
    t.modified = toShanghai(new Date(Math.max(at.getTime(), prev + 1000)))
    publish('taobao_trade_TradeChanged', String(t.tid), at)
  }

  function refundLine(t: Obj, line: Obj, at: Date): Obj {
    const id = String(70_000_000_000_000 + (opts.seed % 1000) * 1_000_000 + ++refundSeq)
    const shipped = line.status === 'WAIT_BUYER_CONFIRM_GOODS'
    line.status = 'TRADE_CLOSED'
    line.refund_status = 'SUCCESS'
    line.refund_id = id
    const open = linesOf(t).filter((l) => l.status !== 'TRADE_CLOSED')
    if (open.length === 0) {
      t.status = 'TRADE_CLOSED'
      t.end_time = toShanghai(at)
    }
    touch(t, at)
    const r: Obj = {
      refund_id: id,
      tid: t.tid,
      oid: line.oid,
      title: line.title,
      buyer_nick: t.buyer_nick,
      seller_nick: 'sandbox旗舰店',
      total_fee: line.total_fee,
      refund_fee: line.payment,
      payment: '0.00',
      status: 'SUCCESS',
      good_status: shipped ? 'BUYER_RETURNED_GOODS' : 'BUYER_NOT_RECEIVED',
      has_good_return: shipped,
      created: toShanghai(at),
      modified: t.modified,
      order_status: shipped ? 'WAIT_BUYER_CONFIRM_GOODS' : 'WAIT_SELLER_SEND_GOODS',
      refund_phase: shipped ? 'aftersale' : 'onsale',
      num: line.num,
      reason: REFUND_REASONS[refundSeq % REFUND_REASONS.length],
      desc: '',
    }
    refunds.set(id, r)
    return r
  }

  // ------------------------------------------------------------------------------------------
  // The gateway
  // ------------------------------------------------------------------------------------------

  class TopError extends Error {
    constructor(
      readonly code: number,
      msg: string,
      readonly subCode?: string,
      readonly subMsg?: string,
    ) {
      super(msg)
    }
  }
  const isvInvalid = (subMsg: string) =>
    new TopError(15, 'Remote service error', 'isv.invalid-parameter', subMsg)

  function authenticate(p: Record<string, string>): void {
    if (!p.method) throw new TopError(21, 'Missing method')
    if (!p.app_key) throw new TopError(28, 'Missing app key')
    if (p.app_key !== opts.appKey) throw new TopError(29, 'Invalid app key')
    if (!p.timestamp) throw new TopError(30, 'Missing timestamp')
    const at = fromShanghai(p.timestamp)
    if (!at || Math.abs(at.getTime() - systemClock.now().getTime()) > CLOCK_SKEW_MS)
      throw new TopError(
        31,
        'Invalid timestamp',
        'isv.invalid-timestamp',
        '时间戳超出允许的误差范围（±10分钟）',
      )
    if (!p.sign) throw new TopError(24, 'Missing signature')
    const method = (p.sign_method ?? 'md5') as SignMethod
    if (!(SIGN_METHODS as readonly string[]).includes(method))
      throw new TopError(
        25,
        'Invalid signature',
        'isv.invalid-signature',
        `unsupported sign_method ${method}`,
      )
    // The same code path the connector signs with (connectors/taobao/top.ts → connectors/cn/sign.ts).
    if (signTop(opts.appSecret, p, method) !== p.sign.toUpperCase())
      throw new TopError(25, 'Invalid signature', 'isv.invalid-signature')
    if (APP_LEVEL.has(p.method ?? '')) return // TMC calls are the app's, not a seller's
    if (!p.session) throw new TopError(26, 'Missing session')
    if (p.session !== opts.session)
      throw new TopError(27, 'Invalid session', 'invalid-sessionkey', 'SessionKey非法')
  }

  function listWindow(p: Record<string, string>): { from: Date; to: Date; pageNo: number; pageSize: number } {
    for (const k of ['fields', 'start_modified', 'end_modified'])
      if (!p[k]) throw new TopError(40, `Missing required arguments:${k}`)
    const from = fromShanghai(p.start_modified)
    const to = fromShanghai(p.end_modified)
    if (!from || !to) throw new TopError(41, 'Invalid arguments:start_modified/end_modified')
    if (to < from) throw isvInvalid('end_modified不能早于start_modified')
    // §1.4: end_modified − start_modified ≤ 1 day.
    if (to.getTime() - from.getTime() > WINDOW_CAP_MS)
      throw isvInvalid('start_modified和end_modified的时间间隔不能超过一天')
    const pageNo = Number(p.page_no ?? 1)
    const pageSize = Number(p.page_size ?? 40)
    if (!Number.isInteger(pageNo) || pageNo < 1) throw new TopError(41, 'Invalid arguments:page_no')
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
      throw new TopError(
        41,
        'Invalid arguments:page_size',
        'isv.invalid-parameter',
        'page_size的取值范围为1-100',
      )
    return { from, to, pageNo, pageSize }
  }

  /** Newest-first page of the items modified in [start, end], with total_results or has_next. */
  function listPage(items: Obj[], p: Record<string, string>, listKey: string, idKey: string): Obj {
    const w = listWindow(p)
    const all = items
      .filter((o) => {
        const m = fromShanghai(o.modified)
        return m !== null && m >= w.from && m <= w.to
      })
      .sort(
        (a, b) =>
          String(b.modified).localeCompare(String(a.modified)) ||
          (BigInt(String(b[idKey])) > BigInt(String(a[idKey])) ? 1 : -1),
      )
    const page = all
      .slice((w.pageNo - 1) * w.pageSize, w.pageNo * w.pageSize)
      .map((o) => project(o, p.fields!))
    const hasNext = w.pageNo * w.pageSize < all.length
    return {
      ...(page.length > 0 ? { [listKey]: page } : {}),
      ...(p.use_has_next === 'true' ? { has_next: hasNext } : { total_results: all.length }),
    }
  }

  function setQuantities(numIid: string, entries: [string, number][], type: string): void {
    if (![...itemIds.values()].includes(numIid))
      throw new TopError(15, 'Remote service error', 'isv.item-not-exist', `商品${numIid}不存在`)
    for (const [skuId, q] of entries) {
      if (skuOwner.get(skuId) !== numIid)
        throw new TopError(15, 'Remote service error', 'isv.sku-not-exist', `SKU ${skuId}不属于商品${numIid}`)
      if (!Number.isInteger(q) || (type === '1' && q < 0)) throw isvInvalid(`库存数量${q}不合法`)
    }
    const now = systemClock.now()
    for (const [skuId, q] of entries)
      stock.set(skuId, {
        quantity: type === '2' ? Math.max(0, (stock.get(skuId)?.quantity ?? 0) + q) : q,
        numIid,
        at: now,
      })
  }

  function offlineSend(p: Record<string, string>): Obj {
    for (const k of ['tid', 'out_sid', 'company_code'])
      if (!p[k]) throw new TopError(40, `Missing required arguments:${k}`)
    const t = trades.get(p.tid!)
    if (!t)
      throw new TopError(
        15,
        'Remote service error',
        'isv.logistics-offline-service-error:B01',
        `交易${p.tid}不存在`,
      )
    const subTids = p.is_split === '1' && p.sub_tid ? p.sub_tid.split(',') : []
    const lines = linesOf(t)
    const chosen =
      subTids.length > 0
        ? subTids.map((oid) => lines.find((l) => l.oid === oid))
        : lines.filter((l) => l.status === 'WAIT_SELLER_SEND_GOODS')
    // ❓ the exact sub_code for "wrong trade state": B04 is what ERP forums quote for 订单状态不正确.
    if (chosen.length === 0 || chosen.some((l) => !l || l.status !== 'WAIT_SELLER_SEND_GOODS'))
      throw new TopError(
        15,
        'Remote service error',
        'isv.logistics-offline-service-error:B04',
        '订单状态不正确，不能发货',
      )
    const now = systemClock.now()
    for (const l of chosen as Obj[]) {
      l.status = 'WAIT_BUYER_CONFIRM_GOODS'
      l.consign_time = toShanghai(now)
      l.invoice_no = p.out_sid
      l.logistics_company = p.company_code
    }
    const waiting = lines.some((l) => l.status === 'WAIT_SELLER_SEND_GOODS')
    t.status = waiting ? 'SELLER_CONSIGNED_PART' : 'WAIT_BUYER_CONFIRM_GOODS'
    t.is_part_consign = subTids.length > 0
    t.consign_time = t.consign_time ?? toShanghai(now)
    touch(t, now)
    shipments.push({ tid: p.tid!, companyCode: p.company_code!, outSid: p.out_sid!, subTids, at: now })
    return { shipping: { is_success: true } }
  }

  function dispatch(p: Record<string, string>): Obj {
    switch (p.method ?? '') {
      case 'taobao.trades.sold.increment.get':
        return listPage([...trades.values()], p, 'trades', 'tid')
      case 'taobao.refunds.receive.get':
        return listPage([...refunds.values()], p, 'refunds', 'refund_id')
      case 'taobao.trade.fullinfo.get': {
        if (!p.tid || !p.fields)
          throw new TopError(40, `Missing required arguments:${p.tid ? 'fields' : 'tid'}`)
        const t = trades.get(p.tid)
        if (!t) throw new TopError(15, 'Remote service error', 'isv.trade-not-exist', `交易${p.tid}不存在`)
        return { trade: project(t, p.fields) }
      }
      case 'taobao.skus.quantity.update': {
        const spec = p.skuid_quantities ?? ''
        if (!p.num_iid || !spec)
          throw new TopError(40, `Missing required arguments:${p.num_iid ? 'skuid_quantities' : 'num_iid'}`)
        const entries = spec
          .split(';')
          .filter(Boolean)
          .map((e) => e.split(':') as [string, string])
        if (entries.length > 20 || entries.some((e) => e.length !== 2 || !/^-?\d+$/.test(e[1])))
          throw isvInvalid('skuid_quantities格式为 skuId:数量;… 且最多20个')
        setQuantities(
          p.num_iid,
          entries.map(([s, q]) => [s, Number(q)]),
          p.type ?? '1',
        )
        return {
          item: {
            num_iid: p.num_iid,
            modified: toShanghai(systemClock.now()),
            skus: entries.map(([s]) => ({ sku_id: s, quantity: stock.get(s)!.quantity })),
          },
        }
      }
      case 'taobao.item.quantity.update': {
        if (!p.num_iid || p.quantity === undefined)
          throw new TopError(40, `Missing required arguments:${p.num_iid ? 'quantity' : 'num_iid'}`)
        const q = Number(p.quantity)
        if (p.sku_id) setQuantities(p.num_iid, [[p.sku_id, q]], p.type ?? '1')
        else {
          if (![...itemIds.values()].includes(p.num_iid))
            throw new TopError(15, 'Remote service error', 'isv.item-not-exist', `商品${p.num_iid}不存在`)
          if (!Number.isInteger(q) || q < 0) throw isvInvalid(`库存数量${p.quantity}不合法`)
          stock.set(p.num_iid, { quantity: q, numIid: p.num_iid, at: systemClock.now() })
        }
        return { item: { num_iid: p.num_iid, num: q, modified: toShanghai(systemClock.now()) } }
      }
      case 'taobao.logistics.offline.send':
        return offlineSend(p)
      case 'taobao.tmc.messages.consume': {
        const quantity = Math.min(200, Math.max(10, Number(p.quantity ?? '100') || 100))
        // Unconfirmed messages are delivered again on the next consume (at least once).
        return {
          messages: tmc.slice(0, quantity).map((m) => ({
            id: m.id,
            topic: m.topic,
            pub_time: toShanghai(m.at),
            pub_app_key: opts.appKey,
            user_id: '2200755781234',
            user_nick: '茶具旗舰店',
            content: `{"tid":${m.tid},"seller_nick":"茶具旗舰店","status":${JSON.stringify(trades.get(m.tid)?.status ?? '')}}`,
          })),
        }
      }
      case 'taobao.tmc.messages.confirm': {
        const ids = new Set((p.s_message_ids ?? '').split(',').filter(Boolean))
        if (ids.size === 0) throw new TopError(40, 'Missing required arguments:s_message_ids')
        for (let i = tmc.length - 1; i >= 0; i--) if (ids.has(tmc[i]!.id)) tmc.splice(i, 1)
        return { is_success: true }
      }
      default:
        if (!TOP_CATALOGUE_METHODS.has(p.method ?? ''))
          throw new TopError(22, 'Invalid method', 'isv.method-not-exist', `方法${p.method}不存在`)
        try {
          return topCatalogueCall(p.method!, p, {
            listings,
            quantityOf: (sku) => stock.get(sku.skuId)?.quantity ?? sku.initialStock,
          })
        } catch (err) {
          if (!(err instanceof TopCatalogueError)) throw err
          throw new TopError(err.code, err.message, err.subCode, err.subMsg)
        }
    }
  }

  const send = (res: ServerResponse, text: string): void =>
    void res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' }).end(text)
  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = []
      req
        .on('data', (d: Buffer) => chunks.push(d))
        .on('end', () => resolve(Buffer.concat(chunks)))
        .on('error', reject)
    })

  const oauth = topOAuth({
    appKey: opts.appKey,
    appSecret: opts.appSecret,
    session: opts.session,
    sellerNick: opts.sellerNick ?? '沙箱测试店铺',
    sellerId: '2200755781234',
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox')
    if (oauth.handles(url)) return oauth.serve(req, res, url, await readBody(req))
    if (url.pathname !== '/router/rest')
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found')
    // System parameters may ride in the query (Alibaba's SDK puts them there), the rest in the body:
    // urlencoded, or multipart/form-data as the SDK sends it — its file parts are not signed.
    const params: Record<string, string> = Object.fromEntries(url.searchParams)
    if (req.method === 'POST')
      Object.assign(params, formFields(req.headers['content-type'], await readBody(req)))
    const requestId = `${(++requestSeq).toString(36)}${hash(String(requestSeq)).slice(0, 10)}`
    const simplify = params.simplify === 'true'
    try {
      authenticate(params)
      calls.set(params.method!, (calls.get(params.method!) ?? 0) + 1)
      const fault = faults.shift()
      if (fault === 'limited')
        throw new TopError(
          7,
          'App Call Limited',
          'accesscontrol.limited-by-app-access-count',
          'This ban will last for 1 more seconds',
        )
      if (fault === 'isp')
        throw new TopError(
          15,
          'Remote service error',
          'isp.top-remote-connection-timeout',
          '远程服务调用超时',
        )
      if (fault === 'slow') await new Promise((r) => setTimeout(r, opts.slowMs ?? 2000))
      if (fault === 'malformed')
        return send(res, '{"trades_sold_increment_get_response":{"trades":[{"tid":36')
      const payload = { ...dispatch(params), request_id: requestId }
      send(
        res,
        topJson(
          simplify
            ? payload
            : {
                [`${params.method!.replace(/^taobao\./, '').replace(/\./g, '_')}_response`]:
                  wrapLists(payload),
              },
        ),
      )
    } catch (err) {
      if (!(err instanceof TopError)) throw err
      send(
        res,
        topJson({
          error_response: {
            code: err.code,
            msg: err.message,
            ...(err.subCode ? { sub_code: err.subCode } : {}),
            ...(err.subMsg ? { sub_msg: err.subMsg } : {}),
            request_id: requestId,
          },
        }),
      )
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) =>
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))

  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: `${origin}/router/rest`,
    oauthUrl: origin,
    get oauthGranted() {
      return oauth.granted
    },
    trades,
    refunds,
    sold,
    stock,
    shipments,
    calls,
    tmc,
    listings,
    itemIdOf: (code) => itemIds.get(itemKeyOf(code))!,
    skuIdOf: (code) => skuIds.get(code)!,
    generate(n, at = systemClock.now()) {
      return gen.batch(n).map((g) => {
        const { trade, sold: record } = toTrade(g, at)
        trades.set(String(trade.tid), trade)
        sold.push(record)
        publish(
          g.status === 'paid' ? 'taobao_trade_TradeBuyerPay' : 'taobao_trade_TradeCreate',
          String(trade.tid),
          at,
        )
        if (g.status === 'paid' && rnd() < (opts.refundRate ?? 0.05))
          refundLine(trade, linesOf(trade)[0]!, at)
        return trade
      })
    },
    cancel(tid, at = systemClock.now()) {
      const t = trades.get(tid)
      if (!t) return
      if (t.status === 'WAIT_BUYER_PAY') {
        t.status = 'TRADE_CLOSED_BY_TAOBAO'
        for (const l of linesOf(t)) l.status = 'TRADE_CLOSED_BY_TAOBAO'
        t.end_time = toShanghai(at)
        touch(t, at)
      } else if (t.status === 'WAIT_SELLER_SEND_GOODS') {
        for (const l of linesOf(t)) if (l.status === 'WAIT_SELLER_SEND_GOODS') refundLine(t, l, at)
      }
    },
    refund(tid, oid, at = systemClock.now()) {
      const t = trades.get(tid)
      const line = t
        ? linesOf(t).find((l) =>
            oid
              ? l.oid === oid
              : l.status === 'WAIT_SELLER_SEND_GOODS' || l.status === 'WAIT_BUYER_CONFIRM_GOODS',
          )
        : undefined
      return t && line && line.status !== 'TRADE_CLOSED' ? refundLine(t, line, at) : null
    },
    injectFault(fault, count = 1) {
      for (let i = 0; i < count; i++) faults.push(fault)
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
