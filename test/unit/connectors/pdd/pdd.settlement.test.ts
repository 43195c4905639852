import iconv from 'iconv-lite'
import nock from 'nock'
import { describe, expect, it } from 'vitest'
import { pdd } from '../../../../connectors/pdd/index.js'
import type { SettlementLineDraft } from '../../../../connectors/types.js'
import { sum } from '../../../../src/money/index.js'
import { PDD_BILL_ROWS, pddBillText } from '../../../fixtures/pdd/bill.js'
import { bj, formOf, json, PDD_HOST, PDD_PATH, pddShop } from '../../../fixtures/pdd/shop.js'

const utf8Bom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
const gbk = (text: string) => iconv.encode(text, 'gbk')

const summary = (l: SettlementLineDraft) => [
  l.orderExternalId,
  l.type,
  l.platformType,
  l.amount.toFixed(2),
  l.occurredAt.toISOString(),
  l.description,
]

describe.each([
  ['UTF-8 with BOM', utf8Bom],
  ['GBK', gbk],
])('货款明细 in %s', (_encoding, encode) => {
  const result = pdd.parseSettlementFile!(encode(pddBillText))

  it('reads every row below the preamble with its type, signed amount and time', () => {
    expect(result.lines.map(summary)).toEqual([
      [
        '240301-512345678901234',
        'sale',
        '交易收入',
        '99.20',
        bj('2024-03-04 02:00:11').toISOString(),
        '0010002|交易收入',
      ],
      [
        '240301-512345678901234',
        'commission',
        '技术服务费',
        '-0.60',
        bj('2024-03-04 02:00:11').toISOString(),
        '0030001|技术服务费',
      ],
      [
        '240301-512345678901234',
        'commission',
        '技术服务费',
        '-0.60',
        bj('2024-03-04 02:00:11').toISOString(),
        '0030001|技术服务费',
      ],
      [
        '240301-512345678901234',
        'commission',
        '多多进宝佣金',
        '-4.96',
        bj('2024-03-04 02:00:12').toISOString(),
        '0040001|多多进宝佣金',
      ],
      [
        '240303-276543210987654',
        'refund',
        '退款',
        '-27.65',
        bj('2024-03-04 09:15:40').toISOString(),
        '0020002|退款',
      ],
      [
        '240301-512345678901234',
        'subsidy',
        '优惠券结算',
        '5.00',
        bj('2024-03-04 10:00:00').toISOString(),
        '0010005|优惠券结算',
      ],
      [
        null,
        'unknown',
        '保证金冻结',
        '-100.00',
        bj('2024-03-04 12:00:00').toISOString(),
        '0090001|保证金冻结',
      ],
      [null, 'payout', '提现', '-50.00', bj('2024-03-04 18:00:00').toISOString(), '0080001|提现'],
    ])
    expect(result.lines.every((l) => l.currency === 'CNY' && l.payoutId === null)).toBe(true)
    expect(result.lines[0]!.raw).toMatchObject({
      商户订单号: '240301-512345678901234',
      '收入金额（+元）': '99.20',
      账务类型: '交易收入',
    })
  })

  it('rejects the unreadable row with its reason instead of dropping it', () => {
    expect(result.rejected).toEqual([
      { row: 12, raw: PDD_BILL_ROWS[7], reason: '收入金额（+元） "abc" is not an amount' },
    ])
  })

  it('reads the footer total, and the lines add up to it', () => {
    expect(result.statedTotal?.toFixed(2)).toBe('-79.61')
    expect(sum(result.lines.map((l) => l.amount)).eq(result.statedTotal!)).toBe(true)
  })

  it('keeps identical rows apart and gives a row the same id in an overlapping download', () => {
    const ids = result.lines.map((l) => l.externalLineId)
    expect(new Set(ids).size).toBe(ids.length)
    const [, fee1, fee2] = ids
    expect(fee1!.replace(/\.\d+$/, '')).toBe(fee2!.replace(/\.\d+$/, ''))
    expect([fee1!.slice(-2), fee2!.slice(-2)]).toEqual(['.1', '.2'])
    // Another export covering the same rows (without preamble or footer, other encoding) gives the same ids.
    const again = pdd.parseSettlementFile!(
      utf8Bom(
        [
          '商户订单号,发生时间,收入金额（+元）,支出金额（-元）,账务类型,备注,业务描述',
          PDD_BILL_ROWS[1],
          PDD_BILL_ROWS[0],
        ].join('\n'),
      ),
    )
    expect(again.lines.map((l) => l.externalLineId)).toEqual([fee1, ids[0]])
    expect(again.statedTotal).toBeNull()
  })
})

describe('other bill shapes', () => {
  it('reads an Alipay-style #收入合计/#支出合计 footer', () => {
    const text = [
      '商户订单号,发生时间,收入金额（+元）,支出金额（-元）,账务类型,备注,业务描述',
      PDD_BILL_ROWS[0],
      PDD_BILL_ROWS[1],
      '#收入合计：1笔，共99.20元',
      '#支出合计：1笔，共0.60元',
    ].join('\n')
    expect(pdd.parseSettlementFile!(utf8Bom(text)).statedTotal?.toFixed(2)).toBe('98.60')
  })

  it('rejects rows that miss their time or type, and a file that is not a 货款明细', () => {
    const text = [
      '商户订单号,发生时间,收入金额（+元）,支出金额（-元）,账务类型,备注,业务描述',
      '240301-1,,1.00,,交易收入,,',
      '240301-1,2024-03-04 02:00:11,1.00,,,,',
      '240301-1,2024-03-04 02:00:11,,,交易收入,,',
    ].join('\n')
    expect(pdd.parseSettlementFile!(utf8Bom(text)).rejected.map((r) => r.reason)).toEqual([
      `发生时间 "" is not a 'yyyy-MM-dd HH:mm:ss' time`,
      '账务类型 is empty',
      'neither 收入金额（+元） nor 支出金额（-元） holds an amount',
    ])
    const other = pdd.parseSettlementFile!(utf8Bom('订单号,金额\n1,2\n'))
    expect(other).toMatchObject({
      lines: [],
      statedTotal: null,
      rejected: [{ row: 0, reason: expect.stringContaining('no header row') }],
    })
  })
})

describe('pullSettlements (pdd.finance.balance.daily.bill.url.get)', () => {
  it('gets the day link, downloads the GBK file, yields its lines and then surfaces the rejected row', async () => {
    const dates: string[] = []
    nock(PDD_HOST)
      .post(
        PDD_PATH,
        (b: unknown) =>
          formOf(b).type === 'pdd.finance.balance.daily.bill.url.get' &&
          (dates.push(formOf(b).bill_date!), true),
      )
      .reply(
        ...json({
          finance_balance_daily_bill_url_get_response: {
            download_url:
              'https://bill.pdd.test/download/mall-bill-detail-20240304.csv?sign=abc123&expires=1709600000',
          },
        }),
      )
    nock('https://bill.pdd.test')
      .get('/download/mall-bill-detail-20240304.csv')
      .query(true)
      .reply(200, gbk(pddBillText), { 'content-type': 'application/octet-stream' })
    const batches: SettlementLineDraft[][] = []
    const run = async () => {
      for await (const lines of pdd.pullSettlements!(pddShop(), {
        from: bj('2024-03-04 00:00:00'),
        to: bj('2024-03-05 00:00:00'),
      }))
        batches.push(lines)
    }
    const err = await run().catch((e: unknown) => e)
    expect(dates).toEqual(['2024-03-04'])
    expect(batches.map((b) => b.length)).toEqual([8])
    expect(batches[0]![0]).toMatchObject({
      type: 'sale',
      platformType: '交易收入',
      orderExternalId: '240301-512345678901234',
    })
    expect(err).toMatchObject({
      name: 'ConnectorError',
      kind: 'permanent',
      message: expect.stringContaining('"abc" is not an amount'),
    })
    expect((err as Error).message).not.toContain('abc123') // the signed link stays out of messages
  })

  it('treats a missing link as not ready yet and an expired link as transient', async () => {
    nock(PDD_HOST)
      .post(PDD_PATH)
      .reply(...json({ finance_balance_daily_bill_url_get_response: { download_url: '' } }))
    const first = pdd.pullSettlements!(pddShop(), {
      from: bj('2024-03-04 00:00:00'),
      to: bj('2024-03-05 00:00:00'),
    })[Symbol.asyncIterator]()
    await expect(first.next()).rejects.toMatchObject({
      kind: 'transient',
      message: expect.stringContaining('2024-03-04'),
    })

    nock(PDD_HOST)
      .post(PDD_PATH)
      .reply(
        ...json({
          finance_balance_daily_bill_url_get_response: { download_url: 'https://bill.pdd.test/d.csv?sign=x' },
        }),
      )
    nock('https://bill.pdd.test').get('/d.csv').query(true).reply(403, 'expired')
    const second = pdd.pullSettlements!(pddShop(), {
      from: bj('2024-03-04 00:00:00'),
      to: bj('2024-03-05 00:00:00'),
    })[Symbol.asyncIterator]()
    await expect(second.next()).rejects.toMatchObject({ kind: 'transient', detail: { httpStatus: 403 } })
  })
})
