/**
 * A sandbox Pinduoduo gateway (cn-marketplaces.md §3) over real HTTP: `/api/router` takes signed
 * form POSTs (API name in `type`, epoch-second `timestamp`, MD5 signature checked with the
 * connector's own algorithm), answers `<api>_response` objects or `error_response` with PDD's codes
 * (the doc's 返回错误码 table: 10000 参数错误, 10001 公共参数错误, 10016 client_id, 10017 type,
 * 10019 access_token已过期, 20004 签名sign校验失败, 20032 access_token或client_id错误, 52101 限流,
 * 52103 服务暂时不可用). It enforces the 30-minute window and page_size ≤ 100 of the increment APIs,
 * serves generated orders with yuan as bare JSON numbers written from exact decimal text, masked
 * receivers with `~…~` ciphertexts, remembers stock updates and shipments, serves after-sales
 * records, and the daily 货款明细 bill (URL + UTF-8-with-BOM CSV, columns per
 * intl-and-settlements.md §D.2) built from what it sold. Faults on request; a `sold` record.
 *
 * Bill rows per paid order, posted at its pay time: 交易收入 (pay_amount), 优惠券结算 (the
 * platform-funded discount PDD pays back), 技术服务费 (serviceFeeRate × pay_amount, to the cent,
 * half up); per refund, 退款 at the refund time. ⚠ PDD credits 货款 only after receipt; the sandbox
 * posts at payment so a short demo sees money move.
 */
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { md5Sign } from '../../connectors/cn/sign.js'
import { fromShanghai, toShanghai } from '../../connectors/cn/time.js'
import { money, round, sum, toAmount, type Decimal } from '../money/index.js'
import { systemClock } from '../lib/clock.js'
import { createOrderGenerator, type CatalogueItem, type GeneratedOrder } from './generator.js'
import {
  soldOrderOf,
  type CnSandbox,
  type CnSandboxFault,
  type SandboxShipment,
  type SoldOrder,
} from './jd-server.js'
import { Bare, wholeSecond, wire, type Wire } from './wire.js'
import { buildListings, type SandboxListing } from './catalogue.js'
import { pddCatalogueCall, PDD_CATALOGUE_TYPES } from './pdd-catalogue.js'

export type { CnSandboxFault, SandboxShipment, SoldOrder } from './jd-server.js'

export interface PddSandboxOptions {
  seed: number
  catalogue: readonly CatalogueItem[]
  clientId: string
  clientSecret: string
  accessToken: string
  clock?: () => Date
  slowMs?: number
  /** 技术服务费 rate on pay_amount, exact decimal text (default 0.006). */
  serviceFeeRate?: string
}

export interface PddBillRow {
  orderSn: string
  at: Date
  income: string | null
  expense: string | null
  type: string
  memo: string
  desc: string
}

export interface PddSandbox extends CnSandbox {
  calls: { type: string; params: Record<string, string> }[]
  /** Every bill row posted so far (the content of the day files). */
  bill: PddBillRow[]
  goodsIdOf(skuCode: string): string
  /** The goods the shop lists (catalogue pull); edit them to show the merchant conflicts. */
  listings: SandboxListing[]
}

/** A yuan amount as PDD writes it: a bare JSON number, shortest exact text (19.9, 8, 0.6). */
const yuan = (amount: string | Decimal) => new Bare(round(money(amount)).toFixed())
const WINDOW_CAP_S = 30 * 60
const PAGE_SIZE_MAX = 100
const cipher = (tag: number, text: string) => `~AgAAAAFh${Buffer.from(text).toString('base64')}~${tag}~`

interface PddOrderRecord {
  sold: SoldOrder
  g: GeneratedOrder
  goodsIds: string[]
  orderStatus: 1 | 2 | 3
  refundStatus: 1 | 4
  afterSales: 0 | 10
  updatedAt: Date
  shippingTime: Date | null
  trackingNumber: string
  logisticsId: string
}

interface PddRefundRecord {
  id: string
  orderSn: string
  skuId: string
  goodsId: string
  count: number
  price: string
  amount: string
  at: Date
  title: string
  skuCode: string
}

function renderOrder(o: PddOrderRecord): Wire {
  const { sold: s, g } = o
  const r = g.receiver
  const t = toShanghai(s.createdAt)
  const discount = money(s.platformDiscount).plus(s.merchantDiscount)
  return {
    order_sn: s.orderId,
    order_status: o.orderStatus,
    refund_status: o.refundStatus,
    after_sales_status: o.afterSales,
    confirm_status: 1,
    group_status: 1,
    risk_control_status: 0,
    trade_type: 0,
    mkt_biz_type: 0,
    is_pre_sale: 0,
    is_lucky_flag: 1,
    step_order_info: null,
    goods_amount: yuan(s.goods),
    order_change_amount: 0,
    discount_amount: yuan(discount),
    platform_discount: yuan(s.platformDiscount),
    seller_discount: yuan(s.merchantDiscount),
    capital_free_discount: 0,
    duo_duo_pay_reduction: 0,
    postage: yuan(s.shipping),
    service_fee_detail: [],
    pay_amount: yuan(s.paid),
    promotion_detail_list: [],
    created_time: t,
    confirm_time: t,
    pay_time: t,
    shipping_time: o.shippingTime ? toShanghai(o.shippingTime) : '',
    receive_time: '',
    updated_at: toShanghai(o.updatedAt),
    last_ship_time: toShanghai(new Date(s.createdAt.getTime() + 48 * 3600_000)),
    item_list: s.lines.map((l, i) => ({
      goods_id: new Bare(o.goodsIds[i]!),
      sku_id: new Bare(l.skuId),
      outer_goods_id: l.skuCode.replace(/-[^-]*$/, ''),
      outer_id: l.skuCode,
      goods_name: l.title,
      goods_spec: '默认',
      goods_price: yuan(l.unitPrice),
      goods_count: l.quantity,
      goods_img: `https://img.pddpic.com/sandbox/${l.skuId}.jpeg`,
    })),
    gift_list: [],
    receiver_name: cipher(0, r.name),
    receiver_name_mask: `${r.name.slice(0, 1)}**`,
    receiver_phone: cipher(1, r.phone),
    receiver_phone_mask: `${r.phone.slice(0, 3)}****${r.phone.slice(-4)}`,
    receiver_address: cipher(2, r.address),
    receiver_address_mask: r.address.replace(/\d+号$/, '**号'),
    address: cipher(3, `${r.province}${r.city}${r.district}${r.address}`),
    address_mask: `${r.province}${r.city}${r.district}${r.address.replace(/\d+号$/, '**号')}`,
    country: '中国',
    country_id: 0,
    province: r.province,
    city: r.city,
    town: r.district,
    tracking_number: o.trackingNumber,
    logistics_id: o.logisticsId === '' ? 0 : new Bare(o.logisticsId),
    pay_type: 'WEIXIN',
    pay_no: `42000021${s.orderId.replace(/\D/g, '').slice(-20)}`,
    inner_transaction_id: '',
    remark: '',
    remark_tag: 0,
    buyer_memo: g.buyerNote ?? '',
    order_tag_list: [],
  }
}

function renderRefund(r: PddRefundRecord, o: PddOrderRecord): Wire {
  const t = toShanghai(r.at)
  return {
    id: new Bare(r.id),
    order_sn: r.orderSn,
    after_sales_type: 2,
    after_sales_status: 10,
    after_sale_reason: '不想要了',
    refund_amount: yuan(r.amount),
    order_amount: yuan(o.sold.paid),
    discount_amount: yuan(money(o.sold.platformDiscount).plus(o.sold.merchantDiscount)),
    goods_id: new Bare(r.goodsId),
    sku_id: r.skuId,
    outer_goods_id: r.skuCode.replace(/-[^-]*$/, ''),
    outer_id: r.skuCode,
    goods_name: r.title,
    goods_number: String(r.count),
    goods_price: money(r.price).toFixed(),
    good_image: '',
    tracking_number: '',
    shipping_name: '',
    created_time: t,
    updated_time: t,
    confirm_time: toShanghai(o.sold.createdAt),
    dispute_refund_status: 0,
    speed_refund_flag: 0,
    speed_refund_status: '0',
    user_shipping_status: '0',
    refund_operator_role: 2,
  }
}

const BILL_HEADER = [
  '商户订单号',
  '发生时间',
  '收入金额（+元）',
  '支出金额（-元）',
  '账务类型',
  '备注',
  '业务描述',
]
const BILL_CODES: Record<string, string> = {
  交易收入: '0010002',
  优惠券结算: '0010005',
  技术服务费: '0030001',
  退款: '0020002',
}

/** The day file: UTF-8 with BOM, CRLF, order numbers TAB-suffixed as Excel-safe exports write them, a 合计 row. */
export function pddBillFile(date: string, rows: readonly PddBillRow[]): Buffer {
  const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)
  const income = sum(rows.filter((r) => r.income).map((r) => money(r.income!)))
  const expense = sum(rows.filter((r) => r.expense).map((r) => money(r.expense!)))
  const lines = [
    '#拼多多商家后台 货款明细',
    `#起始日期：[${date} 00:00:00]   终止日期：[${date} 23:59:59]`,
    BILL_HEADER.join(','),
    ...rows.map((r) =>
      [
        r.orderSn === '' ? '' : `${r.orderSn}\t`,
        toShanghai(r.at),
        r.income ?? '',
        r.expense ?? '',
        r.type,
        r.memo,
        `${BILL_CODES[r.type] ?? '0090001'}|${r.desc}`,
      ]
        .map(cell)
        .join(','),
    ),
    `合计,,${toAmount(income)},${toAmount(expense)},,,`,
    `#导出时间：${date} 23:59:59`,
    '',
  ]
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n'), 'utf8')])
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    req
      .on('data', (d: Buffer) => chunks.push(d))
      .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      .on('error', reject)
  })

const errorBody = (code: number, msg: string, subMsg = '') =>
  wire({
    error_response: {
      error_code: code,
      error_msg: msg,
      sub_code: String(code),
      sub_msg: subMsg,
      request_id: `${systemClock.now().getTime()}${code}`,
    },
  })

export async function startPddSandbox(opts: PddSandboxOptions): Promise<PddSandbox> {
  const clock = opts.clock ?? (() => systemClock.now())
  const feeRate = money(opts.serviceFeeRate ?? '0.006')
  const gen = createOrderGenerator({
    seed: opts.seed,
    catalogue: opts.catalogue,
    start: clock(),
    platformDiscountRate: 0.5,
    unpaidRate: 0,
    cancelRate: 0.08,
    intervalMs: 1,
  })
  const skuIds = new Map(opts.catalogue.map((c, i) => [c.skuCode, String(1234567000000n + BigInt(i))]))
  const goodsIds = new Map(
    opts.catalogue.map((c, i) => [c.skuCode, String(345678900000n + BigInt(Math.floor(i / 4)))]),
  )
  const listings = buildListings(
    opts.catalogue,
    { itemIdOf: (c) => goodsIds.get(c)!, skuIdOf: (c) => skuIds.get(c)! },
    clock(),
  )
  const orders = new Map<string, PddOrderRecord>()
  const refunds: PddRefundRecord[] = []
  const sold: SoldOrder[] = []
  const bill: PddBillRow[] = []
  const stock = new Map<string, number>()
  const shipments: SandboxShipment[] = []
  const calls: PddSandbox['calls'] = []
  const faults: CnSandboxFault[] = []
  const retired = new Set<string>()
  let token = opts.accessToken
  let seq = BigInt(opts.seed % 1000) * 1_000_000n + 512345000000000n
  let nextRefund = 11223300000n
  let baseUrl = ''
  const linkSig = (date: string) =>
    createHash('md5').update(`${opts.clientSecret}|bill|${date}`).digest('hex')

  function postSale(o: PddOrderRecord) {
    const s = o.sold
    bill.push({
      orderSn: s.orderId,
      at: s.createdAt,
      income: s.paid,
      expense: null,
      type: '交易收入',
      memo: '',
      desc: '交易收入',
    })
    if (!money(s.platformDiscount).isZero())
      bill.push({
        orderSn: s.orderId,
        at: s.createdAt,
        income: s.platformDiscount,
        expense: null,
        type: '优惠券结算',
        memo: '平台券',
        desc: '优惠券结算',
      })
    const fee = round(money(s.paid).mul(feeRate))
    if (!fee.isZero())
      bill.push({
        orderSn: s.orderId,
        at: s.createdAt,
        income: null,
        expense: toAmount(fee),
        type: '技术服务费',
        memo: '',
        desc: '技术服务费',
      })
  }

  function refundWhole(o: PddOrderRecord, at: Date) {
    const s = o.sold
    s.lines.forEach((l, i) => {
      const amount = i === s.lines.length - 1 ? toAmount(money(l.paid).plus(s.shipping)) : l.paid
      const id = String(nextRefund++)
      refunds.push({
        id,
        orderSn: s.orderId,
        skuId: l.skuId,
        goodsId: o.goodsIds[i]!,
        count: l.quantity,
        price: l.unitPrice,
        amount,
        at,
        title: l.title,
        skuCode: l.skuCode,
      })
      s.refunds.push({ refundId: id, amount, at })
      bill.push({
        orderSn: s.orderId,
        at,
        income: null,
        expense: amount,
        type: '退款',
        memo: '售后退款',
        desc: '退款',
      })
    })
    o.refundStatus = 4
    o.afterSales = 10
    o.updatedAt = at
    s.status = 'cancelled'
  }

  /** The increment APIs' shared checks: 30-minute window, page_size ≤ 100; the [start, end] seconds. */
  function increment(
    p: Record<string, string>,
  ): { from: number; to: number; page: number; size: number } | string {
    const from = Number(p.start_updated_at)
    const to = Number(p.end_updated_at)
    const page = Number(p.page ?? '1')
    const size = Number(p.page_size ?? '100')
    if (!Number.isInteger(from) || !Number.isInteger(to) || to < from)
      return errorBody(10000, '参数错误', 'start_updated_at/end_updated_at 不合法')
    if (to - from > WINDOW_CAP_S) return errorBody(10000, '参数错误', '开始时间和结束时间间隔不能超过30分钟')
    if (!Number.isInteger(size) || size < 1 || size > PAGE_SIZE_MAX)
      return errorBody(10000, '参数错误', `page_size 取值 1-${PAGE_SIZE_MAX}`)
    if (!Number.isInteger(page) || page < 1) return errorBody(10000, '参数错误', 'page 从 1 开始')
    return { from: from * 1000, to: to * 1000, page, size }
  }

  function api(type: string, p: Record<string, string>): string {
    switch (type) {
      case 'pdd.order.number.list.increment.get': {
        const w = increment(p)
        if (typeof w === 'string') return w
        const all = [...orders.values()]
          .filter((o) => o.updatedAt.getTime() >= w.from && o.updatedAt.getTime() <= w.to)
          .sort(
            (a, b) =>
              a.updatedAt.getTime() - b.updatedAt.getTime() || a.sold.orderId.localeCompare(b.sold.orderId),
          )
        const list = all.slice((w.page - 1) * w.size, w.page * w.size).map(renderOrder)
        return wire({
          order_sn_increment_get_response: {
            total_count: all.length,
            has_next: w.page * w.size < all.length,
            order_sn_list: list,
          },
        })
      }
      case 'pdd.order.information.get': {
        const o = orders.get(p.order_sn ?? '')
        if (!o) return errorBody(21001, '请求参数错误', '订单不存在')
        return wire({ order_info_get_response: { order_info: renderOrder(o) } })
      }
      case 'pdd.refund.list.increment.get': {
        const w = increment(p)
        if (typeof w === 'string') return w
        const all = refunds.filter((r) => r.at.getTime() >= w.from && r.at.getTime() <= w.to)
        const list = all
          .slice((w.page - 1) * w.size, w.page * w.size)
          .map((r) => renderRefund(r, orders.get(r.orderSn)!))
        return wire({ refund_increment_get_response: { total_count: all.length, refund_list: list } })
      }
      case 'pdd.goods.quantity.update': {
        const skuId = p.sku_id ?? ''
        const known = [...skuIds.entries()].find(([, id]) => id === skuId)
        if (!known || goodsIds.get(known[0]) !== p.goods_id)
          return errorBody(21001, '请求参数错误', 'goods_id 与 sku_id 不匹配或不存在')
        const qty = Number(p.quantity)
        const updateType = p.update_type ?? '1'
        if (!/^-?\d+$/.test(p.quantity ?? '')) return errorBody(21001, '请求参数错误', 'quantity 不合法')
        const next = updateType === '2' ? (stock.get(skuId) ?? 0) + qty : qty
        if (next < 0) return errorBody(21001, '请求参数错误', '库存不能小于0')
        stock.set(skuId, next)
        return wire({ goods_quantity_update_response: { is_success: true } })
      }
      case 'pdd.logistics.online.send': {
        const o = orders.get(p.order_sn ?? '')
        if (!o) return errorBody(21001, '请求参数错误', '订单不存在')
        if (o.orderStatus !== 1 || o.refundStatus === 4)
          return errorBody(21001, '请求参数错误', '订单状态不允许发货')
        if (!/^\d+$/.test(p.logistics_id ?? '') || (p.tracking_number ?? '') === '')
          return errorBody(21002, '请求参数不能为空', 'logistics_id / tracking_number')
        const at = wholeSecond(clock())
        o.orderStatus = 2
        o.shippingTime = at
        o.trackingNumber = p.tracking_number!
        o.logisticsId = p.logistics_id!
        o.updatedAt = new Date(Math.max(at.getTime(), o.updatedAt.getTime() + 1000))
        shipments.push({
          orderId: o.sold.orderId,
          carrierCode: o.logisticsId,
          trackingNumber: o.trackingNumber,
          at,
        })
        return wire({ logistics_online_send_response: { is_success: true } })
      }
      case 'pdd.finance.balance.daily.bill.url.get': {
        const date = p.bill_date ?? ''
        const start = fromShanghai(`${date} 00:00:00`)
        if (!start) return errorBody(10000, '参数错误', 'bill_date 格式 yyyy-MM-dd')
        // The day's bill exists once the day is over (Beijing time).
        const ready = clock().getTime() >= start.getTime() + 86_400_000
        return wire({
          finance_balance_daily_bill_url_get_response: {
            download_url: ready ? `${baseUrl}/bill/${date}.csv?sig=${linkSig(date)}` : '',
          },
        })
      }
      default:
        if (PDD_CATALOGUE_TYPES.has(type))
          return pddCatalogueCall(type, p, {
            listings,
            quantityOf: (s) => stock.get(s.skuId) ?? s.initialStock,
            error: errorBody,
          })
        return errorBody(10017, 'type不正确', type)
    }
  }

  function serveBill(url: URL, res: ServerResponse) {
    const m = /^\/bill\/(\d{4}-\d{2}-\d{2})\.csv$/.exec(url.pathname)
    if (!m || url.searchParams.get('sig') !== linkSig(m[1]!))
      return res.writeHead(403, { 'content-type': 'text/plain' }).end('link expired')
    const start = fromShanghai(`${m[1]!} 00:00:00`)!.getTime()
    const rows = bill
      .filter((r) => r.at.getTime() >= start && r.at.getTime() < start + 86_400_000)
      .sort((a, b) => a.at.getTime() - b.at.getTime())
    return res
      .writeHead(200, {
        'content-type': 'text/csv;charset=utf-8',
        'content-disposition': `attachment; filename="bill-${m[1]!}.csv"`,
      })
      .end(pddBillFile(m[1]!, rows))
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox')
    if (req.method === 'GET' && url.pathname.startsWith('/bill/')) return serveBill(url, res)
    const send = (text: string, status = 200) =>
      res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' }).end(text)
    if (url.pathname !== '/api/router') return send(errorBody(20035, '接口不属于当前网关', url.pathname))
    const form =
      req.method === 'POST'
        ? Object.fromEntries(new URLSearchParams(await readBody(req)))
        : Object.fromEntries(url.searchParams)
    const { sign, ...signed } = form
    if (!form.type) return send(errorBody(10001, '公共参数错误', 'type'))
    if (form.client_id !== opts.clientId) return send(errorBody(10016, 'client下线或者clientId不正确'))
    if (!sign || md5Sign(opts.clientSecret, signed) !== sign)
      return send(errorBody(20004, '签名sign校验失败'))
    const ts = Number(form.timestamp)
    if (!Number.isInteger(ts) || Math.abs(ts * 1000 - clock().getTime()) > 10 * 60_000)
      return send(errorBody(10001, '公共参数错误', 'timestamp 与服务器时间相差超过10分钟'))
    if (form.access_token !== token) {
      return send(
        retired.has(form.access_token ?? '')
          ? errorBody(10019, 'access_token已过期')
          : errorBody(20032, 'access_token或client_id错误'),
      )
    }
    const fault = faults.shift()
    if (fault === 'rate_limit') return send(errorBody(52101, '当前接口被限流，请稍后重试'))
    if (fault === 'system_error') return send(errorBody(52103, '服务暂时不可用，请稍后重试'))
    if (fault === 'http_5xx')
      return send('<html><body>503 Service Temporarily Unavailable</body></html>', 503)
    if (fault === 'malformed')
      return send('{"order_sn_increment_get_response":{"total_count":3,"order_sn_list":[{"order_sn":')
    if (fault === 'slow') await new Promise((r) => setTimeout(r, opts.slowMs ?? 3000))
    const params = Object.fromEntries(
      Object.entries(form).filter(
        ([k]) =>
          !['type', 'client_id', 'access_token', 'timestamp', 'data_type', 'version', 'sign'].includes(k),
      ),
    )
    calls.push({ type: form.type, params })
    return send(api(form.type, params))
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(errorBody(50000, '系统内部错误', String(err)))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: `${baseUrl}/api/router`,
    sold,
    stock,
    shipments,
    calls,
    bill,
    skuIdOf: (code) => skuIds.get(code)!,
    goodsIdOf: (code) => goodsIds.get(code)!,
    listings,
    generate(n, at = clock(), spanMs = 0) {
      return gen.batch(n).map((g, i) => {
        const created = wholeSecond(new Date(at.getTime() + Math.floor((spanMs * i) / n)))
        const orderId = `${toShanghai(created).slice(2, 10).replace(/-/g, '')}-${String(seq++)}`
        const s = soldOrderOf(g, orderId, created, {
          lineId: (l) => skuIds.get(l.skuCode)!,
          skuId: (c) => skuIds.get(c)!,
          itemId: (c) => goodsIds.get(c)!,
        })
        const o: PddOrderRecord = {
          sold: s,
          g,
          goodsIds: s.lines.map((l) => l.itemId),
          orderStatus: 1,
          refundStatus: 1,
          afterSales: 0,
          updatedAt: created,
          shippingTime: null,
          trackingNumber: '',
          logisticsId: '',
        }
        orders.set(orderId, o)
        sold.push(s)
        postSale(o)
        // A generated cancellation: refunded in full right after payment (PDD then closes the order).
        if (g.status === 'cancelled') refundWhole(o, created)
        return s
      })
    },
    refund(orderSn, at = clock()) {
      const o = orders.get(orderSn)
      if (!o || o.orderStatus !== 1 || o.refundStatus === 4) return false
      refundWhole(o, wholeSecond(new Date(Math.max(at.getTime(), o.updatedAt.getTime() + 1000))))
      return true
    },
    injectFault(fault, count = 1) {
      for (let i = 0; i < count; i++) faults.push(fault)
    },
    rotateToken(next) {
      retired.add(token)
      retired.delete(next)
      token = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
