/** The fake print components over a real WebSocket: acks, pushed results, and the failures the real ones give. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  startPrintComponent,
  wsConnect,
  type FakePrintComponent,
} from '../../../src/sandbox/print-component.js'

const comps: Partial<Record<'cainiao' | 'pdd' | 'douyin' | 'jd', FakePrintComponent>> = {}
beforeAll(async () => {
  for (const k of ['cainiao', 'pdd', 'douyin', 'jd'] as const) comps[k] = await startPrintComponent(k)
})
afterAll(async () => {
  for (const c of Object.values(comps)) await c.close()
})

const doc = (id: string, content: object) => ({ documentID: id, contents: [content] })
const print = (taskID: string, documents: object[]) => ({
  cmd: 'print',
  requestID: `r-${taskID}`,
  version: '1.0',
  task: { taskID, preview: false, printer: 'KM-118', documents },
})

describe('Cainiao component (ws://localhost:13528 protocol)', () => {
  it('lists printers, acks a print and pushes notifyPrintResult; records the task', async () => {
    const ws = await wsConnect(comps.cainiao!.url)
    ws.send({ cmd: 'getPrinters', requestID: 'g1', version: '1.0' })
    expect(await ws.next()).toMatchObject({
      cmd: 'getPrinters',
      requestID: 'g1',
      status: 'success',
      defaultPrinter: 'KM-118',
    })
    const content = {
      encryptedData: 'AES:rU904rj6+/==',
      signature: 'MD:x',
      templateURL: 'http://cloudprint.cainiao.com/template/standard/101',
      ver: 'waybill_print_secret_version_1',
    }
    ws.send(print('t1', [doc('YT7596382757695', content)]))
    expect(await ws.next()).toEqual({
      cmd: 'print',
      requestID: 'r-t1',
      taskID: 't1',
      status: 'success',
      msg: 'no error',
      errorCode: 0,
    })
    expect(await ws.next()).toMatchObject({
      cmd: 'notifyPrintResult',
      taskID: 't1',
      taskStatus: 'printed',
      printStatus: [{ documentID: 'YT7596382757695', status: 'success' }],
    })
    expect(comps.cainiao!.tasks.at(-1)).toMatchObject({ documentIds: ['YT7596382757695'], ok: true })
    ws.close()
  })
  it('fails a task without documents (11) and ciphertext it cannot read (40)', async () => {
    const ws = await wsConnect(comps.cainiao!.url)
    ws.send(print('t2', []))
    expect(await ws.next()).toMatchObject({
      cmd: 'print',
      status: 'failed',
      errorCode: 11,
      msg: 'document not found',
    })
    ws.send(
      print('t3', [
        doc('X1', { encryptedData: 'AES:not base64!', signature: 's', templateURL: 'u', ver: 'v' }),
      ]),
    )
    await ws.next()
    expect(await ws.next()).toMatchObject({
      taskStatus: 'failed',
      printStatus: [{ status: 'failed', msg: 'Unknown encryption type.', detail: '40' }],
    })
    ws.close()
  })
})

describe('PDD, Douyin and JD components', () => {
  it('PDD pushes PrintResultNotify', async () => {
    const ws = await wsConnect(comps.pdd!.url)
    ws.send({
      ...print('p1', [
        doc('JT5049988959708', {
          encryptedData: 'a67d48',
          signature: 'g',
          templateUrl: 'https://file-link.pinduoduo.com/jtsd_one',
          ver: '3',
        }),
      ]),
      ERPId: '1',
      ISVName: 'Entrepot',
    })
    await ws.next()
    expect(await ws.next()).toMatchObject({ cmd: 'PrintResultNotify', taskID: 'p1', taskStatus: 'printed' })
    ws.close()
  })
  it('Douyin wants a signed getShopKey query in params', async () => {
    const ws = await wsConnect(comps.douyin!.url)
    ws.send(
      print('d1', [
        doc('7553', {
          params:
            'access_token=t&app_key=1&method=logistics.getShopKey&param_json={}&timestamp=1&v=2&sign=x&sign_method=hmac-sha256',
          encryptedData: 'abc',
          signature: 's',
          templateURL: 'u',
        }),
      ]),
    )
    await ws.next()
    expect(await ws.next()).toMatchObject({ taskStatus: 'printed' })
    ws.send(print('d2', [doc('7554', { params: 'method=order.list', encryptedData: 'abc' })]))
    await ws.next()
    expect(await ws.next()).toMatchObject({ taskStatus: 'failed' })
    ws.close()
  })
  it('JD answers its own envelope with string booleans', async () => {
    const ws = await wsConnect(comps.jd!.url)
    ws.send({
      orderType: 'PRINT',
      key: 'k1',
      version: '2',
      parameters: { printName: 'KM-118', contents: [{ tempUrl: 'u', printData: 'cipher' }] },
    })
    expect(await ws.next()).toMatchObject({ key: 'k1', code: '2', success: 'true', status: '500' })
    ws.close()
  })
})
