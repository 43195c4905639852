/** The Pinduoduo listing mapper over payloads written from catalogue-and-purchasing.md §A.3, and the pull's paging (nock). */
import nock from 'nock'
import { afterEach, describe, expect, it } from 'vitest'
import { mapPddListing, pullPddCatalogue } from '../../../../connectors/pdd/catalogue.js'
import { parseJsonExact } from '../../../../connectors/json.js'
import { formOf, json, PDD_HOST, PDD_PATH, pddShop } from '../../../fixtures/pdd/shop.js'
import { drain } from '../../../helpers/connectors.js'

// §A.3.3 (list) and a detail answer of the same goods (prices in fen, the code as out_sku_sn).
const LIST =
  parseJsonExact(`{"goods_list_get_response":{"total_count":1,"goods_list":[{"goods_id":430012345,"goods_name":"纯棉T恤 男",
 "goods_quantity":120,"goods_reserve_quantity":2,"is_onsale":1,"is_more_sku":1,"created_at":1740790000,
 "sku_list":[{"sku_id":1400012345601,"outer_id":"TS-001-BLK-M","outer_goods_id":"TS-001","sku_quantity":40,
   "reserve_quantity":1,"is_sku_onsale":1,"spec":"黑色 M",
   "spec_details":[{"parent_id":1215,"parent_name":"颜色","spec_id":12,"spec_name":"黑色"},
                   {"parent_id":1226,"parent_name":"尺码","spec_id":30,"spec_name":"M"}]}]}]}}`) as {
    goods_list_get_response: { goods_list: unknown[] }
  }
const goods = LIST.goods_list_get_response.goods_list[0]
const detail = {
  goods_id: 430012345,
  goods_name: '纯棉T恤 男',
  outer_goods_id: 'TS-001',
  status: 1,
  market_price: 9900,
  sku_list: [
    {
      sku_id: 1400012345601,
      out_sku_sn: 'TS-001-BLK-M',
      price: 5900,
      multi_price: 4900,
      quantity: 40,
      reserve_quantity: 1,
      is_onsale: 1,
    },
  ],
}

describe('mapPddListing', () => {
  it('reads the documented goods: sku_id, outer_id, spec, stock and hold from the list, the fen price from the detail', () => {
    const r = mapPddListing({ goods, detail })
    if (!r.ok) throw new Error(r.detail)
    expect(r.value).toMatchObject({
      platformItemId: '430012345',
      title: '纯棉T恤 男',
      itemCode: 'TS-001',
      status: 'on_sale',
      currency: 'CNY',
      platformUpdatedAt: null,
    })
    const s = r.value.skus[0]!
    expect(s).toMatchObject({
      platformSkuKey: '1400012345601',
      code: 'TS-001-BLK-M',
      specText: '颜色:黑色;尺码:M',
      quantity: 40,
      heldQuantity: 1,
      status: 'on_sale',
    })
    expect(s.price!.toFixed(2)).toBe('59.00')
  })

  it('takes out_sku_sn when the list has no outer_id, and reads detail status 4 as deleted, 2 as off sale', () => {
    const noList = mapPddListing({ goods: { goods_id: 1, is_onsale: 0 }, detail: { ...detail, status: 4 } })
    if (!noList.ok) throw new Error(noList.detail)
    expect(noList.value.status).toBe('deleted')
    expect(noList.value.skus[0]).toMatchObject({ code: 'TS-001-BLK-M', status: 'deleted', quantity: 40 })
    const off = mapPddListing({ goods: { goods_id: 1, is_onsale: 1 }, detail: { ...detail, status: 2 } })
    expect(off.ok && off.value.status).toBe('off_sale')
  })

  it('refuses goods without goods_id or a SKU without sku_id', () => {
    expect(mapPddListing({ goods: {}, detail: null })).toMatchObject({
      ok: false,
      detail: 'goods_id is required',
    })
    expect(mapPddListing({ goods: { goods_id: 1, sku_list: [{ outer_id: 'A' }] } })).toMatchObject({
      ok: false,
      detail: 'sku_list[0].sku_id is required',
    })
  })
})

describe('pullPddCatalogue', () => {
  afterEach(() => nock.cleanAll())

  it('pages goods on sale and then off sale, 100 a page, and reads each goods detail once', async () => {
    const forms: Record<string, string>[] = []
    const page = (n: number, from: number, total: number) =>
      json({
        goods_list_get_response: {
          total_count: total,
          goods_list: Array.from({ length: n }, (_, i) => ({ goods_id: from + i, sku_list: [] })),
        },
      })
    nock(PDD_HOST)
      .post(PDD_PATH, (b: unknown) => (forms.push(formOf(b)), true))
      .times(200)
      .reply((_uri, body) => {
        const f = formOf(body)
        if (f.type === 'pdd.goods.detail.get')
          return json({
            goods_detail_get_response: { goods_id: Number(f.goods_id), status: 1, sku_list: [] },
          })
        if (f.is_onsale === '1') return f.page === '1' ? page(100, 1, 130) : page(30, 101, 130)
        return page(2, 129, 2) // two ids already seen on sale (the lists moved between calls): read once
      })
    const pages = await drain(pullPddCatalogue(pddShop()))
    const ids = pages.flat().map((l) => l.platformItemId)
    expect(ids).toHaveLength(130)
    expect(new Set(ids).size).toBe(130)
    const lists = forms
      .filter((f) => f.type === 'pdd.goods.list.get')
      .map((f) => [f.is_onsale, f.page, f.page_size])
    expect(lists).toEqual([
      ['1', '1', '100'],
      ['1', '2', '100'],
      ['0', '1', '100'],
    ])
    expect(forms.filter((f) => f.type === 'pdd.goods.detail.get')).toHaveLength(130)
  })
})
