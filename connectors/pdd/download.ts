/**
 * Download of a bill file from the URL pdd.finance.balance.daily.bill.url.get hands out.
 *
 * Local on purpose: connectors/http.ts reads every body as text (responseType 'text'), which would
 * decode a GBK file as UTF-8 and destroy it before decodeExport sees the bytes. Until the shared
 * client can return bytes (asked for in the report), this small helper does one GET with
 * responseType 'arraybuffer', a timeout, and the same error kinds as the shared client.
 * The URL is pre-signed by PDD: no credentials are sent, and the query string is kept out of messages.
 */
import axios from 'axios'
import { ConnectorError, kindForHttpStatus } from '../errors.js'

const withoutQuery = (url: string): string => url.split('?')[0] ?? url

export async function downloadBytes(url: string, timeoutMs: number): Promise<Buffer> {
  let res
  try {
    res = await axios.get<ArrayBuffer>(url, {
      responseType: 'arraybuffer',
      timeout: timeoutMs,
      validateStatus: () => true,
      headers: { 'user-agent': 'entrepot/0.1' },
    })
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'ERR_NETWORK'
    throw new ConnectorError('transient', `pdd bill download from ${withoutQuery(url)} failed: ${code}`, {
      channel: 'pdd',
    })
  }
  const kind = kindForHttpStatus(res.status)
  const body = Buffer.from(res.data)
  if (kind) {
    // An expired pre-signed link answers 403: asking the API again gives a fresh one, so that is transient.
    const k = res.status === 403 ? 'transient' : kind
    throw new ConnectorError(k, `pdd bill download from ${withoutQuery(url)} answered HTTP ${res.status}`, {
      channel: 'pdd',
      httpStatus: res.status,
      body: body.subarray(0, 2048).toString('utf8'),
    })
  }
  return body
}
