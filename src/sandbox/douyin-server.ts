/**
 * A sandbox Douyin shop (抖店) gateway (cn-marketplaces.md §4) over real HTTP: path-style methods
 * (`/order/searchList` …), common parameters in the query, `param_json` as the JSON body, signed
 * HMAC-SHA256 or MD5 exactly as the connector's connectors/douyin/sign.ts computes it. Errors use
 * the platform's envelope and code table (平台基础错误码: 40003 isv.signature-invalid /
 * isv.timestamp-invalid / isv.access-token-expired / isv.access-token-no-existed, 40004
 * isv.parameter-invalid:200xx, 50002 业务处理失败, 60000 限流, 20000 isp.service-error).
 *
 * Orders are shop orders with sku orders in fen, 19-digit ids (product_id / sku_id as bare int64
 * numbers), masked and encrypted receivers; platform coupons, 达人 coupons and shop coupons on the
 * lines; unpaid and cancelled orders. It remembers sku.syncStock (absolute) and order.logisticsAdd,
 * serves afterSale.List, order.getSettleBillDetailV3 rows built from what it sold (one row per sku
 * order at payment; a trade_type 1 row per refund), POSTs signed push messages (event-sign, app-id)
 * to a URL, injects faults, and keeps a `sold` record.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fromEpochSeconds, fromShanghai, toShanghai } from '../../connectors/cn/time.js'
import { eventSign, signRequest, type SignMethod } from '../../connectors/douyin/sign.js'
import { parseJsonExact } from '../../connectors/json.js'
import { money, round, type Decimal } from '../money/index.js'
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
import { douyinCatalogueCall, DOUYIN_CATALOGUE_METHODS } from './douyin-catalogue.js'

export type { CnSandboxFault, SandboxShipment, SoldOrder } from './jd-server.js'

export interface DouyinSandboxOptions {
  seed: number
  catalogue: readonly CatalogueItem[]
  appKey: string
  appSecret: string
  accessToken: string
  shopId?: string
  clock?: () => Date
  slowMs?: number
  /** 平台服务费 rate on what the buyer paid for a sku order, exact decimal text (default 0.02). */
  serviceFeeRate?: string
  /** Where to POST push messages for new orders, shipments and refunds (null = none). */
  webhookUrl?: string | null
}

export interface DouyinSettleRow {
  [key: string]: string | number
}

export interface DouyinPushMessage {
  tag: string
  orderId: string
}

export interface DouyinSandbox extends CnSandbox {
  calls: { method: string; params: Record<string, unknown> }[]
  /** The products the shop lists (catalogue pull); edit them to show the merchant conflicts. */
  listings: SandboxListing[]
  /** Settlement rows served by order.getSettleBillDetailV3, in settle order (fen). */
  settleRows: DouyinSettleRow[]
  productIdOf(skuCode: string): string
  /** POST one signed push (a JSON array of messages) to `url`; resolves with the receiver's answer. */
  push(url: string, messages: readonly DouyinPushMessage[]): Promise<{ status: number; body: string }>
  setWebhookUrl(url: string | null): void
  close(): Promise<void>
}

/** Yuan text → integer fen as bare JSON number text. */
const fenText = (yuan: string | Decimal) => money(yuan).mul(100).toFixed(0)
const fen = (yuan: string | Decimal) => new Bare(fenText(yuan))
const sec = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : 0)
const PAGE_SIZE_MAX = 100
const DEPTH_MAX = 50_000
const LOOKBACK_MS = 90 * 86_400_000
const STATUS_DESC = { '1': '待支付', '2': '备货中', '3': '已发货', '4': '已取消' } as const
type DyStatus = keyof typeof STATUS_DESC

interface DyLine {
  id: string
  productId: string
  post: string
  talent: boolean
  afterSale: { status: number; type: number; refund: number }
}

interface DyOrderRecord {
  sold: SoldOrder
  g: GeneratedOrder
  lines: DyLine[]
  status: DyStatus
  paidAt: Date | null
  updateTime: Date
  shipTime: Date | null
  logistics: { tracking_no: string; company: string; ship_time: number }[]
}

interface DyAfterSale {
  id: string
  orderId: string
  lineIndex: number
  type: number
  refundGoods: string
  refundPost: string
  at: Date
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    req
      .on('data', (d: Buffer) => chunks.push(d))
      .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      .on('error', reject)
  })

const envelope = (code: number, msg: string, subCode = '', subMsg = '', data: Wire = null) =>
  wire({
    code,
    msg,
    sub_code: subCode,
    sub_msg: subMsg,
    log_id: `2024${systemClock.now().getTime()}${code}`,
    data,
  })
const invalid = (sub: string, subMsg: string) =>
  envelope(40004, '非法的参数（业务校验）', `isv.parameter-invalid:${sub}`, subMsg)
const failed = (sub: string, subMsg: string) =>
  envelope(50002, '业务处理失败', `isv.business-failed:${sub}`, subMsg)

function receiverOf(g: GeneratedOrder): Record<string, Wire> {
  const r = g.receiver
  const enc = (p: string, text: string) => `${p}${Buffer.from(text).toString('base64')}${p}1${p}${p}`
  const region = {
    province: { name: r.province, id: '33' },
    city: { name: r.city, id: '330100' },
    town: { name: r.district, id: '330106' },
    street: { name: '', id: '0' },
  }
  return {
    post_receiver: enc('#', r.name),
    encrypt_post_receiver: enc('#', r.name),
    mask_post_receiver: `${r.name.slice(0, 1)}**`,
    post_tel: enc('$', r.phone),
    encrypt_post_tel: enc('$', r.phone),
    mask_post_tel: `${r.phone.slice(0, 3)}****${r.phone.slice(-4)}`,
    post_addr: { ...region, detail: enc('~', r.address), encrypt_detail: enc('~', r.address) },
    mask_post_addr: { ...region, detail: r.address.replace(/\d+号$/, '***号') },
  }
}

function renderOrder(o: DyOrderRecord, shopId: string): Wire {
  const s = o.sold
  const created = sec(s.createdAt)
  const paid = sec(o.paidAt)
  const updated = sec(o.updateTime)
  const talentTotal = o.lines.reduce(
    (a, l, i) => (l.talent ? a.plus(s.lines[i]!.platformDiscount) : a),
    money(0),
  )
  const platformOnly = money(s.platformDiscount).minus(talentTotal)
  const skuOrders = s.lines.map((l, i) => {
    const d = o.lines[i]!
    const platform = d.talent ? money(0) : money(l.platformDiscount)
    const talent = d.talent ? money(l.platformDiscount) : money(0)
    return {
      order_id: d.id,
      parent_order_id: s.orderId,
      order_level: 3,
      order_status: Number(o.status === '2' && d.afterSale.refund === 3 ? '4' : o.status),
      order_status_desc: STATUS_DESC[o.status],
      main_status: Number(o.status),
      product_id: new Bare(d.productId),
      product_id_str: d.productId,
      sku_id: new Bare(l.skuId),
      code: l.skuCode,
      out_sku_id: '',
      out_product_id: '',
      product_name: l.title,
      spec: [{ name: '规格', value: '默认' }],
      item_num: l.quantity,
      goods_price: fen(l.unitPrice),
      origin_amount: fen(l.unitPrice),
      sum_amount: fen(l.goods),
      order_amount: fen(money(l.goods).plus(d.post)),
      pay_amount: fen(money(l.paid).plus(d.post)),
      post_amount: fen(d.post),
      promotion_amount: fen(money(l.platformDiscount).plus(l.merchantDiscount)),
      promotion_shop_amount: fen(l.merchantDiscount),
      promotion_platform_amount: fen(platform),
      promotion_talent_amount: fen(talent),
      promotion_pay_amount: 0,
      promotion_redpack_amount: 0,
      shop_cost_amount: fen(l.merchantDiscount),
      platform_cost_amount: fen(l.platformDiscount),
      only_platform_cost_amount: fen(platform),
      author_cost_amount: fen(talent),
      modify_amount: 0,
      tax_amount: 0,
      author_id: d.talent ? new Bare('98765432') : 0,
      author_name: d.talent ? '好物推荐官' : '',
      c_biz: d.talent ? 2 : 8,
      c_biz_desc: d.talent ? '精选联盟' : '小店自卖',
      trade_type: 0,
      given_product_type: 'MASTER',
      reduce_stock_type: 2,
      after_sale_info: {
        after_sale_status: d.afterSale.status,
        after_sale_type: d.afterSale.type,
        refund_status: d.afterSale.refund,
      },
      create_time: created,
      pay_time: paid,
      update_time: updated,
    }
  })
  return {
    order_id: s.orderId,
    shop_id: new Bare(shopId),
    shop_name: '沙盒好物旗舰店',
    order_level: 2,
    biz: 2,
    order_type: 0,
    order_status: Number(o.status),
    order_status_desc: STATUS_DESC[o.status],
    main_status: Number(o.status),
    main_status_desc: STATUS_DESC[o.status],
    create_time: created,
    pay_time: paid,
    update_time: updated,
    exp_ship_time: created + 48 * 3600,
    ship_time: sec(o.shipTime),
    finish_time: 0,
    order_amount: fen(money(s.goods).plus(s.shipping)),
    pay_amount: fen(s.paid),
    post_amount: fen(s.shipping),
    post_origin_amount: fen(s.shipping),
    post_promotion_amount: 0,
    post_insurance_amount: 0,
    modify_amount: 0,
    modify_post_amount: 0,
    promotion_amount: fen(money(s.platformDiscount).plus(s.merchantDiscount)),
    promotion_shop_amount: fen(s.merchantDiscount),
    promotion_platform_amount: fen(platformOnly),
    promotion_talent_amount: fen(talentTotal),
    promotion_pay_amount: 0,
    promotion_redpack_amount: 0,
    total_promotion_amount: fen(money(s.platformDiscount).plus(s.merchantDiscount)),
    shop_cost_amount: fen(s.merchantDiscount),
    platform_cost_amount: fen(s.platformDiscount),
    only_platform_cost_amount: fen(platformOnly),
    author_cost_amount: fen(talentTotal),
    tax_amount: 0,
    packing_amount: 0,
    pay_type: paid ? 1 : 0,
    doudian_open_id: `1@#${Buffer.from(o.g.buyer.id).toString('base64')}`,
    buyer_words: o.g.buyerNote ?? '',
    seller_words: '',
    seller_remark_stars: 0,
    logistics_info: o.logistics.map((x) => ({
      ...x,
      company_name: x.company,
      delivery_id: '',
      product_info: [],
    })),
    sku_order_list: skuOrders,
    ...receiverOf(o.g),
  }
}

function renderAfterSale(a: DyAfterSale, o: DyOrderRecord): Wire {
  const l = o.sold.lines[a.lineIndex]!
  const d = o.lines[a.lineIndex]!
  const at = sec(a.at)
  return {
    aftersale_info: {
      aftersale_id: a.id,
      aftersale_order_type: 1,
      aftersale_type: a.type,
      aftersale_status: 12,
      related_id: d.id,
      apply_time: at,
      create_time: at,
      update_time: at,
      status_deadline: 0,
      refund_amount: fen(a.refundGoods),
      refund_post_amount: fen(a.refundPost),
      refund_tax_amount: 0,
      aftersale_num: l.quantity,
      refund_type: 2,
      return_promotion_amount: 0,
      refund_status: 3,
      got_pkg: 0,
      remark: '',
    },
    order_info: {
      shop_order_id: o.sold.orderId,
      related_order_info: [
        {
          sku_order_id: d.id,
          order_status: Number(o.status),
          pay_amount: fen(money(l.paid).plus(d.post)),
          post_amount: fen(d.post),
          item_num: l.quantity,
          create_time: sec(o.sold.createdAt),
          tax_amount: 0,
          product_name: l.title,
          product_id: new Bare(d.productId),
          shop_sku_code: l.skuCode,
          aftersale_pay_amount: fen(a.refundGoods),
          aftersale_post_amount: fen(a.refundPost),
          aftersale_tax_amount: 0,
          aftersale_item_num: l.quantity,
          promotion_pay_amount: 0,
          price: fen(l.unitPrice),
          given_sku_order_ids: [],
        },
      ],
      order_flag: 0,
    },
    text_part: {
      aftersale_status_text: '售后成功',
      aftersale_type_text: a.type === 2 ? '未发货仅退款' : '已发货仅退款',
      reason_text: '不想要了',
    },
    seller_logs: [],
  }
}

export async function startDouyinSandbox(opts: DouyinSandboxOptions): Promise<DouyinSandbox> {
  const clock = opts.clock ?? (() => systemClock.now())
  const shopId = opts.shopId ?? '12345'
  const feeRate = money(opts.serviceFeeRate ?? '0.02')
  const gen = createOrderGenerator({
    seed: opts.seed,
    catalogue: opts.catalogue,
    start: clock(),
    platformDiscountRate: 0.5,
    unpaidRate: 0.05,
    cancelRate: 0.05,
    intervalMs: 1,
  })
  const skuIds = new Map(
    opts.catalogue.map((c, i) => [c.skuCode, String(1700000000000000000n + BigInt(i + 1))]),
  )
  const productIds = new Map(
    opts.catalogue.map((c, i) => [c.skuCode, String(3600000000000000000n + BigInt(Math.floor(i / 4) + 1))]),
  )
  const listings = buildListings(
    opts.catalogue,
    { itemIdOf: (c) => productIds.get(c)!, skuIdOf: (c) => skuIds.get(c)! },
    clock(),
  )
  const orders = new Map<string, DyOrderRecord>()
  const afterSales: DyAfterSale[] = []
  const sold: SoldOrder[] = []
  const settleRows: DouyinSettleRow[] = []
  const stock = new Map<string, number>()
  const shipments: SandboxShipment[] = []
  const calls: DouyinSandbox['calls'] = []
  const faults: CnSandboxFault[] = []
  const retired = new Set<string>()
  let token = opts.accessToken
  let webhookUrl = opts.webhookUrl ?? null
  let nextOrder = 6921000000000000000n + BigInt(opts.seed % 1000) * 1_000_000_000n
  let nextAfterSale = 7301000000000000000n + BigInt(opts.seed % 1000) * 1_000_000_000n
  let nextRequest = 2024000000000000n
  let nextMsg = 7300000000000000000n

  /** One settle row (fen); trade_type 0 = 已结算 at payment, 1 = 结算后退款 (negative amounts). */
  function settle(o: DyOrderRecord, i: number, at: Date, tradeType: 0 | 1, refund?: string) {
    const l = o.sold.lines[i]!
    const d = o.lines[i]!
    const realPay = refund !== undefined ? money(refund).neg() : money(l.paid).plus(d.post)
    const platform = refund !== undefined || d.talent ? money(0) : money(l.platformDiscount)
    const author = refund === undefined && d.talent ? money(l.platformDiscount) : money(0)
    const fee = refund !== undefined ? money(0) : round(realPay.mul(feeRate))
    const income = realPay.plus(platform).plus(author)
    settleRows.push({
      settle_time: toShanghai(at),
      request_no: String(nextRequest++),
      shop_order_id: o.sold.orderId,
      order_id: d.id,
      product_id: d.productId,
      goods_count: l.quantity,
      order_time: toShanghai(o.sold.createdAt),
      settle_amount: fenText(income.minus(fee)),
      pay_type_desc: '聚合账户',
      trade_type: tradeType,
      is_contains_refund_before_settle: 0,
      flow_type_desc: d.talent ? '精选联盟' : '小店自卖',
      order_type: '普通订单',
      total_amount: fenText(money(l.goods).plus(d.post)),
      total_goods_amount: fenText(l.goods),
      post_amount: fenText(d.post),
      shop_coupon: fenText(l.merchantDiscount),
      refund_before_settle: 0,
      platform_coupon: fenText(platform),
      author_coupon: fenText(author),
      zt_pay_promotion: 0,
      zr_pay_promotion: 0,
      real_pay_amount: fenText(realPay),
      total_income: fenText(income),
      platform_service_fee: fenText(fee),
      commission: 0,
      good_learn_channel_fee: 0,
      colonel_service_fee: 0,
      channel_promotion_fee: 0,
      other_sharing_amount: 0,
      total_outcome: fenText(fee),
      remark: tradeType === 1 ? '售后退款' : '',
      packing_amount: 0,
    })
  }

  async function push(url: string, messages: readonly DouyinPushMessage[]) {
    const body = wire(
      messages.map((m) => {
        const o = orders.get(m.orderId)
        const data = wire({
          p_id: new Bare(m.orderId),
          s_ids: (o?.lines ?? []).map((l) => new Bare(l.id)),
          shop_id: new Bare(shopId),
          order_status: o ? Number(o.status) : 0,
          order_type: 0,
          biz: 2,
          update_time: o ? sec(o.updateTime) : sec(clock()),
        })
        return { tag: m.tag, msg_id: String(nextMsg++), data }
      }),
    )
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'app-id': opts.appKey,
        'event-sign': eventSign(opts.appKey, opts.appSecret, Buffer.from(body, 'utf8')),
      },
      body,
    })
    return { status: res.status, body: await res.text() }
  }
  const notify = (tag: string, orderId: string) => {
    if (webhookUrl) void push(webhookUrl, [{ tag, orderId }]).catch(() => undefined)
  }

  const idOf = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')
  const num = (v: unknown): number | null =>
    typeof v === 'number' && Number.isInteger(v)
      ? v
      : typeof v === 'string' && /^-?\d+$/.test(v)
        ? Number(v)
        : null

  function api(method: string, p: Record<string, unknown>): string {
    const ok = (data: Wire) => envelope(10000, 'success', '', '', data)
    const page = num(p.page) ?? 0
    const size = num(p.size) ?? 10
    switch (method) {
      case 'order.searchList': {
        const from = num(p.update_time_start) ?? num(p.create_time_start)
        if (from === null) return invalid('20011', '需要 create_time_start 或 update_time_start')
        if (from * 1000 < clock().getTime() - LOOKBACK_MS) return invalid('20022', '仅支持查询最近90天的订单')
        if (size > PAGE_SIZE_MAX || size < 1) return invalid('20008', `size 不能超过 ${PAGE_SIZE_MAX}`)
        if (page < 0) return invalid('10035', 'page 不能小于0')
        if ((page + 1) * size > DEPTH_MAX) return invalid('20013', `page*size 不能超过 ${DEPTH_MAX}`)
        const to = num(p.update_time_end) ?? num(p.create_time_end) ?? Number.MAX_SAFE_INTEGER
        const byCreate = p.update_time_start === undefined
        const at = (o: DyOrderRecord) => sec(byCreate ? o.sold.createdAt : o.updateTime)
        const all = [...orders.values()].filter((o) => at(o) >= from && at(o) <= to)
        all.sort(
          (a, b) =>
            (at(a) - at(b)) * (p.order_asc === true ? 1 : -1) || a.sold.orderId.localeCompare(b.sold.orderId),
        )
        return ok({
          page,
          size,
          total: all.length,
          shop_order_list: all.slice(page * size, (page + 1) * size).map((o) => renderOrder(o, shopId)),
        })
      }
      case 'order.orderDetail': {
        const o = orders.get(idOf(p.shop_order_id))
        if (!o) return failed('10001', '订单不存在')
        return ok({ shop_order_detail: renderOrder(o, shopId) })
      }
      case 'sku.syncStock': {
        const skuId = idOf(p.sku_id)
        const qty = num(p.stock_num)
        if (![...skuIds.values()].includes(skuId)) return failed('10002', 'sku不存在或不属于该店铺')
        if (qty === null || qty < 0) return invalid('40011', 'stock_num 不合法')
        if (p.incremental === true) {
          if (typeof p.idempotent_id !== 'string' || p.idempotent_id === '')
            return invalid('40010', '增量更新需要 idempotent_id')
          stock.set(skuId, (stock.get(skuId) ?? 0) + qty)
        } else stock.set(skuId, qty)
        return ok({})
      }
      case 'order.logisticsAdd': {
        const o = orders.get(idOf(p.order_id))
        if (!o) return failed('10001', '订单不存在')
        if (o.status !== '2') return failed('10003', `订单状态${STATUS_DESC[o.status]}，不可发货`)
        const company = typeof p.company_code === 'string' ? p.company_code : ''
        const trackingNo = typeof p.logistics_code === 'string' ? p.logistics_code : ''
        if (company === '' || trackingNo === '')
          return invalid('30001', 'company_code 和 logistics_code 必填')
        const at = wholeSecond(clock())
        o.status = '3'
        o.shipTime = at
        o.logistics.push({ tracking_no: trackingNo, company, ship_time: sec(at) })
        o.updateTime = new Date(Math.max(at.getTime(), o.updateTime.getTime() + 1000))
        shipments.push({ orderId: o.sold.orderId, carrierCode: company, trackingNumber: trackingNo, at })
        notify('102', o.sold.orderId)
        return ok({})
      }
      case 'afterSale.List': {
        if (size > PAGE_SIZE_MAX || size < 1) return invalid('20008', `size 不能超过 ${PAGE_SIZE_MAX}`)
        if ((page + 1) * size > DEPTH_MAX) return invalid('20013', `page*size 不能超过 ${DEPTH_MAX}`)
        const from = num(p.update_start_time) ?? 0
        const to = num(p.update_end_time) ?? Number.MAX_SAFE_INTEGER
        const all = afterSales
          .filter((a) => sec(a.at) >= from && sec(a.at) <= to)
          .sort((a, b) => a.at.getTime() - b.at.getTime() || a.id.localeCompare(b.id))
        const items = all
          .slice(page * size, (page + 1) * size)
          .map((a) => renderAfterSale(a, orders.get(a.orderId)!))
        return ok({ items, has_more: (page + 1) * size < all.length, total: all.length, page, size })
      }
      case 'order.getSettleBillDetailV3': {
        const from = fromShanghai(p.start_time)
        const to = fromShanghai(p.end_time)
        if (!from || !to)
          return ok({
            code: '200001',
            code_msg: 'start_time/end_time 格式 yyyy-MM-dd HH:mm:ss',
            data: [],
            is_end: 1,
            data_size: 0,
          })
        if (size < 1 || size > PAGE_SIZE_MAX)
          return ok({
            code: '200002',
            code_msg: `size 取值 1-${PAGE_SIZE_MAX}`,
            data: [],
            is_end: 1,
            data_size: 0,
          })
        const start = num(p.start_index) ?? 0
        const all = settleRows.filter((r) => {
          const t = fromShanghai(r.settle_time)!
          return t >= from && t <= to
        })
        const rows = all.slice(start, start + size)
        const end = start + size >= all.length
        return ok({
          code: '100000',
          code_msg: 'SUCCESS',
          data: rows as unknown as Wire,
          next_start_index: end ? '' : String(start + size),
          next_start_time: end ? '' : String(p.start_time),
          is_end: end ? 1 : 0,
          data_size: rows.length,
        })
      }
      default: {
        if (!DOUYIN_CATALOGUE_METHODS.has(method))
          return envelope(70000, '接口服务已下线', 'isp.api-service-off', 'API不存在或API已下线')
        const r = douyinCatalogueCall(method, p, {
          listings,
          quantityOf: (s) => stock.get(s.skuId) ?? s.initialStock,
        })
        return 'ok' in r ? ok(r.ok) : invalid(...r.invalid)
      }
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const send = (text: string, status = 200) =>
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(text)
    const url = new URL(req.url ?? '/', 'http://sandbox')
    const q = Object.fromEntries(url.searchParams)
    const body = await readBody(req)
    const method = q.method ?? ''
    if (method === '' || url.pathname !== `/${method.split('.').join('/')}`)
      return send(
        envelope(70000, '接口服务已下线', 'isp.api-service-off', `API不存在或API已下线: ${url.pathname}`),
      )
    if (!q.sign)
      return send(
        envelope(
          40001,
          '缺少必选参数（平台校验）',
          'isv.signature-missing',
          '获取签名失败，请根据文档确保参数拼装正确',
        ),
      )
    if (q.app_key !== opts.appKey)
      return send(envelope(40003, '非法的参数（平台校验）', 'isv.app-id-invalid', '认证失败，app_key不存在'))
    const signMethod: SignMethod = q.sign_method === 'md5' ? 'md5' : 'hmac-sha256'
    const paramJson = body === '' ? '{}' : body
    const expected = signRequest(
      { appKey: opts.appKey, appSecret: opts.appSecret, method, paramJson, timestamp: q.timestamp ?? '' },
      signMethod,
    )
    if (expected !== q.sign.toLowerCase())
      return send(envelope(40003, '非法的参数（平台校验）', 'isv.signature-invalid', '签名校验失败'))
    const ts = /^\d+$/.test(q.timestamp ?? '') ? fromEpochSeconds(q.timestamp) : fromShanghai(q.timestamp)
    if (!ts || Math.abs(ts.getTime() - clock().getTime()) > 10 * 60_000)
      return send(envelope(40003, '非法的参数（平台校验）', 'isv.timestamp-invalid', '时间戳不合法'))
    if (!q.access_token)
      return send(
        envelope(
          40001,
          '缺少必选参数（平台校验）',
          'isv.access-token-missing',
          '认证失败，access_token不能为空',
        ),
      )
    if (q.access_token !== token) {
      return send(
        retired.has(q.access_token)
          ? envelope(40003, '非法的参数（平台校验）', 'isv.access-token-expired', 'access_token已过期')
          : envelope(
              40003,
              '非法的参数（平台校验）',
              'isv.access-token-no-existed',
              'access_token不存在，请使用最新的access_token访问',
            ),
      )
    }
    let params: Record<string, unknown>
    try {
      const parsed = parseJsonExact(paramJson)
      params =
        typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
          ? (parsed as Record<string, unknown>)
          : {}
    } catch {
      return send(
        envelope(40003, '非法的参数（平台校验）', 'isv.parameter-format-invalid', '业务参数json解析失败'),
      )
    }
    const fault = faults.shift()
    if (fault === 'rate_limit') return send(envelope(60000, '触发限流，请稍后重试'))
    if (fault === 'system_error')
      return send(envelope(20000, '服务不可用', 'isp.service-error:5000', '内部错误，请稍后重试'))
    if (fault === 'http_5xx') return send('<html><body>502 Bad Gateway</body></html>', 502)
    if (fault === 'malformed') return send('{"code":10000,"msg":"success","data":{"shop_order_list":[')
    if (fault === 'slow') await new Promise((r) => setTimeout(r, opts.slowMs ?? 3000))
    calls.push({ method, params })
    return send(api(method, params))
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(envelope(50000, '通用服务器错误', '', String(err)))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sold,
    stock,
    shipments,
    calls,
    settleRows,
    skuIdOf: (code) => skuIds.get(code)!,
    productIdOf: (code) => productIds.get(code)!,
    listings,
    generate(n, at = clock(), spanMs = 0) {
      return gen.batch(n).map((g, i) => {
        const created = wholeSecond(new Date(at.getTime() + Math.floor((spanMs * i) / n)))
        const orderId = String((nextOrder += 10n))
        const status: DyStatus = g.status === 'paid' ? '2' : g.status === 'cancelled' ? '4' : '1'
        const s = soldOrderOf(
          g,
          orderId,
          created,
          {
            lineId: (l) => String(BigInt(orderId) + BigInt(l.lineNo)),
            skuId: (c) => skuIds.get(c)!,
            itemId: (c) => productIds.get(c)!,
          },
          g.status,
        )
        // Every third order came through a 达人 (live-stream influencer) who funds the platform-side coupon.
        const talent = g.seq % 3 === 0
        const lines: DyLine[] = s.lines.map((l, k) => ({
          id: l.lineId,
          productId: l.itemId,
          post: k === 0 ? g.shipping : '0',
          talent,
          afterSale: { status: 0, type: 0, refund: 0 },
        }))
        // A cancelled order was never paid (timeout) in this sandbox, as the fixtures show it.
        const o: DyOrderRecord = {
          sold: s,
          g,
          lines,
          status,
          paidAt: status === '2' ? created : null,
          updateTime: status === '4' ? new Date(created.getTime() + 1000) : created,
          shipTime: null,
          logistics: [],
        }
        orders.set(orderId, o)
        sold.push(s)
        if (status === '2') lines.forEach((_, k) => settle(o, k, created, 0))
        notify(status === '2' ? '101' : status === '4' ? '106' : '100', orderId)
        return s
      })
    },
    refund(orderId, at = clock()) {
      const o = orders.get(orderId)
      if (!o || o.paidAt === null || o.lines[0]!.afterSale.refund === 3) return false
      const when = wholeSecond(new Date(Math.max(at.getTime(), o.updateTime.getTime() + 1000)))
      const l = o.sold.lines[0]!
      const d = o.lines[0]!
      const id = String(nextAfterSale++)
      const type = o.status === '2' ? 2 : 1
      afterSales.push({ id, orderId, lineIndex: 0, type, refundGoods: l.paid, refundPost: d.post, at: when })
      const amount = money(l.paid).plus(d.post).toFixed(2)
      o.sold.refunds.push({ refundId: id, amount, at: when })
      d.afterSale = { status: 12, type, refund: 3 }
      if (o.status === '2' && o.lines.every((x) => x.afterSale.refund === 3)) {
        o.status = '4'
        o.sold.status = 'cancelled'
      }
      o.updateTime = when
      settle(o, 0, when, 1, amount)
      notify('206', orderId)
      return true
    },
    push,
    setWebhookUrl(u) {
      webhookUrl = u
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
