/**
 * A sandbox for the rate providers, speaking their published formats over real HTTP: the ECB
 * (`/stats/eurofxref/eurofxref-daily.xml`) and CFETS (`/r/cms/www/chinamoney/data/fx/ccpr.json`).
 * Tests and the demo set the day's rates; `fault` answers an HTML 403 page (CFETS refusing a
 * request) or an empty `records` list.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RatesSandbox {
  url: string
  ecb: { date: string; rates: Record<string, string> }
  cfets: { lastDate: string; records: { pair: string; price: string }[] }
  fault: 'none' | '403' | 'empty'
  close(): Promise<void>
}

export function ecbXml(date: string, rates: Record<string, string>): string {
  const cubes = Object.entries(rates)
    .map(([ccy, rate]) => `\t\t\t<Cube currency='${ccy}' rate='${rate}'/>`)
    .join('\n')
  return `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
\t<gesmes:subject>Reference rates</gesmes:subject>
\t<gesmes:Sender>
\t\t<gesmes:name>European Central Bank</gesmes:name>
\t</gesmes:Sender>
\t<Cube>
\t\t<Cube time='${date}'>
${cubes}
\t\t</Cube>
\t</Cube>
</gesmes:Envelope>
`
}

export function ccprJson(lastDate: string, records: { pair: string; price: string }[]): string {
  return JSON.stringify({
    head: { version: '2.0', provider: 'CWAP', rep_code: '200', rep_message: '', ts: 1740964500000 },
    data: { lastDate },
    records: records.map((r) => ({
      vrtCode: r.pair,
      vrtName: r.pair,
      vrtEName: r.pair,
      foreignCName: '',
      price: r.price,
      bp: '0',
    })),
  })
}

export async function startRatesSandbox(): Promise<RatesSandbox> {
  const state: Omit<RatesSandbox, 'url' | 'close'> = {
    ecb: {
      date: '2024-06-28',
      rates: { USD: '1.0705', JPY: '171.94', GBP: '0.84638', CNY: '7.7748', HKD: '8.3594' },
    },
    cfets: {
      lastDate: '2025-03-03 9:15',
      records: [
        { pair: 'USD/CNY', price: '7.1739' },
        { pair: '100JPY/CNY', price: '4.7869' },
        { pair: 'CNY/MYR', price: '0.6150' },
      ],
    },
    fault: 'none',
  }
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]
    if (sandbox.fault === '403') {
      res.writeHead(403, { 'content-type': 'text/html' }).end('<html><body>403 Forbidden</body></html>')
      return
    }
    if (path === '/stats/eurofxref/eurofxref-daily.xml') {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(ecbXml(sandbox.ecb.date, sandbox.ecb.rates))
      return
    }
    if (path === '/r/cms/www/chinamoney/data/fx/ccpr.json') {
      const records = sandbox.fault === 'empty' ? [] : sandbox.cfets.records
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(ccprJson(sandbox.cfets.lastDate, records))
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const sandbox: RatesSandbox = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ...state,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  return sandbox
}
