import { describe, expect, it } from 'vitest'
import {
  gtin14,
  normaliseCode,
  planMatches,
  type ExistingMapping,
  type ListingSkuForMatch,
  type MerchantSkuForMatch,
} from '../../../src/catalogue/match.js'

const merchant: MerchantSkuForMatch[] = [
  { id: 'S-CUP', code: 'CUP-1', barcode: '6901234567892' },
  { id: 'S-TEA', code: 'TEA-1', barcode: null },
  { id: 'S-AB-LOWER', code: 'ab-1', barcode: null },
  { id: 'S-AB-UPPER', code: 'AB-1', barcode: null },
  { id: 'S-SOAP', code: 'SOAP', barcode: '4006381333931' },
  { id: 'S-SIZE-S', code: 'SHIRT-S', barcode: '9780201379624' },
  { id: 'S-SIZE-M', code: 'SHIRT-M', barcode: '9780201379624' },
]

let n = 0
const sku = (over: Partial<ListingSkuForMatch>): ListingSkuForMatch => ({
  id: `L${++n}`,
  platformSkuKey: `K${n}`,
  codeRaw: null,
  barcode: null,
  singleSkuItemCode: null,
  deleted: false,
  ...over,
})
const plan = (listing: ListingSkuForMatch[], existing = new Map<string, ExistingMapping>()) =>
  new Map(planMatches(listing, merchant, existing).map((o) => [o.id, o]))

describe('normaliseCode', () => {
  it('folds full-width forms, dash look-alikes, zero-width characters, ideographic spaces and case', () => {
    expect(normaliseCode('ＡＢＣ－１２')).toBe('ABC-12')
    expect(normaliseCode('\u3000 abc\u2013x\u200b1 \u00a0')).toBe('ABC-X1')
    expect(normaliseCode('cup\u22121')).toBe('CUP-1')
    expect(normaliseCode('  ')).toBeNull()
    expect(normaliseCode(null)).toBeNull()
  })
})

describe('gtin14', () => {
  it('pads a valid EAN-13 / UPC-A / EAN-8 to 14 digits and refuses a wrong check digit', () => {
    expect(gtin14('6901234567892')).toBe('06901234567892')
    expect(gtin14('036000291452')).toBe('00036000291452')
    expect(gtin14('96385074')).toBe('00000096385074')
    expect(gtin14('6901234567891')).toBeNull()
    expect(gtin14('12345')).toBeNull()
    expect(gtin14(null)).toBeNull()
  })
})

describe('planMatches', () => {
  it('links an exact code, a normalised one, a unique barcode and a single-SKU item code', () => {
    const exact = sku({ codeRaw: 'CUP-1' })
    const loose = sku({ codeRaw: ' ｔｅａ－１ ' })
    const byBarcode = sku({ barcode: '4006381333931' })
    const byItem = sku({ singleSkuItemCode: 'TEA-1' })
    const r = plan([exact, loose, byBarcode, byItem])
    expect(r.get(exact.id)).toMatchObject({ link: { skuId: 'S-CUP', method: 'exact' }, issue: null })
    expect(r.get(loose.id)).toMatchObject({ link: { skuId: 'S-TEA', method: 'normalised' }, issue: null })
    expect(r.get(byBarcode.id)).toMatchObject({ link: { skuId: 'S-SOAP', method: 'barcode' }, issue: null })
    expect(r.get(byItem.id)).toMatchObject({ link: { skuId: 'S-TEA', method: 'item_code' }, issue: null })
  })

  it('an exact code wins over a code that only normalises to two SKUs; a loose one is ambiguous', () => {
    const exact = sku({ codeRaw: 'ab-1' })
    const loose = sku({ codeRaw: 'Ab-1' })
    const r = plan([exact, loose].map((x, i) => ({ ...x, platformSkuKey: `AB${i}` })))
    // Both normalise to AB-1: the same code on two listing SKUs of the shop, so neither links.
    expect(r.get(exact.id)).toMatchObject({
      link: null,
      issue: 'duplicate_code',
      suggestedSkuId: 'S-AB-LOWER',
    })
    expect(r.get(loose.id)).toMatchObject({ link: null, issue: 'duplicate_code' })
    const alone = sku({ codeRaw: 'aB-1' })
    expect(plan([alone]).get(alone.id)).toMatchObject({
      link: null,
      issue: 'ambiguous_code',
      suggestedSkuId: null,
    })
  })

  it('never links one code on two listings, a code matching nothing or an empty code', () => {
    const a = sku({ codeRaw: 'CUP-1' })
    const b = sku({ codeRaw: 'CUP-1' })
    const unknown = sku({ codeRaw: 'NOPE-9' })
    const empty = sku({ codeRaw: null })
    const sharedBarcode = sku({ barcode: '9780201379624' })
    const gone = sku({ codeRaw: 'CUP-1', deleted: true })
    const r = plan([a, b, unknown, empty, sharedBarcode, gone])
    expect(r.get(a.id)).toMatchObject({ link: null, issue: 'duplicate_code', suggestedSkuId: 'S-CUP' })
    expect(r.get(b.id)).toMatchObject({ link: null, issue: 'duplicate_code' })
    expect(r.get(unknown.id)).toMatchObject({ link: null, issue: 'unknown_code' })
    expect(r.get(empty.id)).toMatchObject({ link: null, issue: 'missing_code' })
    // Two sizes with one barcode: the barcode proves nothing.
    expect(r.get(sharedBarcode.id)).toMatchObject({ link: null, issue: 'missing_code' })
    // A deleted SKU neither links nor counts as a second listing of its code.
    expect(r.get(gone.id)).toMatchObject({ link: null, issue: null })
    const only = sku({ codeRaw: 'CUP-1' })
    expect(plan([only, { ...gone, id: 'G2', platformSkuKey: 'G2' }]).get(only.id)).toMatchObject({
      link: { skuId: 'S-CUP' },
    })
  })

  it('keeps an existing link: a differing hand-made one is flagged only when the code changed since', () => {
    const keep = sku({ codeRaw: 'CUP-1' })
    const changed = sku({ codeRaw: 'TEA-1' })
    const noCode = sku({ codeRaw: 'TEA-1' })
    const auto = sku({ codeRaw: 'TEA-1' })
    const agree = sku({ codeRaw: 'CUP-1' })
    const existing = new Map<string, ExistingMapping>([
      [keep.platformSkuKey, { skuId: 'S-SOAP', source: 'manual', outerCode: 'CUP-1' }],
      [changed.platformSkuKey, { skuId: 'S-SOAP', source: 'manual', outerCode: 'CUP-1' }],
      [noCode.platformSkuKey, { skuId: 'S-SOAP', source: 'bulk', outerCode: null }],
      [auto.platformSkuKey, { skuId: 'S-CUP', source: 'auto', outerCode: 'TEA-1' }],
      [agree.platformSkuKey, { skuId: 'S-CUP', source: 'auto', outerCode: 'CUP-1' }],
    ])
    // Each alone: the same code on two listing SKUs of one shop would be a conflict of its own.
    const r = new Map([keep, changed, noCode, auto, agree].map((x) => [x.id, plan([x], existing).get(x.id)!]))
    for (const x of [keep, changed, noCode, auto, agree]) expect(r.get(x.id)!.link).toBeNull()
    expect(r.get(keep.id)).toMatchObject({ issue: null, suggestedSkuId: 'S-CUP' })
    expect(r.get(changed.id)).toMatchObject({ issue: 'mapping_differs', suggestedSkuId: 'S-TEA' })
    expect(r.get(noCode.id)).toMatchObject({ issue: null })
    expect(r.get(auto.id)).toMatchObject({ issue: 'mapping_differs', suggestedSkuId: 'S-TEA' })
    expect(r.get(agree.id)).toMatchObject({ issue: null })
  })
})
