import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { VARIABLES } from '../../../config/index.js'

it('the README documents every configuration variable with its default', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
  for (const v of VARIABLES) expect(readme, v.name).toContain(`| \`${v.name}\` | \`${v.default}\` |`)
})
