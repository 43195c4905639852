import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { douyin } from '../../../../connectors/douyin/index.js'
import { settleRowLines } from '../../../../connectors/douyin/settlement.js'
import { sum } from '../../../../src/money/index.js'
import { dySettleRows } from '../../../fixtures/douyin/orders.js'

/**
 * A 资金流水明细 export as intl-and-settlements.md §D.4 describes it: header by name (动帐流水号 with
 * 帐), ids protected with a leading `'`, `#` preamble and footer ⚠ (layout of those lines assumed).
 */
const HEADER = [
  '动账时间',
  '动帐流水号',
  '动账方向',
  '动账金额',
  '动账账户',
  '动账场景',
  '计费类型',
  '动账摘要',
  '订单号',
  '子订单号',
  '售后编号',
  '订单实付应结',
  '运费实付',
  '实际平台补贴',
  '实际达人补贴',
  '实际抖音支付补贴',
  '订单退款',
  '平台服务费',
  '佣金',
  '招商服务费',
  '备注',
]
const row = (cells: Record<string, string>) => HEADER.map((h) => cells[h] ?? '').join(',')
const FILE = [
  '#抖店资金流水明细',
  '#店铺名称：示例旗舰店',
  '#起止日期：[2024-03-10 00:00:00]至[2024-03-16 23:59:59]',
  HEADER.join(','),
  row({
    动账时间: '2024-03-10 12:00:00',
    动帐流水号: "'7345000000000000001",
    动账方向: '入账',
    动账金额: '115.05',
    动账账户: '聚合账户',
    动账场景: '订单结算',
    计费类型: '货款',
    动账摘要: '订单结算入账',
    订单号: "'6921001234567890123",
    子订单号: "'6921001234567890124",
    订单实付应结: '120.00',
    运费实付: '6.00',
    实际平台补贴: '10.00',
    实际达人补贴: '5.00',
    实际抖音支付补贴: '0.00',
    平台服务费: '6.75',
    佣金: '12.00',
    招商服务费: '1.20',
  }),
  row({
    动账时间: '2024-03-11 09:30:00',
    动帐流水号: "'7345000000000000002",
    动账方向: '出账',
    动账金额: '30.00',
    动账账户: '聚合账户',
    动账场景: '售后退款',
    计费类型: '退款',
    动账摘要: '"售后退款,原路退回"',
    订单号: "'6921001234567890300",
    售后编号: "'7301234567890123456",
    订单退款: '30.00',
  }),
  row({
    动账时间: '2024-03-12 18:00:00',
    动帐流水号: "'7345000000000000003",
    动账方向: '出账',
    动账金额: '500.00',
    动账账户: '聚合账户',
    动账场景: '提现',
    计费类型: '提现',
    动账摘要: '提现至银行卡',
  }),
  row({
    动账时间: '2024-03-13 08:00:00',
    动帐流水号: "'7345000000000000004",
    动账方向: '入账',
    动账金额: '12.3O',
    动账账户: '聚合账户',
    动账场景: '订单结算',
    订单号: "'6921001234567890400",
    订单实付应结: '12.30',
  }),
  '#入账合计：115.05元,出账合计：530.00元',
  '#导出时间：2024-03-17 09:00:00',
].join('\r\n')

function check(bytes: Buffer) {
  const result = douyin.parseSettlementFile!(bytes)
  expect(
    result.lines.map((l) => [
      l.externalLineId,
      l.type,
      l.platformType,
      l.amount.toFixed(2),
      l.orderExternalId,
    ]),
  ).toEqual([
    ['7345000000000000001:订单实付应结', 'sale', '订单实付应结', '120.00', '6921001234567890123'],
    ['7345000000000000001:实际平台补贴', 'subsidy', '实际平台补贴', '10.00', '6921001234567890123'],
    ['7345000000000000001:实际达人补贴', 'subsidy', '实际达人补贴', '5.00', '6921001234567890123'],
    ['7345000000000000001:平台服务费', 'commission', '平台服务费', '-6.75', '6921001234567890123'],
    ['7345000000000000001:佣金', 'commission', '佣金', '-12.00', '6921001234567890123'],
    ['7345000000000000001:招商服务费', 'other_fee', '招商服务费', '-1.20', '6921001234567890123'],
    ['7345000000000000002:订单退款', 'refund', '订单退款', '-30.00', '6921001234567890300'],
    ['7345000000000000003:动账金额', 'payout', '提现', '-500.00', null],
  ])
  expect(result.lines[0]!.occurredAt.toISOString()).toBe('2024-03-10T04:00:00.000Z')
  expect(result.lines[0]!.currency).toBe('CNY')
  expect(result.lines[6]!.description).toBe('售后退款,原路退回')
  expect(result.lines[0]!.raw['运费实付']).toBe('6.00') // kept, not double-counted
  expect(result.rejected).toEqual([
    {
      row: 8,
      raw: expect.stringContaining('7345000000000000004'),
      reason: '动账金额 "12.3O" is not an amount',
    },
  ])
  expect(result.statedTotal?.toFixed(2)).toBe('-414.95')
  expect(sum(result.lines.map((l) => l.amount)).toFixed(2)).toBe('-414.95')
}

describe('douyin 资金流水明细 file', () => {
  it('reads the UTF-8 export with a BOM, pivots wide rows, rejects the bad row and reads the footer total', () => {
    check(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(FILE, 'utf8')]))
  })

  it('reads the same export saved as GBK', () => {
    check(iconv.encode(FILE, 'gbk'))
  })

  it('rejects unknown directions and duplicate movement ids, and adds a 差额 line when components do not explain a movement', () => {
    const text = [
      HEADER.join(','),
      row({ 动账时间: '2024-03-10 12:00:00', 动帐流水号: '9001', 动账方向: '冲正', 动账金额: '1.00' }),
      row({
        动账时间: '2024-03-10 12:00:00',
        动帐流水号: '9002',
        动账方向: '入账',
        动账金额: '100.50',
        订单实付应结: '100.00',
        平台服务费: '3.00',
      }),
      row({
        动账时间: '2024-03-10 12:00:00',
        动帐流水号: '9002',
        动账方向: '入账',
        动账金额: '1.00',
        动账场景: '订单结算',
      }),
      row({
        动账时间: '2024-03-10 13:00:00',
        动帐流水号: '9003',
        动账方向: '出账',
        动账金额: '97.00',
        订单实付应结: '100.00',
        平台服务费: '3.00',
      }),
    ].join('\n')
    const r = douyin.parseSettlementFile!(Buffer.from(text, 'utf8'))
    expect(r.lines.map((l) => [l.externalLineId, l.type, l.amount.toFixed(2)])).toEqual([
      ['9002:订单实付应结', 'sale', '100.00'],
      ['9002:平台服务费', 'commission', '-3.00'],
      ['9002:差额', 'adjustment', '3.50'],
      // a reversal: the same components moving money out
      ['9003:订单实付应结', 'sale', '-100.00'],
      ['9003:平台服务费', 'commission', '3.00'],
    ])
    expect(r.rejected.map((x) => x.reason)).toEqual([
      'unknown 动账方向 "冲正" (expected 入账 or 出账)',
      '动帐流水号 9002 appears twice in the file',
    ])
    expect(r.statedTotal).toBeNull()
  })

  it('rejects a file without the expected header as a whole, never silently', () => {
    const r = douyin.parseSettlementFile!(Buffer.from('a,b,c\n1,2,3\n', 'utf8'))
    expect(r.lines).toEqual([])
    expect(r.rejected[0]!.reason).toContain('no header row')
  })
})

describe('douyin settle rows (order.getSettleBillDetailV3)', () => {
  it('pivots one row per non-zero component, summing exactly to settle_amount', () => {
    const lines = settleRowLines(dySettleRows[0])
    expect(lines.map((l) => [l.externalLineId, l.type, l.amount.toFixed(2)])).toEqual([
      ['2024031012000001:real_pay_amount', 'sale', '167.80'],
      ['2024031012000001:platform_coupon', 'subsidy', '5.00'],
      ['2024031012000001:author_coupon', 'subsidy', '3.00'],
      ['2024031012000001:platform_service_fee', 'commission', '-5.03'],
      ['2024031012000001:commission', 'commission', '-16.78'],
    ])
    expect(sum(lines.map((l) => l.amount)).toFixed(2)).toBe('153.99')
    expect(lines[0]).toMatchObject({
      orderExternalId: '6921001234567890123',
      currency: 'CNY',
      description: '精选联盟 · 聚合账户 · 已结算',
      payoutId: null,
    })
    expect(lines[0]!.occurredAt.toISOString()).toBe('2024-03-10T04:00:00.000Z')
    expect(lines[0]!.raw.settle_amount).toBe('15399')
  })

  it('shows what the components do not explain as a 差额 adjustment', () => {
    const lines = settleRowLines(dySettleRows[1])
    expect(lines.map((l) => [l.externalLineId, l.type, l.amount.toFixed(2)])).toEqual([
      ['2024031012000002:real_pay_amount', 'sale', '42.00'],
      ['2024031012000002:zt_pay_promotion', 'subsidy', '1.00'],
      ['2024031012000002:platform_service_fee', 'commission', '-1.26'],
      ['2024031012000002:差额', 'adjustment', '0.20'],
    ])
  })

  it('books the buyer-paid part of an after-settlement refund row as refund, and refuses unreadable rows', () => {
    const lines = settleRowLines({
      ...dySettleRows[0],
      trade_type: 1,
      real_pay_amount: -16780,
      platform_coupon: 0,
      author_coupon: 0,
      platform_service_fee: -503,
      commission: -1678,
      settle_amount: -14599,
    })
    expect(lines.map((l) => [l.type, l.amount.toFixed(2)])).toEqual([
      ['refund', '-167.80'],
      ['commission', '5.03'],
      ['commission', '16.78'],
    ])
    expect(() => settleRowLines({ ...dySettleRows[0], settle_amount: 153.99 })).toThrow(/settle_amount/)
  })
})
