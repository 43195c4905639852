// Marketplace HTTP is the only thing mocked; the database and Redis are real.
import nock from 'nock'
import { afterEach } from 'vitest'
import { setOutboundPolicy } from '../../connectors/outbound.js'

// The sandboxes listen on 127.0.0.1: tests call private addresses, as OUTBOUND_ALLOW_PRIVATE allows
// by default outside production (tests of the refusal set their own policy).
setOutboundPolicy({ allowPrivate: true })

nock.disableNetConnect()
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/)
afterEach(() => {
  nock.cleanAll()
})
