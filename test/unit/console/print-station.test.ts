/**
 * The packing station reads each print component's own answer, in the shapes of waybills.md:
 * Cainiao/Douyin ack + `notifyPrintResult` (§1.8, §3.4), Pinduoduo `PrintResultNotify` (§2.5), JD's
 * reply with string booleans (§4.5) — printed, or failed in the component's own words.
 */
import { describe, expect, it } from 'vitest'
import { verdict } from '../../../src/console/pages/floor/print-station'

type Msg = Record<string, unknown>
const task = (taskID: string): Msg => ({
  cmd: 'print',
  requestID: `r-${taskID}`,
  version: '1.0',
  task: {
    taskID,
    preview: false,
    printer: '',
    documents: [{ documentID: 'YT7596382757695', contents: [{}] }],
  },
})
const jdTask: Msg = {
  orderType: 'PRINT',
  key: 'k-1',
  version: '2',
  parameters: { printName: '', contents: [] },
}

/** The first of the replies, in order, on which the verdict settles. */
function settle(pick: (m: Msg) => unknown, replies: Msg[]) {
  for (const r of replies) {
    const v = pick(r)
    if (v !== undefined) return v
  }
  return null
}

describe('the print station reads each component', () => {
  it('Cainiao: the ack, then rendered, then printed (§1.8 captured sequence)', () => {
    const pick = verdict('cainiao', task('t-1'))
    const ack = {
      cmd: 'print',
      requestID: 'r-t-1',
      taskID: 't-1',
      status: 'success',
      msg: 'no error',
      errorCode: 0,
    }
    const rendered = { cmd: 'notifyPrintResult', taskID: 't-1', taskStatus: 'rendered', printStatus: [] }
    const printed = {
      cmd: 'notifyPrintResult',
      printer: 'KM-118',
      taskID: 't-1',
      taskStatus: 'printed',
      printStatus: [{ documentID: 'YT7596382757695', status: 'success', msg: 'success', detail: '' }],
    }
    expect(settle(pick, [ack, rendered, printed])).toEqual({ ok: true })
    // Another task's answer is not this one's.
    expect(pick({ ...printed, taskID: 't-9' })).toBeUndefined()
  })

  it("Cainiao/Douyin: a failed document or a refused ack, in the component's words", () => {
    expect(
      settle(verdict('cainiao', task('t-2')), [
        { cmd: 'print', requestID: 'r-t-2', taskID: 't-2', status: 'success', errorCode: 0 },
        {
          cmd: 'notifyPrintResult',
          taskID: 't-2',
          taskStatus: 'failed',
          printStatus: [
            { documentID: 'YT1', status: 'failed', msg: 'Unknown encryption type.', detail: '40' },
          ],
        },
      ]),
    ).toEqual({ ok: false, message: 'Unknown encryption type.' })
    expect(
      settle(verdict('douyin', task('t-3')), [
        { cmd: 'print', requestID: 'r-t-3', status: 'failed', msg: 'document not found', errorCode: 11 },
      ]),
    ).toEqual({ ok: false, message: 'document not found' })
  })

  it('Pinduoduo answers with PrintResultNotify, not notifyPrintResult (§2.5)', () => {
    const pick = verdict('pdd', task('t-4'))
    expect(pick({ cmd: 'notifyPrintResult', taskID: 't-4', taskStatus: 'printed' })).toBeUndefined()
    expect(
      pick({
        cmd: 'PrintResultNotify',
        printer: 'KM-118',
        taskID: 't-4',
        taskStatus: 'printed',
        printStatus: [],
      }),
    ).toEqual({ ok: true })
  })

  it('JD: the reply with the same key, success as a string (§4.5)', () => {
    const pick = verdict('jd', jdTask)
    expect(pick({ key: 'k-2', code: '2', success: 'true', status: '500' })).toBeUndefined()
    expect(pick({ key: 'k-1', code: '2', success: 'true', message: '打印成功', status: '500' })).toEqual({
      ok: true,
    })
    expect(pick({ key: 'k-1', code: '2', success: 'false', message: '打印数据错误', status: '502' })).toEqual(
      {
        ok: false,
        message: '打印数据错误',
      },
    )
  })
})
