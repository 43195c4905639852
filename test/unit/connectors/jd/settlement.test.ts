import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { jd } from '../../../../connectors/jd/index.js'
import { exportTime, FEE_ITEM_TYPE, lineType } from '../../../../connectors/jd/settlement.js'
import { sum } from '../../../../src/money/index.js'
import { bomStatementText, gbkStatementText } from '../../../fixtures/jd/settlement.js'

const parse = (bytes: Buffer) => jd.parseSettlementFile!(bytes)

describe('JD settlement file (intl-and-settlements.md §D.3)', () => {
  it('reads a GBK export with its # preamble, ="…" ids, refund documents, a 合计 footer, and rejects the bad row', () => {
    const bytes = iconv.encode(gbkStatementText(), 'gbk')
    expect(bytes.includes(Buffer.from('货款', 'utf8'))).toBe(false) // really GBK on the wire
    const r = parse(bytes)
    expect(
      r.lines.map((l) => [
        l.externalLineId,
        l.orderExternalId,
        l.type,
        l.platformType,
        l.amount.toFixed(2),
        l.currency,
      ]),
    ).toEqual([
      ['88001', '3219876543210987654', 'sale', '货款', '422.90', 'CNY'],
      ['88002', '3219876543210987654', 'commission', '佣金', '-33.83', 'CNY'],
      ['88003', '3219876543210987654', 'shipping_fee', '代收配送费', '8.00', 'CNY'],
      ['88004', '3219876543210987654', 'other_fee', '随单送的京豆', '-1.00', 'CNY'],
      ['88005', '3219876543210987656', 'refund', '货款', '-188.00', 'CNY'],
      ['88006', '3219876543210987656', 'commission', '佣金', '15.04', 'CNY'],
      ['88007', null, 'unknown', '京准通推广费', '-50.00', 'CNY'],
    ])
    expect(r.lines[0]!.occurredAt.toISOString()).toBe('2026-11-25T02:00:00.000Z') // 费用结算时间, Beijing
    expect(r.lines[4]!.description).toBe('正山小种, 100g')
    expect(r.lines[6]!.description).toBe('11月推广')
    expect(r.lines[0]!.raw['单据类型']).toBe('订单')
    expect(r.rejected).toHaveLength(1)
    expect(r.rejected[0]).toMatchObject({ row: 12, reason: '金额 "一百元" is not an amount' })
    expect(r.rejected[0]!.raw).toContain('88008')
    expect(r.statedTotal?.toFixed(2)).toBe('173.11')
    expect(sum(r.lines.map((l) => l.amount)).eq(r.statedTotal!)).toBe(true)
  })

  it('reads a UTF-8-BOM export with CRLF, Excel dates, a shared document number, a row without one, and a bad direction', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(bomStatementText(), 'utf8')])
    const r = parse(bytes)
    expect(
      r.lines.map((l) => [
        l.externalLineId.length === 32 ? 'row-hash' : l.externalLineId,
        l.type,
        l.amount.toFixed(2),
        l.occurredAt.toISOString(),
      ]),
    ).toEqual([
      ['99001', 'sale', '59.90', '2026-11-26T00:05:00.000Z'],
      ['99002:货款', 'sale', '10.00', '2026-11-25T02:00:00.000Z'],
      ['99002:佣金', 'commission', '-0.80', '2026-11-25T02:00:00.000Z'],
      ['row-hash', 'other_fee', '-0.05', '2026-11-26T16:00:00.000Z'],
    ])
    expect(r.rejected.map((x) => [x.row, x.reason])).toEqual([
      [6, '收支方向 "其他" is neither 收入 nor 支出'],
    ])
    expect(r.statedTotal).toBeNull()
    // The same bytes give the same ids: the hash id is stable.
    expect(parse(bytes).lines[3]!.externalLineId).toBe(r.lines[3]!.externalLineId)
  })

  it('refuses a file without the JD header', () => {
    expect(() => parse(Buffer.from('a,b,c\n1,2,3', 'utf8'))).toThrow(/no header row/)
  })

  it.each(Object.entries(FEE_ITEM_TYPE))('费用项 %s → %s', (item, type) => {
    expect(lineType(item, '订单')).toBe(type)
  })

  it('turns sale proceeds on refund documents into refunds, and reads the export time formats', () => {
    expect([
      lineType('货款', '取消退款单'),
      lineType('货款', '售后服务单'),
      lineType('货款', '非销售订单'),
      lineType('运费险', '订单'),
    ]).toEqual(['refund', 'refund', 'sale', 'unknown'])
    expect(
      ['2026-11-25 10:00:00', '2026/1/5 9:07', '2026-11-27', 'soon'].map(
        (t) => exportTime(t)?.toISOString() ?? null,
      ),
    ).toEqual(['2026-11-25T02:00:00.000Z', '2026-01-05T01:07:00.000Z', '2026-11-26T16:00:00.000Z', null])
  })
})
