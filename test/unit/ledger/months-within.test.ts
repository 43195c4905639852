import { describe, expect, it } from 'vitest'
import { monthsWithin } from '../../../src/ledger/statements.js'

describe('monthsWithin', () => {
  it('splits a period into whole months and the days either side', () => {
    expect(monthsWithin('2026-11-01', '2026-12-01')).toEqual({
      monthsFrom: '2026-11-01',
      monthsTo: '2026-12-01',
    })
    expect(monthsWithin('2026-11-15', '2027-01-10')).toEqual({
      monthsFrom: '2026-12-01',
      monthsTo: '2027-01-01',
    })
    expect(monthsWithin('2026-09-01', '2027-01-01')).toEqual({
      monthsFrom: '2026-09-01',
      monthsTo: '2027-01-01',
    })
    expect(monthsWithin('2026-12-02', '2027-02-01')).toEqual({
      monthsFrom: '2027-01-01',
      monthsTo: '2027-02-01',
    })
  })
  it('has no whole month in a period shorter than one', () => {
    expect(monthsWithin('2026-10-10', '2026-10-13')).toBeNull()
    expect(monthsWithin('2026-11-01', '2026-11-30')).toBeNull()
    expect(monthsWithin('2026-11-02', '2026-12-01')).toBeNull()
    expect(monthsWithin('2026-11-15', '2026-12-15')).toBeNull()
  })
})
