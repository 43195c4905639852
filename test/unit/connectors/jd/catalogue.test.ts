/** The JD listing mapper over the searchSkuList answer written in catalogue-and-purchasing.md §A.2.3. */
import { describe, expect, it } from 'vitest'
import { jdWhen, mapJdListing } from '../../../../connectors/jd/catalogue.js'
import { parseJsonExact } from '../../../../connectors/json.js'

const answer =
  parseJsonExact(`{"jingdong_sku_read_searchSkuList_responce":{"code":"0","page":{"pageNo":1,"pageSize":50,"totalItem":1,
 "data":[{"skuId":100012345678,"wareId":10023456789,"outerId":"TS-001-BLK-M","barCode":"6901234567892",
  "stockNum":40,"jdPrice":"59.00","status":1,"skuName":"纯棉T恤 黑色 M",
  "saleAttrs":[{"attrId":"1000046","attrValues":["1547"],"attrValueAlias":["黑色"],"index":1},
               {"attrId":"1000047","attrValues":["2066"],"attrValueAlias":["M"],"index":2}],
  "modified":"2025-03-01 10:20:30"}]}}}`) as {
    jingdong_sku_read_searchSkuList_responce: { page: { data: unknown[] } }
  }
const skus = answer.jingdong_sku_read_searchSkuList_responce.page.data
const ware = {
  wareId: 10023456789,
  title: '纯棉T恤',
  outerId: 'TS-001',
  wareStatus: 8,
  modified: '2025-03-01 10:20:30',
}

describe('mapJdListing', () => {
  it('reads the documented SKU: skuId, outerId, barcode, alias spec, yuan price, stock, status', () => {
    const r = mapJdListing({ ware, skus })
    if (!r.ok) throw new Error(r.detail)
    expect(r.value).toMatchObject({
      platformItemId: '10023456789',
      title: '纯棉T恤',
      itemCode: 'TS-001',
      status: 'on_sale',
      currency: 'CNY',
      platformUpdatedAt: new Date('2025-03-01T02:20:30Z'),
    })
    expect(r.value.skus).toHaveLength(1)
    const s = r.value.skus[0]!
    expect(s).toMatchObject({
      platformSkuKey: '100012345678',
      platformSkuId: '100012345678',
      code: 'TS-001-BLK-M',
      barcode: '6901234567892',
      specText: '黑色 M',
      quantity: 40,
      status: 'on_sale',
    })
    expect(s.price!.toFixed(2)).toBe('59.00')
  })

  it('reads a number price, a delisted ware, a deleted SKU (status 4) and epoch-millisecond times', () => {
    const r = mapJdListing({
      ware: { ...ware, wareStatus: 2, modified: 1740795630000 },
      skus: [
        { skuId: 1, outerId: '', jdPrice: 59, status: 2, stockNum: '3' },
        { skuId: 2, outerId: 'X', jdPrice: '12.5', status: 4 },
      ],
    })
    if (!r.ok) throw new Error(r.detail)
    expect(r.value.status).toBe('off_sale')
    expect(r.value.platformUpdatedAt).toEqual(new Date(1740795630000))
    expect(r.value.skus.map((s) => [s.code, s.status, s.quantity, s.price?.toFixed(2)])).toEqual([
      [null, 'off_sale', 3, '59.00'],
      ['X', 'deleted', null, '12.50'],
    ])
    expect(jdWhen('0001-01-01 00:00:00')).toBeNull()
  })

  it('refuses a listing without its ware id or a SKU without skuId', () => {
    expect(mapJdListing({ ware: {}, skus: [] })).toMatchObject({
      ok: false,
      detail: 'ware.wareId is required',
    })
    expect(mapJdListing({ ware, skus: [{ outerId: 'A' }] })).toMatchObject({
      ok: false,
      detail: 'skus[0].skuId is required',
    })
  })
})
