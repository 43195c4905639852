/** The Taobao listing mapper over payloads written from catalogue-and-purchasing.md §A.1.4. */
import nock from 'nock'
import { describe, expect, it } from 'vitest'
import { mapTaobaoListing, specOfPropertiesName } from '../../../../connectors/taobao/catalogue.js'
import { taobao } from '../../../../connectors/taobao/index.js'
import { parseJsonExact } from '../../../../connectors/json.js'
import { fixedClock } from '../../../../src/lib/clock.js'
import { createLogger } from '../../../../src/lib/logger.js'

// §A.1.4, as items.seller.list.get answers it (non-simplified list wrappers, the item id a bare number).
const DOC = parseJsonExact(`{"num_iid":680012345678,"outer_id":"TS-001","title":"纯棉T恤 男",
  "approve_status":"onsale","modified":"2025-03-01 10:20:30",
  "skus":{"sku":[
   {"sku_id":5012345678901,"outer_id":"TS-001-BLK-M","properties":"1627207:28341;20509:28315",
    "properties_name":"1627207:28341:颜色分类:黑色;20509:28315:尺码:M","quantity":40,
    "price":"59.00","barcode":"6901234567892","modified":"2025-03-01 10:20:30"},
   {"sku_id":5012345678902,"outer_id":"","properties":"1627207:28341;20509:28316",
    "properties_name":"1627207:28341:颜色分类:黑色;20509:28316:尺码:L","quantity":80,
    "price":"59.00","modified":"2025-03-01 10:20:30"}]}}`)

describe('mapTaobaoListing', () => {
  it('reads the documented item: SKU ids, seller codes, spec text, yuan prices, stock, Beijing times', () => {
    const r = mapTaobaoListing(DOC)
    if (!r.ok) throw new Error(r.detail)
    expect(r.value).toMatchObject({
      platformItemId: '680012345678',
      title: '纯棉T恤 男',
      itemCode: 'TS-001',
      status: 'on_sale',
      currency: 'CNY',
      platformUpdatedAt: new Date('2025-03-01T02:20:30Z'),
    })
    const [m, l] = r.value.skus
    expect(m).toMatchObject({
      platformSkuKey: '5012345678901',
      platformSkuId: '5012345678901',
      code: 'TS-001-BLK-M',
      barcode: '6901234567892',
      specText: '颜色分类:黑色;尺码:M',
      quantity: 40,
      status: 'on_sale',
      stockMode: 'normal',
    })
    expect(m!.price!.toFixed(2)).toBe('59.00')
    // An empty outer_id is no code at all (the merchant sees "missing code", not a code "").
    expect(l).toMatchObject({ platformSkuKey: '5012345678902', code: null, barcode: null, quantity: 80 })
  })

  it('reads a single-SKU item as one SKU keyed by the item, with the item code, num and hold', () => {
    const r = mapTaobaoListing({
      num_iid: '680012345679',
      title: '手工皂',
      outer_id: 'SOAP-1',
      approve_status: 'instock',
      num: 12,
      with_hold_quantity: 2,
      price: '28.00',
      modified: '2025-03-02 08:00:00',
    })
    if (!r.ok) throw new Error(r.detail)
    expect(r.value.status).toBe('off_sale')
    expect(r.value.skus).toEqual([
      expect.objectContaining({
        platformSkuKey: 'item:680012345679',
        platformSkuId: null,
        code: 'SOAP-1',
        quantity: 12,
        heldQuantity: 2,
        status: 'off_sale',
      }),
    ])
  })

  it('marks a SKU with status=delete deleted and reads the simplified (flat) SKU list', () => {
    const r = mapTaobaoListing({
      num_iid: 1,
      approve_status: 'onsale',
      skus: [
        { sku_id: 11, outer_id: 'A', status: 'normal', quantity: 1, price: '1.00' },
        { sku_id: 12, outer_id: 'B', status: 'delete', quantity: 0, price: '1.00' },
      ],
    })
    if (!r.ok) throw new Error(r.detail)
    expect(r.value.skus.map((s) => [s.platformSkuKey, s.status])).toEqual([
      ['11', 'on_sale'],
      ['12', 'deleted'],
    ])
  })

  it('refuses an item without num_iid or a SKU without sku_id, naming the field', () => {
    expect(mapTaobaoListing({ title: 'x' })).toMatchObject({ ok: false, detail: 'num_iid is required' })
    expect(mapTaobaoListing({ num_iid: 1, skus: [{ outer_id: 'A' }] })).toMatchObject({
      ok: false,
      detail: 'skus[0].sku_id is required',
    })
    expect(mapTaobaoListing('nope')).toMatchObject({ ok: false, reason: 'malformed_payload' })
  })
})

describe('specOfPropertiesName', () => {
  it('undoes TOP escapes of ":" and ";" in names', () => {
    expect(specOfPropertiesName('1627207:28341:容量#cln#ml:500#scln#保温;20509:1:尺码:M')).toBe(
      '容量:ml:500;保温;尺码:M',
    )
  })
})

describe('the stock push of a single-SKU item linked from the catalogue', () => {
  it('sends taobao.item.quantity.update with the num_iid and no sku_id for an item:<num_iid> key', async () => {
    const forms: Record<string, string>[] = []
    nock('https://gw.top.test')
      .post('/router/rest', (b: Record<string, string>) => (forms.push(b), true))
      .reply(200, { item: { num_iid: 680012345679, num: 7, modified: '2026-11-20 20:00:00' } })
    const out = await taobao.pushStock(
      {
        id: 'tb-item-level',
        merchantId: 'm',
        channel: 'taobao',
        settings: { baseUrl: 'https://gw.top.test/router/rest' },
        credentials: { appKey: '1', appSecret: 's', session: 'x' },
        clock: fixedClock('2026-11-20T12:00:00Z'),
        log: createLogger('silent'),
        saveCredentials: async () => undefined,
      },
      [{ platformItemId: '680012345679', platformSkuId: 'item:680012345679', quantity: 7 }],
    )
    expect(out).toEqual([{ platformSkuId: 'item:680012345679', ok: true, quantity: 7 }])
    expect(forms).toHaveLength(1)
    expect(forms[0]).toMatchObject({
      method: 'taobao.item.quantity.update',
      num_iid: '680012345679',
      quantity: '7',
    })
    expect(forms[0]!.sku_id).toBeUndefined()
  })
})
