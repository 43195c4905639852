/**
 * A fake print component (面单打印组件) for tests and the demo: a local WebSocket server that speaks
 * the protocols of waybills.md §1.8 (Cainiao), §2.5 (PDD), §3.4 (Douyin) and §4.5 (JD), records the
 * print tasks it receives, acks them and pushes the print result the way the real components do.
 * It fails what the real one would: a task without documents (errorCode 11), Cainiao ciphertext
 * that is not `AES:` + base64 (code 40 "Unknown encryption type."), Douyin content whose `params`
 * is not a signed logistics.getShopKey query. Nothing it receives is logged.
 *
 * The WebSocket layer is a small RFC 6455 implementation (text frames, masking, ping/close), with a
 * client for tests and scripts — no dependency.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

// ------------------------------------------------------------------------------------------------ frames

export function encodeFrame(text: string, mask: boolean, opcode = 0x1): Buffer {
  const payload = Buffer.from(text, 'utf8')
  const len = payload.length
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10)
  head[0] = 0x80 | opcode
  if (len < 126) head[1] = len
  else if (len < 65536) {
    head[1] = 126
    head.writeUInt16BE(len, 2)
  } else {
    head[1] = 127
    head.writeBigUInt64BE(BigInt(len), 2)
  }
  if (!mask) return Buffer.concat([head, payload])
  head[1] = head[1]! | 0x80
  const key = randomBytes(4)
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))
  return Buffer.concat([head, key, body])
}

/** Feeds bytes, calls back with each complete message (text) or control frame. */
export class FrameReader {
  private buf = Buffer.alloc(0)
  constructor(private readonly on: (opcode: number, data: Buffer) => void) {}
  push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk])
    for (;;) {
      if (this.buf.length < 2) return
      const opcode = this.buf[0]! & 0x0f
      const masked = (this.buf[1]! & 0x80) !== 0
      let len = this.buf[1]! & 0x7f
      let off = 2
      if (len === 126) {
        if (this.buf.length < 4) return
        len = this.buf.readUInt16BE(2)
        off = 4
      } else if (len === 127) {
        if (this.buf.length < 10) return
        len = Number(this.buf.readBigUInt64BE(2))
        off = 10
      }
      const need = off + (masked ? 4 : 0) + len
      if (this.buf.length < need) return
      let data = this.buf.subarray(off + (masked ? 4 : 0), need)
      if (masked) {
        const key = this.buf.subarray(off, off + 4)
        data = Buffer.from(data.map((b, i) => b ^ key[i % 4]!))
      }
      this.buf = this.buf.subarray(need)
      this.on(opcode, Buffer.from(data))
    }
  }
}

// ------------------------------------------------------------------------------------------------ server

export type ComponentKind = 'cainiao' | 'pdd' | 'douyin' | 'jd'

export interface ReceivedTask {
  component: ComponentKind
  /** The message as received. */
  message: Record<string, unknown>
  documentIds: string[]
  ok: boolean
}

export interface FakePrintComponent {
  url: string
  port: number
  tasks: ReceivedTask[]
  close(): Promise<void>
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const str = (v: unknown) => (typeof v === 'string' ? v : '')

/** What the component answers to one message: replies to send, in order, and the task it records. */
export function answer(kind: ComponentKind, msg: Obj): { replies: Obj[]; task: ReceivedTask | null } {
  if (kind === 'jd') {
    const key = str(msg.key)
    if (msg.orderType === 'GET_Printers')
      return {
        replies: [{ key, code: '6', success: 'true', message: '', status: '500', content: ['KM-118'] }],
        task: null,
      }
    const params = isObj(msg.parameters) ? msg.parameters : {}
    const contents = arr(params.contents).filter(isObj)
    const ok = contents.length > 0 && contents.every((c) => str(c.printData) !== '')
    return {
      replies: [
        ok
          ? {
              key,
              code: '2',
              success: 'true',
              message: '打印成功',
              status: '500',
              detailinfo: { total: `${contents.length}-${contents.length}`, detail: [], errors: [] },
            }
          : { key, code: '2', success: 'false', message: '打印数据错误', status: '502' },
      ],
      task: { component: kind, message: msg, documentIds: contents.map((_, i) => String(i + 1)), ok },
    }
  }
  const cmd = str(msg.cmd)
  const requestID = str(msg.requestID)
  if (cmd === 'getPrinters')
    return {
      replies: [
        {
          cmd,
          requestID,
          status: 'success',
          msg: '',
          defaultPrinter: 'KM-118',
          printers: [{ name: 'KM-118', status: 'enable', type: 'local' }],
        },
      ],
      task: null,
    }
  if (cmd !== 'print')
    return { replies: [{ cmd, requestID, status: 'failed', msg: `unknown cmd ${cmd}` }], task: null }
  const task = isObj(msg.task) ? msg.task : {}
  const taskID = str(task.taskID)
  const docs = arr(task.documents).filter(isObj)
  if (docs.length === 0)
    return {
      replies: [{ cmd, requestID, taskID, status: 'failed', msg: 'document not found', errorCode: 11 }],
      task: { component: kind, message: msg, documentIds: [], ok: false },
    }
  const status = docs.map((d) => {
    const c = arr(d.contents).filter(isObj)[0] ?? {}
    const enc = str(c.encryptedData)
    let bad: string | null = null
    if (kind === 'cainiao' && enc && !/^AES:[A-Za-z0-9+/]+=*$/.test(enc)) bad = 'Unknown encryption type.'
    if (kind === 'cainiao' && !enc && !isObj(c.data)) bad = 'print data missing'
    if (kind === 'pdd' && !/^[0-9a-f]+$/.test(enc)) bad = 'invalid encryptedData'
    if (kind === 'douyin' && !/(^|&)method=logistics\.getShopKey(&|$)/.test(str(c.params)))
      bad = 'params is not a getShopKey query'
    return {
      documentID: str(d.documentID),
      status: bad ? 'failed' : 'success',
      msg: bad ?? 'success',
      detail: bad ? (kind === 'cainiao' ? '40' : 'error') : '',
    }
  })
  const ok = status.every((s) => s.status === 'success')
  const notify =
    kind === 'pdd'
      ? {
          cmd: 'PrintResultNotify',
          requestID,
          printer: str(task.printer) || 'KM-118',
          taskID,
          taskStatus: ok ? 'printed' : 'failed',
          firstFailedDocSN: ok ? null : status.findIndex((s) => s.status !== 'success') + 1,
          printStatus: status,
        }
      : {
          cmd: 'notifyPrintResult',
          requestID,
          printer: str(task.printer) || 'KM-118',
          taskID,
          taskStatus: ok ? 'printed' : 'failed',
          printStatus: status,
        }
  return {
    replies: [{ cmd, requestID, taskID, status: 'success', msg: 'no error', errorCode: 0 }, notify],
    task: { component: kind, message: msg, documentIds: docs.map((d) => str(d.documentID)), ok },
  }
}

/** Start a fake component (port 0 = any free port; the real ones are 13528, 5000, 13888, 9113). */
export async function startPrintComponent(kind: ComponentKind, port = 0): Promise<FakePrintComponent> {
  const tasks: ReceivedTask[] = []
  const sockets = new Set<Duplex>()
  const server: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' })
    res.end('WebSocket only')
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const key = req.headers['sec-websocket-key']
    if (typeof key !== 'string') return socket.destroy()
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64')
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    )
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => sockets.delete(socket))
    const reader = new FrameReader((opcode, data) => {
      if (opcode === 0x8) {
        socket.end(encodeFrame('', false, 0x8))
        return
      }
      if (opcode === 0x9) return void socket.write(encodeFrame(data.toString('utf8'), false, 0xa))
      if (opcode !== 0x1) return
      let msg: unknown
      try {
        msg = JSON.parse(data.toString('utf8'))
      } catch {
        return void socket.write(encodeFrame(JSON.stringify({ status: 'failed', msg: 'not JSON' }), false))
      }
      if (!isObj(msg)) return
      const { replies, task } = answer(kind, msg)
      if (task) tasks.push(task)
      for (const r of replies) socket.write(encodeFrame(JSON.stringify(r), false))
    })
    socket.on('data', (c: Buffer) => reader.push(c))
  })
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()))
  const actual = (server.address() as AddressInfo).port
  return {
    url: `ws://127.0.0.1:${actual}`,
    port: actual,
    tasks,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

// ------------------------------------------------------------------------------------------------ client

export interface WsClient {
  send(msg: unknown): void
  /** The next message received (JSON-parsed). */
  next(): Promise<Obj>
  close(): void
}

/** A minimal WebSocket client (what a packing station's browser does with `new WebSocket`), on a raw TCP socket. */
export function wsConnect(url: string): Promise<WsClient> {
  const u = new URL(url)
  const key = randomBytes(16).toString('base64')
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port || 80), u.hostname)
    socket.on('error', reject)
    const queue: Obj[] = []
    const waiters: ((m: Obj) => void)[] = []
    const reader = new FrameReader((opcode, data) => {
      if (opcode !== 0x1) return
      const m = JSON.parse(data.toString('utf8')) as Obj
      const w = waiters.shift()
      if (w) w(m)
      else queue.push(m)
    })
    let head = Buffer.alloc(0)
    let open = false
    socket.on('data', (c: Buffer) => {
      if (open) return reader.push(c)
      head = Buffer.concat([head, c])
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) return
      const status = head.subarray(0, end).toString('latin1')
      const accept = createHash('sha1')
        .update(key + GUID)
        .digest('base64')
      if (!status.startsWith('HTTP/1.1 101') || !status.includes(accept))
        return reject(new Error(`no WebSocket: ${status.split('\r\n')[0]}`))
      open = true
      resolve({
        send: (msg) => socket.write(encodeFrame(JSON.stringify(msg), true)),
        next: () => {
          const m = queue.shift()
          return m ? Promise.resolve(m) : new Promise((r) => waiters.push(r))
        },
        close: () => socket.end(encodeFrame('', true, 0x8)),
      })
      reader.push(head.subarray(end + 4))
    })
    socket.write(
      `GET ${u.pathname || '/'} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    )
  })
}
