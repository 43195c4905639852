/**
 * Deterministic generator of realistic marketplace orders in a channel-neutral form, and the
 * sandbox's own record of what it sold (the truth that reconciliation is checked against).
 * Amounts are exact decimal strings; one seed always gives the same orders.
 */
import { apportion, money, sum, toAmount, truncate, ZERO } from '../money/index.js'

/** mulberry32: small, fast, seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface CatalogueItem {
  skuCode: string
  title: string
  /** Unit price, yuan or dollars, as an exact decimal string. */
  price: string
}

export interface GeneratedLine {
  lineNo: number
  skuCode: string
  title: string
  quantity: number
  unitPrice: string
  goods: string
  platformDiscount: string
  merchantDiscount: string
  paid: string
}

export type GeneratedStatus = 'pending_payment' | 'paid' | 'cancelled'

export interface GeneratedOrder {
  seq: number
  createdAt: Date
  status: GeneratedStatus
  buyer: { id: string; nick: string }
  receiver: {
    name: string
    phone: string
    province: string
    city: string
    district: string
    address: string
    postcode: string
  }
  buyerNote: string | null
  lines: GeneratedLine[]
  goods: string
  platformDiscount: string
  merchantDiscount: string
  shipping: string
  paid: string
}

const PLACES: readonly [string, string, string, string][] = [
  ['浙江省', '杭州市', '西湖区', '310012'],
  ['浙江省', '宁波市', '鄞州区', '315100'],
  ['上海市', '上海市', '浦东新区', '200120'],
  ['广东省', '深圳市', '南山区', '518052'],
  ['广东省', '广州市', '天河区', '510620'],
  ['北京市', '北京市', '朝阳区', '100020'],
  ['江苏省', '南京市', '鼓楼区', '210008'],
  ['四川省', '成都市', '武侯区', '610041'],
  ['湖北省', '武汉市', '洪山区', '430070'],
  ['福建省', '厦门市', '思明区', '361001'],
]
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴']
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '艳', '杰', '婷']
const STREETS = ['文三路', '中山路', '人民大道', '科技园南路', '建设路', '解放路']
const NOTES = [
  '请尽快发货',
  '周末不在家，请放快递柜',
  'Please gift-wrap',
  '不要放门口',
  null,
  null,
  null,
  null,
  null,
  null,
]

export interface GeneratorOptions {
  seed: number
  catalogue: readonly CatalogueItem[]
  /** Share of orders with a platform-funded discount (0..1). */
  platformDiscountRate?: number
  cancelRate?: number
  unpaidRate?: number
  /** Shipping fee charged when goods are below the free-shipping threshold. */
  shippingFee?: string
  freeShippingOver?: string
  start: Date
  /** Mean gap between orders. */
  intervalMs?: number
}

export function createOrderGenerator(opts: GeneratorOptions) {
  const rnd = prng(opts.seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  let seq = 0
  let clock = opts.start.getTime()

  function next(): GeneratedOrder {
    seq++
    clock += Math.max(1, Math.round((opts.intervalMs ?? 1000) * (0.5 + rnd())))
    const lineCount = rnd() < 0.6 ? 1 : rnd() < 0.7 ? 2 : 3
    const chosen = new Set<CatalogueItem>()
    while (chosen.size < Math.min(lineCount, opts.catalogue.length)) chosen.add(pick(opts.catalogue))
    const base = [...chosen].map((item, i) => {
      const quantity = rnd() < 0.8 ? 1 : 1 + Math.floor(rnd() * 3)
      const unit = money(item.price)
      return { lineNo: i + 1, item, quantity, unit, goods: unit.mul(quantity) }
    })
    const goods = sum(base.map((l) => l.goods))
    // Merchant-funded: "满100减10" style; platform-funded: a coupon worth 3–8% of goods.
    const merchantDiscount = goods.gte(100) ? money(10) : goods.gte(50) ? money(5) : ZERO
    const platformDiscount =
      rnd() < (opts.platformDiscountRate ?? 0.3)
        ? truncate(goods.mul(3 + Math.floor(rnd() * 6)).div(100))
        : ZERO
    const pd = apportion(
      platformDiscount,
      base.map((l) => l.goods),
    )
    const md = apportion(
      merchantDiscount,
      base.map((l) => l.goods),
    )
    const shipping = goods.gte(opts.freeShippingOver ?? '99') ? ZERO : money(opts.shippingFee ?? '8')
    const lines: GeneratedLine[] = base.map((l, i) => ({
      lineNo: l.lineNo,
      skuCode: l.item.skuCode,
      title: l.item.title,
      quantity: l.quantity,
      unitPrice: toAmount(l.unit),
      goods: toAmount(l.goods),
      platformDiscount: toAmount(pd[i]!),
      merchantDiscount: toAmount(md[i]!),
      paid: toAmount(l.goods.minus(pd[i]!).minus(md[i]!)),
    }))
    const [province, city, district, postcode] = pick(PLACES)
    const name = pick(SURNAMES) + pick(GIVEN) + (rnd() < 0.5 ? pick(GIVEN) : '')
    const r = rnd()
    const status: GeneratedStatus =
      r < (opts.unpaidRate ?? 0.05)
        ? 'pending_payment'
        : r < (opts.unpaidRate ?? 0.05) + (opts.cancelRate ?? 0.05)
          ? 'cancelled'
          : 'paid'
    return {
      seq,
      createdAt: new Date(clock),
      status,
      buyer: { id: `buyer${1000 + Math.floor(rnd() * 9000)}`, nick: `${name.slice(0, 1)}**${seq % 10}` },
      receiver: {
        name,
        phone: `1${3 + Math.floor(rnd() * 6)}${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}`,
        province,
        city,
        district,
        address: `${pick(STREETS)}${1 + Math.floor(rnd() * 999)}号`,
        postcode,
      },
      buyerNote: pick(NOTES),
      lines,
      goods: toAmount(goods),
      platformDiscount: toAmount(platformDiscount),
      merchantDiscount: toAmount(merchantDiscount),
      shipping: toAmount(shipping),
      paid: toAmount(goods.minus(platformDiscount).minus(merchantDiscount).plus(shipping)),
    }
  }

  return { next, batch: (n: number) => Array.from({ length: n }, next) }
}

/** Default catalogue names: Chinese and English product names with realistic prices. */
export const PRODUCT_NAMES: readonly [string, string][] = [
  ['保温杯 500ml 不锈钢', '89.00'],
  ['Organic Green Tea 100g', '35.50'],
  ['无线蓝牙耳机 降噪版', '199.00'],
  ['Cotton T-shirt (White, L)', '59.90'],
  ['手工皂 玫瑰精油', '28.00'],
  ['Ceramic Coffee Mug 350ml', '45.00'],
  ['儿童益智积木 120粒', '129.00'],
  ['Bamboo Cutting Board', '68.80'],
  ['真丝眼罩', '39.90'],
  ['USB-C Charging Cable 2m', '25.00'],
  ['羊毛围巾 格纹', '158.00'],
  ['Stainless Steel Water Bottle 1L', '99.00'],
]
