import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { renderRoleMatrix, ROUTES } from '../../../src/api/roles.js'

it("the README's role matrix is the one rendered from the role table", () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
  expect(readme).toContain(renderRoleMatrix())
})

it('keeps what the README promises each role', () => {
  // The issue saw an accountant read the writebacks and a warehouse key refused the stock push.
  expect(ROUTES['GET /writebacks'][1]).toEqual(['admin', 'warehouse'])
  expect(ROUTES['POST /shops/:id/stock-push'][1]).toEqual(['admin', 'warehouse'])
  for (const [route, [area, access]] of Object.entries(ROUTES)) {
    if (typeof access === 'string') continue
    // Credentials, shops and keys are the admin's; money is never the warehouse's.
    if (area === 'shops' && !route.startsWith('GET')) expect(access, route).toEqual(['admin'])
    if (area === 'ledger') expect(access, route).not.toContain('warehouse')
    if (area === 'fulfillment') expect(access, route).not.toContain('accountant')
  }
})
