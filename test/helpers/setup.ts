// Marketplace HTTP is the only thing mocked; the database and Redis are real.
import nock from 'nock'
import { afterEach } from 'vitest'

nock.disableNetConnect()
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/)
afterEach(() => {
  nock.cleanAll()
})
