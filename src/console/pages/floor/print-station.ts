/**
 * The packing PC as a print station (waybills.md §0, §1.8, §2.5, §3.4, §4.5, §8): the hub answers
 * print tasks; this sends each component task, as given, to the platform's print component on this
 * PC over its local WebSocket, one document per task and in the order given (a wave's pick order),
 * and waits for the component's own answer (Cainiao/Douyin `notifyPrintResult`, Pinduoduo
 * `PrintResultNotify`, JD's reply with `success`). Labels the hub renders are PDFs to open. The
 * hub's print data is never decrypted or changed here, and never logged.
 *
 * Where each component listens is a setting of this PC (localStorage): the hub's defaults are the
 * components' usual ports, and an HTTPS console or a component on another port needs its own.
 */
import type { PrintComponentKind, PrintTask } from '../../api/types'

const STORAGE_KEY = 'ep.printComponents'
/** How long a component may take to answer one task before the station says so. */
const ANSWER_MS = 20_000

export const COMPONENT_KINDS: readonly PrintComponentKind[] = ['cainiao', 'pdd', 'douyin', 'jd']

export const DEFAULT_COMPONENT_URLS: Readonly<Record<PrintComponentKind, string>> = {
  cainiao: 'ws://localhost:13528',
  pdd: 'ws://127.0.0.1:5000',
  douyin: 'ws://localhost:13888',
  jd: 'ws://localhost:9113',
}

export function componentUrls(): Partial<Record<PrintComponentKind, string>> {
  try {
    const v = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as unknown
    if (typeof v !== 'object' || v === null) return {}
    const out: Partial<Record<PrintComponentKind, string>> = {}
    for (const k of COMPONENT_KINDS) {
      const url = (v as Record<string, unknown>)[k]
      if (typeof url === 'string' && /^wss?:\/\//.test(url)) out[k] = url
    }
    return out
  } catch {
    return {}
  }
}

export function saveComponentUrls(urls: Partial<Record<PrintComponentKind, string>>): void {
  const clean: Partial<Record<PrintComponentKind, string>> = {}
  for (const k of COMPONENT_KINDS) {
    const url = urls[k]?.trim()
    if (url && url !== DEFAULT_COMPONENT_URLS[k]) clean[k] = url
  }
  localStorage.setItem(STORAGE_KEY, JSON.stringify(clean))
}

export interface PrintResult {
  waybillId: string
  waybillCode: string
  kind: 'component' | 'label'
  /** printed = the component says so; opened = a PDF label opened; failed = why, in its words. */
  outcome: 'printed' | 'opened' | 'failed'
  /** no_component = nothing answers at that address; no_answer = it did not answer in time. */
  problem?: 'no_component' | 'no_answer' | 'refused'
  /** The component's own message, verbatim. */
  message?: string
  component?: PrintComponentKind
  url?: string
  labelUrl?: string
}

type Msg = Record<string, unknown>
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')

/** One connection per component address, reused for the tasks of one print run. */
class Connection {
  private waiters: ((m: Msg) => boolean)[] = []
  private constructor(private readonly ws: WebSocket) {
    ws.onmessage = (e: MessageEvent) => {
      let m: unknown
      try {
        m = JSON.parse(String(e.data))
      } catch {
        return
      }
      if (typeof m !== 'object' || m === null) return
      // The first waiter that takes a message consumes it.
      const i = this.waiters.findIndex((w) => w(m as Msg))
      if (i >= 0) this.waiters.splice(i, 1)
    }
  }

  static open(url: string): Promise<Connection> {
    return new Promise((resolve, reject) => {
      let ws: WebSocket
      try {
        ws = new WebSocket(url)
      } catch (err) {
        return reject(err instanceof Error ? err : new Error(String(err)))
      }
      const timer = setTimeout(() => {
        ws.close()
        reject(new Error('timeout'))
      }, ANSWER_MS)
      ws.onopen = () => {
        clearTimeout(timer)
        resolve(new Connection(ws))
      }
      ws.onerror = () => {
        clearTimeout(timer)
        reject(new Error('closed'))
      }
    })
  }

  /** Send one message and wait for the answer `pick` recognises (or null after the wait). */
  ask<T>(message: Msg, pick: (m: Msg) => T | undefined): Promise<T | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        resolve(null)
      }, ANSWER_MS)
      const waiter = (m: Msg) => {
        const v = pick(m)
        if (v === undefined) return false
        clearTimeout(timer)
        resolve(v)
        return true
      }
      this.waiters.push(waiter)
      this.ws.send(JSON.stringify(message))
    })
  }

  close(): void {
    this.ws.close()
  }
}

type Answer = { ok: true } | { ok: false; message: string }

/** The component's verdict on one task, per its protocol. */
export function verdict(kind: PrintComponentKind, message: Msg): (m: Msg) => Answer | undefined {
  if (kind === 'jd') {
    const key = str(message.key)
    return (m) =>
      str(m.key) !== key
        ? undefined
        : str(m.success) === 'true'
          ? { ok: true }
          : { ok: false, message: str(m.message) || `status ${str(m.status)}` }
  }
  const requestID = str(message.requestID)
  const task = (message.task ?? {}) as Msg
  const taskID = str(task.taskID)
  const notify = kind === 'pdd' ? 'PrintResultNotify' : 'notifyPrintResult'
  return (m) => {
    // A refused print: the ack itself fails (e.g. errorCode 11 "document not found").
    if (str(m.cmd) === 'print' && str(m.requestID) === requestID && str(m.status) === 'failed')
      return { ok: false, message: str(m.msg) || `errorCode ${str(m.errorCode)}` }
    if (str(m.cmd) !== notify || str(m.taskID) !== taskID) return undefined
    if (str(m.taskStatus) === 'printed') return { ok: true }
    if (str(m.taskStatus) !== 'failed') return undefined // rendered: the printed one follows
    const docs = Array.isArray(m.printStatus) ? (m.printStatus as Msg[]) : []
    const bad = docs.find((d) => str(d.status) !== 'success')
    return { ok: false, message: bad ? str(bad.msg) || str(bad.detail) : 'failed' }
  }
}

/**
 * Print the tasks in the order given. Component tasks go one by one (the next after the previous
 * one's answer); label tasks report their PDF for the caller to open.
 */
export async function runPrintTasks(
  tasks: readonly PrintTask[],
  onResult?: (r: PrintResult) => void,
): Promise<PrintResult[]> {
  const urls = componentUrls()
  const open = new Map<string, Promise<Connection>>()
  const results: PrintResult[] = []
  const done = (r: PrintResult) => {
    results.push(r)
    onResult?.(r)
  }
  try {
    for (const t of tasks) {
      const base = { waybillId: t.waybillId, waybillCode: t.waybillCode, kind: t.kind }
      if (t.kind === 'label' || !t.component || !t.message) {
        done({ ...base, outcome: 'opened', ...(t.labelUrl ? { labelUrl: t.labelUrl } : {}) })
        continue
      }
      const kind = t.component
      const url = urls[kind] ?? t.componentUrl ?? DEFAULT_COMPONENT_URLS[kind]
      let conn: Connection
      try {
        if (!open.has(url)) open.set(url, Connection.open(url))
        conn = await open.get(url)!
      } catch {
        open.delete(url)
        done({ ...base, outcome: 'failed', problem: 'no_component', component: kind, url })
        continue
      }
      const answer = await conn.ask(t.message, verdict(kind, t.message))
      if (!answer) done({ ...base, outcome: 'failed', problem: 'no_answer', component: kind, url })
      else if (answer.ok) done({ ...base, outcome: 'printed', component: kind, url })
      else
        done({
          ...base,
          outcome: 'failed',
          problem: 'refused',
          message: answer.message,
          component: kind,
          url,
        })
    }
  } finally {
    for (const c of open.values()) void c.then((x) => x.close()).catch(() => undefined)
  }
  return results
}
