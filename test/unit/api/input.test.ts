import { expect, it } from 'vitest'
import { parseQueryValue, tooDeep } from '../../../src/api/input.js'

it('parses a query integer only when it is a plain decimal integer in the safe range', () => {
  expect(parseQueryValue('integer', '50')).toBe(50)
  expect(parseQueryValue('integer', '-3')).toBe(-3)
  for (const raw of ['1e309', '1e3', '0x10', ' 5', '5 ', '1.5', '', '9007199254740993', 'Infinity', 'NaN'])
    expect(parseQueryValue('integer', raw), raw).toBe(raw)
})

it('parses a query boolean only from true and false', () => {
  expect(parseQueryValue('boolean', 'true')).toBe(true)
  expect(parseQueryValue('boolean', 'false')).toBe(false)
  for (const raw of ['no', '1', '0', 'TRUE', '']) expect(parseQueryValue('boolean', raw), raw).toBe(raw)
})

it('finds the top-level field under which a value nests too deep', () => {
  expect(tooDeep({ a: { b: { c: 1 } }, d: [1, [2]] }, 3)).toBeNull()
  expect(tooDeep({ a: 1, settings: { b: { c: { d: 1 } } } }, 3)).toEqual(['settings'])
  expect(tooDeep([[[[1]]]], 3)).toEqual(['0'])
  let deep: unknown = 1
  for (let i = 0; i < 100_000; i++) deep = [deep]
  expect(tooDeep({ x: deep }, 16)).toEqual(['x'])
})
