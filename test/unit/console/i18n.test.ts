import { describe, expect, it } from 'vitest'
import type { Messages } from '../../../src/console/i18n/define'
import { format, lookup, MESSAGES } from '../../../src/console/i18n/messages'

function leaves(m: Messages, prefix = ''): [string, string][] {
  return Object.entries(m).flatMap(([k, v]) =>
    typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : leaves(v, `${prefix}${k}.`),
  )
}

const zh = new Map(leaves(MESSAGES['zh-CN']))
const en = new Map(leaves(MESSAGES.en))
const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('the dictionaries', () => {
  it('have the same keys in both languages, none empty, with the same placeholders', () => {
    expect([...en.keys()].sort()).toEqual([...zh.keys()].sort())
    for (const [key, text] of zh) {
      expect(text.trim(), key).not.toBe('')
      expect(en.get(key)!.trim(), key).not.toBe('')
      expect(vars(en.get(key)!), key).toEqual(vars(text))
    }
  })

  it('write Chinese with full-width punctuation', () => {
    const cjk = '[\\u4e00-\\u9fff]'
    const halfWidth = new RegExp(`${cjk}[,:;?!()]|[,:;?!(]${cjk}`)
    for (const [key, text] of zh) expect(text, key).not.toMatch(halfWidth)
  })

  it('find keys that contain dots, and fill placeholders', () => {
    expect(lookup(MESSAGES['zh-CN'], 'audit.actions.user.create')).toBe('新建用户')
    expect(lookup(MESSAGES.en, 'orders.tab.paid')).toBe('To review')
    expect(lookup(MESSAGES.en, 'orders.tab.nope')).toBeUndefined()
    expect(format('共 {n} 条', { n: '1,234' })).toBe('共 1,234 条')
  })
})
