import { describe, expect, it } from 'vitest'
import { code128Widths, encodable } from '../../../src/console/components/code128'

describe('Code 128', () => {
  it('draws start, one symbol per character, the check symbol and stop: 11 modules each, 13 for stop', () => {
    const w = code128Widths('WX-A1-03')
    expect(w).toHaveLength(6 * (8 + 2) + 7)
    expect(w.reduce((a, b) => a + b, 0)).toBe(11 * (8 + 2) + 13)
    // Start B is 211214; the bars of every symbol add up to an even number of modules.
    expect(w.slice(0, 6)).toEqual([2, 1, 1, 2, 1, 4])
    for (let i = 0; i < w.length - 7; i += 6) expect((w[i]! + w[i + 2]! + w[i + 4]!) % 2).toBe(0)
  })

  it('computes the check symbol as the weighted sum modulo 103 (PJJ123C: check value 55)', () => {
    // Start B (104) + P(48)·1 + J(42)·2 + J(42)·3 + 1(17)·4 + 2(18)·5 + 3(19)·6 + C(35)·7 = 879; 879 mod 103 = 55.
    const w = code128Widths('PJJ123C')
    const check = w.slice(6 * 8, 6 * 9).join('')
    expect(check).toBe('311321') // symbol 55
  })

  it('puts a run of four or more digits in subset C: W000001-03 takes 9 data symbols, not 10', () => {
    expect(code128Widths('W000001-03')).toHaveLength(6 * (9 + 2) + 7)
  })

  it('refuses what it cannot carry', () => {
    expect(encodable('订单')).toBe(false)
    expect(encodable('')).toBe(false)
    expect(() => code128Widths('订单')).toThrow()
  })
})
