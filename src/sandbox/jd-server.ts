/**
 * A sandbox JD JOS gateway (cn-marketplaces.md §2) over real HTTP: one `routerjson` endpoint taking
 * signed form POSTs (business parameters as the `360buy_param_json` string), answering in JD's
 * `<method>_responce` wrapper or a gateway `error_response`. It checks the MD5 signature with the
 * connector's own algorithm (connectors/cn/sign.ts), the ±10 min timestamp window and the access
 * token; enforces the order-search window (≤ 1 month ⚠) and page size (≤ 50 ⚠); serves generated
 * orders as `OrderSearchInfo` (yuan strings, masked consignees with encrypted twins, 19-digit order
 * ids written as bare JSON integers); remembers stock writes and shipments; serves refund
 * applications (applyRefundSum in fen); injects faults on request; keeps a `sold` record.
 *
 * Gateway codes used (⚠ JOS table as reproduced by public ERP code, consistent with the connector's
 * GATEWAY_CODE_KIND): 1 服务不可用, 2 App Call Limited, 8 非法的时间戳参数, 10 无效签名, 19 无效access_token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { md5Sign } from '../../connectors/cn/sign.js'
import { fromShanghai, toShanghai } from '../../connectors/cn/time.js'
import { parseJsonExact } from '../../connectors/json.js'
import { money, toAmount } from '../money/index.js'
import { systemClock } from '../lib/clock.js'
import { createOrderGenerator, type CatalogueItem, type GeneratedOrder } from './generator.js'
import { Bare, wholeSecond, wire, type Wire } from './wire.js'
import { buildListings, type SandboxListing } from './catalogue.js'
import { jdCatalogueCall, JD_CATALOGUE_METHODS } from './jd-catalogue.js'

export type CnSandboxFault = 'rate_limit' | 'system_error' | 'http_5xx' | 'slow' | 'malformed'

export interface JdSandboxOptions {
  seed: number
  catalogue: readonly CatalogueItem[]
  appKey: string
  appSecret: string
  accessToken: string
  /** The platform's clock (timestamp window, "now" for new orders). Defaults to the system clock. */
  clock?: () => Date
  /** How long a `slow` fault holds the answer. */
  slowMs?: number
}

export interface SoldLine {
  lineId: string
  skuId: string
  itemId: string
  skuCode: string
  title: string
  quantity: number
  unitPrice: string
  goods: string
  platformDiscount: string
  merchantDiscount: string
  paid: string
}

/** What the sandbox sold, in yuan decimal strings: the truth tests compute expected figures from. */
export interface SoldOrder {
  orderId: string
  status: 'paid' | 'cancelled' | 'pending_payment'
  createdAt: Date
  lines: SoldLine[]
  goods: string
  platformDiscount: string
  merchantDiscount: string
  shipping: string
  paid: string
  refunds: { refundId: string; amount: string; at: Date }[]
}

/**
 * The sold record of a generated order: its lines with the platform's ids (a line id per line,
 * the SKU's and the item's), and the amounts as the generator made them.
 */
export function soldOrderOf(
  g: GeneratedOrder,
  orderId: string,
  createdAt: Date,
  ids: {
    lineId: (line: GeneratedOrder['lines'][number]) => string
    skuId: (code: string) => string
    itemId: (code: string) => string
  },
  status: SoldOrder['status'] = 'paid',
): SoldOrder {
  return {
    orderId,
    status,
    createdAt,
    lines: g.lines.map((l) => ({
      lineId: ids.lineId(l),
      skuId: ids.skuId(l.skuCode),
      itemId: ids.itemId(l.skuCode),
      skuCode: l.skuCode,
      title: l.title,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      goods: l.goods,
      platformDiscount: l.platformDiscount,
      merchantDiscount: l.merchantDiscount,
      paid: l.paid,
    })),
    goods: g.goods,
    platformDiscount: g.platformDiscount,
    merchantDiscount: g.merchantDiscount,
    shipping: g.shipping,
    paid: g.paid,
    refunds: [],
  }
}

/** What every Chinese-platform sandbox offers its tests and the demo. */
export interface CnSandbox {
  /** The gateway URL to use as the shop's baseUrl. */
  url: string
  sold: SoldOrder[]
  /** Platform SKU id → last absolute quantity pushed. */
  stock: Map<string, number>
  shipments: SandboxShipment[]
  skuIdOf(skuCode: string): string
  /** n new orders, created evenly over [at, at + spanMs) (whole seconds). */
  generate(n: number, at?: Date, spanMs?: number): SoldOrder[]
  /** Refund an order in full (before shipment the platform closes it). */
  refund(orderId: string, at?: Date): boolean
  injectFault(fault: CnSandboxFault, count?: number): void
  /** A new valid token; the old one now answers the platform's token-expired error. */
  rotateToken(next: string): void
  close(): Promise<void>
}

export interface SandboxShipment {
  orderId: string
  carrierCode: string
  trackingNumber: string
  at: Date
}

export interface JdSandbox extends CnSandbox {
  /** Every accepted (authenticated) call: method and business parameters. */
  calls: { method: string; params: Record<string, unknown> }[]
  /** The wares the shop lists (catalogue pull); edit them to show the merchant conflicts. */
  listings: SandboxListing[]
  wareIdOf(skuCode: string): string
}

const NOT_YET = '0001-01-01 00:00:00'
const fen = (yuan: string) => money(yuan).mul(100).toFixed(0)
const WINDOW_CAP_MS = 31 * 86_400_000
const PAGE_SIZE_MAX = 50

interface JdOrderRecord {
  sold: SoldOrder
  g: GeneratedOrder
  state: 'WAIT_SELLER_STOCK_OUT' | 'WAIT_GOODS_RECEIVE_CONFIRM' | 'TRADE_CANCELED'
  modified: Date
  endTime: Date | null
  waybill: string
  logisticsId: string
}

interface JdRefundRecord {
  id: string
  orderId: string
  amountFen: string
  applyTime: Date
  checkTime: Date
  status: string
  reason: string
}

const STATE_REMARK = {
  WAIT_SELLER_STOCK_OUT: '等待出库',
  WAIT_GOODS_RECEIVE_CONFIRM: '等待确认收货',
  TRADE_CANCELED: '取消',
} as const

function renderOrder(o: JdOrderRecord): Wire {
  const g = o.g
  const s = o.sold
  const r = g.receiver
  const created = toShanghai(s.createdAt)
  const coupons: Wire[] = []
  if (!money(s.merchantDiscount).isZero())
    coupons.push({
      orderId: new Bare(s.orderId),
      couponType: '100-店铺优惠',
      couponPrice: s.merchantDiscount,
    })
  if (!money(s.platformDiscount).isZero())
    coupons.push({
      orderId: new Bare(s.orderId),
      couponType: '41-京东券优惠',
      couponPrice: s.platformDiscount,
    })
  const province = r.province.replace(/省$/, '')
  return {
    orderId: new Bare(s.orderId),
    venderId: new Bare('10086'),
    orderType: '22',
    payType: '4-在线支付',
    orderTotalPrice: s.goods,
    orderSellerPrice: toAmount(money(s.goods).minus(s.merchantDiscount)),
    orderPayment: s.paid,
    freightPrice: s.shipping,
    sellerDiscount: s.merchantDiscount,
    balanceUsed: '0.00',
    taxFee: '0.00',
    serviceFee: '0.00',
    orderState: o.state,
    orderStateRemark: STATE_REMARK[o.state],
    deliveryType: '任意时间',
    invoiceEasyInfo: { invoiceType: '3', invoiceTitle: '个人' },
    orderRemark: g.buyerNote ?? '',
    venderRemark: '',
    orderStartTime: created,
    paymentConfirmTime: created,
    orderEndTime: o.endTime ? toShanghai(o.endTime) : NOT_YET,
    modified: toShanghai(o.modified),
    pin: `jd_${g.buyer.id.slice(-4)}****`,
    open_id_buyer: `oB${g.buyer.id}`,
    xid_buyer: `xid_${g.buyer.id}`,
    returnOrder: '0',
    waybill: o.waybill,
    logisticsId: o.logisticsId,
    idSopShipmenttype: '',
    storeOrder: '',
    orderSource: '移动端订单',
    consigneeInfo: {
      fullname: `${r.name.slice(0, 1)}**`,
      telephone: '',
      mobile: '',
      desen_telephone: '',
      desen_mobile: `${r.phone.slice(0, 3)}****${r.phone.slice(-4)}`,
      fullAddress: `${province}${r.city}${r.district}******`,
      province,
      city: r.city,
      county: r.district,
      town: '',
      encrypt_fullname: `~AgAAAAEA${Buffer.from(r.name).toString('base64')}~1~`,
      encrypt_mobile: `~AgAAAAEA${Buffer.from(r.phone).toString('base64')}~1~`,
      encrypt_telephone: '',
      encrypt_fullAddress: `~AgAAAAEA${Buffer.from(r.address).toString('base64')}~1~`,
    },
    itemInfoList: s.lines.map((l) => ({
      skuId: new Bare(l.skuId),
      outerSkuId: l.skuCode,
      skuName: l.title,
      jdPrice: l.unitPrice,
      itemTotal: String(l.quantity),
      wareId: new Bare(l.itemId),
      productNo: l.skuCode,
      giftPoint: '0',
      serviceName: '',
      newStoreId: '0',
    })),
    couponDetailList: coupons,
  }
}

function renderRefund(r: JdRefundRecord, o: JdOrderRecord): Wire {
  return {
    id: new Bare(r.id),
    buyerId: `jd_${o.g.buyer.id.slice(-4)}****`,
    buyerName: `${o.g.receiver.name.slice(0, 1)}**`,
    checkTime: toShanghai(r.checkTime),
    applyTime: toShanghai(r.applyTime),
    applyRefundSum: new Bare(r.amountFen),
    status: r.status,
    checkUserName: 'system',
    orderId: new Bare(r.orderId),
    checkRemark: '取消订单，退款',
    reason: r.reason,
    systemId: '1',
  }
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    req
      .on('data', (d: Buffer) => chunks.push(d))
      .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      .on('error', reject)
  })

const gatewayError = (code: string, zh: string, en: string) =>
  wire({ error_response: { code, zh_desc: zh, en_desc: en } })

export async function startJdSandbox(opts: JdSandboxOptions): Promise<JdSandbox> {
  const clock = opts.clock ?? (() => systemClock.now())
  const gen = createOrderGenerator({
    seed: opts.seed,
    catalogue: opts.catalogue,
    start: clock(),
    platformDiscountRate: 0.4,
    unpaidRate: 0,
    cancelRate: 0.08,
    intervalMs: 1,
  })
  const skuIds = new Map(opts.catalogue.map((c, i) => [c.skuCode, String(100012340000n + BigInt(i))]))
  const wareIds = new Map(
    opts.catalogue.map((c, i) => [c.skuCode, String(10023450000n + BigInt(Math.floor(i / 4)))]),
  )
  const listings = buildListings(
    opts.catalogue,
    { itemIdOf: (c) => wareIds.get(c)!, skuIdOf: (c) => skuIds.get(c)! },
    clock(),
  )
  const orders = new Map<string, JdOrderRecord>()
  const refunds: JdRefundRecord[] = []
  const sold: SoldOrder[] = []
  const stock = new Map<string, number>()
  const shipments: SandboxShipment[] = []
  const calls: JdSandbox['calls'] = []
  const faults: CnSandboxFault[] = []
  let token = opts.accessToken
  let nextOrder = 3219800000000000000n + BigInt(opts.seed % 1000) * 100000n
  let nextRefund = 1456700000n

  function addRefund(o: JdOrderRecord, at: Date) {
    const id = String(nextRefund++)
    refunds.push({
      id,
      orderId: o.sold.orderId,
      amountFen: fen(o.sold.paid),
      applyTime: at,
      checkTime: at,
      status: '3',
      reason: '不想要了',
    })
    o.sold.refunds.push({ refundId: id, amount: o.sold.paid, at })
    o.state = 'TRADE_CANCELED'
    o.modified = at
    o.endTime = at
    o.sold.status = 'cancelled'
  }

  /** Business APIs: params are the parsed 360buy_param_json. Returns the JSON text to answer. */
  function api(method: string, p: Record<string, unknown>): string {
    const key = `${method.replace(/\./g, '_')}_responce`
    const ok = (body: Record<string, Wire>) => wire({ [key]: { code: '0', ...body } })
    const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')
    switch (method) {
      case 'jingdong.pop.order.enSearch':
      case 'jingdong.pop.order.search': {
        const fail = (zh: string) =>
          ok({
            searchorderinfo_result: {
              orderInfoList: [],
              orderTotal: 0,
              apiResult: {
                success: false,
                englishErrCode: 'param error',
                chineseErrCode: zh,
                numberCode: 10100001,
              },
            },
          })
        const from = fromShanghai(p.start_date)
        const to = fromShanghai(p.end_date)
        if (!from || !to || to < from) return fail('开始时间或结束时间格式错误')
        if (to.getTime() - from.getTime() > WINDOW_CAP_MS) return fail('查询时间跨度不能超过一个月')
        if (str(p.optional_fields) === '') return fail('optional_fields不能为空')
        const page = Number(str(p.page) || '1')
        const size = Number(str(p.page_size) || '20')
        if (!Number.isInteger(size) || size < 1 || size > PAGE_SIZE_MAX)
          return fail(`page_size取值范围1-${PAGE_SIZE_MAX}`)
        const states = new Set(str(p.order_state).split(',').filter(Boolean))
        const all = [...orders.values()]
          .filter((o) => o.modified >= from && o.modified <= to && (states.size === 0 || states.has(o.state)))
          .sort(
            (a, b) =>
              a.modified.getTime() - b.modified.getTime() || a.sold.orderId.localeCompare(b.sold.orderId),
          )
        const list = all.slice((page - 1) * size, page * size).map(renderOrder)
        return ok({
          searchorderinfo_result: {
            orderInfoList: list,
            orderTotal: all.length,
            apiResult: { success: true, englishErrCode: '', chineseErrCode: '', numberCode: 0 },
          },
        })
      }
      case 'jingdong.pop.order.enGet':
      case 'jingdong.pop.order.get': {
        const o = orders.get(str(p.order_id))
        if (!o)
          return ok({
            orderDetailInfo: {
              apiResult: {
                success: false,
                englishErrCode: 'order not found',
                chineseErrCode: '订单不存在',
                numberCode: 10100002,
              },
            },
          })
        return ok({
          orderDetailInfo: {
            orderInfo: renderOrder(o),
            apiResult: { success: true, englishErrCode: '', chineseErrCode: '', numberCode: 0 },
          },
        })
      }
      case 'jingdong.stock.write.updateSkuStock': {
        const skuId = str(p.skuId)
        const qty = p.stockNum
        if (![...skuIds.values()].includes(skuId))
          return ok({
            result: { success: false, errorCode: '1001', errorMessage: 'SKU不存在或不属于当前商家' },
          })
        if (typeof qty !== 'number' || !Number.isInteger(qty) || qty < 0)
          return ok({ result: { success: false, errorCode: '1002', errorMessage: '库存数量不合法' } })
        stock.set(skuId, qty)
        return ok({ result: { success: true, errorCode: '', errorMessage: '' } })
      }
      case 'jingdong.pop.order.shipment': {
        const fail = (zh: string) =>
          ok({
            sopjosshipment_result: { success: false, englishErrCode: 'shipment refused', chineseErrCode: zh },
          })
        const o = orders.get(str(p.orderId))
        if (!o) return fail('订单不存在')
        if (o.state !== 'WAIT_SELLER_STOCK_OUT') return fail(`订单状态${STATE_REMARK[o.state]}，不允许出库`)
        if (str(p.logiCoprId) === '' || str(p.logiNo) === '') return fail('物流公司和运单号不能为空')
        const at = wholeSecond(clock())
        o.state = 'WAIT_GOODS_RECEIVE_CONFIRM'
        o.waybill = str(p.logiNo)
        o.logisticsId = str(p.logiCoprId)
        o.modified = new Date(Math.max(at.getTime(), o.modified.getTime() + 1000))
        shipments.push({ orderId: o.sold.orderId, carrierCode: o.logisticsId, trackingNumber: o.waybill, at })
        return ok({ sopjosshipment_result: { success: true, englishErrCode: '', chineseErrCode: '' } })
      }
      case 'jingdong.pop.afs.soa.refundapply.queryPageList': {
        const size = Number(str(p.pageSize) || '10')
        const page = Number(str(p.pageIndex) || '1')
        if (!Number.isInteger(size) || size < 1 || size > PAGE_SIZE_MAX)
          return ok({
            queryResult: {
              success: false,
              resultCode: '-1',
              resultDescribe: `pageSize取值范围1-${PAGE_SIZE_MAX}`,
              result: [],
              totalCount: 0,
            },
          })
        const byAxis = (start: unknown, end: unknown, at: (r: JdRefundRecord) => Date) => {
          const from = fromShanghai(start)
          const to = fromShanghai(end)
          return (r: JdRefundRecord) => (!from || at(r) >= from) && (!to || at(r) <= to)
        }
        const all = refunds
          .filter(byAxis(p.applyTimeStart, p.applyTimeEnd, (r) => r.applyTime))
          .filter(byAxis(p.checkTimeStart, p.checkTimeEnd, (r) => r.checkTime))
        const rows = all
          .slice((page - 1) * size, page * size)
          .map((r) => renderRefund(r, orders.get(r.orderId)!))
        return ok({
          queryResult: {
            success: true,
            resultCode: '1',
            resultDescribe: '成功',
            result: rows,
            totalCount: all.length,
          },
        })
      }
      default:
        if (JD_CATALOGUE_METHODS.has(method))
          return ok(
            jdCatalogueCall(method, p, { listings, quantityOf: (s) => stock.get(s.skuId) ?? s.initialStock }),
          )
        return gatewayError('22', '不存在的方法名', 'Invalid method')
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const send = (text: string, status = 200) =>
      res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' }).end(text)
    if (req.method !== 'POST') return send(gatewayError('9', '缺少签名参数', 'Missing signature'))
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)))
    const { sign, ...signed } = form
    if (!sign) return send(gatewayError('9', '缺少签名参数', 'Missing signature'))
    if (form.app_key !== opts.appKey || md5Sign(opts.appSecret, signed) !== sign)
      return send(gatewayError('10', '无效签名', 'Invalid signature'))
    const ts = fromShanghai((form.timestamp ?? '').replace(/\.\d{3}\+0800$/, ''))
    if (!ts || Math.abs(ts.getTime() - clock().getTime()) > 10 * 60_000)
      return send(gatewayError('8', '非法的时间戳参数', 'Invalid timestamp'))
    if (!form.access_token) return send(gatewayError('18', '缺少access_token参数', 'Missing access_token'))
    if (form.access_token !== token)
      return send(gatewayError('19', '无效access_token', 'Invalid access_token'))
    let params: Record<string, unknown>
    try {
      const parsed = parseJsonExact(form['360buy_param_json'] ?? '{}')
      params = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}
    } catch {
      return send(gatewayError('11', '无效数据格式', 'Invalid format'))
    }
    const fault = faults.shift()
    if (fault === 'rate_limit') return send(gatewayError('2', '限制时间内调用失败次数', 'App Call Limited'))
    if (fault === 'system_error')
      return send(gatewayError('1', '服务不可用', 'Service Currently Unavailable'))
    if (fault === 'http_5xx') return send('<html><body>502 Bad Gateway</body></html>', 502)
    if (fault === 'malformed')
      return send(
        '{"jingdong_pop_order_enSearch_responce":{"code":"0","searchorderinfo_result":{"orderInfoList":[',
      )
    if (fault === 'slow') await new Promise((r) => setTimeout(r, opts.slowMs ?? 3000))
    const method = form.method ?? ''
    calls.push({ method, params })
    return send(api(method, params))
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(gatewayError('1', '服务不可用', String(err)))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/routerjson`,
    sold,
    stock,
    shipments,
    calls,
    listings,
    wareIdOf: (code) => wareIds.get(code)!,
    skuIdOf: (code) => skuIds.get(code)!,
    generate(n, at = clock(), spanMs = 0) {
      return gen.batch(n).map((g, i) => {
        const created = wholeSecond(new Date(at.getTime() + Math.floor((spanMs * i) / n)))
        const orderId = String(nextOrder++)
        const s = soldOrderOf(g, orderId, created, {
          lineId: (l) => skuIds.get(l.skuCode)!,
          skuId: (c) => skuIds.get(c)!,
          itemId: (c) => wareIds.get(c)!,
        })
        const o: JdOrderRecord = {
          sold: s,
          g,
          state: 'WAIT_SELLER_STOCK_OUT',
          modified: created,
          endTime: null,
          waybill: '',
          logisticsId: '',
        }
        orders.set(orderId, o)
        sold.push(s)
        // A generated cancellation: the buyer cancelled right after paying and JD refunded in full.
        if (g.status === 'cancelled') addRefund(o, created)
        return s
      })
    },
    refund(orderId, at = clock()) {
      const o = orders.get(orderId)
      if (!o || o.state !== 'WAIT_SELLER_STOCK_OUT') return false
      addRefund(o, wholeSecond(new Date(Math.max(at.getTime(), o.modified.getTime() + 1000))))
      return true
    },
    injectFault(fault, count = 1) {
      for (let i = 0; i < count; i++) faults.push(fault)
    },
    rotateToken(next) {
      token = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
