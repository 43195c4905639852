/**
 * CFETS RMB central parity (人民币汇率中间价, reference §3.1), published 09:15 Beijing time on
 * business days: ccpr.json with `data.lastDate` ("2025-03-03 9:15", the hour may have one digit)
 * and top-level `records[{vrtEName, price}]`. Pairs are direct (`USD/CNY`, `100JPY/CNY` = CNY per
 * 100 yen) or indirect (`CNY/MYR` = ringgit per 1 CNY); kept in the published direction with the
 * unit, and the lookup inverts. An empty `records` is a failed fetch, never "no rates today".
 */
import { parseJsonExact } from '../json.js'
import { getText, positiveRate, RateSourceError, type PublishedRate, type RateSource } from './types.js'

const PAIR = /^(\d+)?([A-Z]{3})\/([A-Z]{3})$/

export function parseCcpr(body: string): PublishedRate[] {
  let doc: unknown
  try {
    doc = parseJsonExact(body)
  } catch {
    throw new RateSourceError('the CFETS answer is not JSON (an error page?)')
  }
  const d = doc as { data?: { lastDate?: unknown }; records?: unknown }
  const last = typeof d.data?.lastDate === 'string' ? /^(\d{4}-\d{2}-\d{2})/.exec(d.data.lastDate) : null
  if (!last) throw new RateSourceError('the CFETS answer has no data.lastDate')
  if (!Array.isArray(d.records) || d.records.length === 0)
    throw new RateSourceError('the CFETS answer holds no records (not read as "no rates today")')
  const out: PublishedRate[] = []
  for (const r of d.records as { vrtEName?: unknown; vrtCode?: unknown; price?: unknown }[]) {
    const name = typeof r.vrtEName === 'string' ? r.vrtEName : typeof r.vrtCode === 'string' ? r.vrtCode : ''
    const m = PAIR.exec(name.trim())
    if (!m || typeof r.price !== 'string') throw new RateSourceError(`CFETS record "${name}" cannot be read`)
    const unit = m[1] ? Number(m[1]) : 1
    const price = positiveRate(r.price, `CFETS ${name}`)
    out.push({
      rateDate: last[1]!,
      baseCcy: m[2]!,
      quoteCcy: m[3]!,
      unit,
      quoted: r.price,
      rate: price.div(unit),
    })
  }
  return out
}

export const cfets: RateSource = {
  id: 'CFETS',
  parse: parseCcpr,
  async fetchDaily(baseUrl) {
    return parseCcpr(
      await getText(`${baseUrl.replace(/\/$/, '')}/r/cms/www/chinamoney/data/fx/ccpr.json`, {
        referer: 'https://www.chinamoney.com.cn/',
      }),
    )
  },
}
