import { describe, expect, it } from 'vitest'
import { parseSlotCode, parseWaveCode, slotCode, waveCode } from '../../../src/fulfillment/scan.js'

describe('wave and slot codes as printed and scanned', () => {
  it('prints the wave number as W000012 and a slot as W000012-03, and reads them back', () => {
    expect(waveCode(12, 'X')).toBe('W000012')
    expect(slotCode(12, 'X', 3)).toBe('W000012-03')
    expect(parseWaveCode('w000012')).toBe(12)
    expect(parseSlotCode(' W000012-03 ')).toEqual({ wave: 12, slot: 3 })
    expect(parseSlotCode('W000012')).toBeNull()
    expect(parseWaveCode('SF1234567')).toBeNull()
  })

  it('falls back to the id for a wave made before numbers existed', () => {
    expect(waveCode(null, '01JXYZ')).toBe('01JXYZ')
  })
})
