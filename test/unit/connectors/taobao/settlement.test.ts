import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { taobao } from '../../../../connectors/taobao/index.js'
import { ALIPAY_BIZ_TYPE, parsedTotal, tidOf } from '../../../../connectors/taobao/settlement.js'
import { sum } from '../../../../src/money/index.js'
import { CLASSIC_ROWS, classicStatement, reorderedStatement } from '../../../fixtures/taobao/alipay.js'

const gbk = (text: string) => iconv.encode(text, 'gbk')
const utf8Bom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
const parse = (bytes: Buffer) => taobao.parseSettlementFile!(bytes)

describe('Alipay 账务明细 (§1.10, §D.1)', () => {
  it('parses the GBK export: preamble skipped, TABs stripped, types, signs, tids and payout', () => {
    const bytes = gbk(classicStatement())
    expect(bytes.includes(Buffer.from('账务流水号', 'utf8'))).toBe(false) // really GBK on the wire
    const r = parse(bytes)
    expect(
      r.lines.map((l) => [
        l.externalLineId,
        l.type,
        l.platformType,
        l.amount.toFixed(2),
        l.orderExternalId,
        l.payoutId,
      ]),
    ).toEqual([
      ['20261101100000000001', 'sale', '在线支付', '272.90', '3678123456789012345', null],
      ['20261101100000000002', 'commission', '收费', '-5.46', '3678123456789012345', null],
      ['20261101100000000003', 'payment_fee', '收费', '-1.64', '3678123456789012345', null],
      ['20261102090000000004', 'refund', '交易退款', '-189.00', '3678123456789012555', null],
      ['20261102100000000005', 'commission', '转账', '-12.00', '3678123456789012345', null],
      ['20261103080000000007', 'payout', '提现', '-1000.00', null, '20261103000040011000260012345678'],
    ])
    const first = r.lines[0]!
    expect(first).toMatchObject({ currency: 'CNY', description: '西湖龙井 明前特级等' })
    expect(first.occurredAt.toISOString()).toBe('2026-11-01T02:00:00.000Z')
    expect(first.raw['商户订单号']).toBe('T200P3678123456789012345')
  })

  it('rejects, never drops, an unreadable row and a row that breaks the running balance', () => {
    const r = parse(gbk(classicStatement()))
    expect(r.rejected.map((x) => [x.row, x.reason])).toEqual([
      [11, 'unreadable 收入金额（+元） "abc"'],
      [
        13,
        'running balance broken: previous balance 94.80 + amount 50.00 = 144.80, but the row states 200.00 (wrong amount, or rows missing before it)',
      ],
    ])
    expect(r.rejected[0]!.raw).toContain('abc\t')
    expect(r.lines.length + r.rejected.length).toBe(CLASSIC_ROWS.length)
  })

  it('reads the footer totals into statedTotal = income − expense, and the gap is the rejected rows', () => {
    const r = parse(gbk(classicStatement()))
    expect(r.statedTotal?.toFixed(2)).toBe('-855.20')
    expect(parsedTotal(r).toFixed(2)).toBe('-935.20')
    // What the rejected rows would have carried per the platform (30.00 damaged, 50.00 off-balance).
    expect(r.statedTotal!.minus(parsedTotal(r)).toFixed(2)).toBe('80.00')
  })

  it('reads a UTF-8-BOM export with reordered columns, newest first, without footer totals', () => {
    const r = parse(utf8Bom(reorderedStatement()))
    expect(r.rejected).toEqual([])
    expect(r.statedTotal).toBeNull()
    expect(r.lines.map((l) => [l.type, l.amount.toFixed(2), l.orderExternalId])).toEqual([
      ['refund', '-20.00', '3678123456789012345'],
      ['sale', '300.00', '3678123456789012999'],
    ])
    expect(sum(r.lines.map((l) => l.amount)).toFixed(2)).toBe('280.00')
  })

  it.each(Object.entries(ALIPAY_BIZ_TYPE))('业务类型 %s → %s', (bizType, type) => {
    const expected = {
      在线支付: 'sale',
      交易付款: 'sale',
      交易退款: 'refund',
      收费: 'commission',
      交易分账: 'commission',
      转账: 'adjustment',
      提现: 'payout',
      其它: 'unknown',
    }[bizType]
    expect(type).toBe(expected)
    const one = [
      [
        '20261101000000000009',
        '2026110100000000000009',
        '',
        '说明',
        '2026-11-01 00:00:09',
        '',
        '1.00',
        '',
        '',
        '淘宝',
        bizType,
        '',
        '',
        '淘宝',
        '',
        '',
      ],
    ] as const
    const r = parse(gbk(classicStatement(one)))
    expect(r.lines.map((l) => [l.type, l.platformType])).toEqual([[expected, bizType]])
  })

  it('keeps an unlisted 业务类型 as unknown with its text', () => {
    const one = [
      [
        '20261101000000000010',
        '',
        '',
        '',
        '2026-11-01 00:00:10',
        '',
        '',
        '-3.00',
        '',
        '',
        '保证金',
        '',
        '',
        '',
        '',
        '',
      ],
    ] as const
    expect(
      parse(gbk(classicStatement(one))).lines.map((l) => [l.type, l.platformType, l.amount.toFixed(2)]),
    ).toEqual([['unknown', '保证金', '-3.00']])
  })

  it('extracts the tid by the documented rules', () => {
    expect(tidOf({ 业务类型: '在线支付', 商户订单号: 'T200P3678123456789012345' })).toBe(
      '3678123456789012345',
    )
    expect(tidOf({ 业务类型: '在线支付', 商户订单号: 'CAE_POINT_20261101_3678123456789012345' })).toBe(
      '3678123456789012345',
    )
    expect(tidOf({ 业务类型: '转账', 备注: '淘宝客佣金退款[3678123456789012345]' })).toBe(
      '3678123456789012345',
    )
    expect(tidOf({ 业务类型: '交易分账', 备注: '分账 3678123456789012345 服务费' })).toBe(
      '3678123456789012345',
    )
    expect(tidOf({ 业务类型: '提现', 备注: '3678123456789012345' })).toBeNull()
    expect(tidOf({ 业务类型: '收费', 备注: '年费' })).toBeNull()
  })

  it('rejects a row with both income and expense, and one with a bad time', () => {
    const rows = [
      [
        '20261101000000000011',
        '',
        '',
        '',
        '2026-11-01 00:00:11',
        '',
        '1.00',
        '-1.00',
        '',
        '',
        '转账',
        '',
        '',
        '',
        '',
        '',
      ],
      ['20261101000000000012', '', '', '', '01/11/2026', '', '1.00', '', '', '', '转账', '', '', '', '', ''],
    ] as const
    expect(parse(gbk(classicStatement(rows))).rejected.map((x) => x.reason)).toEqual([
      'both income and expense are given',
      'unreadable 发生时间 "01/11/2026"',
    ])
  })
})
