// Marketplace HTTP is the only thing mocked; the database and Redis are real.
// Runs before every test file. Unit and integration files share a module registry per worker
// (vitest.config.ts), so what is process-wide is set here for each file and put back after it.
import nock from 'nock'
import { afterAll, afterEach } from 'vitest'
import { setOutboundPolicy } from '../../connectors/outbound.js'
import { setFaultHook } from '../../src/lib/fault.js'

// The sandboxes listen on 127.0.0.1: tests call private addresses, as OUTBOUND_ALLOW_PRIVATE allows
// by default outside production (tests of the refusal set their own policy).
setOutboundPolicy({ allowPrivate: true })

nock.disableNetConnect()
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/)
afterEach(() => {
  nock.cleanAll()
})
afterAll(() => {
  setFaultHook(null)
  setOutboundPolicy({ allowPrivate: true })
})
