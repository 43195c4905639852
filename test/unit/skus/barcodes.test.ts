import { describe, expect, it } from 'vitest'
import { barcodeProblem, ean13CheckDigit } from '../../../src/skus/barcodes.js'

describe('barcode validation', () => {
  it('computes the EAN-13 check digit (weights 1, 3 from the left)', () => {
    expect(ean13CheckDigit('690123456789')).toBe(2)
    expect(ean13CheckDigit('400638133393')).toBe(1) // 4006381333931, a well-known example
    expect(ean13CheckDigit('000000000000')).toBe(0)
  })

  it('accepts a right check digit and names the right one when it is wrong', () => {
    expect(barcodeProblem('ean13', '6901234567892')).toBeNull()
    expect(barcodeProblem('ean13', '4006381333931')).toBeNull()
    expect(barcodeProblem('ean13', '6901234567893')).toBe('check digit is 3, should be 2')
    expect(barcodeProblem('ean13', '690123456789')).toBe('an EAN-13 is 13 digits')
    expect(barcodeProblem('ean13', '69012345678９2')).toBe('an EAN-13 is 13 digits')
  })

  it('takes printable ASCII as Code128 and any code without spaces as a platform item code', () => {
    expect(barcodeProblem('code128', 'MUG350WH-C128')).toBeNull()
    expect(barcodeProblem('code128', ' MUG')).not.toBeNull()
    expect(barcodeProblem('code128', '杯子')).not.toBeNull()
    expect(barcodeProblem('platform', '600123456789')).toBeNull()
    expect(barcodeProblem('platform', 'a b')).not.toBeNull()
  })
})
