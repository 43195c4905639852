import { describe, expect, it } from 'vitest'
import {
  classifyDouyin,
  KIND_BY_CODE,
  KIND_BY_SUB_CODE,
  kindFor,
} from '../../../../connectors/douyin/errors.js'

const res = (json: unknown, text = JSON.stringify(json)) => ({
  status: 200,
  headers: {},
  bytes: Buffer.from(text),
  text,
  json,
})

describe('douyin error table', () => {
  it.each(Object.entries(KIND_BY_CODE))('code %s → %s', (code, kind) => {
    expect(kindFor(Number.parseInt(code, 10), '', '')).toBe(kind)
  })

  it.each(Object.entries(KIND_BY_SUB_CODE))('sub_code %s → %s whatever the code', (sub, kind) => {
    expect(kindFor(40003, sub, '')).toBe(kind)
    expect(kindFor(40003, `${sub}:1001`, '')).toBe(kind)
  })

  it('retries a 业务处理失败 that says 系统繁忙 and treats throttling texts as rate limits', () => {
    expect(kindFor(50002, 'isv.business-failed:12', '系统繁忙，请稍后重试')).toBe('transient')
    expect(kindFor(50002, 'isv.business-failed:12', '库存不足')).toBe('permanent')
    expect(kindFor(40004, 'isv.app-call-limited', '')).toBe('rate_limited')
  })

  it('accepts both the current envelope and the legacy err_no one', () => {
    expect(classifyDouyin(res({ code: 10000, msg: 'success', data: {} }))).toBeNull()
    expect(classifyDouyin(res({ err_no: 0, message: 'success', data: {} }))).toBeNull()
    expect(classifyDouyin(res({ err_no: 30001, message: 'no auth' }))).toMatchObject({
      kind: 'permanent',
      detail: { platformCode: '30001' },
    })
    expect(classifyDouyin(res({ code: 60000, msg: '限流' }))).toMatchObject({
      kind: 'rate_limited',
      detail: { retryAfterMs: 1000 },
    })
    expect(classifyDouyin(res([1, 2]))).toMatchObject({ kind: 'permanent', detail: { body: '[1,2]' } })
  })
})
