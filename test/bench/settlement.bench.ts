/**
 * Settlement import: a 20,000-row Alipay statement (GBK) parsed by the Taobao connector, stored and
 * posted to the journal (entries, lines, daily totals), against plain multi-row INSERTs of the same
 * settlement rows alone, in the same run.
 */
import iconv from 'iconv-lite'
import { sql } from 'kysely'
import { importSettlementFile } from '../../src/ledger/settlements.js'
import { newId } from '../../src/lib/ids.js'
import { freshDb } from '../helpers/db.js'
import { fmt, timed, type BenchResult } from './harness.js'

const N = Number(process.env.BENCH_SETTLEMENT_ROWS ?? 20_000)

export async function run(): Promise<BenchResult> {
  const t = await freshDb()
  try {
    const m = newId()
    const shop = newId()
    await sql`INSERT INTO merchants (id, name, timezone, base_currency) VALUES (${m}, 'bench', 'Asia/Shanghai', 'CNY')`.execute(
      t.db,
    )
    await sql`INSERT INTO shops (id, merchant_id, channel, name, status, settings) VALUES (${shop}, ${m}, 'taobao', 'bench', 'active', '{}')`.execute(
      t.db,
    )
    const header = [
      '账务流水号',
      '业务流水号',
      '商户订单号',
      '商品名称',
      '发生时间',
      '对方账号',
      '收入金额（+元）',
      '支出金额（-元）',
      '账户余额（元）',
      '交易渠道',
      '业务类型',
      '备注',
      '业务描述',
      '业务账单来源',
      '业务基础订单号',
      '业务订单号',
    ]
    const rows = [header]
    let cents = 0n
    for (let i = 0; i < N; i++) {
      const fee = i % 2 === 1
      const amount = fee ? -500n : 10000n
      cents += amount
      const money = (c: bigint) =>
        `${c < 0n ? '-' : ''}${(c < 0n ? -c : c) / 100n}.${String((c < 0n ? -c : c) % 100n).padStart(2, '0')}`
      const tid = `3678123456${String(Math.floor(i / 2)).padStart(9, '0')}`
      rows.push([
        `2026${String(i).padStart(12, '0')}`,
        `B${i}`,
        fee ? 'CAE_CHARGE' : `T200P${tid}`,
        fee ? '天猫佣金' : '商品',
        '2026-11-10 10:00:00',
        'a',
        fee ? '' : money(amount),
        fee ? money(amount) : '',
        money(cents),
        '淘宝',
        fee ? '收费' : '在线支付',
        '',
        '',
        '淘宝',
        fee ? tid : '',
        '',
      ])
    }
    const bytes = iconv.encode(
      ['#支付宝账务明细查询', ...rows.map((r) => r.map((c) => `${c}\t`).join(',')), ''].join('\r\n'),
      'gbk',
    )
    const raw = await timed(async () => {
      for (let i = 1; i < rows.length; i += 500) {
        await sql`INSERT INTO settlement_lines (id, merchant_id, shop_id, channel, external_line_id, order_external_id, type, platform_type, amount, currency, occurred_at, raw)
          VALUES ${sql.join(rows.slice(i, i + 500).map((r) => sql`(${newId()}, ${m}, ${shop}, 'taobao', ${`raw-${r[0]}`}, ${r[14] || null}, 'sale', ${r[10]}, ${r[6] || r[7]}, 'CNY', ${new Date('2026-11-10T02:00:00Z')}, ${JSON.stringify(r)})`))}`.execute(
          t.db,
        )
      }
    })
    const imported = await timed(() => importSettlementFile(t.db, m, shop, bytes, 'bench.csv'))
    if (imported.value.inserted !== N || imported.value.rejected.length > 0)
      throw new Error(
        `import: ${JSON.stringify({ ...imported.value, rejected: imported.value.rejected.slice(0, 3) })}`,
      )
    const rate = (N / imported.ms) * 1000
    const base = (N / raw.ms) * 1000
    return {
      name: `settlement import, ${fmt(N)}-row Alipay statement (GBK) parsed, stored and posted`,
      figure: `${fmt(rate)} rows/s vs ${fmt(base)} rows/s plain INSERT of the settlement rows alone`,
      ratio: rate / base,
      target: 'reported',
      ok: true,
    }
  } finally {
    await t.drop()
  }
}
