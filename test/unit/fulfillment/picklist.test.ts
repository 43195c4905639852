import { describe, expect, it } from 'vitest'
import { buildPickList, type PickSource } from '../../../src/fulfillment/picklist.js'
import { pickListCsv, pickListHtml } from '../../../src/fulfillment/render.js'
import { compareBins } from '../../../src/fulfillment/walk-order.js'

describe('walking order of bins', () => {
  it('sorts segment by segment, numbers numerically, no-bin last', () => {
    const bins = ['B-01-01', 'A-10-02', null, 'A-2-01', 'A-02-10', 'A-02-9', 'AA-01-01', 'A-02-09']
    expect([...bins].sort(compareBins)).toEqual([
      'A-2-01',
      'A-02-09',
      'A-02-9',
      'A-02-10',
      'A-10-02',
      'AA-01-01',
      'B-01-01',
      null,
    ])
  })
})

const src = (
  o: Partial<PickSource> & Pick<PickSource, 'orderId' | 'slot' | 'skuCode' | 'bin' | 'quantity'>,
): PickSource => ({
  orderLabel: `TB-${o.orderId}`,
  channel: 'taobao',
  onHold: false,
  skuId: `sku-${o.skuCode}`,
  skuName: `商品 ${o.skuCode}`,
  barcode: null,
  picked: 0,
  ...o,
})

describe('pick list', () => {
  const sources = [
    src({ orderId: 'o1', slot: 1, skuCode: 'CUP-500', bin: 'A-10-01', quantity: 2 }),
    src({ orderId: 'o2', slot: 2, skuCode: 'CUP-500', bin: 'A-10-01', quantity: 1 }),
    src({ orderId: 'o2', slot: 2, skuCode: 'TEA-01', bin: 'A-2-03', quantity: 3 }),
    src({
      orderId: 'o3',
      slot: 3,
      skuCode: 'BAG-9',
      bin: null,
      quantity: 1,
      channel: 'shopify',
      orderLabel: '#1042',
    }),
    src({ orderId: 'o4', slot: 4, skuCode: 'CUP-500', bin: 'A-10-01', quantity: 5, onHold: true }),
    src({ orderId: 'o1', slot: 1, skuCode: 'MUG-=1', bin: 'A-2-03', quantity: 1 }),
  ]
  const list = buildPickList(
    { waveId: 'W1', warehouseCode: 'HZ1', createdAt: new Date('2026-11-24T08:00:00Z') },
    sources,
  )

  it('aggregates by bin then SKU, in walking order, with per-order slots', () => {
    expect(list.items.map((i) => [i.seq, i.bin, i.skuCode, i.totalQuantity])).toEqual([
      [1, 'A-2-03', 'MUG-=1', 1],
      [2, 'A-2-03', 'TEA-01', 3],
      [3, 'A-10-01', 'CUP-500', 3],
      [4, null, 'BAG-9', 1],
    ])
    expect(list.items[2]!.slots.map((s) => [s.slot, s.quantity, s.onHold])).toEqual([
      [1, 2, false],
      [2, 1, false],
      [4, 5, true],
    ])
    expect(list).toMatchObject({ orderCount: 3, heldOrders: 1, unitCount: 8 })
  })

  it('renders CSV with a BOM, one row per slot, formula cells neutralised', () => {
    const csv = pickListCsv(list)
    expect(csv.startsWith('\uFEFFseq,bin,sku_code')).toBe(true)
    const lines = csv.trim().split('\n')
    expect(lines).toHaveLength(1 + 6)
    expect(lines[1]).toBe('1,A-2-03,MUG-=1,商品 MUG-=1,,1,1,TB-o1,taobao,1,no')
    const formula = buildPickList({ waveId: 'W3', warehouseCode: 'X', createdAt: new Date() }, [
      src({
        orderId: 'o',
        slot: 1,
        skuCode: '-1',
        bin: 'A1',
        quantity: 1,
        skuName: '=HYPERLINK("http://x")',
      }),
    ])
    expect(pickListCsv(formula)).toContain(`'-1,"'=HYPERLINK(""http://x"")"`)
    expect(lines.find((l) => l.includes(',4,TB-o4,'))).toMatch(/,5,yes$/)
  })

  it('renders printable HTML with the items in order, large SKU codes, page numbers and held slots marked', () => {
    const html = pickListHtml(list)
    expect(html).toContain('@page { size: A4')
    expect(html).toContain('counter(page)')
    expect(html).toContain('@media print')
    const order = ['MUG-=1', 'TEA-01', 'CUP-500', 'BAG-9'].map((c) =>
      html.indexOf(`<div class="sku">${c}</div>`),
    )
    expect(order.every((i) => i > 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    expect(html).toContain('<span class="held" title="TB-o4">#4 × 5 HOLD</span>')
    expect(html).toContain('1 order(s) on hold')
    expect(html).toContain('商品 TEA-01')
  })

  it('escapes HTML in names', () => {
    const evil = buildPickList({ waveId: 'W2', warehouseCode: 'X', createdAt: new Date() }, [
      src({ orderId: 'o', slot: 1, skuCode: 'S', bin: 'A1', quantity: 1, skuName: '<script>x</script>' }),
    ])
    expect(pickListHtml(evil)).not.toContain('<script>x')
    expect(pickListHtml(evil)).toContain('&lt;script&gt;')
  })
})
