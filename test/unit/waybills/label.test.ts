/** Hub-rendered labels: real page sizes and a Code 128 barcode that reads back (subset C for digit runs). */
import { describe, expect, it } from 'vitest'
import { code128Values, PAGE_POINTS, renderLabelPdf, LABEL_SIZES } from '../../../src/waybills/label.js'
import { decodeLabelBarcode, mediaBox } from '../../integration/waybills/pdf-reader.js'

const party = (name: string) => ({
  name,
  mobile: '13800000000',
  address: { province: '浙江省', city: '杭州市', district: '余杭区', detail: '文一西路969号' },
})

describe('labels', () => {
  it('pages are 76×130 mm, 100×180 mm and 4×6 in', () => {
    const mm = (pt: number) => Math.round((pt * 25.4) / 72)
    expect(PAGE_POINTS['76x130'].map(mm)).toEqual([76, 130])
    expect(PAGE_POINTS['100x180'].map(mm)).toEqual([100, 180])
    expect(PAGE_POINTS['4x6']).toEqual([288, 432])
  })
  it.each([
    'SF1023574626292',
    'YT7596382757695',
    '9400111899223197428490',
    '700059605746',
    'JDV012345678901',
    'A1',
    '12345',
  ])('%s reads back from the PDF at every size', (code) => {
    for (const size of LABEL_SIZES) {
      const pdf = renderLabelPdf(
        {
          trackingNumber: code,
          carrierName: '顺丰速运 SF Express',
          routeCode: '010WB-001',
          sender: party('仓库A'),
          recipient: party('张三'),
        },
        size,
      )
      expect(mediaBox(pdf)).toEqual(PAGE_POINTS[size].map((n) => Math.round(n * 100) / 100))
      expect(decodeLabelBarcode(pdf)).toBe(code)
    }
  })
  it('uses subset C for digit runs (shorter) and the Code 128 checksum', () => {
    // Start C (105), 70 00 59 60 57 46, checksum, stop.
    const v = code128Values('700059605746')
    expect(v.slice(0, 7)).toEqual([105, 70, 0, 59, 60, 57, 46])
    expect(v.at(-1)).toBe(106)
    const sum = [105, 70, 0, 59, 60, 57, 46].reduce((a, x, i) => a + x * (i === 0 ? 1 : i), 0) % 103
    expect(v.at(-2)).toBe(sum)
    expect(code128Values('SF1023574626292')[0]).toBe(104) // start B, then C for the digits
    expect(code128Values('SF1023574626292')).toContain(99)
  })
})
