/** The Douyin listing mapper over payloads written from catalogue-and-purchasing.md §A.4.4. */
import { describe, expect, it } from 'vitest'
import { mapDouyinListing } from '../../../../connectors/douyin/catalogue.js'
import { parseJsonExact } from '../../../../connectors/json.js'

const list =
  parseJsonExact(`{"code":10000,"msg":"success","data":{"total":1,"page":1,"size":100,"data":[{"product_id":3612345678901234567,
   "outer_product_id":"TS-001","status":0,"check_status":3,"update_time":1740800000}]}}`) as {
    data: { data: unknown[] }
  }
const skuList =
  parseJsonExact(`{"code":10000,"msg":"success","data":[{"id":1763516132390915,"product_id":3612345678901234567,
 "code":"TS-001-BLK-M","out_sku_id":0,"price":5900,"stock_num":40,"prehold_stock_num":1,"sku_type":0,
 "sell_properties":[{"value_spec_detail_id":1763516132390001,"value_name":"黑色"},
                    {"value_spec_detail_id":1763516132390002,"value_name":"M"}]}]}`) as { data: unknown[] }
const product = list.data.data[0]

describe('mapDouyinListing', () => {
  it('reads the documented product and SKU: 19-digit ids exact, code, fen price, stock, hold, spec', () => {
    const r = mapDouyinListing({ product, skus: skuList.data })
    if (!r.ok) throw new Error(r.detail)
    expect(r.value).toMatchObject({
      platformItemId: '3612345678901234567',
      itemCode: 'TS-001',
      status: 'on_sale',
      currency: 'CNY',
      platformUpdatedAt: new Date(1740800000 * 1000),
    })
    const s = r.value.skus[0]!
    expect(s).toMatchObject({
      platformSkuKey: '1763516132390915',
      code: 'TS-001-BLK-M',
      specText: '黑色 M',
      quantity: 40,
      heldQuantity: 1,
      stockMode: 'normal',
      status: 'on_sale',
    })
    expect(s.price!.toFixed(2)).toBe('59.00')
  })

  it('reads out_sku_id 0 as no code, a legacy out_sku_id as the code, regional and step stock, status 1 and 2', () => {
    const r = mapDouyinListing({
      product: { product_id: '1', status: 1, update_time: '2025-03-01 10:20:30' },
      skus: [
        { id: 11, code: '', out_sku_id: 0, price: 100, sku_type: 1, stock_map: { W1: 3, W2: 4 } },
        { id: 12, code: '', out_sku_id: 778899, price: 100, sku_type: 10, stock_num: 5 },
      ],
    })
    if (!r.ok) throw new Error(r.detail)
    expect(r.value.status).toBe('off_sale')
    expect(r.value.platformUpdatedAt).toEqual(new Date('2025-03-01T02:20:30Z'))
    expect(r.value.skus.map((s) => [s.code, s.stockMode, s.quantity])).toEqual([
      [null, 'regional', 7],
      ['778899', 'step', 5],
    ])
    const deleted = mapDouyinListing({ product: { product_id: '1', status: 2 }, skus: [] })
    expect(deleted.ok && deleted.value.status).toBe('deleted')
  })

  it('refuses a product without product_id or a SKU without id', () => {
    expect(mapDouyinListing({ product: {}, skus: [] })).toMatchObject({ ok: false })
    expect(mapDouyinListing({ product: { product_id: '1' }, skus: [{ code: 'A' }] })).toMatchObject({
      ok: false,
      detail: 'skus[0].id is required',
    })
  })
})
