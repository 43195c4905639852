/**
 * ECB euro reference rates (reference §3.3): eurofxref-daily.xml / -hist-90d.xml, one
 * `Cube time='YYYY-MM-DD'` per day holding `Cube currency='USD' rate='1.0705'` = USD per 1 EUR.
 * Published around 16:00 CET on TARGET days; a CNY merchant's USD rate is the cross
 * (CNY per EUR) / (USD per EUR), which the rate lookup derives from the same day.
 */
import { getText, positiveRate, RateSourceError, type PublishedRate, type RateSource } from './types.js'

const DAY = /<Cube\s+time=['"](\d{4}-\d{2}-\d{2})['"]\s*>([\s\S]*?)<\/Cube>/g
const RATE = /<Cube\s+currency=['"]([A-Z]{3})['"]\s+rate=['"]([^'"]+)['"]\s*\/>/g

export function parseEcbXml(body: string): PublishedRate[] {
  if (!body.includes('eurofxref') && !body.includes('gesmes'))
    throw new RateSourceError('not an ECB reference-rate document')
  const out: PublishedRate[] = []
  for (const day of body.matchAll(DAY)) {
    const rateDate = day[1]!
    for (const r of day[2]!.matchAll(RATE)) {
      out.push({
        rateDate,
        baseCcy: 'EUR',
        quoteCcy: r[1]!,
        unit: 1,
        quoted: r[2]!,
        rate: positiveRate(r[2]!, `ECB ${rateDate} ${r[1]}`),
      })
    }
  }
  if (out.length === 0) throw new RateSourceError('the ECB document holds no rates')
  return out
}

/** The ECB history CSV (eurofxref-hist.csv): `Date,USD,JPY,…,` newest first, `N/A` where a currency was not quoted. */
export function parseEcbCsv(body: string): PublishedRate[] {
  const lines = body
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
  const header = lines[0]?.split(',').map((h) => h.trim())
  if (!header || header[0] !== 'Date')
    throw new RateSourceError('not an ECB rate CSV (first column must be Date)')
  const out: PublishedRate[] = []
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map((c) => c.trim())
    const rateDate = isoDate(cells[0]!)
    header.forEach((ccy, i) => {
      if (i === 0 || !/^[A-Z]{3}$/.test(ccy)) return
      const v = cells[i]
      if (!v || v === 'N/A') return
      out.push({
        rateDate,
        baseCcy: 'EUR',
        quoteCcy: ccy,
        unit: 1,
        quoted: v,
        rate: positiveRate(v, `ECB ${rateDate} ${ccy}`),
      })
    })
  }
  return out
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]

/** ISO dates, or the daily CSV's "09 February 2018". */
function isoDate(text: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text
  const m = /^(\d{1,2}) ([A-Za-z]+) (\d{4})$/.exec(text)
  const month = m ? MONTHS.indexOf(m[2]!) + 1 : 0
  if (!m || month === 0) throw new RateSourceError(`ECB date "${text}" is not a date`)
  return `${m[3]}-${String(month).padStart(2, '0')}-${m[1]!.padStart(2, '0')}`
}

export const ecb: RateSource = {
  id: 'ECB',
  parse: parseEcbXml,
  async fetchDaily(baseUrl) {
    return parseEcbXml(await getText(`${baseUrl.replace(/\/$/, '')}/stats/eurofxref/eurofxref-daily.xml`))
  },
}
