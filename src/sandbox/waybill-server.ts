/**
 * A sandbox of every e-waybill provider over real HTTP (waybills.md §1–§4, §6, §7.2), each path
 * speaking its provider's wire format and checking its signature with the connector's algorithm:
 *
 *   POST /top                      Cainiao through TOP (md5/hmac sign; error_response codes 25, 27…)
 *   POST /pdd                      pdd.waybill.* (MD5 sign; error_response with 50001 + isv.* sub_codes)
 *   POST /douyin/logistics/<name>  listShopNetsite, newCreateOrder, waybillApply, cancelOrder (hmac-sha256)
 *   POST /jd                       jingdong.ldop.alpha.*, jingdong.printing.printData.pullData (MD5 sign)
 *   POST /sf                       EXP_RECE_CREATE_ORDER, EXP_RECE_UPDATE_ORDER (msgDigest)
 *   POST /easypost/v2/shipments[/:id/refund]  (Basic auth)
 *
 * One number allocator per provider + carrier + branch with a balance (余额) that runs out; a
 * cancelled number fails a second cancel and a reprint. Print data are opaque fixtures in each
 * provider's form (Cainiao `AES:` base64, PDD hex with `templateUrl`, Douyin base64 + sign, JD
 * ciphertext). Error texts the reference does not give (balance exhausted) are ours, marked so.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { md5Sign } from '../../connectors/cn/sign.js'
import { signRequest } from '../../connectors/douyin/sign.js'
import { signTop, type SignMethod } from '../../connectors/taobao/top.js'
import { msgDigest } from '../../connectors/waybill/sf.js'
import type { WaybillProvider } from '../../connectors/waybill/types.js'

export interface WaybillSandboxOptions {
  top?: { appKey: string; appSecret: string; session: string }
  pdd?: { clientId: string; clientSecret: string; accessToken: string }
  douyin?: { appKey: string; appSecret: string; accessToken: string }
  jd?: { appKey: string; appSecret: string; accessToken: string }
  sf?: { partnerId: string; checkWord: string }
  easypost?: { apiKey: string }
  /** Starting balance of every branch (default 1000). */
  balance?: number
}

export interface IssuedNumber {
  provider: WaybillProvider
  cpCode: string
  branchCode: string
  code: string
  objectId: string
  orderIds: string[]
  status: 'issued' | 'cancelled'
  /** The receiver as the hub sent it (to prove masked receivers stay masked). */
  recipient: unknown
}

export interface WaybillSandbox {
  url: string
  /** Every number handed out, in order. */
  issued: IssuedNumber[]
  /** Remaining balance of a branch; set it to run the balance out. */
  setBalance(provider: WaybillProvider, cpCode: string, branchCode: string, n: number): void
  balance(provider: WaybillProvider, cpCode: string, branchCode: string): number
  /** Shipment writebacks received on the same gateways (taobao.logistics.offline.send, Douyin order.logisticsAdd). */
  writebacks: { channel: 'taobao' | 'douyin'; orderId: string; trackingNumber: string; companyCode: string }[]
  /** Requests whose signature did not verify. */
  badSignatures: number
  /** Delay every issue call (to widen races in tests). */
  slowMs: number
  close(): Promise<void>
}

/** Carriers and branches each provider's sandbox account is subscribed to. */
export const SANDBOX_BRANCHES: Readonly<
  Record<WaybillProvider, readonly { cp: string; branch: string; name: string }[]>
> = {
  cainiao: [
    { cp: 'YTO', branch: '571001', name: '杭州余杭区文一西路网点' },
    { cp: 'ZTO', branch: '571002', name: '杭州余杭区仓前网点' },
  ],
  pdd: [
    { cp: 'YTO', branch: 'P571001', name: '杭州圆通拼多多网点' },
    { cp: 'jtsd', branch: 'P571002', name: '杭州极兔网点' },
  ],
  douyin: [{ cp: 'zhongtong', branch: 'D571001', name: '杭州中通抖音网点' }],
  jd: [{ cp: 'ZTO', branch: 'J571001', name: '京东无界中通杭州网点' }],
  sf: [{ cp: 'SF', branch: '5710000001', name: '月结卡' }],
  easypost: [{ cp: 'USPS', branch: 'ca_usps_sandbox', name: 'USPS' }],
}

const SENDER_ADDRESS = { province: '浙江省', city: '杭州市', district: '余杭区', detail: '文一西路969号' }

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const s = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')
const parse = (text: string): Obj => {
  try {
    const v = JSON.parse(text) as unknown
    return isObj(v) ? v : {}
  } catch {
    return {}
  }
}

export async function startWaybillSandbox(opts: WaybillSandboxOptions = {}): Promise<WaybillSandbox> {
  const start = opts.balance ?? 1000
  const balances = new Map<string, number>()
  const key = (p: WaybillProvider, cp: string, b: string) => `${p}|${cp}|${b}`
  for (const [p, list] of Object.entries(SANDBOX_BRANCHES))
    for (const b of list) balances.set(key(p as WaybillProvider, b.cp, b.branch), start)
  const issued: IssuedNumber[] = []
  const byCode = new Map<string, IssuedNumber>()
  let serial = 0

  /** Take one number from a branch, or null when its balance is spent. */
  function take(
    p: WaybillProvider,
    cp: string,
    branch: string,
    objectId: string,
    orderIds: string[],
    recipient: unknown,
  ) {
    const k = key(p, cp, branch)
    const left = balances.get(k) ?? 0
    if (left <= 0) return null
    balances.set(k, left - 1)
    serial += 1
    const n = String(serial).padStart(6, '0')
    const code =
      p === 'sf'
        ? `SF1${String(Date.now()).slice(-6)}${n}`
        : p === 'easypost'
          ? `9400111${String(Date.now()).slice(-9)}${n}`
          : p === 'jd'
            ? `JDV0${String(Date.now()).slice(-7)}${n}`
            : p === 'douyin'
              ? `7553${String(Date.now()).slice(-6)}${n}`
              : `${cp.toUpperCase().slice(0, 2)}75${String(Date.now()).slice(-7)}${n}`
    const rec: IssuedNumber = {
      provider: p,
      cpCode: cp,
      branchCode: branch,
      code,
      objectId,
      orderIds,
      status: 'issued',
      recipient,
    }
    issued.push(rec)
    byCode.set(code, rec)
    return rec
  }
  const branchOf = (p: WaybillProvider, cp: string) =>
    SANDBOX_BRANCHES[p].find((b) => b.cp === cp)?.branch ?? null

  const sandbox: WaybillSandbox = {
    url: '',
    issued,
    writebacks: [],
    badSignatures: 0,
    slowMs: 0,
    setBalance: (p, cp, b, n) => void balances.set(key(p, cp, b), n),
    balance: (p, cp, b) => balances.get(key(p, cp, b)) ?? 0,
    close: () => new Promise((r) => server.close(() => r())),
  }
  const slow = () =>
    sandbox.slowMs > 0 ? new Promise((r) => setTimeout(r, sandbox.slowMs)) : Promise.resolve()

  // ---------------------------------------------------------------- Cainiao (TOP)
  const topError = (code: string, msg: string, sub?: string, subMsg?: string) => ({
    error_response: {
      code: Number(code),
      msg,
      ...(sub ? { sub_code: sub, sub_msg: subMsg ?? '' } : {}),
      request_id: randomBytes(6).toString('hex'),
    },
  })
  const cainiaoPrint = (code: string, templateUrl: string) =>
    JSON.stringify({
      encryptedData: `AES:${randomBytes(48).toString('base64')}`,
      signature: `MD:${createHash('md5').update(code).digest('base64')}`,
      templateURL: templateUrl || 'http://cloudprint.cainiao.com/template/standard/101',
      ver: 'waybill_print_secret_version_1',
    })
  async function top(form: Record<string, string>): Promise<Obj> {
    const c = opts.top
    if (!c) return topError('29', 'Invalid App Key')
    if (form.app_key !== c.appKey) return topError('29', 'Invalid App Key')
    const { sign, ...rest } = form
    if (signTop(c.appSecret, rest, (form.sign_method ?? 'md5') as SignMethod) !== sign) {
      sandbox.badSignatures += 1
      return topError('25', 'Invalid signature')
    }
    if (form.session !== c.session)
      return topError('27', 'Invalid session', 'invalid-sessionkey', 'SessionKey非法')
    const wrap = (name: string, body: Obj) => ({
      [`${name.replace(/\./g, '_')}_response`]: { ...body, request_id: randomBytes(6).toString('hex') },
    })
    switch (form.method ?? '') {
      case 'cainiao.waybill.ii.search': {
        const subs = SANDBOX_BRANCHES.cainiao
          .filter((b) => !form.cp_code || b.cp === form.cp_code)
          .map((b) => ({
            cp_code: b.cp,
            cp_type: 2,
            branch_account_cols: {
              waybill_branch_account: [
                {
                  branch_code: b.branch,
                  branch_name: b.name,
                  quantity: sandbox.balance('cainiao', b.cp, b.branch),
                  allocated_quantity: issued.filter((i) => i.provider === 'cainiao' && i.cpCode === b.cp)
                    .length,
                  cancel_quantity: issued.filter(
                    (i) => i.provider === 'cainiao' && i.cpCode === b.cp && i.status === 'cancelled',
                  ).length,
                  print_quantity: 0,
                  shipp_address_cols: {
                    address_dto: [{ ...SENDER_ADDRESS, waybill_address_id: `${b.branch}01` }],
                  },
                },
              ],
            },
          }))
        return wrap(form.method ?? '', {
          waybill_apply_subscription_cols: { waybill_apply_subscription_info: subs },
        })
      }
      case 'cainiao.waybill.ii.get': {
        const req = parse(form.param_waybill_cloud_print_apply_new_request ?? '')
        const dtos = Array.isArray(req.trade_order_info_dtos) ? req.trade_order_info_dtos.filter(isObj) : []
        const cp = s(req.cp_code)
        const branch = branchOf('cainiao', cp)
        if (!branch)
          return topError('15', 'Remote service error', 'isv.cp-not-subscribed', `未订购${cp}电子面单服务`)
        if (dtos.length === 0 || dtos.length > 10)
          return topError(
            '41',
            'Invalid Arguments',
            'isv.invalid-parameter',
            'trade_order_info_dtos 为 1 到 10 个',
          )
        await slow()
        // The whole call fails when the branch cannot cover it (per-element codes are not documented).
        if (sandbox.balance('cainiao', cp, branch) < dtos.length)
          return topError(
            '15',
            'Remote service error',
            'isv.waybill-balance-insufficient',
            '网点电子面单余额不足，请联系网点充值',
          ) // ours
        const modules = dtos.map((d) => {
          const order = isObj(d.order_info) ? d.order_info : {}
          const n = take(
            'cainiao',
            cp,
            branch,
            s(d.object_id),
            (order.trade_order_list as string[]) ?? [],
            d.recipient,
          )!
          return {
            cp_code: cp,
            object_id: s(d.object_id),
            print_data: cainiaoPrint(n.code, s(d.template_url)),
            real_cp_code: cp,
            waybill_code: n.code,
          }
        })
        return wrap(form.method ?? '', { modules: { waybill_cloud_print_response: modules } })
      }
      case 'taobao.logistics.offline.send':
        sandbox.writebacks.push({
          channel: 'taobao',
          orderId: form.tid ?? '',
          trackingNumber: form.out_sid ?? '',
          companyCode: form.company_code ?? '',
        })
        return { logistics_offline_send_response: { shipping: { is_success: true } } }
      case 'cainiao.waybill.ii.cancel': {
        const n = byCode.get(form.waybill_code ?? '')
        if (!n || n.provider !== 'cainiao')
          return topError('15', 'Remote service error', 'isv.waybill-not-exist', '面单号不存在')
        if (n.status === 'cancelled')
          return topError('15', 'Remote service error', 'isv.waybill-already-cancelled', '面单已取消')
        n.status = 'cancelled'
        return wrap(form.method ?? '', { cancel_result: true })
      }
      case 'cainiao.waybill.ii.query.by.waybillcode': {
        const list = (parse(`{"l":${form.param_list ?? '[]'}}`).l as Obj[]) ?? []
        const modules = list.map((q) => {
          const n = byCode.get(s(q.waybill_code))
          if (!n || n.status === 'cancelled')
            return {
              object_id: s(q.object_id),
              success: false,
              error_code: n ? 'WAYBILL_CANCELLED' : 'WAYBILL_NOT_EXIST',
              error_message: n ? '面单已取消' : '面单号不存在',
            }
          return {
            object_id: s(q.object_id),
            success: true,
            waybill_cloud_print_response: {
              cp_code: n.cpCode,
              object_id: n.objectId,
              print_data: cainiaoPrint(n.code, ''),
              waybill_code: n.code,
            },
          }
        })
        return wrap(form.method ?? '', {
          modules: { waybill_cloud_print_with_result_desc_response: modules },
        })
      }
      default:
        return topError('22', 'Invalid Method')
    }
  }

  // ---------------------------------------------------------------- Pinduoduo
  const pddError = (code: number, msg: string, sub?: string, subMsg?: string) => ({
    error_response: {
      error_code: code,
      error_msg: msg,
      sub_code: sub ?? null,
      sub_msg: subMsg ?? '',
      request_id: randomBytes(6).toString('hex'),
    },
  })
  const pddPrint = (wp: string) =>
    JSON.stringify({
      encryptedData: randomBytes(40).toString('hex'),
      signature: randomBytes(24).toString('base64'),
      templateUrl: `https://file-link.pinduoduo.com/${wp.toLowerCase()}_one`,
      ver: '3',
    })
  async function pddApi(form: Record<string, string>): Promise<Obj> {
    const c = opts.pdd
    if (!c || form.client_id !== c.clientId) return pddError(10016, 'client_id错误')
    const { sign, ...rest } = form
    if (md5Sign(c.clientSecret, rest) !== sign) {
      sandbox.badSignatures += 1
      return pddError(20004, '签名sign校验失败')
    }
    if (form.access_token !== c.accessToken) return pddError(10019, 'access_token已过期')
    const type = form.type ?? ''
    const wrap = (body: Obj) => ({ [`${type.replace(/\./g, '_')}_response`]: body })
    switch (type) {
      case 'pdd.waybill.search':
        return wrap({
          waybill_apply_subscription_cols: SANDBOX_BRANCHES.pdd
            .filter((b) => !form.wp_code || b.cp === form.wp_code)
            .map((b) => ({
              wp_code: b.cp,
              wp_type: 2,
              branch_account_cols: [
                {
                  branch_code: b.branch,
                  branch_name: b.name,
                  quantity: sandbox.balance('pdd', b.cp, b.branch),
                  allocated_quantity: issued.filter((i) => i.provider === 'pdd' && i.cpCode === b.cp).length,
                  cancel_quantity: issued.filter(
                    (i) => i.provider === 'pdd' && i.cpCode === b.cp && i.status === 'cancelled',
                  ).length,
                  recycled_quantity: 0,
                  shipp_address_cols: [{ ...SENDER_ADDRESS, country: '中国' }],
                },
              ],
            })),
        })
      case 'pdd.waybill.get': {
        const req = parse(form.param_waybill_cloud_print_apply_new_request ?? '')
        const dtos = Array.isArray(req.trade_order_info_dtos) ? req.trade_order_info_dtos.filter(isObj) : []
        const wp = s(req.wp_code)
        if (dtos.length === 0 || dtos.length > 10)
          return pddError(10000, '参数错误', 'isv.invalid-parameter', 'trade_order_info_dtos 最多10个')
        const branch = branchOf('pdd', wp)
        if (!branch)
          return pddError(50001, '业务服务错误', 'isv.invalid-parameter:wp_code', `未开通${wp}电子面单`)
        await slow()
        if (sandbox.balance('pdd', wp, branch) < dtos.length)
          return pddError(50001, '业务服务错误', 'isv.waybill-balance-insufficient', '电子面单余额不足') // ours
        return wrap({
          modules: dtos.map((d) => {
            const order = isObj(d.order_info) ? d.order_info : {}
            const n = take(
              'pdd',
              wp,
              branch,
              s(d.object_id),
              (order.trade_order_list as string[]) ?? [],
              d.recipient,
            )!
            return { object_id: s(d.object_id), waybill_code: n.code, print_data: pddPrint(wp) }
          }),
        })
      }
      case 'pdd.waybill.cancel': {
        const n = byCode.get(form.waybill_code ?? '')
        if (!n || n.provider !== 'pdd')
          return pddError(50001, '业务服务错误', 'isv.waybill-not-exist', '面单不存在')
        if (n.status === 'cancelled')
          return pddError(50001, '业务服务错误', 'isv.waybill-already-cancelled', '面单已取消')
        n.status = 'cancelled'
        return wrap({ cancel_result: true })
      }
      case 'pdd.waybill.query.by.waybillcode': {
        const list = (parse(`{"l":${form.param_list ?? '[]'}}`).l as Obj[]) ?? []
        const q = list[0] ?? {}
        const n = byCode.get(s(q.waybill_code))
        if (!n || n.status === 'cancelled')
          return pddError(
            50001,
            '业务服务错误',
            n ? 'isv.waybill-already-cancelled' : 'isv.waybill-not-exist',
            n ? '面单已取消' : '面单不存在',
          )
        return wrap({
          modules: [
            {
              waybill_cloud_print_response: {
                object_id: n.objectId,
                waybill_code: n.code,
                print_data: pddPrint(n.cpCode),
              },
            },
          ],
        })
      }
      default:
        return pddError(10017, 'type错误')
    }
  }

  // ---------------------------------------------------------------- Douyin
  const dy = (data: Obj, code = 10000, msg = 'success', subCode = '', subMsg = '') => ({
    code,
    msg,
    sub_code: subCode,
    sub_msg: subMsg,
    log_id: randomBytes(8).toString('hex'),
    data,
  })
  async function douyinApi(method: string, q: Record<string, string>, body: string): Promise<Obj> {
    const c = opts.douyin
    if (!c || q.app_key !== c.appKey)
      return dy({}, 30001, '操作权限不足', 'isv.app-key-invalid', 'app_key 无效')
    const expected = signRequest(
      { appKey: c.appKey, appSecret: c.appSecret, method, paramJson: body, timestamp: q.timestamp ?? '' },
      q.sign_method === 'md5' ? 'md5' : 'hmac-sha256',
    )
    if (expected !== q.sign || q.method !== method) {
      sandbox.badSignatures += 1
      return dy({}, 40003, '非法的参数', 'isv.sign-check-failure', '签名校验失败')
    }
    if (q.access_token !== c.accessToken)
      return dy({}, 40003, '非法的参数', 'isv.access-token-expired', 'access_token已过期')
    const p = parse(body)
    switch (method) {
      case 'logistics.listShopNetsite': {
        const b = SANDBOX_BRANCHES.douyin.filter(
          (x) => !s(p.logistics_code) || x.cp === s(p.logistics_code),
        )[0]
        if (!b) return dy({ logistics_code: s(p.logistics_code), netsites: [] })
        return dy({
          logistics_code: b.cp,
          company_type: 2,
          netsites: [
            {
              netsite_code: b.branch,
              netsite_name: b.name,
              amount: String(sandbox.balance('douyin', b.cp, b.branch)),
              allocated_quantity: issued.filter((i) => i.provider === 'douyin').length,
              cancelled_quantity: issued.filter((i) => i.provider === 'douyin' && i.status === 'cancelled')
                .length,
              recycled_quantity: -1,
              sender_address: [
                {
                  province_name: '浙江省',
                  city_name: '杭州市',
                  district_name: '余杭区',
                  street_name: '五常街道',
                  detail_address: '文一西路969号',
                },
              ],
            },
          ],
        })
      }
      case 'logistics.newCreateOrder': {
        const cp = s(p.logistics_code)
        const branch = branchOf('douyin', cp)
        const infos = Array.isArray(p.order_infos) ? p.order_infos.filter(isObj) : []
        await slow()
        const ebill: Obj[] = []
        const errs: Obj[] = []
        for (const o of infos) {
          // Same order + pack id again → the old number (⚠ third-party doc).
          const old = issued.find(
            (i) =>
              i.provider === 'douyin' &&
              i.objectId === `${s(o.order_id)}|${s(o.pack_id)}` &&
              i.status === 'issued',
          )
          const n =
            old ??
            (branch
              ? take(
                  'douyin',
                  cp,
                  branch,
                  `${s(o.order_id)}|${s(o.pack_id)}`,
                  [s(o.order_id)],
                  o.receiver_info,
                )
              : null)
          if (n)
            ebill.push({
              order_id: s(o.order_id),
              pack_id: s(o.pack_id),
              track_no: n.code,
              company: cp,
              sort_code: '300-W12 01',
              short_address_code: '杭州转',
              package_center_code: '571',
              package_center_name: '杭州集包地',
            })
          else
            errs.push({
              order_id: s(o.order_id),
              pack_id: s(o.pack_id),
              err_code: 300017,
              err_msg: branch ? '网点单号余额不足' : `未开通${cp}电子面单`,
            }) // ours
        }
        return dy({ ebill_infos: ebill, err_infos: errs })
      }
      case 'logistics.waybillApply': {
        const list = Array.isArray(p.waybill_applies) ? p.waybill_applies.filter(isObj) : []
        const ok: Obj[] = []
        const errs: Obj[] = []
        for (const a of list) {
          const n = byCode.get(s(a.track_no))
          if (!n || n.status === 'cancelled')
            errs.push({
              track_no: s(a.track_no),
              order_id: '',
              err_code: 2001,
              err_msg: n ? '运单已取消' : '运单不存在',
            })
          else
            ok.push({
              order_id: n.orderIds[0] ?? '',
              track_no: n.code,
              print_data: randomBytes(48).toString('base64'),
              sign: randomBytes(16).toString('hex'),
            })
        }
        return dy({ waybill_infos: ok, err_infos: errs })
      }
      case 'order.logisticsAdd':
        sandbox.writebacks.push({
          channel: 'douyin',
          orderId: s(p.order_id),
          trackingNumber: s(p.logistics_code),
          companyCode: s(p.company_code),
        })
        return dy({})
      case 'logistics.cancelOrder': {
        const n = byCode.get(s(p.track_no))
        if (!n || n.provider !== 'douyin')
          return dy({}, 50002, '业务处理失败', 'isv.business-failed:运单不存在', '运单不存在')
        if (n.status === 'cancelled')
          return dy({}, 50002, '业务处理失败', 'isv.business-failed:运单已取消', '运单已取消')
        n.status = 'cancelled'
        return dy({ cancel_result: { success: true } })
      }
      default:
        return dy({}, 70000, '接口服务已下线')
    }
  }

  // ---------------------------------------------------------------- JD
  const jdResult = (method: string, resultInfo: Obj) => ({
    [`${method.replace(/\./g, '_')}_responce`]: { code: '0', resultInfo },
  })
  async function jdApi(form: Record<string, string>): Promise<Obj> {
    const c = opts.jd
    const { sign, ...rest } = form
    if (!c || form.app_key !== c.appKey)
      return { error_response: { code: '19', zh_desc: '无效的app_key', en_desc: 'Invalid app_key' } }
    if (md5Sign(c.appSecret, rest) !== sign) {
      sandbox.badSignatures += 1
      return { error_response: { code: '11', zh_desc: '签名无效', en_desc: 'Invalid signature' } }
    }
    if (form.access_token !== c.accessToken)
      return { error_response: { code: '19', zh_desc: 'token已过期', en_desc: 'Invalid access_token' } }
    const method = form.method ?? ''
    const p = parse(form['360buy_param_json'] ?? '{}')
    switch (method) {
      case 'jingdong.ldop.alpha.provider.sign.success':
        return jdResult(method, {
          statusCode: 0,
          statusMessage: '成功',
          data: SANDBOX_BRANCHES.jd.map((b) => ({
            providerId: 1,
            providerCode: b.cp,
            providerName: '中通快递',
            providerType: 2,
            branchCode: b.branch,
            branchName: b.name,
            amount: sandbox.balance('jd', b.cp, b.branch),
            supportCod: false,
            address: {
              provinceName: '浙江省',
              cityName: '杭州市',
              countryName: '余杭区',
              address: '文一西路969号',
            },
          })),
        })
      case 'jingdong.ldop.alpha.waybill.receive': {
        const content = parse(s(p.content))
        const cp = s(content.providerCode)
        const branch = branchOf('jd', cp)
        await slow()
        if (!branch) return jdResult(method, { statusCode: 1, statusMessage: `承运商${cp}未签约` })
        const n = take(
          'jd',
          cp,
          branch,
          s(content.vendorOrderCode),
          [s(content.platformOrderNo)],
          content.toAddress,
        )
        if (!n) return jdResult(method, { statusCode: -1, statusMessage: '单号余额不足' }) // ours
        return jdResult(method, {
          statusCode: 0,
          statusMessage: '成功',
          data: { platformOrderNo: s(content.platformOrderNo), waybillCodeList: [n.code] },
        })
      }
      case 'jingdong.ldop.alpha.waybill.api.unbind': {
        const n = byCode.get(s(p.waybillCode))
        if (!n || n.provider !== 'jd') return jdResult(method, { statusCode: 1, statusMessage: '运单不存在' })
        if (n.status === 'cancelled') return jdResult(method, { statusCode: -1, statusMessage: '运单已回收' })
        n.status = 'cancelled'
        return jdResult(method, { statusCode: 0, statusMessage: '成功' })
      }
      case 'jingdong.printing.printData.pullData': {
        const param = isObj(p.param1) ? p.param1 : {}
        const infos = Array.isArray(param.wayBillInfos) ? param.wayBillInfos.filter(isObj) : []
        return {
          jingdong_printing_printData_pullData_responce: {
            code: '0',
            returnType: {
              prePrintDatas: infos.map((w) => {
                const n = byCode.get(s(w.wayBillCode))
                return !n || n.status === 'cancelled'
                  ? { wayBillNo: s(w.wayBillCode), code: '2', msg: n ? '运单已回收' : '运单不存在' }
                  : {
                      wayBillNo: n.code,
                      perPrintData: randomBytes(40).toString('base64'),
                      code: '1',
                      msg: '成功',
                    }
              }),
            },
          },
        }
      }
      default:
        return { error_response: { code: '22', zh_desc: '无效的方法', en_desc: 'Invalid method' } }
    }
  }

  // ---------------------------------------------------------------- SF
  const sfEnv = (code: string, msg: string, data: Obj | null) => ({
    apiResultCode: code,
    apiErrorMsg: msg,
    apiResponseID: randomBytes(8).toString('hex').toUpperCase(),
    apiResultData: data ? JSON.stringify(data) : '',
  })
  async function sfApi(form: Record<string, string>): Promise<Obj> {
    const c = opts.sf
    if (!c || form.partnerID !== c.partnerId) return sfEnv('A1001', '必传参数不可为空或非法的partnerID', null)
    if (msgDigest(form.msgData ?? '', form.timestamp ?? '', c.checkWord) !== form.msgDigest) {
      sandbox.badSignatures += 1
      return sfEnv('A1006', '数字签名无效', null)
    }
    const msg = parse(form.msgData ?? '')
    switch (form.serviceCode ?? '') {
      case 'EXP_RECE_CREATE_ORDER': {
        const orderId = s(msg.orderId)
        const again = issued.find((i) => i.provider === 'sf' && i.objectId === orderId)
        if (again)
          return sfEnv('A1000', '', {
            success: false,
            errorCode: '8016',
            errorMsg: '重复下单',
            msgData: null,
          })
        await slow()
        const n = take('sf', 'SF', '5710000001', orderId, [orderId], msg.contactInfoList)
        if (!n) return sfEnv('A1000', '', { success: false, errorCode: '8114', errorMsg: '月结卡号余额不足' }) // ours
        return sfEnv('A1000', '', {
          success: true,
          errorCode: 'S0000',
          errorMsg: null,
          msgData: {
            orderId,
            originCode: '571',
            destCode: '010',
            filterResult: 2,
            waybillNoInfoList: [{ waybillType: 1, waybillNo: n.code }],
            routeLabelInfo: [
              {
                code: '1000',
                routeLabelData: {
                  waybillNo: n.code,
                  sourceTransferCode: '571W',
                  destRouteLabel: '010WB-001',
                  codingMapping: 'F33',
                  proCode: 'T4',
                },
              },
            ],
          },
        })
      }
      case 'EXP_RECE_UPDATE_ORDER': {
        const n = issued.find((i) => i.provider === 'sf' && i.objectId === s(msg.orderId))
        if (!n) return sfEnv('A1000', '', { success: false, errorCode: '8018', errorMsg: '未获取到订单信息' })
        if (n.status === 'cancelled')
          return sfEnv('A1000', '', { success: false, errorCode: '8037', errorMsg: '已消单' })
        n.status = 'cancelled'
        return sfEnv('A1000', '', {
          success: true,
          errorCode: 'S0000',
          msgData: { orderId: n.objectId, resStatus: 2 },
        })
      }
      default:
        return sfEnv('A1004', '无对应服务权限', null)
    }
  }

  // ---------------------------------------------------------------- EasyPost
  const shipments = new Map<string, { id: string; code: string; status: string }>()
  async function easypostApi(path: string, auth: string | undefined, body: string): Promise<[number, Obj]> {
    const c = opts.easypost
    const expected = c ? `Basic ${Buffer.from(`${c.apiKey}:`).toString('base64')}` : ''
    if (!c || auth !== expected)
      return [
        401,
        { error: { code: 'APIKEY.INACTIVE', message: 'This api key is no longer active.', errors: [] } },
      ]
    const refund = /^\/v2\/shipments\/([^/]+)\/refund$/.exec(path)
    if (refund) {
      const sh = shipments.get(decodeURIComponent(refund[1]!))
      if (!sh)
        return [
          404,
          { error: { code: 'NOT_FOUND', message: 'The requested resource could not be found.', errors: [] } },
        ]
      const n = byCode.get(sh.code)
      if (n?.status === 'cancelled')
        return [
          422,
          {
            error: {
              code: 'SHIPMENT.REFUND.ALREADY_REQUESTED',
              message: 'A refund has already been requested for this shipment.',
              errors: [],
            },
          },
        ]
      if (n) n.status = 'cancelled'
      return [200, { id: sh.id, object: 'Shipment', tracking_code: sh.code, refund_status: 'submitted' }]
    }
    if (path !== '/v2/shipments')
      return [404, { error: { code: 'NOT_FOUND', message: 'not found', errors: [] } }]
    const req = parse(body)
    const shp = isObj(req.shipment) ? req.shipment : {}
    await slow()
    const n = take(
      'easypost',
      'USPS',
      'ca_usps_sandbox',
      s(shp.reference),
      [s(shp.reference)],
      shp.to_address,
    )
    if (!n)
      return [
        422,
        {
          error: { code: 'SHIPMENT.POSTAGE.FAILURE', message: 'Insufficient funds on account.', errors: [] },
        },
      ] // ours
    const id = `shp_${randomBytes(8).toString('hex')}`
    shipments.set(id, { id, code: n.code, status: 'purchased' })
    return [
      200,
      {
        id,
        object: 'Shipment',
        reference: s(shp.reference),
        tracking_code: n.code,
        selected_rate: {
          id: `rate_${randomBytes(6).toString('hex')}`,
          carrier: 'USPS',
          service: 'GroundAdvantage',
          rate: '6.07',
          currency: 'USD',
        },
        postage_label: {
          id: `pl_${randomBytes(6).toString('hex')}`,
          label_size: '4x6',
          label_file_type: 'application/pdf',
          label_url: `https://easypost-files.example/${id}.pdf`,
        },
      },
    ]
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sandbox')
      const body = await readBody(req)
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' })
        res.end(JSON.stringify(json))
      }
      const form = () => Object.fromEntries(new URLSearchParams(body))
      if (url.pathname === '/top') return send(200, await top(form()))
      if (url.pathname === '/pdd') return send(200, await pddApi(form()))
      if (url.pathname === '/jd') return send(200, await jdApi(form()))
      if (url.pathname === '/sf') return send(200, await sfApi(form()))
      if (url.pathname.startsWith('/douyin/')) {
        const method = url.pathname.slice('/douyin/'.length).split('/').join('.')
        return send(200, await douyinApi(method, Object.fromEntries(url.searchParams), body))
      }
      if (url.pathname.startsWith('/easypost/')) {
        const [status, json] = await easypostApi(
          url.pathname.slice('/easypost'.length),
          req.headers.authorization,
          body,
        )
        return send(status, json)
      }
      send(404, { error: 'no such sandbox path' })
    })().catch((err: unknown) => {
      res.writeHead(500)
      res.end(String(err))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  sandbox.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return sandbox
}
