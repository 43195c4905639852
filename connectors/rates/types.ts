/**
 * Exchange-rate sources (reference ledger-currency-and-fees §3): each parses its published format
 * into quotes as published — the pair in the source's own direction, the unit (100 for CFETS
 * 100JPY/CNY), the value as printed and the normalised rate (quote per 1 base) — and fetches it
 * from a configurable base URL through the guarded outbound agents.
 */
import axios from 'axios'
import { money, type Decimal } from '../../src/money/index.js'
import { outboundAgents } from '../outbound.js'

export interface PublishedRate {
  rateDate: string
  baseCcy: string
  quoteCcy: string
  unit: number
  quoted: string
  /** quoteCcy per 1 baseCcy. */
  rate: Decimal
}

export interface RateSource {
  readonly id: 'ECB' | 'CFETS'
  /** The published document → rates; throws on a document that is not one (an HTML error page, an empty feed). */
  parse(body: string): PublishedRate[]
  /** Fetch the daily document from `baseUrl`. */
  fetchDaily(baseUrl: string): Promise<PublishedRate[]>
}

export class RateSourceError extends Error {
  override name = 'RateSourceError'
}

const DECIMAL = /^\d+(\.\d+)?$/

export function positiveRate(text: string, what: string): Decimal {
  const t = text.trim()
  if (!DECIMAL.test(t)) throw new RateSourceError(`${what}: "${text}" is not a rate`)
  const d = money(t)
  if (d.lte(0)) throw new RateSourceError(`${what}: rate must be positive`)
  return d
}

export async function getText(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await axios.get<ArrayBuffer>(url, {
    timeout: 20_000,
    responseType: 'arraybuffer',
    httpAgent: outboundAgents.http,
    httpsAgent: outboundAgents.https,
    proxy: false,
    validateStatus: () => true,
    headers: { 'user-agent': 'Mozilla/5.0 (entrepot rates)', ...headers },
  })
  const text = Buffer.from(res.data).toString('utf8')
  if (res.status !== 200) throw new RateSourceError(`${url} answered ${res.status}`)
  return text
}
